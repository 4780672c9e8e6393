"""SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

Results carry repository-relative URIs, a region, a level from the severity and a
``partialFingerprints`` entry built from control, target and field path, so an alert
keeps its identity when unrelated lines move.
"""

from __future__ import annotations

import heapq
from typing import IO, Any

from ..rules.baseline import fingerprint
from ..rules.catalog import Control
from ..rules.findings import Finding, sort_findings
from . import jsonwrite
from .context import ReportContext

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub's problem.severity takes error, warning or recommendation (not SARIF's "note").
PROBLEM_SEVERITY = {"critical": "error", "high": "error", "medium": "warning",
                    "low": "recommendation"}
# GitHub ranks security alerts by this number: >= 9 critical, >= 7 high, >= 4 medium.
SECURITY_SEVERITY = {"critical": "9.5", "high": "7.5", "medium": "5.0", "low": "2.0"}
INFORMATION_URI = "https://github.com/airready/airready"


def _rule(control: Control) -> dict[str, Any]:
    spec = control.spec
    refs = control.reference_lines()
    help_text = spec.remediation.text
    help_md = f"**Fix:** {spec.remediation.text}"
    if spec.remediation.example:
        help_text += "\n\n" + spec.remediation.example
        help_md += f"\n\n```yaml\n{spec.remediation.example.rstrip()}\n```"
    if refs:
        help_md += "\n\n" + "\n".join(f"- {r}" for r in refs)
    # GitHub reads security-severity only for rules tagged "security".
    # SARIF tags are a set (uniqueItems): a control's own tags may repeat the phase.
    tags = list(dict.fromkeys([
        "security", "ai-incident-readiness", spec.phase, *spec.tags,
        *(f"{name}:{i}" for name, ids in spec.references.items() for i in ids)]))
    return {
        "id": control.id,
        "name": "".join(w.capitalize() for w in control.id.split("-")),
        "shortDescription": {"text": spec.title},
        "fullDescription": {"text": " ".join(spec.description.split())},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": LEVEL[control.severity]},
        "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY[control.severity],
                       "precision": "very-high",
                       "problem.severity": PROBLEM_SEVERITY[control.severity]},
    }


def _result(finding: Finding, rule_index: int, ctx: ReportContext) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.control,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "kind": "fail",
        "message": {"text": finding.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": ctx.repo_path(finding), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": finding.line, "startColumn": finding.column},
            },
            "logicalLocations": [{"name": finding.target, "kind": "resource",
                                  "fullyQualifiedName": f"{finding.target}#{finding.path}"}],
        }],
        "partialFingerprints": {"airreadyFinding/v1": fingerprint(finding)},
        "properties": {"target": finding.target, "path": finding.path,
                       "state": finding.state, "baselined": finding.baselined},
    }
    if finding.baselined:
        result["baselineState"] = "unchanged"
    elif ctx.baseline is not None:
        result["baselineState"] = "new"
    if finding.waiver:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": finding.waiver["justification"]}]
    return result


def sarif_dict(ctx: ReportContext) -> dict[str, Any]:
    """The log as plain data (``write`` streams the results instead)."""
    document = _document(ctx)
    run = document["runs"][0]
    run["results"] = list(run["results"].items)
    return document


def _document(ctx: ReportContext) -> dict[str, Any]:
    result = ctx.result
    controls = list(result.evaluated)
    index = {c.id: i for i, c in enumerate(controls)}
    # The gaps are sorted already (the report shares them); the waived findings are
    # merged in.  Findings never tie on the sort key (control and target differ).
    waived = sort_findings(ctx.waived)
    reported = list(heapq.merge(ctx.gaps, waived, key=Finding.sort_key)) if waived else ctx.gaps
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "airready", "version": ctx.version,
                                "semanticVersion": ctx.version,
                                "informationUri": INFORMATION_URI,
                                "rules": [_rule(c) for c in controls]}},
            "automationDetails": {"id": "airready/check/"},
            "columnKind": "unicodeCodePoints",
            "results": jsonwrite.Rows(_result(f, index[f.control], ctx) for f in reported),
            "properties": {"today": result.today.isoformat(), "threshold": ctx.threshold},
        }],
    }


def render(ctx: ReportContext) -> str:
    return jsonwrite.dumps(_document(ctx))


def write(ctx: ReportContext, stream: IO[bytes]) -> None:
    """What ``render`` gives, written to ``stream`` as the results are encoded."""
    jsonwrite.write(_document(ctx), stream)
