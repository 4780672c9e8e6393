"""The check language: declarative conditions compiled into small Python closures.

A control's ``check`` (and its ``applies_to.where``) is a mapping in one of these
shapes; nothing is ever eval'd:

* ``{all: [C, ...]}``, ``{any: [C, ...]}``, ``{not: C}``: combine conditions.
* ``{if: C, then: T, else: E}``: T applies only where C holds (``else`` is optional).
* ``{path: spec.logging.inputs, <operator>: <argument>}``: a field condition.  A path
  is dotted; ``*`` stands for every item of a list or every value of a mapping
  (``spec.roles.*.backup``), and then every item must satisfy the operator (or just
  one, with ``quantifier: any``).  A missing value fails with "is not set".  A
  wildcard that finds nothing fails ("is empty") unless ``if_empty: pass``.
* ``{path: P, differs_from: Q}``, ``in_field: Q``, ``not_in_field: Q``: compare the
  value at ``P`` with the field at ``Q`` of the same scope (``{path: backup,
  differs_from: primary}``; ``{path: spec.logging.store, not_in_field: spec.data_access}``
  fails with "logging.store is datastore:crm, which is also in data_access").
  ``no_later_than: Q + P14D``: a date or time at most that long after the one at ``Q``.
* ``{path: P, declared: true}``: the field is written in the YAML, even as an empty list
  (``data_access: []`` declares that the model reads no store).
* ``{path: P, each: C}`` / ``{path: P, some: C}``: evaluate ``C`` inside every (or
  some) item found at ``P`` (the items of a list, the values of a mapping); paths in
  ``C`` are relative to that item.  No items at all fails unless ``if_empty: pass``.
* ``{path: P, ref: C}``: follow the references at ``P`` and evaluate ``C`` on each
  referenced entity (``{path: spec.provider, ref: {path: spec.security_contact.email,
  exists: true}}``); ``some_ref: C`` needs only one of them to satisfy ``C``.
* ``{path: facts.NAME, <operator>: ...}``: a fact worked out over the whole inventory
  (facts.py: ``facts.live``, ``facts.log_store_reachable_by`` ...), worded by the fact.
* ``describe: text`` beside an operator, ``some`` or ``some_ref`` words what is expected
  in findings ("expected a dated snapshot") instead of the operator's own terms (a
  regular expression, say), which mean little to the reader.
* ``{org: C}``: evaluate ``C`` on the Organization.
* ``{query: {kind: K, where: C}, count_min: N}``: count entities of kind ``K``
  matching ``C`` across the inventory (``$target`` in ``C`` is the audited entity).

Where a condition tests several things (``all``, ``each``, ``ref``), a failure names every
failing part, not only the first.

The operators are the functions in ``OPERATORS``; each docstring shows a passing and
a failing example, which the documentation renders.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ..inventory.fields import format_duration, parse_duration
from ..inventory.words import listing
from .clocks import clocks, regimes_touched, rules_for
from .facts import UnknownFact, fact, known
from .followup import incidents_served, last_change, missed_targets

if TYPE_CHECKING:
    from ..inventory.model import Inventory

Path = tuple[str | int, ...]
TARGET = "$target"


class ConditionError(ValueError):
    """A control's condition is malformed; ``where`` is the path inside the control."""

    def __init__(self, message: str, where: Path):
        super().__init__(message)
        self.message = message
        self.where = where


class EvaluationError(Exception):
    """The check could not be evaluated on this target (state ``error``)."""


@dataclass
class Context:
    inventory: Inventory
    today: dt.date
    target: str  # the audited entity's reference
    # What conditions may keep while the inventory does not change; the engine gives every
    # target of one audit the same dict.
    shared: dict[Any, Any] = field(default_factory=dict)


class Outcome:
    """The result of a condition: whether it held, and where and why.

    ``evidence`` (what was found, in words: "logging.user_attribution is false") may be
    given as a function and is then worded only when someone reads it: most outcomes
    are never shown (passes a text report leaves out, the failing ``if`` of a control
    that then does not apply, alternatives of ``any`` tried before the one that held).
    """

    __slots__ = ("ok", "ref", "path", "_evidence")

    def __init__(self, ok: bool, ref: str, path: Path,
                 evidence: str | Callable[[], str]):
        self.ok = ok
        self.ref = ref  # the entity holding the deciding value (the target or a referenced one)
        self.path = path  # where the deciding value is (or should be)
        self._evidence = evidence

    @property
    def evidence(self) -> str:
        text = self._evidence
        if not isinstance(text, str):
            text = self._evidence = self.word()
        return text

    def word(self) -> str:
        """The evidence, worded but not kept: a report that streams every finding out
        once would otherwise hold all their texts until the end."""
        text = self._evidence
        return text if isinstance(text, str) else text()

    def __repr__(self) -> str:
        return f"Outcome(ok={self.ok}, ref={self.ref!r}, path={self.path!r}, " \
               f"evidence={self.evidence!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Outcome) and (self.ok, self.ref, self.path, self.evidence) == (
            other.ok, other.ref, other.path, other.evidence)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Scope:
    """Where relative paths start: an object inside entity ``ref`` at ``base``."""

    root: Any
    ref: str
    base: Path


Condition = Callable[[Scope, Context], Outcome]


# --- paths ----------------------------------------------------------------------------------

def parse_path(text: Any, where: Path) -> tuple[str, ...]:
    if not isinstance(text, str) or not re.fullmatch(r"(\*|[A-Za-z_]\w*)(\.(\*|[\w-]+))*", text):
        raise ConditionError(f"expects a dotted path of field names or *, e.g. "
                             f"spec.logging.inputs; got {text!r}", where)
    return tuple(text.split("."))


def _format_fields(value: Any) -> dict[str, Any] | None:
    """The fields of a block of the format (a pydantic model); None for any other value.

    Found once per class and then looked up by type: paths are resolved about a million
    times in a large audit, and ``isinstance(value, BaseModel)`` goes through ABCMeta's
    ``__instancecheck__`` each time.
    """
    cls = type(value)
    fields = _FIELDS_BY_CLASS.get(cls, _UNKNOWN)
    if fields is _UNKNOWN:
        fields = _FIELDS_BY_CLASS[cls] = (cls.__pydantic_fields__
                                          if issubclass(cls, BaseModel) else None)
    return fields


_UNKNOWN: Any = object()
_FIELDS_BY_CLASS: dict[type, dict[str, Any] | None] = {}


def _child(value: Any, step: str) -> Any:
    if type(value) is dict:  # the common case first, without a lookup
        return value.get(step)
    fields = _format_fields(value)
    if fields is not None:
        # Only the format's fields, which pydantic keeps in the instance __dict__: never a
        # method or property of the class (spec.copy), nor a cached_property that lands in
        # __dict__ once used (Entity.ref), which would make a path's meaning depend on order.
        if step not in fields:
            return None
        return value.__dict__.get(step)
    if isinstance(value, dict):
        return value.get(step)
    if isinstance(value, list) and step.isdigit():
        index = int(step)
        return value[index] if index < len(value) else None
    return None


def _lookup(root: Any, steps: tuple[str, ...]) -> Any:
    """The value at a path without wildcards (None where it runs out).

    ``_child`` inlined for blocks of the format, which nearly every step goes through.
    """
    value = root
    for step in steps:
        fields = _FIELDS_BY_CLASS.get(type(value))
        if fields is not None:
            value = value.__dict__.get(step) if step in fields else None
        else:
            value = _child(value, step)
        if value is None:
            return None
    return value


def resolve(root: Any, steps: tuple[str, ...], base: Path) -> Iterator[tuple[Path, Any]]:
    """Every (concrete path, value) that ``steps`` names below ``root``."""
    if "*" not in steps:  # the common case, without recursion
        yield base + steps, _lookup(root, steps)
        return
    if not steps:
        yield base, root
        return
    step, rest = steps[0], steps[1:]
    if step == "*":
        if isinstance(root, list):
            for index, item in enumerate(root):
                yield from resolve(item, rest, (*base, index))
        elif isinstance(root, dict) or _format_fields(root) is not None:
            for key, item in _mapping(root).items():
                yield from resolve(item, rest, (*base, key))
        return
    yield from resolve(_child(root, step), rest, (*base, step))


def _mapping(value: Any) -> dict[Any, Any]:
    """A mapping's entries; for a block of the format, the fields the YAML wrote."""
    fields = _format_fields(value)
    if fields is not None:
        written = value.model_fields_set
        return {name: value.__dict__.get(name) for name in fields if name in written}
    return value if isinstance(value, dict) else {}


def _entries(value: Any) -> list[Any]:
    """The items of a list, or the keys of a mapping (what count_* and contains_all see)."""
    if isinstance(value, list):
        return value
    return list(_mapping(value))


def _same(a: Any, b: Any) -> bool:
    """Equality without Python's ``True == 1`` and ``False == 0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _member(value: Any, items: Any) -> bool:
    if not isinstance(items, list):
        return False
    if value.__class__ is str:  # no other value YAML gives equals a str: list's own test
        return value in items
    return any(_same(value, item) for item in items)


def _until_wildcard(base: Path, steps: tuple[str, ...]) -> Path:
    """The path up to the first ``*``: the list or mapping that had no entries."""
    prefix = steps[:steps.index("*")] if "*" in steps else steps
    return (*base, *prefix)


# show_path of paths of field names: the same few dozen come up in every message.
_SHOWN: dict[Path, str] = {}


def show_path(path: Path) -> str:
    """``spec.logging.inputs`` as users read it in messages: without the ``spec.`` prefix."""
    text = _SHOWN.get(path)
    if text is not None:
        return text
    parts = [str(p) for p in path]
    if parts and parts[0] == "spec":
        parts = parts[1:]
    text = ".".join(parts) or "the entity"
    # Only paths of exact str steps are kept: a path through mapping keys may hold 1 or
    # True, which are equal as keys but are written differently.
    if all(step.__class__ is str for step in path) and len(_SHOWN) < 10_000:
        _SHOWN[path] = text
    return text


def show_value(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        if any(isinstance(v, BaseModel | dict) for v in value):  # not "[set, set]"
            return f"{len(value)} {'entry' if len(value) == 1 else 'entries'}"
        return "[" + ", ".join(show_value(v) for v in value) + "]" if value else "empty"
    if isinstance(value, BaseModel | dict):
        return "set"
    if value == "":
        return "empty"
    return str(value)


def _is_set(value: Any) -> bool:
    if _format_fields(value) is not None:  # a block written as {} (or only nulls) is empty
        return any(_is_set(v) for v in _mapping(value).values())
    return value is not None and value != [] and value != {} and value != ""


# --- operators --------------------------------------------------------------------------------
# Each takes the found value, the argument and the context, and returns None when the value
# satisfies the operator, or a phrase saying what is wrong ("is false, expected true").

def op_exists(value: Any, argument: bool, ctx: Context) -> str | None:
    """The field is present and not empty (``exists: true``) or absent (``exists: false``).

    PASS: ``{path: spec.rollback.procedure, exists: true}`` with ``procedure: https://wiki/rb``
    FAIL: the same with no ``rollback.procedure``: "rollback.procedure is not set"
    """
    if _is_set(value) == bool(argument):
        return None
    return "is not set" if argument else f"is {show_value(value)}, expected none"


def op_equals(value: Any, argument: Any, ctx: Context) -> str | None:
    """The value equals the argument exactly.

    PASS: ``{path: spec.logging.inputs, equals: true}`` with ``inputs: true``
    FAIL: with ``inputs: false``: "logging.inputs is false, expected true"
    """
    if value is None:
        return f"is not set, expected {show_value(argument)}"
    if _same(value, argument):
        return None
    return f"is {show_value(value)}, expected {show_value(argument)}"


def op_not_equals(value: Any, argument: Any, ctx: Context) -> str | None:
    """The value is set and differs from the argument.

    PASS: ``{path: spec.lifecycle, not_equals: retired}`` with ``lifecycle: production``
    FAIL: with ``lifecycle: retired``: "lifecycle is retired, expected anything else"
    """
    if value is None:
        return "is not set"
    return None if not _same(value, argument) else (
        f"is {show_value(value)}, expected anything else")


def op_in(value: Any, argument: list[Any], ctx: Context) -> str | None:
    """The value is one of the listed values.

    PASS: ``{path: spec.stage, in: [production, staging]}`` with ``stage: staging``
    FAIL: with ``stage: dev``: "stage is dev, expected one of production, staging"
    """
    if _member(value, argument):
        return None
    return f"is {show_value(value)}, expected one of {', '.join(map(show_value, argument))}"


def op_not_in(value: Any, argument: list[Any], ctx: Context) -> str | None:
    """The value is none of the listed values (an absent value passes).

    PASS: ``{path: spec.risk_tier, not_in: [high]}`` with ``risk_tier: low``
    FAIL: with ``risk_tier: high``: "risk_tier is high, expected none of high"
    """
    if not _member(value, argument):
        return None
    return f"is {show_value(value)}, expected none of {', '.join(map(show_value, argument))}"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def op_min(value: Any, argument: float, ctx: Context) -> str | None:
    """A number at least the argument.

    PASS: ``{path: spec.logging.retention_days, min: 365}`` with ``retention_days: 400``
    FAIL: with ``retention_days: 30``: "logging.retention_days is 30, expected at least 365"
    """
    number = _number(value)
    if number is None:
        return f"is {show_value(value)}, expected a number of at least {argument}"
    return None if number >= argument else f"is {show_value(value)}, expected at least {argument}"


def op_max(value: Any, argument: float, ctx: Context) -> str | None:
    """A number at most the argument.

    PASS: ``{path: spec.rotation_days, max: 90}`` with ``rotation_days: 30``
    FAIL: with ``rotation_days: 365``: "rotation_days is 365, expected at most 90"
    """
    number = _number(value)
    if number is None:
        return f"is {show_value(value)}, expected a number of at most {argument}"
    return None if number <= argument else f"is {show_value(value)}, expected at most {argument}"


def _holds(value: Any, count: int) -> str:
    """``is not set``, ``is empty``, ``has 1 entry``, ``has 4 entries``."""
    if value is None:
        return "is not set"
    if count == 0:
        return "is empty"
    return f"has {count} {'entry' if count == 1 else 'entries'}"


def op_count_min(value: Any, argument: int, ctx: Context) -> str | None:
    """A list (or mapping) with at least the argument's number of items (or keys).

    PASS: ``{path: spec.steps, count_min: 3}`` with five steps
    FAIL: with one step: "steps has 1 entry, expected at least 3"
    """
    count = len(_entries(value))
    return None if count >= argument else f"{_holds(value, count)}, expected at least {argument}"


def op_count_max(value: Any, argument: int, ctx: Context) -> str | None:
    """A list with at most the argument's number of items (an absent list has none).

    PASS: ``{path: spec.credentials, count_max: 2}`` with one credential
    FAIL: with four: "credentials has 4 entries, expected at most 2"
    """
    count = len(_entries(value))
    if count <= argument:
        return None
    return f"{_holds(value, count)}, expected " + (
        "none" if argument == 0 else f"at most {argument}")


def op_matches(value: Any, argument: re.Pattern[str], ctx: Context) -> str | None:
    """Text matching a regular expression (searched, so anchor it with ^ and $ if needed).

    PASS: ``{path: spec.rollback.artifact_checksum, matches: '^sha256:[0-9a-f]{64}$'}``
    FAIL: with ``artifact_checksum: md5:abc``: "... is md5:abc, expected to match ^sha256:..."
    """
    if isinstance(value, str) and argument.search(value):
        return None
    return f"is {show_value(value)}, expected to match {argument.pattern}"


def _age(value: Any, ctx: Context) -> dt.timedelta | None:
    if isinstance(value, dt.datetime):
        return dt.datetime.combine(ctx.today, dt.time(), value.tzinfo) - value
    if isinstance(value, dt.date):
        return ctx.today - value
    return None


def _span(delta: dt.timedelta) -> str:
    """``90 days``, ``1 day``; a span that is not whole days in ISO 8601 (PT12H)."""
    if delta % dt.timedelta(days=1):
        return format_duration(delta)
    return f"{delta.days} day{'' if delta.days == 1 else 's'}"


def op_within(value: Any, argument: dt.timedelta, ctx: Context) -> str | None:
    """A date no older than the duration, counted back from today (the audit date), and
    not in the future: a date still to come is a plan, never evidence.

    PASS: ``{path: spec.rollback.last_tested, within: P90D}`` with a test 30 days ago
    FAIL: tested 200 days ago: "rollback.last_tested is 2026-05-09, older than 90 days";
    dated next month: "rollback.last_tested is 2026-12-20, which is in the future"
    """
    age = _age(value, ctx)
    if age is None:
        return f"is {show_value(value)}, expected a date within the last {_span(argument)}"
    day = value.date() if isinstance(value, dt.datetime) else value  # its own day
    if day > ctx.today:
        return f"is {show_value(value)}, which is in the future"
    if age > argument:
        if not argument:  # a due date: "within zero days" means not yet passed
            return f"is {show_value(value)}, which has passed"
        return f"is {show_value(value)}, older than {_span(argument)}"
    return None


def op_older_than(value: Any, argument: dt.timedelta, ctx: Context) -> str | None:
    """A date at least the duration in the past (e.g. a waiver that should have expired).

    PASS: ``{path: spec.last_rotated, older_than: P1D}`` with a date last week
    FAIL: with today's date: "last_rotated is 2026-11-25, expected older than 1 day"
    """
    age = _age(value, ctx)
    if age is None:
        return f"is {show_value(value)}, expected a date"
    return None if age >= argument else (
        f"is {show_value(value)}, expected older than {_span(argument)}")


def op_after_today(value: Any, argument: bool, ctx: Context) -> str | None:
    """A date still in the future (``after_today: true``), e.g. an expiry or a review date.

    PASS: ``{path: spec.review_by, after_today: true}`` with a date next month
    FAIL: with a date last month: "review_by is 2026-10-01, which has passed"
    """
    if not isinstance(value, dt.date):
        return f"is {show_value(value)}, expected a date"
    day = value.date() if isinstance(value, dt.datetime) else value  # a timestamp's own day
    if (day > ctx.today) == bool(argument):
        return None
    if not argument:
        return f"is {show_value(value)}, which is still ahead"
    return f"is {show_value(value)}, which {'is today' if day == ctx.today else 'has passed'}"


def op_not_past(value: Any, argument: bool, ctx: Context) -> str | None:
    """A date that is today or still ahead (``not_past: true``): a due date not yet missed.

    PASS: ``{path: due, not_past: true}`` with a date next week, or today
    FAIL: with a date last week: "due is 2026-11-20, which has passed"
    """
    if not isinstance(value, dt.date):
        return f"is {show_value(value)}, expected a date"
    day = value.date() if isinstance(value, dt.datetime) else value
    if (day >= ctx.today) == bool(argument):
        return None
    return (f"is {show_value(value)}, which has passed" if argument
            else f"is {show_value(value)}, which has not passed yet")


def op_contains(value: Any, argument: Any, ctx: Context) -> str | None:
    """A list holding the argument (``$target`` is the audited entity's reference).

    PASS: ``{path: spec.monitoring.alerts, contains: output_drift}``
    FAIL: with ``alerts: [latency]``: "monitoring.alerts is [latency], expected to contain
    output_drift"
    """
    if _member(argument, value):
        return None
    return f"is {show_value(value)}, expected to contain {show_value(argument)}"


def op_contains_all(value: Any, argument: list[Any], ctx: Context) -> str | None:
    """A list holding every listed item (or a mapping with every listed key).

    PASS: ``{path: spec.skills, contains_all: [ml, security]}`` with ``[ml, security, legal]``
    FAIL: with ``[ml]``: "skills lacks security"
    """
    have = _entries(value)
    missing = [item for item in argument if not _member(item, have)]
    return None if not missing else f"lacks {', '.join(map(show_value, missing))}"


def op_duration_max(value: Any, argument: dt.timedelta, ctx: Context) -> str | None:
    """A duration (PT1H, 4h, P3D) no longer than the argument.

    PASS: ``{path: spec.targets.P1.detect, duration_max: PT1H}`` with ``detect: PT30M``
    FAIL: with ``detect: PT4H``: "targets.P1.detect is PT4H, longer than PT1H"
    """
    return _duration_bound(value, argument, longest=True)


def _iso(delta: dt.timedelta) -> str:
    return format_duration(delta)


def _duration_bound(value: Any, bound: dt.timedelta, longest: bool) -> str | None:
    """``duration_max`` (``longest``) and ``duration_min``: a duration within a bound."""
    limit = "at most" if longest else "at least"
    if not isinstance(value, str):
        return f"is {show_value(value)}, expected a duration of {limit} {_iso(bound)}"
    try:
        found = parse_duration(value)
    except ValueError:
        return f"is {value}, which is not a duration"
    if (found <= bound) if longest else (found >= bound):
        return None
    return f"is {value}, {'longer' if longest else 'shorter'} than {_iso(bound)}"


def op_regulatory_on_time(value: Any, argument: bool, ctx: Context) -> str | None:
    """Every notification the audited incident owes was filed in time: to each regime the
    organisation declares, and to any other it was reported under.

    The deadlines come from the regulatory rules (clocks.py).  An incident with no
    detection time cannot be judged: it is an error, never a pass.
    PASS: ``{path: spec.regulatory, regulatory_on_time: true}`` with a GDPR notice 30 hours
    after detection of a personal-data incident
    FAIL: the notice 80 hours after: "gdpr notification was due 2026-11-05T09:14:00+00:00,
    filed 2026-11-05T17:00:00+00:00"
    """
    incident = ctx.inventory.get(ctx.target)
    if incident is None or incident.kind != "Incident":
        return "applies to incidents only"
    org = ctx.inventory.organization
    rules = rules_for(ctx.inventory)
    if incident.spec.timeline.detected is None:
        touched = regimes_touched(incident, org, rules, ctx.inventory)
        if touched:
            raise EvaluationError(
                "timeline.detected is not set, so the deadlines of "
                + ", ".join(touched) + " cannot be computed")
    late = [c for c in clocks(incident, org, ctx.today, rules, ctx.inventory)
            if c.met is False]
    if not late or not argument:
        return None if not late else f"had {len(late)} late notification(s)"
    parts = [f"{c.regime} {c.stage} was due {c.deadline.isoformat()}, "
             + (f"filed {c.notified_at.isoformat()}" if c.notified_at else "not filed")
             for c in late]
    return "; ".join(parts)


def op_duration_min(value: Any, argument: dt.timedelta, ctx: Context) -> str | None:
    """A duration (P60D, 30d) at least as long as the argument.

    PASS: ``{path: spec.recurrence_watch, duration_min: P30D}`` with ``recurrence_watch: P60D``
    FAIL: with ``recurrence_watch: P1D``: "recurrence_watch is P1D, shorter than P30D"
    """
    return _duration_bound(value, argument, longest=False)


def op_within_targets(value: Any, argument: bool, ctx: Context) -> str | None:
    """The audited incident's response took no longer than the organisation's targets for
    its severity (``targets``; P1 defaults to detect 1 h, contain 4 h, remediate 72 h,
    notify 1 h).  A stage not yet reached is not judged.

    PASS: ``{path: spec.timeline, within_targets: true}`` with a P1 detected 49 minutes
    after it started
    FAIL: detected three hours after: "timeline shows the P1 targets missed: time to
    detect PT3H (target PT1H)"
    """
    incident = ctx.inventory.get(ctx.target)
    if incident is None or incident.kind != "Incident":
        return "applies to incidents only"
    missed = missed_targets(incident, ctx.inventory.organization, ctx.today)
    if not missed or not argument:
        return None if bool(missed) != bool(argument) else "shows every target met"
    parts = []
    for m in missed:
        what = m.name.replace("_", " ")
        if m.value is not None and m.target is not None:
            parts.append(f"{what} {_iso(m.value)} (target {_iso(m.target)})")
        elif m.due is not None and m.target is not None:
            parts.append(f"{what} not reached, due {m.due.isoformat()} "
                         f"(target {_iso(m.target)})")
    return f"shows the {incident.spec.severity} targets missed: " + ", ".join(parts)


def op_since_last_change(value: Any, argument: bool, ctx: Context) -> str | None:
    """A dated entry (an adversarial test, say) on or after the audited model's last
    change: the deployment of the version in service (``artifact.deployed``) or its
    latest fine-tuning.  With neither on file, an entry within the last year will do.

    PASS: ``{path: spec.adversarial_testing, since_last_change: true}`` with a red-team
    exercise a week after the last fine-tuning
    FAIL: the exercise a month before it: "adversarial_testing has nothing on or after
    2026-08-18 (the last change, fine_tuning.1.date); the latest is 2026-07-20"
    """
    model = ctx.inventory.get(ctx.target)
    if model is None or model.kind != "Model":
        return "applies to models only"
    dates = sorted(d for d in (_lookup(item, ("date",)) for item in _entries(value))
                   if isinstance(d, dt.date))
    latest = dates[-1] if dates else None
    change = last_change(model)
    if change is None:
        since, why = ctx.today - dt.timedelta(days=365), "a year ago; no change date is on file"
    else:
        since, why = change[0], f"the last change, {change[1]}"
    if (latest is not None and latest >= since) == bool(argument):
        return None
    if not argument:
        return f"has an entry on or after {since.isoformat()} ({why})"
    found = f"the latest is {latest.isoformat()}" if latest else "there is none"
    return f"has nothing on or after {since.isoformat()} ({why}); {found}"


def op_reviewed_after_incidents(value: Any, argument: dt.timedelta, ctx: Context
                                ) -> str | None:
    """A playbook's review date on or after every incident it served, once the grace
    period (the argument) from that incident's review (or closure) has passed.  It serves
    the closed incidents of its scenario on the models it applies to.

    PASS: ``{path: spec.last_reviewed, reviewed_after_incidents: P30D}`` with a review
    a week after the retrospective of the last prompt-injection incident
    FAIL: reviewed before it: "last_reviewed is 2026-09-30, before the lessons of
    incident:inc-7 (2026-10-27)"
    """
    playbook = ctx.inventory.get(ctx.target)
    if playbook is None or playbook.kind != "Playbook":
        return "applies to playbooks only"
    due = [(incident, day) for incident, day in incidents_served(playbook, ctx.inventory)
           if day + argument < ctx.today]
    if not due:
        return None
    incident, day = due[-1]  # the latest whose update is due: reviewing after it covers all
    if isinstance(value, dt.date) and value >= day:
        return None
    lessons = f"the lessons of {incident.ref} ({day.isoformat()})"
    if not isinstance(value, dt.date):
        return f"is {show_value(value)}, expected a date on or after {lessons}"
    return f"is {value.isoformat()}, before {lessons}"


class _NotWritten:
    """What ``declared`` sees for a field the YAML left out (an empty list may be written)."""

    def __repr__(self) -> str:
        return "not written"


NOT_WRITTEN: Any = _NotWritten()


def op_declared(value: Any, argument: bool, ctx: Context) -> str | None:
    """The field is written in the YAML, even empty (``data_access: []`` declares none).

    ``exists`` cannot tell a list declared empty from one nobody filled in; this can.
    PASS: ``{path: spec.data_access, declared: true}`` with ``data_access: []``
    FAIL: with no ``data_access`` at all: "data_access is not declared (write [] for none)"
    """
    if (value is not NOT_WRITTEN) == bool(argument):
        return None
    return "is not declared (write [] for none)" if argument else "is declared"


OPERATORS: dict[str, Callable[[Any, Any, Context], str | None]] = {
    "exists": op_exists,
    "equals": op_equals,
    "not_equals": op_not_equals,
    "in": op_in,
    "not_in": op_not_in,
    "min": op_min,
    "max": op_max,
    "count_min": op_count_min,
    "count_max": op_count_max,
    "matches": op_matches,
    "within": op_within,
    "older_than": op_older_than,
    "after_today": op_after_today,
    "not_past": op_not_past,
    "contains": op_contains,
    "contains_all": op_contains_all,
    "duration_max": op_duration_max,
    "regulatory_on_time": op_regulatory_on_time,
    "duration_min": op_duration_min,
    "within_targets": op_within_targets,
    "since_last_change": op_since_last_change,
    "reviewed_after_incidents": op_reviewed_after_incidents,
    "declared": op_declared,  # compiled by _declared: it needs the field's parent
}
# Operators comparing a value with another field of the same scope (a relative path).
FIELD_OPERATORS = {"differs_from", "not_in_field", "in_field", "no_later_than"}


def _prepare_argument(name: str, argument: Any, where: Path) -> Any:
    """Check and convert an operator's argument once, when the catalog loads."""
    try:
        if name in ("within", "older_than", "duration_max", "duration_min",
                    "reviewed_after_incidents"):
            if not isinstance(argument, str):
                raise ValueError(f"expects a duration such as P90D, got {argument!r}")
            return parse_duration(argument)
        if name == "matches":
            if not isinstance(argument, str):
                raise ValueError(f"expects a regular expression, got {argument!r}")
            return re.compile(argument)
        if name in ("in", "not_in", "contains_all") and not isinstance(argument, list):
            raise ValueError(f"expects a list, got {argument!r}")
        if name in ("min", "max") and _number(argument) is None:
            raise ValueError(f"expects a number, got {argument!r}")
        if name in ("count_min", "count_max") and (
                not isinstance(argument, int) or isinstance(argument, bool) or argument < 0):
            raise ValueError(f"expects a whole number, got {argument!r}")
        if name in ("exists", "after_today", "not_past", "regulatory_on_time", "within_targets",
                    "since_last_change", "declared") and not isinstance(argument, bool):
            raise ValueError(f"expects true or false, got {argument!r}")
    except (ValueError, re.error) as exc:
        raise ConditionError(str(exc), (*where, name)) from None
    return argument


def _substitute(argument: Any, ctx: Context) -> Any:
    if argument == TARGET:
        return ctx.target
    if isinstance(argument, list) and TARGET in argument:
        return [ctx.target if a == TARGET else a for a in argument]
    return argument


# --- compiling --------------------------------------------------------------------------------

def compile_condition(spec: Any, where: Path = ()) -> Condition:
    """Turn a condition mapping into a function of (scope, context) -> Outcome."""
    if not isinstance(spec, dict):
        raise ConditionError(f"a condition is a mapping, got {type(spec).__name__}", where)
    if "all" in spec or "any" in spec:
        key = "all" if "all" in spec else "any"
        _only(spec, {key}, where)
        items = spec[key]
        if not isinstance(items, list) or not items:
            raise ConditionError("expects a non-empty list of conditions", (*where, key))
        parts = [compile_condition(item, (*where, key, i)) for i, item in enumerate(items)]
        return _all(parts) if key == "all" else _any(parts)
    if "if" in spec:
        _only(spec, {"if", "then", "else"}, where)
        if "then" not in spec:
            raise ConditionError("if: needs a then (and may have an else)", where)
        return _if(compile_condition(spec["if"], (*where, "if")),
                   compile_condition(spec["then"], (*where, "then")),
                   compile_condition(spec["else"], (*where, "else")) if "else" in spec else None)
    if "not" in spec:
        _only(spec, {"not"}, where)
        return _not(compile_condition(spec["not"], (*where, "not")))
    if "org" in spec:
        _only(spec, {"org"}, where)
        return _org(compile_condition(spec["org"], (*where, "org")))
    if "query" in spec:
        return _compile_query(spec, where)
    if "path" in spec:
        return _compile_field(spec, where)
    raise ConditionError("a condition needs one of: path, all, any, if, not, org, query; got "
                         + ", ".join(map(str, spec)), where)


def _only(spec: dict[str, Any], allowed: set[str], where: Path) -> None:
    extra = sorted(map(str, set(spec) - allowed))
    if extra:
        raise ConditionError(f"unexpected key(s) {', '.join(extra)} beside "
                             f"{', '.join(sorted(allowed))}", (*where, extra[0]))


def _all(parts: list[Condition]) -> Condition:
    """Every part must hold; a failure names each part that does not (from the first's place)."""
    def check(scope: Scope, ctx: Context) -> Outcome:
        outcome = None
        failures: list[Outcome] = []
        for part in parts:
            outcome = part(scope, ctx)
            if not outcome.ok:
                failures.append(outcome)
        if failures:
            return _failing_parts(failures)
        assert outcome is not None
        return outcome
    return check


def _failing_parts(failures: list[Outcome]) -> Outcome:
    """One outcome for several failures: at the first one's place, naming each once."""
    if len(failures) == 1:
        return failures[0]
    first = failures[0]

    def evidence() -> str:
        return _merge_expected(list(dict.fromkeys(f.evidence for f in failures)))
    return Outcome(False, first.ref, first.path, evidence)


def _merge_expected(texts: list[str]) -> str:
    """``team: expected a, b and c`` rather than the field named once per part."""
    groups: dict[str, list[str]] = {}
    for text in texts:
        head, sep, tail = text.partition(": expected ")
        if sep and ";" not in head:
            groups.setdefault(head + sep, []).append(tail)
        else:
            groups.setdefault(text, [])
    return "; ".join(key + listing(tails) if tails else key for key, tails in groups.items())


def _any(parts: list[Condition]) -> Condition:
    def check(scope: Scope, ctx: Context) -> Outcome:
        failures = []
        for part in parts:
            outcome = part(scope, ctx)
            if outcome.ok:
                return outcome
            failures.append(outcome)
        first = failures[0]
        return Outcome(False, first.ref, first.path,
                       lambda: "; and ".join(dict.fromkeys(f.evidence for f in failures)))
    return check


def _if(test: Condition, then: Condition, otherwise: Condition | None) -> Condition:
    """``{if: C, then: T, else: E}``: T where C holds, else E (or a pass when there is none).

    The outcome is the chosen branch's, so a finding names what that branch lacks.
    """
    def check(scope: Scope, ctx: Context) -> Outcome:
        decided = test(scope, ctx)
        if decided.ok:
            return then(scope, ctx)
        if otherwise is None:
            return Outcome(True, decided.ref, decided.path,
                           lambda: f"not required: {decided.evidence}")
        return otherwise(scope, ctx)
    return check


def _not(part: Condition) -> Condition:
    def check(scope: Scope, ctx: Context) -> Outcome:
        outcome = part(scope, ctx)
        if outcome.ok:
            return Outcome(False, outcome.ref, outcome.path,
                           lambda: f"not expected: {outcome.evidence}")
        return Outcome(True, outcome.ref, outcome.path, lambda: outcome.evidence)
    return check


def _org(part: Condition) -> Condition:
    def check(scope: Scope, ctx: Context) -> Outcome:
        org = ctx.inventory.organization
        if org is None:
            raise EvaluationError("the inventory has no Organization")
        return part(Scope(org, org.ref, ()), ctx)
    return check


_FIELD_KEYS = {"path", "quantifier", "if_empty", "each", "some", "ref", "some_ref", "describe"}
_NESTED = ("each", "some", "ref", "some_ref")


def _compile_field(spec: dict[str, Any], where: Path) -> Condition:
    steps = parse_path(spec["path"], (*where, "path"))
    wildcard = "*" in steps
    quantifier = spec.get("quantifier", "all")
    if quantifier not in ("all", "any"):
        raise ConditionError(f"expects all or any, got {quantifier!r}", (*where, "quantifier"))
    if_empty = spec.get("if_empty", "fail")
    if if_empty not in ("pass", "fail"):
        raise ConditionError(f"expects pass or fail, got {if_empty!r}", (*where, "if_empty"))
    nested = [k for k in _NESTED if k in spec]
    operators = [k for k in spec if k in OPERATORS or k in FIELD_OPERATORS]
    unknown = sorted(map(str, set(spec) - _FIELD_KEYS - set(OPERATORS) - FIELD_OPERATORS))
    if unknown:
        known = sorted([*OPERATORS, *FIELD_OPERATORS, *_NESTED])
        close = difflib.get_close_matches(unknown[0], [*known, *_FIELD_KEYS], n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else "; known: " + ", ".join(known)
        raise ConditionError(f"unknown operator(s) {', '.join(unknown)}{hint}",
                             (*where, unknown[0]))
    if len(nested) + len(operators) != 1:
        raise ConditionError("a field condition takes exactly one operator (or each, some, ref "
                             "or some_ref)"
                             + (f"; got {', '.join(map(str, nested + operators))}"
                                if nested or operators else ""), where)
    # quantifier and if_empty mean something only where several (or no) values can turn up;
    # anywhere else they would be silently ignored, so they are refused.
    if "quantifier" in spec and (nested or not wildcard):
        raise ConditionError("applies only to an operator on a path with a "
                             "wildcard (*); with each/some/ref, each means all and some "
                             "means any", (*where, "quantifier"))
    describe = spec.get("describe")
    if describe is not None and (not isinstance(describe, str) or not describe.strip()):
        raise ConditionError(f"expects a short text, got {describe!r}", (*where, "describe"))
    if describe is not None and nested and nested[0] not in ("some", "some_ref"):
        raise ConditionError("words what is expected; with nested conditions it goes with "
                             "some or some_ref only", (*where, "describe"))
    if steps[0] == "facts":
        return _compile_fact(spec, steps, nested, operators, describe, where)
    if "if_empty" in spec and not (nested or wildcard):
        raise ConditionError("applies only to a path with a wildcard (*) or to "
                             "each/some/ref", (*where, "if_empty"))
    if nested:
        key = nested[0]
        inner = compile_condition(spec[key], (*where, key))
        return _compile_nested(key, steps, inner, if_empty == "pass", describe)
    name = operators[0]
    if name == "no_later_than":
        test = _no_later_than(spec[name], (*where, name))
    elif name in FIELD_OPERATORS:
        other = parse_path(spec[name], (*where, name))
        test = _field_operator(name, other)
    elif name == "declared":
        test = _declared(steps, _prepare_argument(name, spec[name], where), (*where, name))
    else:
        argument = _prepare_argument(name, spec[name], where)
        operator = _described(OPERATORS[name], describe) if describe else OPERATORS[name]
        uses_target = argument == TARGET or (isinstance(argument, list) and TARGET in argument)
        if not wildcard and not uses_target:
            return _single_operator_check(steps, operator, argument)

        def test(value: Any, scope: Scope, ctx: Context) -> str | None:
            arg = _substitute(argument, ctx) if uses_target else argument
            return operator(value, arg, ctx)

    if not wildcard:
        return _single_field_check(steps, test)

    def check(scope: Scope, ctx: Context) -> Outcome:
        found = list(resolve(scope.root, steps, scope.base))
        if not found:
            path = _until_wildcard(scope.base, steps)
            ok = if_empty == "pass"
            return Outcome(ok, scope.ref, path, f"{show_path(path)} is empty")
        last: Outcome | None = None
        for path, value in found:
            problem = test(value, scope, ctx)
            outcome = _field_outcome(scope.ref, path, value, problem)
            if quantifier == "all" and problem is not None:
                return outcome
            if quantifier == "any" and problem is None:
                return outcome
            last = outcome
        assert last is not None
        return last

    return check


def _single_field_check(steps: tuple[str, ...],
                        test: Callable[[Any, Scope, Context], str | None]) -> Condition:
    """A field condition on a path without ``*``: exactly one value, so no quantifier.

    It gives the outcome the general loop would, with no generator or list per
    evaluation.
    """
    def check(scope: Scope, ctx: Context) -> Outcome:
        path = scope.base + steps
        value = _lookup(scope.root, steps)
        problem = test(value, scope, ctx)
        if problem is not None and value is None:
            return _unset_outcome(scope, steps, problem)
        return _field_outcome(scope.ref, path, value, problem)
    return check


def _single_operator_check(steps: tuple[str, ...],
                           operator: Callable[[Any, Any, Context], str | None],
                           argument: Any) -> Condition:
    """``_single_field_check`` for the commonest condition of all, a plain operator on a
    path without ``*`` (``{path: spec.logging.inputs, equals: true}``): the operator is
    called directly, as this runs for nearly every finding.
    """
    def check(scope: Scope, ctx: Context) -> Outcome:
        value = _lookup(scope.root, steps)
        problem = operator(value, argument, ctx)
        if problem is not None and value is None:
            return _unset_outcome(scope, steps, problem)
        return _field_outcome(scope.ref, scope.base + steps, value, problem)
    return check


def _unset_outcome(scope: Scope, steps: tuple[str, ...], problem: str) -> Outcome:
    """A failure on an unset value: when a whole block is missing (no ``logging`` at all),
    say so once ("logging is not set") rather than once per field it would hold."""
    path = scope.base + steps
    value = scope.root
    for index in range(1, len(steps)):  # one step at a time: _lookup of each prefix
        value = _lookup(value, steps[index - 1:index])
        if value is None:
            return Outcome(False, scope.ref, path,
                           f"{show_path(scope.base + steps[:index])} is not set")
    return Outcome(False, scope.ref, path, lambda: f"{show_path(path)} {problem}")


def _described(operator: Callable[[Any, Any, Context], str | None], describe: str
               ) -> Callable[[Any, Any, Context], str | None]:
    """The operator, its failure worded with the control's own ``describe`` text."""
    def test(value: Any, argument: Any, ctx: Context) -> str | None:
        if operator(value, argument, ctx) is None:
            return None
        return f"is {show_value(value)}, expected {describe}"
    return test


def _compile_fact(spec: dict[str, Any], steps: tuple[str, ...], nested: list[str],
                  operators: list[str], describe: str | None, where: Path) -> Condition:
    """``{path: facts.NAME, <operator>: ...}``: the operator on a fact of the entity."""
    if len(steps) != 2 or steps[1] == "*" or nested or operators[0] in FIELD_OPERATORS:
        raise ConditionError("a fact is read as facts.NAME with one plain operator, e.g. "
                             "{path: facts.live, equals: true}", (*where, "path"))
    name = steps[1]
    operator = OPERATORS[operators[0]]
    argument = _prepare_argument(operators[0], spec[operators[0]], where)

    def check(scope: Scope, ctx: Context) -> Outcome:
        entity = scope.root
        if scope.base or not hasattr(entity, "kind"):
            raise EvaluationError(f"facts.{name} is a fact of a whole entity, read here "
                                  f"inside {show_path(scope.base)}")
        try:
            found = fact(name, entity, ctx.inventory, ctx.today)
        except UnknownFact:
            raise EvaluationError(f"facts.{name} is not a fact of a {entity.kind} (known: "
                                  + (", ".join(known(entity.kind)) or "none") + ")") from None
        problem = operator(found.value, argument, ctx)
        says = found.says if problem is None or not describe else (
            f"{found.says}; expected {describe}")
        return Outcome(problem is None, scope.ref, found.path, says)
    return check


class _FieldOutcome(Outcome):
    """The outcome of a field condition, worded when read: ``logging.inputs is true``,
    or the problem found there.

    One object per outcome, not an Outcome plus a closure (or a callable) for its
    wording: an audit keeps one per finding, hundreds of thousands at 10,000 models.
    """

    __slots__ = ("value", "problem")

    def __init__(self, ref: str, path: Path, value: Any, problem: str | None):
        self.ok = problem is None
        self.ref = ref
        self.path = path
        self._evidence = None  # type: ignore[assignment]
        self.value = value
        self.problem = problem

    def word(self) -> str:
        text = self._evidence
        if isinstance(text, str):
            return text
        if self.problem is None:
            return f"{show_path(self.path)} is {show_value(self.value)}"
        return f"{show_path(self.path)} {self.problem}"


def _field_outcome(ref: str, path: Path, value: Any, problem: str | None) -> Outcome:
    return _FieldOutcome(ref, path, value, problem)


def _no_later_than(text: Any, where: Path) -> Callable[[Any, Scope, Context], Any]:
    """A date or time no later than another field of the same scope, plus a grace period.

    PASS: ``{path: spec.review.held, no_later_than: spec.timeline.closed + P14D}`` with a
    review ten days after closure
    FAIL: a review thirty days after: "review.held is 2026-12-10, later than
    timeline.closed + 14 days (2026-11-24)"; a date after the audit day is a plan, not a
    review held: "review.held is 2026-12-01, which is in the future"
    """
    if not isinstance(text, str):
        raise ConditionError(f"expects 'path' or 'path + duration', got {text!r}", where)
    field, _, grace = (part.strip() for part in text.partition("+"))
    other = parse_path(field, where)
    try:
        extra = parse_duration(grace) if grace else dt.timedelta()
    except ValueError as exc:
        raise ConditionError(str(exc), where) from None

    def test(value: Any, scope: Scope, ctx: Context) -> str | None:
        found = [v for _, v in resolve(scope.root, other, scope.base)]
        limit = found[0] if len(found) == 1 else None
        if value is None:
            return "is not set"
        if not isinstance(limit, dt.date):
            return f"cannot be judged: {show_path(other)} is not set"
        if not isinstance(value, dt.date):
            return f"is {show_value(value)}, expected a date"
        if (value.date() if isinstance(value, dt.datetime) else value) > ctx.today:
            return f"is {show_value(value)}, which is in the future"  # planned, not done
        moment: dt.date
        bound: dt.date
        if isinstance(value, dt.datetime) and isinstance(limit, dt.datetime):
            moment, bound = value, limit + extra  # two times: a grace of hours counts
        else:  # a date on either side: judged by the day
            moment = value.date() if isinstance(value, dt.datetime) else value
            bound = (limit.date() if isinstance(limit, dt.datetime) else limit) + extra
        suffix = f" + {_span(extra)}" if extra else ""
        return None if moment <= bound else (
            f"is {show_value(value)}, later than {show_path(other)}{suffix} "
            f"({bound.isoformat()})")
    return test


def _declared(steps: tuple[str, ...], argument: bool, where: Path
              ) -> Callable[[Any, Scope, Context], Any]:
    if "*" in steps:
        raise ConditionError("declared takes a path without a wildcard (*)", where)
    parent_steps, key = steps[:-1], steps[-1]

    def test(value: Any, scope: Scope, ctx: Context) -> str | None:
        parent = _lookup(scope.root, parent_steps) if parent_steps else scope.root
        if _format_fields(parent) is not None:
            written = key in parent.model_fields_set
        else:
            written = isinstance(parent, dict) and key in parent
        return op_declared(value if written else NOT_WRITTEN, argument, ctx)
    return test


def _field_operator(name: str, other: tuple[str, ...]) -> Callable[[Any, Scope, Context], Any]:
    def test(value: Any, scope: Scope, ctx: Context) -> str | None:
        found = [v for _, v in resolve(scope.root, other, scope.base)]
        compare = found[0] if len(found) == 1 else found
        label = show_path(other)
        if value is None:
            return "is not set"
        if name == "differs_from":
            return None if not _same(value, compare) else (
                f"is {show_value(value)}, the same as {label}")
        inside = _member(value, compare) if isinstance(compare, list) else _same(value, compare)
        if name == "not_in_field":
            return None if not inside else f"is {show_value(value)}, which is also in {label}"
        return None if inside else f"is {show_value(value)}, which is not in {label}"
    return test


def _compile_nested(key: str, steps: tuple[str, ...], inner: Condition,
                    pass_if_empty: bool = False, describe: str | None = None) -> Condition:
    follows = key in ("ref", "some_ref")
    every = key in ("each", "ref")

    def check(scope: Scope, ctx: Context) -> Outcome:
        found = list(resolve(scope.root, steps, scope.base))
        items: list[Scope] = []
        for path, value in found:
            if follows:
                refs = value if isinstance(value, list) else [value]
                for ref in refs:
                    if ref is None:
                        continue
                    if not isinstance(ref, str):
                        raise EvaluationError(f"{show_path(path)} holds {show_value(ref)}, "
                                              "not a reference")
                    entity = ctx.inventory.get(ref)
                    if entity is None:
                        raise EvaluationError(f"{ref} is referenced but not in the inventory")
                    items.append(Scope(entity, entity.ref, ()))
            elif isinstance(value, list):
                items.extend(Scope(v, scope.ref, (*path, i)) for i, v in enumerate(value))
            elif isinstance(value, dict):  # every value of a mapping, as ``*`` does
                items.extend(Scope(v, scope.ref, (*path, k)) for k, v in value.items())
            elif value is not None:
                items.append(Scope(value, scope.ref, path))
        if not items:
            path = _until_wildcard(scope.base, steps)
            unset = all(value is None for _, value in found) and "*" not in steps
            evidence = f"{show_path(path)} {'is not set' if unset else 'is empty'}"
            return Outcome(pass_if_empty, scope.ref, path, evidence)
        last = None
        failures: list[Outcome] = []
        for item_scope in items:
            outcome = inner(item_scope, ctx)
            if follows:
                outcome = _about(item_scope.ref, outcome)
            if every and not outcome.ok:
                failures.append(outcome)
            if not every and outcome.ok:
                return outcome
            last = outcome
        if failures:
            return _failing_parts(failures)
        assert last is not None
        if not every:
            path = scope.base + tuple(s for s in steps if s != "*")
            if describe:
                return Outcome(False, scope.ref, path,
                               lambda: f"{show_path(path)}: expected {describe}")
            return Outcome(False, scope.ref, path,
                           lambda: f"no item of {show_path(path)} qualifies: {last.evidence}")
        return last
    return check


def _about(ref: str, outcome: Outcome) -> Outcome:
    """The outcome on a referenced entity, its evidence naming that entity."""
    return Outcome(outcome.ok, outcome.ref, outcome.path, lambda: f"{ref}: {outcome.evidence}")


_QUERY_COUNTS = {"count_min", "count_max"}


def _compile_query(spec: dict[str, Any], where: Path) -> Condition:
    _only(spec, {"query", "count_min", "count_max", "describe"}, where)
    query = spec["query"]
    if not isinstance(query, dict) or "kind" not in query:
        raise ConditionError("expects {kind: K, where: condition}", (*where, "query"))
    _only(query, {"kind", "where"}, (*where, "query"))
    from ..inventory.kinds import KINDS

    kind = query["kind"]
    if kind not in KINDS:
        close = difflib.get_close_matches(str(kind), KINDS, n=1, cutoff=0.6)
        raise ConditionError(f"unknown kind {kind!r}"
                             + (f" (did you mean {close[0]!r}?)" if close else
                                "; known: " + ", ".join(KINDS)), (*where, "query", "kind"))
    matcher = compile_condition(query["where"], (*where, "query", "where")) if (
        "where" in query) else None
    counts = [k for k in spec if k in _QUERY_COUNTS]
    if len(counts) != 1:
        raise ConditionError("a query takes count_min or count_max", where)
    bound_name = counts[0]
    bound = _prepare_argument(bound_name, spec[bound_name], where)
    describe = spec.get("describe") or f"{kind} entities matching the query"
    if not isinstance(describe, str):
        raise ConditionError(f"expects text, got {describe!r}", (*where, "describe"))

    def check(scope: Scope, ctx: Context) -> Outcome:
        count = 0
        for candidate in _own_entities(ctx, kind):
            if matcher is None or matcher(candidate, ctx).ok:
                count += 1
        ok = count >= bound if bound_name == "count_min" else count <= bound
        text = describe.replace(TARGET, ctx.target)
        if bound_name == "count_min":
            expected = f"at least {bound}"
        else:
            expected = "none" if bound == 0 else f"at most {bound}"
        return Outcome(ok, scope.ref, scope.base,
                       f"{text}: found {count or 'none'}, expected {expected}")

    return check


def _own_entities(ctx: Context, kind: str) -> list[Scope]:
    """A scope for each of the organisation's own entities of ``kind`` (a query does not
    count external ones), made once per audit: a query runs for every target."""
    key = ("own entities", kind)
    scopes: list[Scope] | None = ctx.shared.get(key)
    if scopes is None:
        scopes = ctx.shared[key] = [Scope(entity, entity.ref, ())
                                    for entity in ctx.inventory.of_kind(kind)
                                    if not entity.metadata.external]
    return scopes
