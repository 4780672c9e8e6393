"""Baselines: accept today's gaps, fail only on new ones.

A finding is identified by its fingerprint: the control, the target entity and the
field path, never the line number, so moving or reformatting YAML does not turn old
gaps into new ones.  Entries that no longer occur are reported so the file shrinks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..inventory.problems import InputError, Problem
from .findings import AuditResult, Finding

BASELINE_VERSION = 1


def fingerprint(finding: Finding) -> str:
    key = f"{finding.control}\x1f{finding.target}\x1f{finding.path}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass
class BaselineReport:
    source: str
    new: list[Finding] = field(default_factory=list)
    existing: list[Finding] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)  # entries no longer found


def baseline_document(result: AuditResult) -> dict[str, Any]:
    entries = {}
    for finding in result.gaps():
        entries[fingerprint(finding)] = {"control": finding.control, "target": finding.target,
                                         "path": finding.path, "severity": finding.severity}
    return {"schema_version": BASELINE_VERSION, "tool": "airready",
            "entries": [{"fingerprint": fp, **entry} for fp, entry in sorted(entries.items())]}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def read_baseline(path: Path, shown: str) -> dict[str, dict[str, Any]]:
    """Fingerprint -> entry; a missing or malformed file is an input error (exit 2)."""

    def invalid(message: str, line: int = 1, column: int = 1) -> InputError:
        return InputError([Problem(shown, line, column, message, code="baseline")])

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise invalid(f"cannot read the baseline: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise invalid(f"the baseline is not UTF-8 text (byte {exc.start})", line) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise invalid(f"the baseline is not valid JSON: {exc.msg}", exc.lineno,
                      exc.colno) from None
    entries = document.get("entries") if isinstance(document, dict) else None
    if (not isinstance(document, dict) or document.get("schema_version") != BASELINE_VERSION
            or not isinstance(entries, list)
            or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
                       for e in entries)):
        raise invalid("not an airready baseline (expected schema_version 1 and entries with "
                      "fingerprints; write one with --write-baseline)")
    return {e["fingerprint"]: e for e in entries}


def apply_baseline(result: AuditResult, entries: dict[str, dict[str, Any]],
                   source: str) -> BaselineReport:
    report = BaselineReport(source)
    seen = set()
    for finding in result.gaps():
        fp = fingerprint(finding)
        if fp in entries:
            finding.baselined = True
            report.existing.append(finding)
            seen.add(fp)
        else:
            report.new.append(finding)
    # A waived gap still occurs: it is not fixed (and resurfaces as known when the waiver ends).
    seen.update(fingerprint(f) for f in result.findings if f.state == "waived")
    evaluated = {c.id for c in result.evaluated}
    looked_at = {(f.control, f.target) for f in result.findings}
    for fp, entry in entries.items():
        if fp in seen:
            continue
        control, target = entry.get("control"), entry.get("target")
        # Only entries this run could have seen count as fixed (filters skip the rest):
        # the control ran on the target, or the control or the entity no longer exists.
        if ((control, target) in looked_at or control not in result.catalog.controls
                or (control in evaluated and target not in result.inventory.entities)):
            report.fixed.append(entry)
    return report
