"""GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

import re

from ..rules.findings import Finding
from .context import ReportContext
from .text import one_line

_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_BREAKS = {"\r\n": "%0D%0A", "\r": "%0D", "\n": "%0A"}
COMMAND = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def _data(text: str) -> str:
    """Workflow-command data: line breaks encoded (GitHub shows them), every other control
    character escaped as text, so nothing from the inventory reaches the runner's log raw."""
    return "".join(_BREAKS.get(part) or one_line(part).replace("%", "%25")
                   for part in _LINE_BREAK.split(text))


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, ctx: ReportContext) -> str:
    command = "error" if finding.state == "error" else COMMAND[finding.severity]
    title = f"{finding.control} [{finding.severity}]"
    return (f"::{command} file={_property(ctx.repo_path(finding))},line={finding.line},"
            f"col={finding.column},title={_property(title)}::"
            f"{_data(finding.message + ' Fix: ' + finding.remediation)}")


def render(ctx: ReportContext) -> str:
    lines = [annotation(f, ctx) for f in ctx.gaps if not f.baselined]
    counts = ctx.result.counts(ctx.tally)
    lines.append(f"airready: {counts['fail']} failing, {counts['error']} errors, "
                 f"{counts['waived']} waived, {len(ctx.blocking)} at or above "
                 f"{ctx.threshold}")
    return "\n".join(lines) + "\n"
