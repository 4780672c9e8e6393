"""`airready export oscal`: assessment results and a POA&M that NIST's own schemas accept.

The official OSCAL 1.2.1 JSON schemas write patterns with ``\\p{L}``-style classes that
Python's ``re`` cannot compile, so the validator here evaluates ``pattern`` with the
``regex`` module.  The same validator accepts NIST's example documents and rejects broken
ones, so a pass means something.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import regex
from jsonschema import Draft7Validator, validators
from jsonschema.exceptions import ValidationError
from projectkit import make_project, run
from sharedkit import EXTERNAL, REPO

OSCAL = EXTERNAL / "oscal"
SCHEMAS = {"assessment-results": OSCAL / "oscal_assessment-results_schema.json",
           "plan-of-action-and-milestones": OSCAL / "oscal_poam_schema.json"}
FILES = {"assessment-results": "assessment-results.json",
         "plan-of-action-and-milestones": "plan-of-action-and-milestones.json"}
TODAY = "2026-11-27"


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": _pattern})


def errors(document: dict[str, Any]) -> list[str]:
    root = next(iter(document))
    schema = json.loads(SCHEMAS[root].read_text(encoding="utf-8"))
    validator = OscalValidator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)]


def export(capsys: pytest.CaptureFixture[str], project: Path, out: Path
           ) -> dict[str, dict[str, Any]]:
    result = run(capsys, "export", "oscal", "--project", project, "--out", out,
                 "--today", TODAY)
    assert result.code == 0, result.err
    return {root: json.loads((out / name).read_text(encoding="utf-8"))
            for root, name in FILES.items()}


@pytest.fixture()
def documents(tmp_path, capsys) -> dict[str, dict[str, Any]]:
    return export(capsys, REPO, tmp_path / "oscal")


def test_the_validator_passes_nist_examples_and_fails_broken_documents():
    examples = {"assessment-results": "ifa_assessment-results-example.json",
                "plan-of-action-and-milestones": "ifa_plan-of-action-and-milestones.json"}
    for root, name in examples.items():
        document = json.loads((OSCAL / "examples" / name).read_text(encoding="utf-8"))
        assert errors(document) == [], name
        broken = copy.deepcopy(document)
        broken[root]["uuid"] = "not-a-uuid"
        broken[root]["metadata"]["title"] = "two\nlines"
        broken[root]["metadata"]["roles"] = [{"id": "1-starts-with-a-digit", "title": "x"}]
        found = errors(broken)
        assert any(f.startswith(f"{root}/uuid:") for f in found)
        assert any(f.startswith(f"{root}/metadata/title:") for f in found)
        # a \p{L} pattern, which Python's re cannot even compile
        assert any(f.startswith(f"{root}/metadata/roles/0/id:") for f in found)


def test_both_documents_of_the_example_project_are_valid_oscal(documents):
    for root, document in documents.items():
        assert errors(document) == [], root


def test_a_second_export_is_byte_identical_and_uuids_are_version_5(tmp_path, capsys):
    export(capsys, REPO, tmp_path / "a")
    export(capsys, REPO, tmp_path / "b")
    for name in FILES.values():
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    text = (tmp_path / "a" / FILES["assessment-results"]).read_text()
    found = regex.findall(r'"uuid": "([0-9a-f-]{36})"', text)
    assert found and all(uuid.UUID(u).version == 5 for u in found)


def test_metadata_names_airready_and_the_as_of_date(documents):
    metadata = documents["assessment-results"]["assessment-results"]["metadata"]
    assert metadata["last-modified"] == f"{TODAY}T00:00:00Z"
    props = {p["name"]: p["value"] for p in metadata["props"]}
    assert props["generator"].startswith("airready ") and props["as-of"] == TODAY


def test_every_control_is_reviewed_and_every_gap_is_a_finding_with_observation_and_subject(
        documents, capsys):
    checked = run(capsys, "check", "--project", REPO, "--format", "json", "--today", TODAY)
    report = json.loads(checked.out)
    controls = {f["control"] for f in report["findings"]}
    gaps = {(f["control"], f["target"]) for f in report["findings"]
            if f["state"] in ("fail", "error", "waived")}
    ar = documents["assessment-results"]["assessment-results"]
    result = ar["results"][0]
    reviewed = {c["control-id"] for c in
                result["reviewed-controls"]["control-selections"][0]["include-controls"]}
    assert controls <= reviewed
    observations = {o["uuid"]: o for o in result["observations"]}
    defined = {c["uuid"] for c in result["local-definitions"]["components"]}
    defined |= {p["uuid"] for p in ar["metadata"].get("parties", [])}
    seen = set()
    for finding in result["findings"]:
        assert finding["target"]["status"]["state"] == "not-satisfied"
        observation = observations[finding["related-observations"][0]["observation-uuid"]]
        subject = observation["subjects"][0]
        assert subject["subject-uuid"] in defined
        seen.add((finding["target"]["target-id"], subject["title"]))
    assert seen == gaps


def test_poam_items_for_gaps_and_open_treatments_carry_due_dates(documents, capsys):
    poam = documents["plan-of-action-and-milestones"]["plan-of-action-and-milestones"]
    items = {i["title"]: i for i in poam["poam-items"]}
    due = {title: next((p["value"] for p in i.get("props", []) if p["name"] == "due-date"),
                       None) for title, i in items.items()}
    # a gap that a risk-register treatment covers takes the treatment's due date
    gap = next(t for t in items if t.startswith("AIR-LOG-004 model:underwriting-assistant"))
    assert due[gap] == "2027-02-28"
    # each open treatment is an item of its own, with its due date
    assert due["Move assistant logs from the warehouse to the AI log archive"] == "2027-02-28"
    risks = {r["uuid"]: r for r in poam["risks"]}
    register = risks[items[gap]["related-risks"][1]["risk-uuid"]]
    assert register["deadline"] == "2027-02-28T23:59:59Z"
    milestones = [t["timing"]["on-date"]["date"] for r in register["remediations"]
                  for t in r.get("tasks", [])]
    assert "2027-02-28T23:59:59Z" in milestones
    checked = json.loads(run(capsys, "check", "--project", REPO, "--format", "json",
                             "--today", TODAY).out)
    failing = sum(f["state"] in ("fail", "error") for f in checked["findings"])
    assert sum(t.startswith("AIR-") or t.startswith("HL-") for t in items) == failing


CONFIDENTIAL = {
    "inventory/org.yaml": """\
        apiVersion: airready/v1
        kind: Organization
        metadata: {name: acme, title: Acme}
        spec: {}
        ---
        apiVersion: airready/v1
        kind: Team
        metadata: {name: ml}
        ---
        apiVersion: airready/v1
        kind: Person
        metadata: {name: ada}
        """,
    "inventory/models.yaml": """\
        apiVersion: airready/v1
        kind: Model
        metadata:
          name: nightjar
          title: Project Nightjar
          description: The secret sauce of the surveillance desk.
          owner: team:ml
          confidential: true
        spec:
          version: "9.9.9-classified"
          lifecycle: production
          risk_tier: high
          logging: {inputs: true, retention_days: 17}
        ---
        apiVersion: airready/v1
        kind: Model
        metadata: {name: helper, title: Public helper, owner: team:ml}
        spec: {lifecycle: production, risk_tier: low}
        ---
        apiVersion: airready/v1
        kind: Risk
        metadata: {name: nightjar-leak, owner: team:ml, confidential: true}
        spec:
          title: Nightjar leaks sources
          models: [model:nightjar]
          likelihood: 2
          impact: 5
          treatments: [{title: Quietly rotate the informant feed, due: 2027-01-10}]
        ---
        apiVersion: airready/v1
        kind: Waiver
        metadata: {name: helper-logging}
        spec:
          control: AIR-LOG-001
          targets: [model:helper]
          justification: Replaced next quarter.
          approved_by: person:ada
          approved_on: 2026-11-01
          expires: 2027-01-31
        """,
}


def test_confidential_entities_appear_by_reference_only(tmp_path, capsys):
    project = make_project(tmp_path / "p", files=CONFIDENTIAL)
    export(capsys, project, tmp_path / "out")
    for name in FILES.values():
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        for secret in ("Nightjar", "secret sauce", "9.9.9-classified", "Quietly rotate",
                       "retention_days is 17", "informant"):
            assert secret not in text, (name, secret)
        assert "model:nightjar" in text and "confidential" in text
        assert "Public helper (model:helper)" in text  # others keep their titles
        assert errors(json.loads(text)) == []


def test_a_waived_gap_is_a_finding_with_an_approved_deviation(tmp_path, capsys):
    project = make_project(tmp_path / "p", files=CONFIDENTIAL)
    documents = export(capsys, project, tmp_path / "out")
    result = documents["assessment-results"]["assessment-results"]["results"][0]
    waived = [f for f in result["findings"]
              if {"name": "state", "ns": "urn:airready:oscal", "value": "waived"} in f["props"]]
    assert [f["target"]["target-id"] for f in waived] == ["AIR-LOG-001"]
    risk = next(r for r in result["risks"]
                if r["uuid"] == waived[0]["related-risks"][0]["risk-uuid"])
    assert risk["status"] == "deviation-approved"
    assert risk["deadline"] == "2027-01-31T00:00:00Z"
    assert "Replaced next quarter." in risk["statement"]
    poam = documents["plan-of-action-and-milestones"]["plan-of-action-and-milestones"]
    assert not any(i["title"].startswith("AIR-LOG-001 model:helper") for i in poam["poam-items"])


def test_an_invalid_project_is_exit_2_and_writes_nothing(tmp_path, capsys):
    project = make_project(tmp_path / "p", files={"inventory/x.yaml": "kind: Model\n"})
    result = run(capsys, "export", "oscal", "--project", project, "--out", tmp_path / "out")
    assert result.code == 2
    assert not (tmp_path / "out").exists()
