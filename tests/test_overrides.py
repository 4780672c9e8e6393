"""Per-organisation changes to the catalog in airready.yaml, and a project's own controls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from projectkit import ORG, control_yaml, make_project, run

TODAY = "2026-11-25"
MODELS = """\
apiVersion: airready/v1
kind: Team
metadata: {name: ml}
---
apiVersion: airready/v1
kind: Model
metadata: {name: support-bot, owner: team:ml}
spec:
  lifecycle: production
  logging:
    inputs: true
    outputs: true
    user_attribution: false
"""
LOG_002 = ("inventory/models.yaml:13:23: [{severity}] AIR-LOG-002 model:support-bot logs no "
           "user attribution (logging.user_attribution is false, expected true)")


def project(tmp_path: Path, overrides: str = "", controls: str = "[builtin]",
            files: dict[str, str] | None = None) -> Path:
    config = f"inventory: [inventory]\ncontrols: {controls}\nfail_on: high\n"
    if overrides:
        config += "overrides:\n" + overrides
    return make_project(tmp_path, config, {"inventory/org.yaml": ORG,
                                           "inventory/models.yaml": MODELS, **(files or {})})


def check(capsys, root: Path, *args: str):
    return run(capsys, "check", "--project", root, "--today", TODAY, *args)


def check_json(capsys, root: Path, *args: str) -> dict[str, Any]:
    result = check(capsys, root, "--format", "json", "--fail-on", "none", *args)
    assert result.code == 0, result.out + result.err
    return json.loads(result.out)


# --- severity --------------------------------------------------------------------------------

def test_without_override_the_catalog_severity_applies(tmp_path, capsys):
    root = project(tmp_path)
    result = check(capsys, root, "--control", "AIR-LOG-002", "--fail-on", "critical")
    assert result.code == 0
    assert result.out.splitlines()[0] == LOG_002.format(severity="high")


def test_severity_override_changes_the_finding_and_the_exit_code(tmp_path, capsys):
    root = project(tmp_path, "  AIR-LOG-002: {severity: critical}\n")
    result = check(capsys, root, "--control", "AIR-LOG-002", "--fail-on", "critical")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == LOG_002.format(severity="critical")
    assert "gaps by severity: critical 1, high 0, medium 0, low 0" in lines
    assert lines[-1] == "threshold: critical: 1 gap at or above it"
    [finding] = [f for f in check_json(capsys, root)["findings"]
                 if f["control"] == "AIR-LOG-002"]
    assert finding["severity"] == "critical"


def test_lowering_a_severity_lets_the_gate_pass(tmp_path, capsys):
    root = project(tmp_path, "  AIR-LOG-002: {severity: low}\n")
    result = check(capsys, root, "--control", "AIR-LOG-002")  # fail_on: high from the file
    assert result.code == 0
    assert result.out.splitlines()[0] == LOG_002.format(severity="low")
    assert check(capsys, root, "--control", "AIR-LOG-002", "--fail-on", "low").code == 1


def test_overridden_severity_shows_in_controls_list_and_show(tmp_path, capsys):
    root = project(tmp_path, "  AIR-LOG-002: {severity: critical}\n")
    listed = run(capsys, "controls", "list", "--project", root, "--format", "json")
    [entry] = [c for c in json.loads(listed.out)["controls"] if c["id"] == "AIR-LOG-002"]
    assert (entry["severity"], entry["default_severity"]) == ("critical", "high")
    shown = run(capsys, "controls", "show", "AIR-LOG-002", "--project", root)
    assert "severity: critical    phase: preparation    applies to: Model" in shown.out


def test_severity_override_must_be_a_known_severity(tmp_path, capsys):
    root = project(tmp_path, "  AIR-LOG-002: {severity: urgent}\n")
    result = check(capsys, root)
    assert result.code == 2
    [line] = result.out.splitlines()
    assert line == ("airready.yaml:5:27: [error] overrides.AIR-LOG-002.severity: 'urgent' is "
                    "not one of critical, high, medium, low (config)")


# --- disabling -------------------------------------------------------------------------------

def test_disabled_control_is_not_evaluated_and_the_summary_says_why(tmp_path, capsys):
    root = project(tmp_path, '  AIR-LOG-002: {enabled: false, reason: "gateway logs users"}\n')
    result = check(capsys, root, "--fail-on", "none")
    assert result.code == 0
    assert "AIR-LOG-002" not in "\n".join(
        line for line in result.out.splitlines() if not line.startswith("note:"))
    assert "note: AIR-LOG-002 is disabled in airready.yaml: gateway logs users" in (
        result.out.splitlines())
    data = check_json(capsys, root)
    assert not [f for f in data["findings"] if f["control"] == "AIR-LOG-002"]
    assert "AIR-LOG-002" not in data["controls"]["evaluated"]
    assert data["controls"]["disabled"] == [{"id": "AIR-LOG-002", "reason": "gateway logs users"}]


def test_disabled_control_counts_out_of_the_controls_total(tmp_path, capsys):
    enabled = check_json(capsys, project(tmp_path / "a"))
    disabled = check_json(capsys, project(
        tmp_path / "b", '  AIR-LOG-002: {enabled: false, reason: "gateway logs users"}\n'))
    assert len(disabled["controls"]["evaluated"]) == len(enabled["controls"]["evaluated"]) - 1


def test_disabled_control_is_marked_in_controls_list(tmp_path, capsys):
    root = project(tmp_path, '  AIR-LOG-002: {enabled: false, reason: "gateway logs users"}\n')
    listed = run(capsys, "controls", "list", "--project", root)
    [line] = [line for line in listed.out.splitlines() if line.startswith("AIR-LOG-002")]
    assert line.endswith("  [disabled]")


@pytest.mark.parametrize("override", ["{enabled: false}", '{enabled: false, reason: "  "}'])
def test_disabling_without_a_reason_is_invalid(tmp_path, capsys, override):
    root = project(tmp_path, f"  AIR-LOG-002: {override}\n")
    result = check(capsys, root)
    assert result.code == 2
    assert result.out.splitlines() == [
        "airready.yaml:5:16: [error] overrides.AIR-LOG-002: disabling a control needs a "
        "'reason' (config)"]
    assert result.err == "1 error: the input is invalid\n"


def test_override_of_an_unknown_control_suggests_the_right_id(tmp_path, capsys):
    root = project(tmp_path, "  AIR-LOG-02: {severity: low}\n")
    result = check(capsys, root)
    assert result.code == 2
    assert result.out.splitlines() == [
        "airready.yaml:5:15: [error] overrides: unknown control 'AIR-LOG-02' "
        "(did you mean 'AIR-LOG-002'?) (config)"]
    # Every command that loads the catalog refuses it.
    assert run(capsys, "controls", "list", "--project", root).code == 2


def test_override_with_an_unknown_key_is_invalid(tmp_path, capsys):
    root = project(tmp_path, "  AIR-LOG-002: {severty: low}\n")
    result = check(capsys, root)
    assert result.code == 2
    [line] = result.out.splitlines()
    assert line.startswith("airready.yaml:5:17: [error] overrides.AIR-LOG-002.severty: "
                           "unknown field 'severty'"), line


def test_override_with_an_unknown_key_suggests_the_known_one(tmp_path, capsys):
    root = project(tmp_path, "  AIR-LOG-002: {severty: low}\n")
    assert "(did you mean 'severity'?)" in check(capsys, root).out


# --- a project's own controls ----------------------------------------------------------------

ACME = control_yaml("ACME-INV-001", severity="medium", title="The model names its version",
                    failure="has no version", where="{path: spec.lifecycle, equals: production}")


def test_project_control_runs_beside_the_builtin_ones(tmp_path, capsys):
    root = project(tmp_path, controls="[builtin, controls]",
                   files={"controls/acme.yaml": ACME})
    data = check_json(capsys, root)
    [finding] = [f for f in data["findings"] if f["control"] == "ACME-INV-001"]
    assert finding == {**finding, "target": "model:support-bot", "state": "fail",
                       "severity": "medium", "file": "inventory/models.yaml", "line": 9,
                       "column": 3, "path": "spec.version",
                       "message": "model:support-bot has no version (version is not set)"}
    assert "AIR-LOG-002" in data["controls"]["evaluated"]
    text = check(capsys, root, "--control", "ACME-*", "--fail-on", "medium")
    assert text.code == 1
    assert text.out.splitlines()[0] == (
        "inventory/models.yaml:9:3: [medium] ACME-INV-001 model:support-bot has no version "
        "(version is not set)")
    listed = run(capsys, "controls", "show", "ACME-INV-001", "--project", root,
                 "--format", "json")
    assert json.loads(listed.out)["control"]["source"] == "controls/acme.yaml"


def test_project_control_passes(tmp_path, capsys):
    models = MODELS.replace("  lifecycle: production\n",
                            "  lifecycle: production\n  version: '2.1'\n")
    root = project(tmp_path, controls="[controls]",
                   files={"controls/acme.yaml": ACME, "inventory/models.yaml": models})
    result = check(capsys, root, "--fail-on", "low")
    assert result.code == 0
    assert [line for line in result.out.splitlines() if line][:2] == [
        "1 control, 1 result: 1 pass, 0 fail, 0 not applicable, 0 waived, 0 error",
        "gaps by severity: critical 0, high 0, medium 0, low 0"]


def test_project_controls_can_be_overridden_too(tmp_path, capsys):
    root = project(tmp_path, "  ACME-INV-001: {severity: critical}\n", controls="[controls]",
                   files={"controls/acme.yaml": ACME})
    result = check(capsys, root, "--fail-on", "critical")
    assert result.code == 1
    assert result.out.splitlines()[0].startswith(
        "inventory/models.yaml:9:3: [critical] ACME-INV-001 ")
