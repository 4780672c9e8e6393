"""GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

from ..rules.findings import Finding
from .context import ReportContext

COMMAND = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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
