"""Findings: the outcome of one control on one target, and the audit that holds them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal

from ..inventory.model import Inventory
from .catalog import SEVERITY_RANK, Catalog, Control

State = Literal["pass", "fail", "not_applicable", "waived", "error"]
STATES: tuple[State, ...] = ("pass", "fail", "not_applicable", "waived", "error")
GAP_STATES = frozenset({"fail", "error"})  # what is_gap tests, for loops over every finding


class Finding:
    """One control's result on one target.

    A plain class with slots, not a dataclass: an audit of 10,000 models holds over
    400,000 of these, and a slotted object is a quarter smaller and quicker to build.
    """

    # In the order of the constructor's arguments (positional: with keywords, building
    # 400,000 findings took much longer).
    FIELDS = ("control", "target", "state", "severity", "file", "line", "column", "path",
              "message", "remediation", "phase", "evidence_ref", "waiver", "baselined")
    # The same, with the message kept as _message behind its property.
    __slots__ = tuple("_message" if name == "message" else name for name in FIELDS)

    def __init__(self, control: str, target: str, state: State, severity: str, file: str,
                 line: int, column: int, path: str, message: str | Callable[[], str],
                 remediation: str, phase: str, evidence_ref: str | None = None,
                 waiver: dict[str, Any] | None = None, baselined: bool = False):
        self.control = control
        self.target = target
        self.state = state
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.path = path  # dotted, from the entity root: spec.logging.user_attribution
        # A str, or a function giving it, worded on first read: most findings are passes
        # whose message a text report never prints, and wording each one up front was a
        # fifth of a large audit's time.
        self._message = message
        self.remediation = remediation
        self.phase = phase
        self.evidence_ref = evidence_ref  # the entity whose field decided, when not the target
        self.waiver = waiver
        self.baselined = baselined  # a known gap recorded in the baseline file

    @property
    def message(self) -> str:
        value = self._message
        if value.__class__ is not str:
            value = self._message = value()  # type: ignore[operator]
        return value

    @message.setter
    def message(self, value: str | Callable[[], str]) -> None:
        self._message = value

    def worded(self) -> str:
        """``message``, worded but not kept (see Outcome.word)."""
        value = self._message
        return value if value.__class__ is str else value()  # type: ignore[operator]

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable: waivers and the baseline mark it

    def __repr__(self) -> str:
        return "Finding(" + ", ".join(f"{name}={value!r}" for name, value in
                                      zip(self.FIELDS, self._values(), strict=True)) + ")"

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
