"""The format's newer fields: external ids, confidential entities, team hierarchy, pilots,
developer and publisher vendors, the EU AI Act class, declared regulations and frameworks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from blastkit import dump, entity, inventory_with_problems
from projectkit import make_project, run

from airready.graph.blast import blast_radius
from airready.graph.graph import build_graph

Capture = pytest.CaptureFixture[str]
ORG = entity("Organization", "acme", {})
TEAM = entity("Team", "ml", {})


def test_external_ids_confidential_pilot_and_parent_validate() -> None:
    docs = [ORG, entity("Team", "agency", {}),
            entity("Team", "bureau", {"parent": "team:agency"}),
            entity("Model", "triage", {"lifecycle": "pilot", "eu_ai_act": {"class": "high_risk"}},
                   owner="team:bureau", external_ids={"omb": "DOC-0012"}, confidential=True)]
    found, problems = inventory_with_problems(docs)
    assert problems == []
    model = found.entities["model:triage"]
    assert model.metadata.external_ids == {"omb": "DOC-0012"}
    assert model.metadata.confidential is True
    assert model.spec.lifecycle == "pilot"
    assert getattr(model.spec.eu_ai_act, "class") == "high_risk"
    assert found.entities["team:bureau"].spec.parent == "team:agency"


def test_a_team_parent_must_resolve_and_the_ai_act_class_is_closed() -> None:
    docs = [ORG, entity("Team", "bureau", {"parent": "team:agncy"}),
            entity("Team", "agency", {}),
            entity("Model", "m", {"eu_ai_act": {"class": "high-risk"}}, owner="team:agency")]
    _, problems = inventory_with_problems(docs)
    messages = [p.message for p in problems]
    assert any("spec.parent" in m and "team:agncy" in m and "team:agency" in m
               for m in messages), messages
    assert any("eu_ai_act.class" in m and "high_risk" in m for m in messages), messages


def test_developer_and_publisher_are_supplies_edges_in_blast_radius() -> None:
    docs = [ORG, TEAM, entity("Vendor", "contractor", {}), entity("Vendor", "weights-hub", {}),
            entity("Model", "claims", {"developer": ["vendor:contractor"],
                                        "publisher": ["vendor:weights-hub"]}, owner="team:ml")]
    found, problems = inventory_with_problems(docs)
    assert problems == []
    graph = build_graph(found)
    for vendor in ("vendor:contractor", "vendor:weights-hub"):
        radius = blast_radius(graph, found, vendor)
        assert [(r.ref, r.edges) for r in radius.reached] == [("model:claims", ["supplies"])]
    # From the model, both vendors are named as vendors to call.
    radius = blast_radius(graph, found, "model:claims")
    assert {v["ref"] for v in radius.act_on["vendors"]} == {"vendor:contractor",
                                                             "vendor:weights-hub"}


FISMA = {"us_fisma": {"title": "FISMA incident reporting", "citation": "44 U.S.C. 3554",
                      "clocks": [{"stage": "initial", "within": "PT1H"}]}}


def _incident(filed: str | None, regime: str = "us_fisma") -> dict[str, object]:
    spec: dict[str, object] = {
        "severity": "P2", "category": "prompt_injection",
        "timeline": {"started": "2026-11-02T08:00:00Z", "detected": "2026-11-02T09:00:00Z"}}
    if filed:
        spec["regulatory"] = [{"regime": regime, "notified_at": filed}]
    return entity("Incident", "inc-1", spec, owner="team:ml")


def _project(tmp_path: Path, incident: dict[str, object], regs: list[str]) -> Path:
    org = entity("Organization", "acme", {"regulations": regs})
    config = {"inventory": ["inventory"], "controls": ["builtin"], "regulations": FISMA}
    return make_project(tmp_path, config, {"inventory/all.yaml": dump([org, TEAM, incident])})


def test_a_declared_regulation_runs_its_clock_like_a_built_in_one(
        tmp_path: Path, capsys: Capture) -> None:
    late = _project(tmp_path / "late", _incident("2026-11-02T11:00:00Z"), ["us_fisma"])
    result = run(capsys, *["incidents", "--project", str(late), "--format", "json",
                  "--today", "2026-11-20"])
    assert result.code == 0, result.err
    clocks = json.loads(result.out)["incidents"][0]["regulatory"]
    assert [(c["regime"], c["deadline"], c["met"]) for c in clocks] == [
        ("us_fisma", "2026-11-02T10:00:00+00:00", False)]
    assert "44 U.S.C. 3554" in json.dumps(clocks)
    on_time = _project(tmp_path / "ok", _incident("2026-11-02T09:30:00Z"), ["us_fisma"])
    result = run(capsys, *["check", "--project", str(on_time), "--format", "json",
                  "--control", "AIR-INC-008", "--fail-on", "none", "--today", "2026-11-20"])
    states = {f["state"] for f in json.loads(result.out)["findings"]}
    assert states == {"pass"}


def test_an_unknown_regulation_is_an_error_naming_the_place(
        tmp_path: Path, capsys: Capture) -> None:
    project = _project(tmp_path, _incident("2026-11-02T09:30:00Z", regime="us_fisms"),
                       ["us_fisma", "gdrp"])
    result = run(capsys, *["validate", "--project", str(project)])
    assert result.code == 2
    assert "spec.regulations.1: unknown regulation 'gdrp' (did you mean 'gdpr'?)" in result.out
    assert "unknown regulation 'us_fisms' (did you mean 'us_fisma'?)" in result.out


def test_a_declared_regulation_may_not_shadow_a_built_in_one(
        tmp_path: Path, capsys: Capture) -> None:
    config = {"inventory": ["inventory"], "regulations": {
        "gdpr": {"title": "Mine", "citation": "x", "clocks": [{"stage": "a", "within": "PT1H"}]},
        "state_law": {"title": "A state law", "citation": "s. 1", "clocks": [
            {"stage": "final", "within": "P30D", "after": "initial"}]}}}
    project = make_project(tmp_path, config)
    result = run(capsys, *["validate", "--project", str(project)])
    assert result.code == 2
    assert "regulations: 'gdpr' is built in" in result.out
    assert "regulations.state_law.clocks.0.after: 'initial' is not a stage declared before" \
        in result.out


def test_a_project_framework_can_be_cited_and_is_scored(
        tmp_path: Path, capsys: Capture) -> None:
    config = {"inventory": ["inventory"], "controls": ["builtin", "controls"],
              "frameworks": {"omb_m_25_21": {
                  "title": "OMB M-25-21 minimum practices",
                  "requirements": {"testing": "Pre-deployment testing",
                                   "appeal": "An appeal process"}}}}
    control = (
        "id: ACME-TST-001\ntitle: Models are tested\ndescription: Why.\nphase: preparation\n"
        "checklist_item: Maintain model inventory\nseverity: high\n"
        "applies_to: {kind: Model}\ncheck: {path: spec.version, exists: true}\n"
        "failure: has no version\nremediation: {text: Fix it.}\n"
        "references: {omb_m_25_21: [testing]}\n")
    model = ("apiVersion: airready/v1\nkind: Model\nmetadata: {name: m, owner: team:ml}\n"
             "spec: {version: '1', lifecycle: production}\n---\n"
             "apiVersion: airready/v1\nkind: Team\nmetadata: {name: ml}\n---\n"
             "apiVersion: airready/v1\nkind: Organization\nmetadata: {name: acme}\n")
    project = make_project(tmp_path, config, {"inventory/all.yaml": model,
                                              "controls/acme.yaml": control})
    shown = run(capsys, *["controls", "show", "ACME-TST-001", "--project", str(project)])
    assert "OMB M-25-21 minimum practices: testing" in shown.out
    card = run(capsys, *["scorecard", "--project", str(project), "--format", "json",
                "--today", "2026-11-20"])
    framework = json.loads(card.out)["frameworks"]["omb_m_25_21"]
    assert framework["title"] == "OMB M-25-21 minimum practices"
    assert framework["uncovered"] == ["appeal"]
    assert framework["controls_passing"] == 1
    only = run(capsys, *["check", "--project", str(project), "--framework", "omb_m_25_21",
                "--format", "json", "--fail-on", "none", "--today", "2026-11-20"])
    assert {f["control"] for f in json.loads(only.out)["findings"]} == {"ACME-TST-001"}
