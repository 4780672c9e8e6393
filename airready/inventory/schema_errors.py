"""Turn pydantic's validation errors into problems a person can act on.

Each error is placed at the exact line and column of the offending key or value,
says what was expected and what was found, and where a near miss is likely adds
a "did you mean".  Values that YAML 1.1 silently retyped (``NO`` -> false,
``1.10`` -> 1.1, ``2026-01-01`` -> a date) get a hint to quote them.

Messages start with the path of what is wrong (``spec.logging.store``; list items
by index, ``spec.tools.0.tool``), as findings do.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from .problems import Problem
from .yamlsource import SourceDoc

_QUOTED = re.compile(r"'([^']*)'")
Path = tuple[Any, ...]

# Patterns of the format, said the way a person would say them.
_PATTERN_NAMES = {
    r"^P[1-9]$": "a severity P1 to P9",
    r"^[A-Z][A-Z0-9]*-[A-Z0-9]+-\d{3}$": "a control id such as AIR-LOG-001",
}
_TYPE_NAMES = {
    "int": "a whole number", "float": "a number", "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "a timestamp with a time zone (such as 2026-11-02T09:14:00Z)",
    "list": "a list", "dict": "a mapping", "model": "a mapping", "string": "text",
}
_TYPE_ERRORS = {
    "int_type": "int", "int_parsing": "int", "int_from_float": "int",
    "float_type": "float", "float_parsing": "float",
    "bool_type": "bool", "bool_parsing": "bool",
    "date_type": "date", "date_parsing": "date", "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date", "datetime_type": "datetime",
    "datetime_parsing": "datetime", "datetime_from_date_parsing": "datetime",
    "datetime_object_invalid": "datetime",
    "list_type": "list", "dict_type": "dict", "model_type": "model",
    "model_attributes_type": "model", "string_type": "string",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "at least"), "less_than_equal": ("le", "at most"),
    "greater_than": ("gt", "more than"), "less_than": ("lt", "less than"),
}


def closest(word: str, choices: typing.Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice closest to ``word``, if any is close enough."""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, choices: typing.Iterable[str], cutoff: float = 0.6) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when none is close."""
    close = closest(word, choices, cutoff)
    return f" (did you mean {close!r}?)" if close else ""


@dataclass
class _Located:
    """One pydantic error mapped onto the document."""

    path: Path  # into the data; for a key error, the path to that key
    at_key: bool  # point at the key rather than the value
    union_at: int | None  # length of the path where pydantic tried union branches
    error: dict[str, Any]


def data_path(data: Any, loc: tuple[Any, ...], missing: bool = False
              ) -> tuple[Path, int | None]:
    """The path into the data, without the union-branch labels pydantic puts in ``loc``.

    Returns the path and, if a union was tried on the way, the path length where.
    ``missing``: the last step names a field that is absent (keep it to name it).
    """
    path: list[Any] = []
    union_at: int | None = None
    current = data
    for position, step in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(current, dict) and _has_key(current, step):
            if not isinstance(step, str):  # pydantic gives the key True as 1: keep True
                step = next(key for key in current if key == step)
            current = current[step]
            path.append(step)
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            current = current[step]
            path.append(step)
        elif missing and last and isinstance(current, dict):
            path.append(step)
        elif union_at is None:
            union_at = len(path)  # a union branch label: not a place in the data
    return tuple(path), union_at


def _has_key(mapping: dict[Any, Any], step: Any) -> bool:
    try:
        return step in mapping
    except TypeError:
        return False


def _model_at(cls: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The pydantic class that validates the mapping at ``path`` (for field-name hints)."""
    annotation: Any = cls
    for step in path:
        annotation = _step_into(annotation, step)
        if annotation is None:
            return None
    for candidate in _alternatives(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _step_into(annotation: Any, step: Any) -> Any:
    """The annotation of what ``step`` reaches: a model's field, a list's item, a dict's value."""
    for candidate in _alternatives(annotation):
        origin = typing.get_origin(candidate)
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            field = candidate.model_fields.get(step) if isinstance(step, str) else None
            if field is not None:
                return field.annotation
        elif origin is list and isinstance(step, int):
            return typing.get_args(candidate)[0]
        elif origin is dict:
            return typing.get_args(candidate)[1]
    return None


def _alternatives(annotation: Any) -> list[Any]:
    """``Annotated[X, ...]`` -> [X]; ``X | Y | None`` -> [X, Y, None]."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _alternatives(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [alt for arg in typing.get_args(annotation) for alt in _alternatives(arg)]
    return [annotation]


def _retyped(doc: SourceDoc, path: Path, value: Any, key: bool = False) -> str:
    """The hint for a value YAML 1.1 turned from text into a boolean, number or date."""
    if isinstance(value, str) or not isinstance(value, bool | int | float | dt.date):
        return ""
    written = doc.plain_text(path, key=key)
    if written is None:
        return ""
    kind = ("a boolean" if isinstance(value, bool) else
            "a number" if isinstance(value, int | float) else
            "a timestamp" if isinstance(value, dt.datetime) else "a date")
    return (f" (YAML reads an unquoted {written} as {kind}: write \"{written}\" "
            "to keep it as text)")


def describe(value: Any) -> str:
    """A value as a message shows it: 'text', the number 1.1, a list ..."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.datetime):
        return f"the timestamp {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    text = repr(value)
    return text if len(text) <= 60 else text[:56] + "...'"


def _field(doc: SourceDoc, path: Path) -> str:
    """``spec.tools.0.tool``; a key YAML retyped is shown as written (``on``, not True)."""
    parts = []
    for index, step in enumerate(path):
        if isinstance(step, str) or (isinstance(step, int) and not isinstance(step, bool)):
            parts.append(str(step))
        else:
            written = doc.key_text(path[: index + 1])
            parts.append(written if written is not None else str(step))
    return ".".join(parts) or "document"


def _expected_found(expected: str, value: Any, hint: str = "") -> str:
    return f"expected {expected}, found {describe(value)}{hint}"


def _reason(item: _Located, doc: SourceDoc, root: type[BaseModel]) -> str:
    """What is wrong, without the leading path."""
    error, path = item.error, item.path
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    msg = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if item.at_key and kind == "string_type":  # a key of a mapping is not text
        return "a key must be text, found " + describe(value) + _retyped(
            doc, path, value, key=True)
    if kind == "extra_forbidden":
        name = path[-1]
        model = _model_at(root, path[:-1])
        if not isinstance(name, str):
            return f"unknown field {describe(name)}" + _retyped(doc, path, name, key=True)
        hint = did_you_mean(name, model.model_fields) if model else ""
        if not hint and model and len(model.model_fields) <= 10:
            hint = " (expected one of: " + ", ".join(model.model_fields) + ")"
        return f"unknown field {name!r}{hint}"
    if kind == "missing":
        extra = " (add apiVersion: airready/v1)" if path == ("apiVersion",) else ""
        return f"required field {path[-1]!r} is missing{extra}"
    if kind in ("literal_error", "enum"):
        expected = _QUOTED.findall(str(ctx.get("expected", "")))
        if len(expected) == 1:  # no "did you mean" with a single choice: it is named already
            return _expected_found(repr(expected[0]), value, _retyped(doc, path, value))
        hint = did_you_mean(value, expected) if isinstance(value, str) else ""
        hint = hint or _retyped(doc, path, value)
        return f"{describe(value)} is not one of {', '.join(expected)}{hint}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return _expected_found(_PATTERN_NAMES.get(pattern, f"text matching {pattern}"), value)
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "must not be empty"
        return f"expected at least {ctx.get('min_length')} characters, found {describe(value)}"
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return _expected_found(f"{words} {ctx.get(name)}", value)
    if kind in _TYPE_ERRORS:
        hint = _retyped(doc, path, value) if kind == "string_type" else ""
        return _expected_found(_TYPE_NAMES[_TYPE_ERRORS[kind]], value, hint)
    if kind == "value_error" and isinstance(value, dt.date) and not isinstance(
            value, dt.datetime) and "time zone" in msg:
        return _expected_found(_TYPE_NAMES["datetime"], value)
    return msg


def problems_from_validation(doc: SourceDoc, exc: ValidationError, root: type[BaseModel],
                             code: str = "schema") -> list[Problem]:
    """One problem per place; several union branches failing at one place become one."""
    located = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        at_key = error["type"] == "extra_forbidden"
        if loc and loc[-1] == "[key]":  # a dict key is wrong: pydantic gives it as input
            parent, union_at = data_path(doc.data, loc[:-2])
            path, at_key = (*parent, error.get("input")), True
        else:
            path, union_at = data_path(doc.data, loc, missing=error["type"] == "missing")
        located.append(_Located(path, at_key, union_at, dict(error)))
    located = _drop_branch_mismatches(located)

    by_path: dict[tuple[Path, bool], list[str]] = {}
    for item in located:
        reasons = by_path.setdefault((item.path, item.at_key), [])
        reason = _reason(item, doc, root)
        if reason not in reasons:
            reasons.append(reason)
    problems = []
    for (path, at_key), reasons in by_path.items():
        if reasons[0].startswith("required field"):
            line, column = doc.locate(path[:-1])  # where the field has to be added
        else:
            line, column = doc.locate(path, key=at_key)
        text = f"{_field(doc, path)}: {_join_alternatives(reasons)}"
        problems.append(Problem(doc.file, line, column, text, code=code))
    return sorted(problems)


def _drop_branch_mismatches(located: list[_Located]) -> list[_Located]:
    """Where a union was tried, a branch whose type fits fails deeper in the data: its
    errors are the useful ones, not those of branches that fail at the union itself."""
    deeper = {item.path[: item.union_at] for item in located
              if item.union_at is not None and len(item.path) > item.union_at}
    return [item for item in located
            if not (item.union_at is not None and len(item.path) == item.union_at
                    and item.path in deeper)]


def _join_alternatives(reasons: list[str]) -> str:
    """``expected 'all', found 'x'`` + ``expected a list, found 'x'`` ->
    ``expected 'all' or a list, found 'x'``."""
    if len(reasons) == 1:
        return reasons[0]
    parsed = [re.fullmatch(r"expected (.*?), found (.*?)( \(did you mean .*\))?", r)
              for r in reasons]
    if all(parsed) and len({m[2] for m in parsed if m}) == 1:
        hints = "".join(m[3] for m in parsed if m and m[3])
        expected = " or ".join(m[1] for m in parsed if m)
        return f"expected {expected}, found {parsed[0][2] if parsed[0] else ''}{hints}"
    return "; or ".join(reasons)
