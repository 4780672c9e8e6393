"""The full results beside the pages: findings.csv (every result of every control on every
target, one row each) and scorecard.json (``airready scorecard --format json``).

Both hold what the site may show: a confidential entity's findings without the evidence,
and its title and the reasons that quote its spec replaced by "confidential".  A cell
that a spreadsheet would read as a formula is prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..report.scorecard import scorecard_dict
from .refs import CONFIDENTIAL

if TYPE_CHECKING:
    from .pages import Site

FINDINGS_CSV = "findings.csv"
SCORECARD_JSON = "scorecard.json"
COLUMNS = ("control", "severity", "phase", "state", "target", "kind", "owner", "file", "line",
           "column", "path", "message", "remediation", "waiver", "waiver_expires",
           "source_url")
_FORMULA_START = frozenset("=+-@\t\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA_START else text


def findings_csv(shared: Site) -> str:
    result, redactor = shared.result, shared.redactor
    provenance = shared.site.provenance
    kinds = {ref: entity.kind for ref, entity in result.inventory.entities.items()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for finding in sorted(result.findings, key=lambda f: (f.control, f.target)):
        waiver = finding.waiver or {}
        url = provenance.source_url(finding.file, finding.line) if provenance else None
        # Ids, references, states and numbers are airready's own words; the rest may hold
        # anything a YAML file held.
        writer.writerow((
            finding.control, finding.severity, finding.phase, finding.state, finding.target,
            kinds.get(finding.target, ""), shared.owner_of(finding.target) or "",
            _cell(finding.file), finding.line, finding.column, _cell(finding.path),
            _cell(redactor.message(finding)), _cell(finding.remediation),
            waiver.get("ref") or "", waiver.get("expires") or "", _cell(url)))
    return out.getvalue()


def _redact_gap(gap: dict[str, Any], shared: Site, by_key: dict[tuple[str, str], Any]
                ) -> dict[str, Any]:
    finding = by_key.get((gap["control"], gap["target"]))
    if finding is not None:
        gap["message"] = shared.redactor.message(finding)
    return gap


def scorecard_json(shared: Site) -> str:
    data = scorecard_dict(shared.site.card)
    redactor = shared.redactor
    if redactor.secret:
        by_key = {(f.control, f.target): f for f in shared.result.findings}
        for model in data["models"]:
            if redactor.hides(model["ref"]):
                model.update(title=CONFIDENTIAL, required_reason=CONFIDENTIAL,
                             status_reason=CONFIDENTIAL, reach=CONFIDENTIAL)
            model["failing"] = [_redact_gap(g, shared, by_key) for g in model["failing"]]
        org = data["organization"]
        for key in ("gaps_outside_models", "waived_outside_models"):
            org[key] = [_redact_gap(g, shared, by_key) for g in org[key]]
    return json.dumps(data, separators=(",", ":")) + "\n"  # 40% smaller than indented


def exports(shared: Site) -> Iterator[tuple[str, str]]:
    yield FINDINGS_CSV, findings_csv(shared)
    yield SCORECARD_JSON, scorecard_json(shared)
