"""Findings: the outcome of one control on one target, and the audit that holds them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal

from ..inventory.model import Inventory
from .catalog import SEVERITY_RANK, Catalog, Control

State = Literal["pass", "fail", "not_applicable", "waived", "error"]
STATES: tuple[State, ...] = ("pass", "fail", "not_applicable", "waived", "error")
GAP_STATES = frozenset({"fail", "error"})  # what is_gap tests, for loops over every finding


class LazyText:
    """A text field that may be given as a function and is worded on first read.

    Most findings are passes whose message a text report never prints; wording each one
    up front was a fifth of a large audit's time.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    # The value is kept as an ordinary attribute (``_message``): going through
    # ``obj.__dict__`` would make Python build a dict for every finding.

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            raise AttributeError(self.slot)  # no class-level default for the dataclass
        value = getattr(obj, self.slot)
        if not isinstance(value, str):
            value = value()
            setattr(obj, self.slot, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj, self.slot, value)


@dataclass
class Finding:
    control: str
    target: str
    state: State
    severity: str
    file: str
    line: int
    column: int
    path: str  # dotted, from the entity root: spec.logging.user_attribution
    # A str, or a function giving it; the descriptor has no class-level default, which
    # mypy cannot know.
    message: LazyText = LazyText()
    remediation: str  # type: ignore[misc]
    phase: str  # type: ignore[misc]
    evidence_ref: str | None = None  # the entity whose field decided, when not the target
    waiver: dict[str, Any] | None = None
    baselined: bool = False  # a known gap recorded in the baseline file

    @property
    def is_gap(self) -> bool:
        """A failing or unevaluable result: what the CI gate counts."""
        return self.state in GAP_STATES

    def sort_key(self) -> tuple[Any, ...]:
        return (SEVERITY_RANK.get(self.severity, 9), self.file, self.line, self.column,
                self.control, self.target)


_BY_PLACE = attrgetter("file", "line", "column", "control", "target")


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """``sorted(findings, key=Finding.sort_key)``, without a Python call per finding.

    Findings are grouped by severity rank and each group is sorted on the remaining
    fields by ``attrgetter`` (in C); both sorts are stable, so ties keep their order
    exactly as with ``sort_key``.
    """
    groups: dict[int, list[Finding]] = {}
    rank = SEVERITY_RANK.get
    for finding in findings:
        key = rank(finding.severity, 9)
        group = groups.get(key)
        if group is None:
            groups[key] = [finding]
        else:
            group.append(finding)
    ordered: list[Finding] = []
    for key in sorted(groups):
        ordered.extend(sorted(groups[key], key=_BY_PLACE))
    return ordered


@dataclass
class AuditResult:
    inventory: Inventory
    catalog: Catalog
    today: dt.date
    findings: list[Finding] = field(default_factory=list)
    unmatched: list[Control] = field(default_factory=list)  # controls with no target at all
    evaluated: list[Control] = field(default_factory=list)
    # Limited to some targets (--target, --owner): controls left without a target by that
    # limit checked nothing by choice, which is no news to report.
    filtered: bool = False

    def gaps(self) -> list[Finding]:
        return sort_findings(f for f in self.findings if f.state in GAP_STATES)

    def tally(self) -> Counter[tuple[str, str, str]]:
        """Findings by (phase, state, severity): what the counts below are made from, in
        one pass.  Renderers count once per report (ReportContext.tally) and pass it."""
        return Counter((f.phase, f.state, f.severity) for f in self.findings)

    def counts(self, tally: Counter[tuple[str, str, str]] | None = None) -> dict[str, int]:
        counter: Counter[str] = Counter()
        for (_, state, _), count in (self.tally() if tally is None else tally).items():
            counter[state] += count
        return {state: counter.get(state, 0) for state in STATES}

    def gap_counts_by_severity(self, tally: Counter[tuple[str, str, str]] | None = None
                               ) -> dict[str, int]:
        counter: Counter[str] = Counter()
        for (_, state, severity), count in (self.tally() if tally is None else tally).items():
            if state in GAP_STATES:
                counter[severity] += count
        return {severity: counter.get(severity, 0) for severity in SEVERITY_RANK}

    def counts_by_phase(self, tally: Counter[tuple[str, str, str]] | None = None
                        ) -> dict[str, dict[str, int]]:
        # Phases in the order they first come up (a Counter keeps its keys' first order).
        table: dict[str, dict[str, int]] = {}
        for (phase, state, _), count in (self.tally() if tally is None else tally).items():
            table.setdefault(phase, dict.fromkeys(STATES, 0))[state] += count
        return table

    def at_or_above(self, threshold: str, gaps: list[Finding] | None = None) -> list[Finding]:
        """Gaps whose severity reaches ``threshold`` (``none``: never); ``gaps``: what
        ``gaps()`` gives, when the caller has it already."""
        if threshold == "none":
            return []
        limit = SEVERITY_RANK[threshold]
        return [f for f in (self.gaps() if gaps is None else gaps)
                if SEVERITY_RANK[f.severity] <= limit and not f.baselined]
