"""The versioned JSON output of ``check`` (shape fixed by docs/cli.md; add keys, never rename)."""

from __future__ import annotations

import json
from typing import Any

from ..rules.baseline import fingerprint
from ..rules.findings import Finding
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
        "message": finding.message,
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
    result = ctx.result
    ordered = sorted(result.findings, key=Finding.sort_key)
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "today": result.today.isoformat(),
        "threshold": ctx.threshold,
        "findings": [finding_dict(f) for f in ordered],
        "summary": {
            **result.counts(),
            "gaps_by_severity": result.gap_counts_by_severity(),
            "by_phase": result.counts_by_phase(),
            "at_or_above_threshold": len(ctx.blocking),
        },
        "controls": {
            "evaluated": [c.id for c in result.evaluated],
            "unmatched": [c.id for c in result.unmatched],
            "disabled": [{"id": c.id, "reason": c.disabled_reason}
                         for c in result.catalog.controls.values() if not c.enabled],
        },
        "waivers": {
            "applied": ctx.waivers.applied,
            "expired": [w.ref for w in ctx.waivers.expired],
            "unused": [w.ref for w in ctx.waivers.unused],
        },
    }
    if ctx.baseline is not None:
        document["baseline"] = {
            "file": ctx.baseline.source,
            "new": len(ctx.baseline.new),
            "existing": len(ctx.baseline.existing),
            "fixed": ctx.baseline.fixed,
        }
    return document


def render(ctx: ReportContext) -> str:
    return json.dumps(audit_dict(ctx), indent=2) + "\n"
