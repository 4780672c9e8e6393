"""What every renderer of a ``check`` run gets: the result and how to present it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from .. import __version__
from ..rules.baseline import BaselineReport
from ..rules.findings import GAP_STATES, AuditResult, Finding, sort_findings
from ..rules.waivers import WaiverReport


@dataclass
class ReportContext:
    result: AuditResult
    threshold: str
    waivers: WaiverReport
    baseline: BaselineReport | None = None
    # The project folder relative to the repository root ("" when they coincide), so that
    # SARIF and GitHub annotations name files as the code host sees them.
    repo_prefix: str = ""
    version: str = __version__
    gaps_only: bool = False  # JSON: list only fail and error results (check --gaps-only)

    def repo_path(self, finding: Finding) -> str:
        return f"{self.repo_prefix}{finding.file}" if self.repo_prefix else finding.file

    # The result does not change once a report is being rendered (waivers and the
    # baseline are applied before): what several parts of a report count, counted once.
    @cached_property
    def _partition(self) -> tuple[list[Finding], list[Finding]]:
        """Gaps and waived findings, in the order of the result, in one pass."""
        gaps: list[Finding] = []
        waived: list[Finding] = []
        for finding in self.result.findings:
            state = finding.state
            if state in GAP_STATES:
                gaps.append(finding)
            elif state == "waived":
                waived.append(finding)
        return gaps, waived

    @cached_property
    def gaps(self) -> list[Finding]:
        """What ``result.gaps()`` gives."""
        return sort_findings(self._partition[0])

    @property
    def waived(self) -> list[Finding]:
        """The waived findings, in the order of the result."""
        return self._partition[1]

    @cached_property
    def tally(self) -> Counter[tuple[str, str, str]]:
        return self.result.tally()

    @cached_property
    def blocking(self) -> list[Finding]:
        return self.result.at_or_above(self.threshold, self.gaps)
