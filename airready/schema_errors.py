"""Turn pydantic's validation errors into problems a person can act on.

Each error is placed at the exact line and column of the offending key or value,
says what was expected and what was found, and where a near miss is likely adds
a "did you mean".  Values that YAML 1.1 silently retyped (``NO`` -> false,
``1.10`` -> 1.1, ``2026-01-01`` -> a date) get a hint to quote them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from typing import Any, Union

from pydantic import BaseModel, ValidationError
from yaml.nodes import ScalarNode

from .problems import Problem
from .yamlsource import SourceDoc

_EXPECTED_ITEM = re.compile(r"'([^']*)'")


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def data_path(data: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The path into the data; drops the union-branch labels pydantic puts in ``loc``."""
    path: list[str | int] = []
    current = data
    for step in loc:
        if isinstance(current, dict) and step in current:
            current = current[step]
            path.append(step)
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            current = current[step]
            path.append(step)
        elif isinstance(current, dict | list):
            path.append(step)  # a missing key: keep it so the message can name it
            current = None
    return tuple(path)


def _model_at(cls: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic class that validates the mapping at ``path`` (for field-name hints)."""
    annotation: Any = cls
    for step in path:
        model = _unwrap_model(annotation, want_container=not isinstance(step, str))
        if model is None:
            return None
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(step))
            if field is None:
                return None
            annotation = field.annotation
        else:
            annotation = model  # the item type of a list or dict
    found = _unwrap_model(annotation, want_container=False)
    return found if isinstance(found, type) and issubclass(found, BaseModel) else None


def _unwrap_model(annotation: Any, want_container: bool) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap_model(typing.get_args(annotation)[0], want_container)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _unwrap_model(arg, want_container)
            if found is not None:
                return found
        return None
    if origin is list:
        return typing.get_args(annotation)[0] if want_container else None
    if origin is dict:
        return typing.get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _yaml_retyped_hint(doc: SourceDoc, path: tuple[str | int, ...], value: Any) -> str:
    if isinstance(value, bool | int | float | dt.date) and not isinstance(value, str):
        node = doc.node_at(path)
        if isinstance(node, ScalarNode) and node.style == "":
            kind = {bool: "a boolean", int: "a number", float: "a number"}.get(
                type(value), "a date")
            return (f"; YAML read {node.value} as {kind}: quote it "
                    f"(\"{node.value}\") to keep it as text")
    return ""


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value) if not isinstance(value, dt.date) else value.isoformat()
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: dict[str, Any], doc: SourceDoc, path: tuple[str | int, ...],
             root: type[BaseModel]) -> tuple[str, bool]:
    """The message for one error, and whether it points at the key (not the value)."""
    kind = error["type"]
    field = ".".join(str(p) for p in path) or "document"
    value = error.get("input")
    if kind == "extra_forbidden":
        model = _model_at(root, path[:-1])
        hint = did_you_mean(str(path[-1]), model.model_fields) if model else ""
        return f"{field}: unknown field {path[-1]!r}{hint}", True
    if kind == "missing":
        return f"{field}: required field {path[-1]!r} is missing", True
    if kind in ("literal_error", "enum"):
        expected = _EXPECTED_ITEM.findall(error.get("ctx", {}).get("expected", ""))
        hint = did_you_mean(str(value), expected) if isinstance(value, str) else ""
        return f"{field}: {_describe(value)} is not one of {', '.join(expected)}{hint}", False
    if kind == "string_type":
        return f"{field}: expected text, found {_describe(value)}" + _yaml_retyped_hint(
            doc, path, value), False
    msg = str(error["msg"])
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("int_type", "int_parsing", "float_type", "float_parsing", "bool_type",
                "bool_parsing", "date_type", "date_parsing", "date_from_datetime_parsing",
                "datetime_type", "datetime_parsing", "list_type", "dict_type", "model_type",
                "model_attributes_type", "date_from_datetime_inexact"):
        expected = {
            "int": "a whole number", "float": "a number", "bool": "true or false",
            "date": "a date (YYYY-MM-DD)", "datetime": "a timestamp with a time zone",
            "list": "a list", "dict": "a mapping", "model": "a mapping",
        }[kind.split("_")[0]]
        return f"{field}: expected {expected}, found {_describe(value)}", False
    return f"{field}: {msg}", False


def problems_from_validation(doc: SourceDoc, exc: ValidationError, root: type[BaseModel],
                             code: str = "schema") -> list[Problem]:
    """One problem per place; several union branches failing at one place become one."""
    by_path: dict[tuple[str | int, ...], tuple[list[str], bool]] = {}
    for error in exc.errors():
        path = data_path(doc.data, tuple(error["loc"]))
        message, at_key = _message(error, doc, path, root)
        messages, key_flag = by_path.setdefault(path, ([], at_key))
        if message not in messages:
            messages.append(message)
    problems = []
    for path, (messages, at_key) in by_path.items():
        if at_key and messages[0].endswith("is missing"):
            line, column = doc.locate(path[:-1])
        else:
            line, column = doc.locate(path, key=at_key)
        text = messages[0] if len(messages) == 1 else _join_alternatives(messages)
        problems.append(Problem(doc.file, line, column, text, code=code))
    return sorted(problems)


def _join_alternatives(messages: list[str]) -> str:
    field = messages[0].split(":", 1)[0]
    reasons = [m.split(":", 1)[1].strip() for m in messages]
    return f"{field}: " + "; or ".join(reasons)
