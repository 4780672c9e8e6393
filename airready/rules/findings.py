"""Findings: the outcome of one control on one target, and the audit that holds them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from ..inventory.model import Inventory
from .catalog import SEVERITY_RANK, Catalog, Control

State = Literal["pass", "fail", "not_applicable", "waived", "error"]
STATES: tuple[State, ...] = ("pass", "fail", "not_applicable", "waived", "error")


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
        return self.state in ("fail", "error")

    def sort_key(self) -> tuple[Any, ...]:
        return (SEVERITY_RANK.get(self.severity, 9), self.file, self.line, self.column,
                self.control, self.target)


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
        return sorted((f for f in self.findings if f.is_gap), key=Finding.sort_key)

    def counts(self) -> dict[str, int]:
        counter = Counter(f.state for f in self.findings)
        return {state: counter.get(state, 0) for state in STATES}

    def gap_counts_by_severity(self) -> dict[str, int]:
        counter = Counter(f.severity for f in self.findings if f.is_gap)
        return {severity: counter.get(severity, 0) for severity in SEVERITY_RANK}

    def counts_by_phase(self) -> dict[str, dict[str, int]]:
        table: dict[str, Counter[str]] = {}
        for finding in self.findings:
            table.setdefault(finding.phase, Counter())[finding.state] += 1
        return {phase: {s: c.get(s, 0) for s in STATES} for phase, c in table.items()}

    def at_or_above(self, threshold: str) -> list[Finding]:
        """Gaps whose severity reaches ``threshold`` (``none``: never)."""
        if threshold == "none":
            return []
        limit = SEVERITY_RANK[threshold]
        return [f for f in self.gaps() if SEVERITY_RANK[f.severity] <= limit and not f.baselined]
