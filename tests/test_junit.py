"""``check --format junit``: one test case per control x target, valid for GitLab and Jenkins."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from gatekit import (  # builtin_catalog_cache: an autouse fixture
    CRED_CONTROLS,
    STRIPE,
    builtin_catalog_cache,  # noqa: F401
    check,
    check_json,
    junit_errors,
    make_project,
    waiver,
)

# An experimental model: out of scope (not applicable) for the production-only controls.
MODEL = """\
apiVersion: airready/v1
kind: Model
metadata: {name: lab-bot, owner: person:ada}
spec: {version: "0.1", lifecycle: experimental, risk_tier: low}
"""

# A project control that cannot be evaluated: it follows a number as if it were a reference.
BROKEN_CONTROL = """\
id: ACME-CRED-001
title: The credential's rotation is owned
description: Someone is on the hook for rotating it.
phase: preparation
checklist_item: Strengthen access controls
severity: high
applies_to: {kind: Credential}
check:
  path: spec.rotation_days
  ref: {path: metadata.name, exists: true}
failure: has no rotation owner
remediation:
  text: Name who rotates it.
"""


def junit_project(root: Path) -> Path:
    return make_project(root, {
        "airready.yaml": "inventory: [inventory]\ncontrols: [builtin, controls]\n",
        "controls/acme.yaml": BROKEN_CONTROL,
        "inventory/model.yaml": MODEL,
        "inventory/waivers.yaml": waiver("stripe-rotation", "AIR-CRED-002",
                                         justification="Rotation <automated> & due in Q1"),
    })


def render(capsys, project: Path, out: Path, *args: str) -> ET.Element:
    result = check(capsys, project, "--format", "junit", "--output", str(out), *args)
    assert result.code in (0, 1), result.text
    assert junit_errors(out) == {"JUnit.xsd": [], "jenkins-xunit-junit-10.xsd": []}
    return ET.parse(out).getroot()


def cases(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    found = {}
    for case in root.iter("testcase"):
        key = (case.get("classname"), case.get("name"))
        assert key not in found, f"duplicate test case {key}"
        found[key] = case
    return found


def test_junit_is_valid_and_has_one_case_per_control_and_target(tmp_path, capsys):
    project = junit_project(tmp_path / "proj")
    root = render(capsys, project, tmp_path / "junit.xml")
    findings = check_json(capsys, project)["findings"]
    states = {f["state"] for f in findings}
    assert states == {"pass", "fail", "not_applicable", "waived", "error"}

    by_case = cases(root)
    assert len(by_case) == len(findings)
    assert set(by_case) == {(f["control"], f["target"]) for f in findings}

    for finding in findings:
        case = by_case[(finding["control"], finding["target"])]
        children = [child.tag for child in case]
        if finding["state"] == "pass":
            assert children == []
        elif finding["state"] == "fail":
            assert children == ["failure"]
            failure = case.find("failure")
            assert failure.get("message") == finding["message"]
            assert failure.get("type") == finding["severity"]
            where = f"{finding['file']}:{finding['line']}:{finding['column']}"
            assert failure.text.startswith(f"{where}: [{finding['severity']}]")
            assert finding["remediation"] in failure.text
        elif finding["state"] == "error":
            assert children == ["error"]
            assert case.find("error").get("message") == finding["message"]
        else:  # not applicable and waived are skipped, never failed
            assert children == ["skipped"]

    waived = by_case[("AIR-CRED-002", STRIPE)].find("skipped")
    assert waived.get("message") == "waived: Rotation <automated> & due in Q1"
    assert by_case[("ACME-CRED-001", STRIPE)].find("error") is not None

    # Suite counters agree with their cases.
    suites = root.findall("testsuite")
    assert root.tag == "testsuites"
    for suite in suites:
        suite_cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(suite_cases)
        for tag, attribute in (("failure", "failures"), ("error", "errors"),
                               ("skipped", "skipped")):
            assert int(suite.get(attribute)) == sum(c.find(tag) is not None for c in suite_cases)
    summary = check_json(capsys, project)["summary"]
    assert sum(int(s.get("failures")) for s in suites) == summary["fail"]
    assert sum(int(s.get("errors")) for s in suites) == summary["error"]
    assert sum(int(s.get("skipped")) for s in suites) == (summary["waived"]
                                                          + summary["not_applicable"])


def test_junit_with_filters_counts_match_json(tmp_path, capsys):
    project = junit_project(tmp_path / "proj")
    args = (*CRED_CONTROLS, "--target", STRIPE)
    root = render(capsys, project, tmp_path / "junit.xml", *args)
    findings = check_json(capsys, project, *args)["findings"]
    assert len(findings) == 3
    assert set(cases(root)) == {(f["control"], STRIPE) for f in findings}
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "AIR-CRED-001", "AIR-CRED-002", "AIR-CRED-003"]


def test_junit_survives_characters_xml_cannot_hold(tmp_path, capsys):
    component = ('apiVersion: airready/v1\nkind: Component\nmetadata: {name: vllm}\n'
                 'spec: {version: "1", supplier: vendor:v,\n'
                 '       checksum: "bad\\x01\\x1b[31m ]]> </failure> & \\"q\\""}\n---\n'
                 'apiVersion: airready/v1\nkind: Vendor\nmetadata: {name: v}\n'
                 'spec: {incident_reporting: x, notification_sla: P3D}\n')
    project = make_project(tmp_path / "proj", {"inventory/comp.yaml": component})
    root = render(capsys, project, tmp_path / "junit.xml", "--control", "AIR-SUP-001")
    (case,) = root.iter("testcase")
    message = case.find("failure").get("message")
    assert "]]> </failure> & \"q\"" in message
    assert "\x01" not in message and "\x1b" not in message
