"""``check --format sarif``: valid SARIF 2.1.0 that code scanning can track across runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gatekit import (  # builtin_catalog_cache: an autouse fixture
    CRED_CONTROLS,
    GOOD,
    STRIPE,
    builtin_catalog_cache,  # noqa: F401
    check,
    git_init,
    line_of,
    make_project,
    sarif_errors,
    text_at,
    waiver,
)

from airready.rules.catalog import load_catalog

CATALOG, _ = load_catalog(None)
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
NEW_KEY = """\
---
apiVersion: airready/v1
kind: Credential
metadata: {name: new-key}
spec: {rotation_days: 30, last_rotated: 2026-11-20}
"""


def sarif_run(capsys, project: Path, out: Path, *args: str, expect: int | None = None
              ) -> dict[str, Any]:
    result = check(capsys, project, "--format", "sarif", "--output", str(out), *args)
    if expect is not None:
        assert result.code == expect, result.text
    assert result.code in (0, 1), result.text
    document = json.loads(out.read_text(encoding="utf-8"))
    assert sarif_errors(document) == []
    return document


def results_by_key(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["ruleId"], r["properties"]["target"]): r for r in document["runs"][0]["results"]}


def test_sarif_is_valid_and_complete(tmp_path, capsys):
    project = make_project(tmp_path / "proj")
    baseline = tmp_path / "baseline.json"
    assert check(capsys, project, "--write-baseline", str(baseline)).code == 0
    creds = project / "inventory" / "creds.yaml"
    creds.write_text(creds.read_text() + NEW_KEY)
    (project / "inventory" / "waivers.yaml").write_text(
        waiver("stripe-revocation", "AIR-CRED-001", justification="Rotating to Vault in Q1"))

    document = sarif_run(capsys, project, tmp_path / "out.sarif", "--baseline", str(baseline),
                         expect=1)  # credential:new-key lacks a revocation procedure: new, high
    findings = {(f["control"], f["target"]): f for f in check(
        capsys, project, "--format", "json", "--baseline", str(baseline)).json()["findings"]}

    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "airready"

    # Rules: one per evaluated control, fully described.
    rules = driver["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        control = CATALOG.controls[rule["id"]]
        assert rule["shortDescription"]["text"] == control.spec.title
        assert rule["fullDescription"]["text"].strip()
        assert control.spec.remediation.text in rule["help"]["text"]
        assert control.spec.remediation.text in rule["help"]["markdown"]
        tags = rule["properties"]["tags"]
        assert tags and len(tags) == len(set(tags))
        assert "security" in tags  # GitHub reads security-severity only for these
        score = float(rule["properties"]["security-severity"])
        low, high = {"critical": (9, 10), "high": (7, 9), "medium": (4, 7),
                     "low": (0.1, 4)}[control.severity]
        assert low <= score < high or score == high == 10, (rule["id"], score)
        assert rule["defaultConfiguration"]["level"] == LEVEL[control.severity]
        assert rule["properties"]["problem.severity"] in ("error", "warning", "recommendation")

    # Results: gaps and waived findings, never passes.
    results = run["results"]
    keys = results_by_key(document)
    assert len(keys) == len(results)
    gap_keys = {k for k, f in findings.items() if f["state"] in ("fail", "error", "waived")}
    assert set(keys) == gap_keys
    assert not any(target == GOOD for _, target in keys)
    severities_seen = set()
    for result in results:
        finding = findings[(result["ruleId"], result["properties"]["target"])]
        severities_seen.add(finding["severity"])
        assert result["level"] == LEVEL[finding["severity"]]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"] == finding["message"]
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "file:" not in uri and "\\" not in uri
        assert uri == finding["file"] and (project / uri).is_file()
        assert location["region"] == {"startLine": finding["line"],
                                      "startColumn": finding["column"]}
        assert result["partialFingerprints"]["airreadyFinding/v1"] == finding["fingerprint"]
    assert severities_seen == {"critical", "high", "medium", "low"}
    fingerprints = [r["partialFingerprints"]["airreadyFinding/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)

    # Regions point at the YAML that decides.
    rotation = keys[("AIR-CRED-002", STRIPE)]["locations"][0]["physicalLocation"]["region"]
    assert rotation["startLine"] == line_of(creds, "rotation_days: 365")
    assert text_at(creds, rotation["startLine"], rotation["startColumn"]) == "365"
    rotated = keys[("AIR-CRED-003", STRIPE)]["locations"][0]["physicalLocation"]["region"]
    assert rotated["startLine"] == line_of(creds, "last_rotated: 2026-01-01")
    assert text_at(creds, rotated["startLine"], rotated["startColumn"]) == "2026-01-01"

    # The waived result is there, suppressed with its justification.
    waived = keys[("AIR-CRED-001", STRIPE)]
    assert waived["suppressions"] == [{"kind": "external", "status": "accepted",
                                       "justification": "Rotating to Vault in Q1"}]
    assert [k for k, r in keys.items() if "suppressions" in r] == [("AIR-CRED-001", STRIPE)]

    # Against the baseline: the new gap is new, the recorded ones unchanged.
    assert keys[("AIR-CRED-001", "credential:new-key")]["baselineState"] == "new"
    assert keys[("AIR-CRED-002", STRIPE)]["baselineState"] == "unchanged"
    assert keys[("AIR-TEAM-002", "organization:acme")]["baselineState"] == "unchanged"


def test_fingerprints_survive_moved_lines(tmp_path, capsys):
    project = make_project(tmp_path)
    creds = project / "inventory" / "creds.yaml"
    before = results_by_key(sarif_run(capsys, project, tmp_path / "a.sarif", *CRED_CONTROLS))
    inserted = ("# Payment credentials, reviewed monthly.\n"
                "apiVersion: airready/v1\nkind: Credential\nmetadata: {name: other-key}\n"
                "spec: {revocation: https://wiki.example.com/revoke, rotation_days: 30,\n"
                "       last_rotated: 2026-11-01}\n---\n")
    creds.write_text(inserted + creds.read_text())
    after = results_by_key(sarif_run(capsys, project, tmp_path / "b.sarif", *CRED_CONTROLS))

    assert set(before) == set(after) == {("AIR-CRED-001", STRIPE), ("AIR-CRED-002", STRIPE),
                                         ("AIR-CRED-003", STRIPE)}
    shift = inserted.count("\n")
    for key, old in before.items():
        new = after[key]
        old_region = old["locations"][0]["physicalLocation"]["region"]
        new_region = new["locations"][0]["physicalLocation"]["region"]
        assert new_region["startLine"] == old_region["startLine"] + shift
        assert new["partialFingerprints"] == old["partialFingerprints"]
    region = after[("AIR-CRED-002", STRIPE)]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == line_of(creds, "rotation_days: 365")


def test_uris_are_relative_to_the_git_repository(tmp_path, capsys):
    alone = make_project(tmp_path / "alone")
    git_init(tmp_path / "repo")
    nested = make_project(tmp_path / "repo" / "sub")
    for project, prefix in ((alone, ""), (nested, "sub/")):
        document = sarif_run(capsys, project, tmp_path / f"{project.name}.sarif", *CRED_CONTROLS)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in document["runs"][0]["results"]}
        assert uris == {f"{prefix}inventory/creds.yaml"}


def test_sarif_is_valid_with_no_gaps(tmp_path, capsys):
    project = make_project(tmp_path)
    result = check(capsys, project, "--format", "sarif", "--target", GOOD, *CRED_CONTROLS)
    assert result.code == 0, result.text
    document = json.loads(result.out)
    assert sarif_errors(document) == []
    run = document["runs"][0]
    assert run["results"] == []
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {
        "AIR-CRED-001", "AIR-CRED-002", "AIR-CRED-003"}


def test_hostile_text_stays_valid_sarif(tmp_path, capsys):
    component = ('apiVersion: airready/v1\nkind: Component\nmetadata: {name: vllm}\n'
                 'spec: {version: "1", supplier: vendor:v,\n'
                 '       checksum: "bad\\x01 \\"quoted\\" <b> \\u2028 \\n%0A"}\n---\n'
                 'apiVersion: airready/v1\nkind: Vendor\nmetadata: {name: v}\n'
                 'spec: {incident_reporting: x, notification_sla: P3D}\n')
    project = make_project(tmp_path, {"inventory/comp.yaml": component})
    document = sarif_run(capsys, project, tmp_path / "o.sarif", "--control", "AIR-SUP-001")
    (result,) = document["runs"][0]["results"]
    assert "bad\x01" in result["message"]["text"]
