"""The versioned JSON output of ``check`` (shape fixed by docs/cli.md; add keys, never rename)."""

from __future__ import annotations

from typing import IO, Any

from ..rules.baseline import fingerprint
from ..rules.findings import Finding, sort_findings
from . import jsonwrite
from .context import ReportContext

SCHEMA_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "control": finding.control,
        "target": finding.target,
        "state": finding.state,
        "severity": finding.severity,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "path": finding.path,
        "message": finding.worded(),  # streamed out once: not kept on the finding
        "remediation": finding.remediation,
        "phase": finding.phase,
        "fingerprint": fingerprint(finding),
    }
    if finding.evidence_ref:
        data["evidence_ref"] = finding.evidence_ref
    if finding.waiver:
        data["waiver"] = finding.waiver
    if finding.is_gap:
        data["baselined"] = finding.baselined
    return data


def audit_dict(ctx: ReportContext) -> dict[str, Any]:
    """The document as plain data (``write`` streams the findings instead)."""
    document = _document(ctx)
    document["findings"] = list(document["findings"].items)
    return document


def _document(ctx: ReportContext) -> dict[str, Any]:
    result = ctx.result
    ordered = sort_findings(result.findings)
    if ctx.gaps_only:
        ordered = [f for f in ordered if f.is_gap]
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "today": result.today.isoformat(),
        "threshold": ctx.threshold,
        "findings": jsonwrite.Rows(finding_dict(f) for f in ordered),
        "summary": {
            **result.counts(ctx.tally),
            "gaps_by_severity": result.gap_counts_by_severity(ctx.tally),
            "by_phase": result.counts_by_phase(ctx.tally),
            "at_or_above_threshold": len(ctx.blocking),
        },
        "controls": {
            "evaluated": [c.id for c in result.evaluated],
            "unmatched": [c.id for c in result.unmatched],
            "disabled": [{"id": c.id, "reason": c.disabled_reason}
                         for c in result.catalog.controls.values() if not c.enabled],
            # What every finding of a control repeats, once per control, for consumers
            # that read findings by control id.
            "table": {c.id: {"title": c.spec.title, "severity": c.severity,
                             "phase": c.spec.phase, "remediation": c.spec.remediation.text}
                      for c in result.evaluated},
        },
        "waivers": {
            "applied": ctx.waivers.applied,
            "expired": [w.ref for w in ctx.waivers.expired],
            "unused": [w.ref for w in ctx.waivers.unused],
        },
    }
    if ctx.gaps_only:
        document["gaps_only"] = True  # findings lists fail and error results only
    if ctx.baseline is not None:
        document["baseline"] = {
            "file": ctx.baseline.source,
            "new": len(ctx.baseline.new),
            "existing": len(ctx.baseline.existing),
            "fixed": ctx.baseline.fixed,
        }
    return document


def render(ctx: ReportContext) -> str:
    return jsonwrite.dumps(_document(ctx))


def write(ctx: ReportContext, stream: IO[bytes]) -> None:
    """What ``render`` gives, written to ``stream`` as the findings are encoded."""
    jsonwrite.write(_document(ctx), stream)
