"""Evidence freshness: when a passing, date-based control will start to fail.

A control that demands ``{path: spec.rollback.last_tested, within: P180D}`` passes
today but goes stale 180 days after the test.  We read the ``within`` conditions of
the control (statically, from its YAML) and compute that date for each target, so the
scorecard can list what expires soon, before CI starts failing on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from .catalog import Control
from .conditions import Context, Scope, compile_condition, resolve
from .fields import parse_duration
from .inventory import Inventory

# How the dates under a condition combine: every item must stay fresh (earliest date
# decides) or one fresh item is enough (latest date decides).
ALL, ANY = min, max


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _stale_on(spec: Any, root: Any, inventory: Inventory, ctx: Context | None
              ) -> dt.date | None:
    """The day the condition stops holding because of age; None if no date matters."""
    if not isinstance(spec, dict):
        return None
    for key, combine in (("all", ALL), ("any", ANY)):
        if key in spec and isinstance(spec[key], list):
            dates = [d for d in (_stale_on(s, root, inventory, ctx) for s in spec[key]) if d]
            return combine(dates) if dates else None
    if "then" in spec:  # if/then/else: whichever branch applies must stay fresh
        branches = [spec.get("then"), spec.get("else")]
        dates = [d for d in (_stale_on(b, root, inventory, ctx) for b in branches) if d]
        return ALL(dates) if dates else None
    if "org" in spec:
        org = inventory.organization
        return _stale_on(spec["org"], org, inventory, ctx) if org else None
    path = spec.get("path")
    if not isinstance(path, str):
        return None
    steps = tuple(path.split("."))
    values = [v for _, v in resolve(root, steps, ())]
    if "within" in spec:
        duration = parse_duration(spec["within"])
        dates = [d for d in map(_as_date, values) if d]
        if not dates:
            return None
        combine = ANY if spec.get("quantifier") == "any" else ALL
        return combine(dates) + duration
    for key, combine in (("each", ALL), ("some", ANY), ("ref", ALL)):
        if key not in spec:
            continue
        items: list[Any] = []
        for value in values:
            items.extend(value if isinstance(value, list) else [value])
        if key == "ref":
            items = [inventory.entities.get(r) for r in items if isinstance(r, str)]
        items = [i for i in items if isinstance(i, BaseModel | dict)]
        if key == "some" and ctx is not None:
            # Only the items that satisfy the whole condition today keep it passing.
            inner = compile_condition(spec[key])
            items = [i for i in items if inner(Scope(i, ctx.target, ()), ctx).ok]
        dates = [d for d in (_stale_on(spec[key], i, inventory, ctx) for i in items) if d]
        return combine(dates) if dates else None
    return None


def stale_on(control: Control, target: Any, inventory: Inventory, today: dt.date
             ) -> dt.date | None:
    ctx = Context(inventory, today, getattr(target, "ref", ""))
    return _stale_on(control.spec.check, target, inventory, ctx)
