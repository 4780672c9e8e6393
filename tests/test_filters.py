"""Filters on ``check`` evaluate only what they select; several outputs come from one run."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from gatekit import (  # builtin_catalog_cache: an autouse fixture
    CRED_IDS,
    GOOD,
    STRIPE,
    builtin_catalog_cache,  # noqa: F401
    check,
    check_json,
    junit_errors,
    make_project,
    sarif_errors,
)

import airready.rules.engine
from airready.rules.catalog import load_catalog

CATALOG, _ = load_catalog(None)
ENABLED = [c for c in CATALOG.controls.values() if c.enabled]


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "proj")


@pytest.fixture
def calls(monkeypatch):
    """Every (control, target) evaluate_control is asked for."""
    seen: list[tuple[str, str]] = []
    real = airready.rules.engine.evaluate_control

    def counting(control, entity, inventory, today):
        seen.append((control.id, entity.ref))
        return real(control, entity, inventory, today)

    monkeypatch.setattr(airready.rules.engine, "evaluate_control", counting)
    return seen


def evaluated(capsys, project, *args):
    document = check_json(capsys, project, *args)
    return document["controls"]["evaluated"], document["findings"]


def ids(predicate) -> list[str]:
    return [c.id for c in ENABLED if predicate(c)]


@pytest.mark.parametrize(("args", "expected"), [
    (("--control", "AIR-CRED-001"), ["AIR-CRED-001"]),
    (("--control", "AIR-CRED-*"), ids(lambda c: c.id.startswith("AIR-CRED-"))),
    (("--control", "AIR-CRED-00[13]"), ["AIR-CRED-001", "AIR-CRED-003"]),
    (("--control", "AIR-CRED-001", "--control", "AIR-TEAM-00?"),
     ["AIR-CRED-001", *ids(lambda c: c.id.startswith("AIR-TEAM-00"))]),
    (("--phase", "containment"), ids(lambda c: c.spec.phase == "containment")),
    (("--phase", "detection", "--phase", "investigation"),
     ids(lambda c: c.spec.phase in ("detection", "investigation"))),
    (("--phase", "post-incident"), ids(lambda c: c.spec.phase == "post_incident")),
    (("--severity", "critical"), ids(lambda c: c.severity == "critical")),
    (("--severity", "critical", "--severity", "low"),
     ids(lambda c: c.severity in ("critical", "low"))),
    (("--framework", "owasp_llm"), ids(lambda c: bool(c.spec.references.get("owasp_llm")))),
    (("--framework", "eu_ai_act", "--framework", "iso_42001"),
     ids(lambda c: bool(c.spec.references.get("eu_ai_act") or c.spec.references.get(
         "iso_42001")))),
    (("--phase", "containment", "--severity", "high"),
     ids(lambda c: c.spec.phase == "containment" and c.severity == "high")),
    (("--control", "AIR-CRED-00?", "--severity", "medium"), ["AIR-CRED-002", "AIR-CRED-003"]),
])
def test_control_filters(project, capsys, calls, args, expected):
    assert expected  # the case means something
    controls, findings = evaluated(capsys, project, *args)
    assert sorted(controls) == sorted(expected)
    assert {f["control"] for f in findings} <= set(expected)
    # Only the selected controls did any work.
    assert {control for control, _ in calls} <= set(expected)
    assert len(calls) == len(findings)


def test_target_filter(project, capsys, calls):
    controls, findings = evaluated(capsys, project, "--target", STRIPE)
    credential_controls = ids(lambda c: c.kind == "Credential")
    assert set(CRED_IDS) <= set(credential_controls)
    assert sorted(controls) == sorted(c.id for c in ENABLED)
    assert {f["target"] for f in findings} == {STRIPE}
    assert sorted(f["control"] for f in findings) == sorted(credential_controls)
    assert sorted(calls) == sorted((c, STRIPE) for c in credential_controls)

    calls.clear()
    _, findings = evaluated(capsys, project, "--target", STRIPE, "--target", GOOD,
                            "--control", "AIR-CRED-001")
    assert sorted(f["target"] for f in findings) == sorted([STRIPE, GOOD])
    assert sorted(calls) == sorted([("AIR-CRED-001", STRIPE), ("AIR-CRED-001", GOOD)])


def test_filters_skip_work(project, capsys, calls):
    _, everything = evaluated(capsys, project)
    total = len(calls)
    assert total == len(everything) > 20
    calls.clear()
    _, findings = evaluated(capsys, project, "--control", "AIR-CRED-001")
    assert calls == [("AIR-CRED-001", STRIPE), ("AIR-CRED-001", GOOD)]
    assert len(findings) == 2


def test_filters_change_the_gate(project, capsys):
    assert check(capsys, project).code == 1
    assert check(capsys, project, "--target", GOOD).code == 0
    assert check(capsys, project, "--control", "AIR-CRED-002", "--control", "AIR-CRED-003"
                 ).code == 0  # medium gaps only, threshold high
    assert check(capsys, project, "--severity", "medium", "--fail-on", "medium").code == 1


@pytest.mark.parametrize(("args", "message"), [
    (("--control", "AIR-CRD-001"),
     "--control 'AIR-CRD-001' matches no control (did you mean 'AIR-CRED-001'?)"),
    (("--control", "AIR-NOPE-*"), "--control 'AIR-NOPE-*' matches no control"),
    (("--control", "air-cred-001"), "--control 'air-cred-001' matches no control"),
    (("--phase", "detecton"), "--phase 'detecton' is not one of preparation, detection, "
                              "containment, investigation, remediation, post_incident "
                              "(did you mean 'detection'?)"),
    (("--severity", "hihg"), "--severity 'hihg' is not one of critical, high, medium, low "
                             "(did you mean 'high'?)"),
    (("--severity", "info"), "--severity 'info' is not one of critical, high, medium, low"),
    (("--framework", "owasp"), "--framework 'owasp' is not one of nist_ai_rmf, iso_42001, "
                               "owasp_llm, mitre_atlas, eu_ai_act (did you mean 'owasp_llm'?)"),
    (("--target", "credential:strip-key"),
     "--target 'credential:strip-key' is not in the inventory (did you mean "
     "'credential:stripe-key'?)"),
    (("--target", "stripe-key"),
     "--target 'stripe-key' is not in the inventory (did you mean 'credential:stripe-key'?)"),
    (("--target", "model:ghost"), "--target 'model:ghost' is not in the inventory"),
])
def test_unknown_filter_values_are_errors(project, capsys, args, message):
    result = check(capsys, project, *args)
    assert result.code == 2
    assert message in result.text
    assert "Traceback" not in result.text


def test_every_unknown_value_is_reported_at_once(project, capsys):
    result = check(capsys, project, "--control", "AIR-XX-001", "--phase", "nope",
                   "--severity", "nope", "--framework", "nope", "--target", "model:nope")
    assert result.code == 2
    for option in ("--control", "--phase", "--severity", "--framework", "--target"):
        assert f"airready: error: {option} '" in result.err
    assert "5 errors" in result.err


@pytest.mark.parametrize(("args", "message"), [
    (("--phase", "investigation", "--severity", "low"),
     "the filters together select no enabled control (--phase investigation --severity low)"),
    (("--target", "person:ada"), "--target 'person:ada': no selected control applies to a "
                                 "Person"),
    (("--target", STRIPE, "--control", "AIR-TEAM-*"),
     f"--target '{STRIPE}': no selected control applies to a Credential"),
])
def test_filters_that_select_nothing_are_errors(project, capsys, args, message):
    result = check(capsys, project, *args)
    assert result.code == 2  # never an empty pass
    assert message in result.err


def test_control_disabled_in_the_project_cannot_be_selected(tmp_path, capsys):
    config = ("inventory: [inventory]\ncontrols: [builtin]\n"
              "overrides:\n  AIR-CRED-003: {enabled: false, reason: rotation is automatic}\n")
    project = make_project(tmp_path, {"airready.yaml": config})
    result = check(capsys, project, "--control", "AIR-CRED-003")
    assert result.code == 2
    assert "--control 'AIR-CRED-003' matches only controls disabled in airready.yaml" in result.err
    controls, _ = evaluated(capsys, project, "--control", "AIR-CRED-00?")
    assert controls == ["AIR-CRED-001", "AIR-CRED-002"]


def test_several_outputs_from_one_run(project, tmp_path, capsys, calls):
    out = tmp_path / "out"
    out.mkdir()  # a missing folder is an error (test_writes.py), never created
    files = {fmt: out / name for fmt, name in (
        ("json", "a.json"), ("sarif", "a.sarif"), ("junit", "junit.xml"),
        ("markdown", "summary.md"), ("github", "annotations.txt"), ("text", "report.txt"))}
    args = []
    for fmt, path in files.items():
        args += ["--format", fmt, "--output", str(path)]
    result = check(capsys, project, *args, "--format", "text")  # the last one to stdout
    assert result.code == 1, result.text
    document = json.loads(files["json"].read_text())
    findings = document["findings"]
    assert len(calls) == len(findings)  # one evaluation for every format
    assert sarif_errors(json.loads(files["sarif"].read_text())) == []
    assert junit_errors(files["junit"]) == {"JUnit.xsd": [], "jenkins-xunit-junit-10.xsd": []}
    assert len(list(ET.parse(files["junit"]).getroot().iter("testcase"))) == len(findings)
    assert files["markdown"].read_text().startswith("## airready: readiness check fails")
    assert files["github"].read_text().startswith("::error file=")
    report = files["text"].read_text()
    assert "threshold: high:" in report and "\x1b[" not in report
    assert result.out == report  # the same text, on standard output too


def test_the_last_format_may_go_to_stdout(project, tmp_path, capsys):
    target = tmp_path / "a.sarif"
    result = check(capsys, project, "--format", "sarif", "--output", str(target),
                   "--format", "json")
    assert result.code == 1
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert json.loads(result.out)["schema_version"] == 1


@pytest.mark.parametrize("args", [
    ("--format", "json", "--output", "a.json", "--output", "b.json"),
    ("--format", "json", "--format", "sarif", "--format", "junit", "--output", "a.json"),
    ("--output", "a.json", "--output", "b.json"),
])
def test_mismatched_outputs_are_usage_errors(project, tmp_path, capsys, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = check(capsys, project, *args)
    assert result.code == 2
    assert "give one --output per --format" in result.err
    assert not (tmp_path / "a.json").exists()


def test_unknown_format_is_a_usage_error(project, capsys):
    result = check(capsys, project, "--format", "html")
    assert result.code == 2
    assert "html" in result.err
