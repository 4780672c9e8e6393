"""The versioned JSON output of ``check`` (shape fixed by docs/cli.md; add keys, never rename)."""

from __future__ import annotations

import json
from typing import Any

from ..findings import AuditResult, Finding

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
    }
    if finding.evidence_ref:
        data["evidence_ref"] = finding.evidence_ref
    if finding.waiver:
        data["waiver"] = finding.waiver
    return data


def audit_dict(result: AuditResult, threshold: str) -> dict[str, Any]:
    ordered = sorted(result.findings, key=Finding.sort_key)
    return {
        "schema_version": SCHEMA_VERSION,
        "today": result.today.isoformat(),
        "threshold": threshold,
        "findings": [finding_dict(f) for f in ordered],
        "summary": {
            **result.counts(),
            "gaps_by_severity": result.gap_counts_by_severity(),
            "by_phase": result.counts_by_phase(),
            "at_or_above_threshold": len(result.at_or_above(threshold)),
        },
        "controls": {
            "evaluated": [c.id for c in result.evaluated],
            "unmatched": [c.id for c in result.unmatched],
            "disabled": [{"id": c.id, "reason": c.disabled_reason}
                         for c in result.catalog.controls.values() if not c.enabled],
        },
    }


def render(result: AuditResult, threshold: str) -> str:
    return json.dumps(audit_dict(result, threshold), indent=2) + "\n"
