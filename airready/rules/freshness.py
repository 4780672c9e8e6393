"""Evidence freshness: when a passing, date-based control will start to fail.

A control that demands ``{path: spec.rollback.last_tested, within: P180D}`` passes
today but goes stale 180 days after the test: it still passes on that day (an age of
exactly 180 days is within 180 days) and fails from the next one, its *stale day*.  We
read the ``within`` conditions of the control (statically, from its YAML) and compute
that day for each target, so the scorecard can list what expires soon, before CI starts
failing on it.  Only the parts of a condition that hold today count: the branch of an
``if`` that applies, the ``any`` alternatives and the ``some`` items that pass.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from ..inventory.fields import parse_duration
from ..inventory.model import Inventory
from .catalog import Control
from .conditions import (
    Condition,
    ConditionError,
    Context,
    EvaluationError,
    Scope,
    compile_condition,
    resolve,
)

# How the dates under a condition combine: every item must stay fresh (earliest date
# decides) or one fresh item is enough (latest date decides).
ALL, ANY = min, max


def _stale_day(value: Any, duration: dt.timedelta) -> dt.date | None:
    """The first day on which ``{within: duration}`` fails for this date (or time).

    op_within fails once the age, counted from the start of the audit day (in the value's
    own time zone for a time), exceeds the duration: the day after ``value + duration``.
    """
    if isinstance(value, dt.datetime):
        return (value + duration).date() + dt.timedelta(days=1)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=(duration // dt.timedelta(days=1)) + 1)
    return None


def _holds(spec: Any, root: Any, ctx: Context | None) -> bool:
    """Whether a condition holds today on ``root`` (True when it cannot be told)."""
    if ctx is None:
        return True
    try:
        condition: Condition = compile_condition(spec)
        return condition(Scope(root, ctx.target, ()), ctx).ok
    except (ConditionError, EvaluationError):
        return True


def _items(key: str, values: list[Any], inventory: Inventory) -> list[Any]:
    """What each/some/ref evaluate their condition on, as conditions._compile_nested does."""
    items: list[Any] = []
    for value in values:
        if key == "ref":
            refs = value if isinstance(value, list) else [value]
            items.extend(inventory.entities.get(r) for r in refs if isinstance(r, str))
        elif isinstance(value, list):
            items.extend(value)
        elif isinstance(value, dict):  # every value of a mapping, as ``*`` does
            items.extend(value.values())
        elif value is not None:
            items.append(value)
    return [i for i in items if isinstance(i, BaseModel | dict)]


def _stale_on(spec: Any, root: Any, inventory: Inventory, ctx: Context | None
              ) -> dt.date | None:
    """The day the condition stops holding because of age; None if no date matters."""
    if not isinstance(spec, dict):
        return None
    for key, combine in (("all", ALL), ("any", ANY)):
        if key in spec and isinstance(spec[key], list):
            parts = spec[key]
            if key == "any":  # an alternative that fails today keeps nothing passing
                parts = [p for p in parts if _holds(p, root, ctx)]
            dates = [d for d in (_stale_on(s, root, inventory, ctx) for s in parts) if d]
            return combine(dates) if dates else None
    if "if" in spec:  # only the branch that applies today must stay fresh
        branch = spec.get("then") if _holds(spec["if"], root, ctx) else spec.get("else")
        return _stale_on(branch, root, inventory, ctx)
    if "org" in spec:
        org = inventory.organization
        return _stale_on(spec["org"], org, inventory, ctx) if org else None
    path = spec.get("path")
    if not isinstance(path, str):
        return None
    steps = tuple(path.split("."))
    values = [v for _, v in resolve(root, steps, ())]
    if "within" in spec:
        try:
            duration = parse_duration(spec["within"])
        except (TypeError, ValueError):
            return None
        dates = [d for d in (_stale_day(v, duration) for v in values) if d]
        if not dates:
            return None
        combine = ANY if spec.get("quantifier") == "any" else ALL
        return combine(dates)
    for key, combine in (("each", ALL), ("some", ANY), ("ref", ALL)):
        if key not in spec:
            continue
        items = _items(key, values, inventory)
        if key == "some":
            # Only the items that satisfy the whole condition today keep it passing.
            items = [i for i in items if _holds(spec[key], i, ctx)]
        dates = [d for d in (_stale_on(spec[key], i, inventory, ctx) for i in items) if d]
        return combine(dates) if dates else None
    return None


def stale_on(control: Control, target: Any, inventory: Inventory, today: dt.date
             ) -> dt.date | None:
    ctx = Context(inventory, today, getattr(target, "ref", ""))
    return _stale_on(control.spec.check, target, inventory, ctx)
