"""Evaluate every enabled control on every entity of its kind.

An audit is controls x targets: about 300,000 results for 10,000 models, so the work
per result is kept small.  What depends only on the target (its scope, its file and
line) is built once per target, and an ``applies_to.where`` that several controls share
(most select production models) is evaluated once per target: see ``_Run``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from ..inventory.kinds import Entity
from ..inventory.model import Inventory
from .catalog import Catalog, Control
from .conditions import Condition, Context, EvaluationError, Outcome, Path, Scope
from .findings import AuditResult, Finding


class _Target:
    """What every control evaluated on one entity starts from."""

    __slots__ = ("entity", "ref", "ctx", "scope", "file", "line", "external")

    def __init__(self, entity: Entity, inventory: Inventory, today: dt.date,
                 shared: dict[Any, Any]):
        ref = entity.ref
        source = inventory.sources[ref]
        self.entity = entity
        self.ref = ref
        self.ctx = Context(inventory, today, ref, shared)
        self.scope = Scope(entity, ref, ())
        self.file = source.file
        self.line = source.line
        self.external = entity.metadata.external


class _Rule:
    """A control's fields that every finding repeats, read once.

    Attribute reads on pydantic models go through pydantic's ``__getattr__`` hook and cost
    several times a plain attribute; a finding needs half a dozen of them.
    """

    __slots__ = ("control", "id", "severity", "remediation", "phase", "title", "failure",
                 "where", "check")

    def __init__(self, control: Control):
        spec = control.spec
        self.control = control
        self.id = spec.id
        self.severity = control.severity
        self.remediation = spec.remediation.text
        self.phase = spec.phase
        self.title = spec.title[:1].lower() + spec.title[1:]  # "x logs ..." in a sentence
        self.failure = spec.failure
        self.where = control.where
        self.check = control.check

    def finding(self, target: _Target, state: str, message: Any, file: str, line: int,
                column: int, path: str, evidence_ref: str | None = None) -> Finding:
        # Positional arguments: with keywords, building 300,000 findings took much longer.
        return Finding(self.id, target.ref, state, self.severity,  # type: ignore[arg-type]
                       file, line, column, path, message, self.remediation, self.phase,
                       evidence_ref)


class _Run:
    """Shared state of one ``evaluate`` call: one inventory, one date.

    Conditions are pure functions of (scope, context), and the catalog gives identical
    ``applies_to.where`` specs one compiled function, so a selector's outcome can be
    kept per (function, target) and reused by every control that shares it.
    Targets and rules are keyed by ``id()`` and checked by identity: cheaper than
    reading ``entity.ref`` through pydantic, and safe as the run holds on to each object.
    """

    def __init__(self, inventory: Inventory, today: dt.date):
        self.inventory = inventory
        self.today = today
        self.targets: dict[int, _Target] = {}
        self.rules: dict[int, _Rule] = {}
        self.selected: dict[tuple[Condition, str], Outcome] = {}
        self.dotted: dict[Path, str] = {}
        self.shared: dict[Any, Any] = {}  # Context.shared of every target

    def target(self, entity: Entity) -> _Target:
        target = self.targets.get(id(entity))
        if target is None or target.entity is not entity:
            target = self.targets[id(entity)] = _Target(entity, self.inventory, self.today,
                                                        self.shared)
        return target

    def rule(self, control: Control) -> _Rule:
        rule = self.rules.get(id(control))
        if rule is None or rule.control is not control:
            rule = self.rules[id(control)] = _Rule(control)
        return rule

    def select(self, where: Condition, target: _Target) -> Outcome:
        key = (where, target.ref)
        outcome = self.selected.get(key)
        if outcome is None:  # an EvaluationError is not kept: it is raised again next time
            outcome = self.selected[key] = where(target.scope, target.ctx)
        return outcome

    def dot(self, path: Path) -> str:
        """``spec.logging.inputs``; the same few paths come up again and again.

        Only paths of field names are kept: a path through mapping keys may hold ``1``
        or ``True``, which are equal as keys but are written differently.
        """
        text = self.dotted.get(path)
        if text is None:
            text = ".".join(map(str, path))
            if all(type(step) is str for step in path):  # exactly str, not a subclass
                self.dotted[path] = text
        return text


class _Worded:
    """A finding's message, worded when first read (see findings.LazyText).

    A small object rather than a lambda: a closure and its cells cost several times as
    much memory, and an audit of 10,000 models keeps hundreds of thousands of these.
    """

    __slots__ = ("ref", "middle", "outcome", "lead")

    def __init__(self, ref: str, middle: str, outcome: Outcome, lead: str = ""):
        self.ref = ref
        self.middle = middle
        self.outcome = outcome
        self.lead = lead  # words before the reference ("not applicable to ")

    def __call__(self) -> str:
        middle = f" {self.middle}" if self.middle else ""
        return f"{self.lead}{self.ref}{middle} ({self.outcome.word()})"


# The run ``evaluate`` is in. ``evaluate_control`` keeps its signature (tests and the
# scorecard call it alone, and count its calls), so the shared state reaches it this way.
_RUN: ContextVar[_Run | None] = ContextVar("airready_engine_run", default=None)


def evaluate_control(control: Control, entity: Entity, inventory: Inventory,
                     today: dt.date) -> Finding:
    run = _RUN.get()
    if run is None or run.inventory is not inventory or run.today != today:
        run = _Run(inventory, today)  # a call on its own: nothing to share
    # The lookups of _Run.rule, .target, .select and .dot, written out: this runs for
    # every finding, and each Python call costs about as much as the lookup it makes.
    rule = run.rules.get(id(control))
    if rule is None or rule.control is not control:
        rule = run.rule(control)
    target = run.targets.get(id(entity))
    if target is None or target.entity is not entity:
        target = run.target(entity)
    ref = target.ref
    if target.external:
        return rule.finding(target, "not_applicable", f"{ref} is external to the organisation",
                            target.file, target.line, 1, "")
    try:
        where = rule.where
        if where is not None:
            selected = run.selected.get((where, ref)) or run.select(where, target)
            if not selected.ok:
                return rule.finding(target, "not_applicable",
                                    _Worded(ref, "", selected, "not applicable to "),
                                    target.file, target.line, 1, run.dot(selected.path))
        outcome = rule.check(target.scope, target.ctx)
    except EvaluationError as exc:
        return rule.finding(target, "error", f"{ref}: the check could not be evaluated: {exc}",
                            target.file, target.line, 1, "")
    path = run.dotted.get(outcome.path) or run.dot(outcome.path)
    evidence_ref = outcome.ref if outcome.ref != ref else None
    if outcome.ok:
        return rule.finding(target, "pass", _Worded(ref, rule.title, outcome),
                            target.file, target.line, 1, path, evidence_ref)
    file, line, column = inventory.locate(outcome.ref, outcome.path)
    return rule.finding(target, "fail", f"{ref} {rule.failure} ({outcome.evidence})",
                        file, line, column, path, evidence_ref)


def evaluate(inventory: Inventory, catalog: Catalog, today: dt.date,
             controls: Iterable[Control] | None = None,
             targets: set[str] | None = None) -> AuditResult:
    """Run ``controls`` (default: every enabled one) over the inventory.

    ``targets`` limits the audit to those entity references (a filter that skips work).
    """
    result = AuditResult(inventory, catalog, today, filtered=targets is not None)
    chosen = list(catalog.enabled() if controls is None else controls)
    found: list[list[Finding]] = [[] for _ in chosen]  # per control, in the order given
    of_kind: dict[str, list[int]] = {}
    for index, control in enumerate(chosen):
        of_kind.setdefault(control.kind, []).append(index)
    token = _RUN.set(_Run(inventory, today))
    try:
        # Target by target, each with every control of its kind: the target's data is
        # still in the CPU caches for its next control. Control by control, each of the
        # 29 model controls swept over all 10,000 models, from memory every time.
        for kind, indexes in of_kind.items():
            entities = inventory.of_kind(kind)
            if targets is not None:
                entities = [e for e in entities if e.ref in targets]
            for entity in entities:
                for index in indexes:
                    found[index].append(evaluate_control(chosen[index], entity, inventory,
                                                         today))
    finally:
        _RUN.reset(token)
    for control, findings in zip(chosen, found, strict=True):  # control by control, as ever
        result.evaluated.append(control)
        if not any(f.state != "not_applicable" for f in findings):
            result.unmatched.append(control)
        result.findings.extend(findings)
    return result
