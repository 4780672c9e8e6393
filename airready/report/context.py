"""What every renderer of a ``check`` run gets: the result and how to present it."""

from __future__ import annotations

from dataclasses import dataclass

from .. import __version__
from ..rules.baseline import BaselineReport
from ..rules.findings import AuditResult, Finding
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

    @property
    def blocking(self) -> list[Finding]:
        return self.result.at_or_above(self.threshold)
