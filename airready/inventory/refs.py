"""Find every reference inside a validated entity, with the path to it.

Which fields are references is read once per class from the ``RefTo`` marker in
the annotations (fields.Ref), so the format in kinds.py stays the single source.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from functools import cache
from typing import Any, Union

from pydantic import BaseModel

from .fields import RefTo

Path = tuple[str | int, ...]
# A plan says how to find references in a value of one annotation:
# ("ref", prefixes) | ("list", plan) | ("dict", plan) | ("model", class) | None
Plan = tuple[str, Any] | None


def _classify(annotation: Any, metadata: tuple[Any, ...] = ()) -> Plan:
    for item in metadata:
        if isinstance(item, RefTo):
            return ("ref", item.prefixes)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _classify(base, tuple(extra))
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            plan = _classify(arg)
            if plan is not None:
                return plan
        return None
    if origin is list:
        inner = _classify(typing.get_args(annotation)[0])
        return ("list", inner) if inner else None
    if origin is dict:
        inner = _classify(typing.get_args(annotation)[1])
        return ("dict", inner) if inner else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation)
    return None


@cache
def _plans(cls: type[BaseModel]) -> tuple[tuple[str, Plan], ...]:
    plans = []
    for name, info in cls.model_fields.items():
        plan = _classify(info.annotation, tuple(info.metadata))
        if plan is not None:
            plans.append((name, plan))
    return tuple(plans)


def iter_refs(obj: BaseModel, path: Path = ()) -> Iterator[tuple[Path, str, tuple[str, ...]]]:
    """Yield ``(path, "kind:name", allowed prefixes)`` for every reference in ``obj``."""
    found: list[tuple[Path, str, tuple[str, ...]]] = []
    _collect_model(obj, path, found)
    return iter(found)


# Collected into one list rather than through nested generators: every entity is walked
# when the inventory loads, and each generator level costs a call per reference.

def _collect_model(obj: BaseModel, path: Path, found: list[tuple[Path, str, tuple[str, ...]]]
                   ) -> None:
    values = obj.__dict__  # pydantic keeps every field there; one read, not one per field
    for name, plan in _plans(type(obj)):
        value = values.get(name)
        if value is None:
            continue
        kind, detail = plan  # type: ignore[misc]
        if kind == "list" and detail[0] == "ref" and isinstance(value, list):
            # A list of references, the commonest plan: without a call per item.
            where = (*path, name)
            prefixes = detail[1]
            for index, item in enumerate(value):
                if isinstance(item, str):
                    found.append(((*where, index), item, prefixes))
        else:
            _collect(value, plan, (*path, name), found)


def _collect(value: Any, plan: Plan, path: Path,
             found: list[tuple[Path, str, tuple[str, ...]]]) -> None:
    assert plan is not None
    kind, detail = plan
    if kind == "ref":
        if isinstance(value, str):
            found.append((path, value, detail))
    elif kind == "list":
        if isinstance(value, list):
            for index, item in enumerate(value):
                if item is not None:
                    _collect(item, detail, (*path, index), found)
    elif kind == "dict":
        if isinstance(value, dict):
            for key, item in value.items():
                if item is not None:
                    _collect(item, detail, (*path, key), found)
    elif isinstance(value, BaseModel):
        _collect_model(value, path, found)
