"""Verdicts an auditor can trust, on estates shaped like real ones (issue 12).

Each test builds a small estate by hand, runs ``check`` or ``scorecard`` as a user would
(JSON out), and asserts what a careful auditor would sign: who is in scope, which level is
held and why, how many users are reached, what a finding says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from blastkit import dump, entity
from projectkit import make_project, run

TODAY = "2026-11-25"
Capture = pytest.CaptureFixture[str]

ORG = entity("Organization", "acme", {"regulations": ["gdpr"]})
TEAM = entity("Team", "ml", {})
PAYMENTS = entity("Tool", "payments", {"actions": ["pay"], "can_disable": True},
                  owner="team:ml")
PROD = entity("Environment", "prod", {"stage": "production", "users": 52000})


def model(name: str, **spec: Any) -> dict[str, Any]:
    return entity("Model", name, spec, owner="team:ml")


def project(tmp_path: Path, *docs: dict[str, Any], config: dict[str, Any] | None = None
            ) -> Path:
    config = config or {"inventory": ["inventory"], "controls": ["builtin"]}
    return make_project(tmp_path, config, {"inventory/estate.yaml": dump([ORG, TEAM, *docs])})


def findings(capsys: Capture, root: Path, *args: str) -> dict[tuple[str, str], dict[str, Any]]:
    done = run(capsys, "check", "--project", root, "--format", "json", "--fail-on", "none",
               "--today", TODAY, *args)
    assert done.code == 0, done.err
    return {(f["control"], f["target"]): f for f in json.loads(done.out)["findings"]}


def cards(capsys: Capture, root: Path) -> dict[str, dict[str, Any]]:
    done = run(capsys, "scorecard", "--project", root, "--format", "json", "--today", TODAY)
    assert done.code == 0, done.err
    return {m["ref"]: m for m in json.loads(done.out)["models"]}


# --- scope by exposure -----------------------------------------------------------------------

def test_an_experimental_label_does_not_hide_real_users_and_a_payment_tool(
        tmp_path: Path, capsys: Capture) -> None:
    root = project(tmp_path, PAYMENTS, model(
        "shadow-bot", lifecycle="experimental",
        users={"count": 20000, "audience": "external"}, tools=[{"tool": "tool:payments"}]))
    found = findings(capsys, root)
    for control in ("AIR-LOG-001", "AIR-CON-001", "AIR-RB-001", "AIR-MON-001", "AIR-CON-006"):
        assert found[(control, "model:shadow-bot")]["state"] == "fail", control
    card = cards(capsys, root)["model:shadow-bot"]
    assert (card["status"], card["ready"], card["level"]) == ("live", False, None)
    assert "20,000 external users" in card["status_reason"]


def test_a_missing_lifecycle_is_itself_a_finding(tmp_path: Path, capsys: Capture) -> None:
    root = project(tmp_path, model("mystery", version="1.0", risk_tier="low"))
    gap = findings(capsys, root)[("AIR-INV-001", "model:mystery")]
    assert gap["state"] == "fail"
    assert "lifecycle is not set" in gap["message"]
    card = cards(capsys, root)["model:mystery"]
    assert (card["status"], card["ready"]) == ("out_of_scope", False)


def test_a_quiet_experiment_is_out_of_scope_not_unready(tmp_path: Path, capsys: Capture) -> None:
    root = project(tmp_path, model("lab", lifecycle="experimental", version="0.1",
                                   risk_tier="low"))
    found = findings(capsys, root)
    states = {c: f["state"] for (c, t), f in found.items() if t == "model:lab"}
    assert states.pop("AIR-INV-001") == "pass"
    assert set(states.values()) == {"not_applicable"}
    assert "not live: lifecycle experimental" in found[("AIR-LOG-001", "model:lab")]["message"]
    card = cards(capsys, root)["model:lab"]
    assert (card["status"], card["ready"], card["next_level_missing"]) == (
        "out_of_scope", False, [])


def test_a_retired_model_is_counted_apart_unless_it_still_holds_access(
        tmp_path: Path, capsys: Capture) -> None:
    key = entity("Credential", "crm-key", {"revocation": "rotate in vault"})
    root = project(tmp_path, key, PROD,
                   model("old-bot", lifecycle="retired", credentials=["credential:crm-key"],
                         environments=["environment:prod"]),
                   model("gone-bot", lifecycle="retired"))
    found = findings(capsys, root)
    gap = found[("AIR-INV-005", "model:old-bot")]
    assert gap["state"] == "fail"
    assert "still holds credential:crm-key and environment:prod" in gap["message"]
    assert found[("AIR-INV-005", "model:gone-bot")]["state"] == "pass"
    assert found[("AIR-LOG-001", "model:old-bot")]["state"] == "not_applicable"
    models = cards(capsys, root)
    assert {ref: (m["status"], m["ready"]) for ref, m in models.items()} == {
        "model:old-bot": ("retired", False), "model:gone-bot": ("retired", False)}
    assert all(m["next_level_missing"] == [] for m in models.values())


def test_a_hosted_model_needs_a_pinned_snapshot_and_a_tested_fallback(
        tmp_path: Path, capsys: Capture) -> None:
    vendor = entity("Vendor", "llmco", {"security_contact": {"url": "https://llmco.example/sec",
                                                             "verified": "2026-09-01"}})
    root = project(tmp_path, vendor,
                   model("floating", lifecycle="production", provider="vendor:llmco",
                         rollback={"pinned_version": "chat-large-latest"}),
                   model("pinned", lifecycle="production", provider="vendor:llmco",
                         rollback={"pinned_version": "chat-large-2026-06-01",
                                   "fallback": "human queue", "last_tested": "2026-10-02"}))
    found = findings(capsys, root)
    floating = found[("AIR-RB-004", "model:floating")]
    assert floating["state"] == "fail"
    assert "chat-large-latest, expected a dated snapshot" in floating["message"]
    assert "^" not in floating["message"]  # no regular expression shown to the reader
    assert found[("AIR-RB-005", "model:floating")]["state"] == "fail"
    assert found[("AIR-RB-004", "model:pinned")]["state"] == "pass"
    assert found[("AIR-RB-005", "model:pinned")]["state"] == "pass"
    # Self-hosted rollback controls do not apply to a hosted model, and the contact is a URL.
    assert found[("AIR-RB-001", "model:pinned")]["state"] == "not_applicable"
    assert found[("AIR-VEN-001", "model:pinned")]["state"] == "pass"


# --- levels need evidence ------------------------------------------------------------------

def test_a_model_with_score_0_holds_no_level(tmp_path: Path, capsys: Capture) -> None:
    control = ("id: ACME-GLD-001\ntitle: Gold only\ndescription: Why.\nphase: preparation\n"
               "checklist_item: Maintain model inventory\nseverity: medium\n"
               "applies_to: {kind: Model}\ncheck: {path: spec.version, exists: true}\n"
               "failure: has no version\nremediation: {text: Fix it.}\n")
    root = make_project(tmp_path, {"inventory": ["inventory"], "controls": ["controls"]},
                        {"inventory/estate.yaml": dump([ORG, TEAM,
                                                        model("m", lifecycle="production")]),
                         "controls/c.yaml": control})
    card = cards(capsys, root)["model:m"]
    assert (card["score"], card["level"], card["ready"]) == (0, None, False)
    assert card["why_no_level"] == "no Bronze control applies"


# --- counts that add up --------------------------------------------------------------------

def test_two_models_serving_one_population_are_not_counted_twice(
        tmp_path: Path, capsys: Capture) -> None:
    router = model("router", lifecycle="production", environments=["environment:prod"],
                   users={"count": 52000, "audience": "external"})
    behind = model("answerer", lifecycle="production", environments=["environment:prod"],
                   users={"count": 52000, "audience": "external"}, depends_on=[])
    router["spec"]["depends_on"] = ["model:answerer"]
    root = project(tmp_path, PROD, router, behind)
    done = run(capsys, "blast-radius", "model:answerer", "--project", root,
               "--format", "json")
    act = json.loads(done.out)["act_on"]
    assert (act["users"], act["users_ceiling"]) == (52000, 52000)
    text = run(capsys, "blast-radius", "model:answerer", "--project", root).out
    assert "users of affected models: 52,000\n" in text


def test_overlap_unknown_gives_a_floor_and_a_ceiling_and_nothing_declared_is_unknown(
        tmp_path: Path, capsys: Capture) -> None:
    router = model("router", lifecycle="production", depends_on=["model:answerer"],
                   users={"count": 52000, "audience": "external"})
    behind = model("answerer", lifecycle="production",
                   users={"count": 30000, "audience": "external"})
    quiet = model("quiet", lifecycle="production")
    root = project(tmp_path, router, behind, quiet)
    text = run(capsys, "blast-radius", "model:answerer", "--project", root).out
    assert ("users of affected models: 52,000 to 82,000 (how far they overlap is unknown; "
            "model:router has 52,000)") in text
    assert "users of affected models: unknown" in run(
        capsys, "blast-radius", "model:quiet", "--project", root).out
    assert cards(capsys, root)["model:quiet"]["reach"]["users"] is None


# --- dates -----------------------------------------------------------------------------------

def test_a_date_in_the_future_is_never_fresh_evidence(tmp_path: Path, capsys: Capture) -> None:
    org = entity("Organization", "acme", {"tabletop_exercises": [{"date": "2026-12-20"}],
                                          "forensic_environment": {
                                              "isolated": True, "location": "vault",
                                              "last_verified": "2027-01-05"}})
    root = make_project(tmp_path, {"inventory": ["inventory"], "controls": ["builtin"]},
                        {"inventory/estate.yaml": dump([org, TEAM])})
    found = findings(capsys, root)
    forensic = found[("AIR-FOR-001", "organization:acme")]
    assert forensic["state"] == "fail"
    assert "last_verified is 2027-01-05, which is in the future" in forensic["message"]
    assert found[("AIR-EX-001", "organization:acme")]["state"] == "fail"


# --- judged over the graph ------------------------------------------------------------------

def test_a_log_store_reached_through_a_credential_is_not_apart(
        tmp_path: Path, capsys: Capture) -> None:
    store = entity("DataStore", "logs", {"immutable": True, "retention_days": 90})
    admin = entity("Tool", "log-admin", {"actions": ["write"], "reaches": ["datastore:logs"],
                                         "can_disable": True}, owner="team:ml")
    key = entity("Credential", "ops-key", {"grants": ["tool:log-admin"]})
    root = project(tmp_path, store, admin, key, model(
        "bot", lifecycle="production", credentials=["credential:ops-key"],
        logging={"inputs": True, "outputs": True, "store": "datastore:logs",
                 "retention_days": 365}))
    found = findings(capsys, root)
    apart = found[("AIR-LOG-004", "model:bot")]
    assert apart["state"] == "fail"
    assert ("model:bot holds credential:ops-key, which reaches tool:log-admin, which reaches "
            "datastore:logs") in apart["message"]
    immutable = found[("AIR-LOG-005", "model:bot")]
    assert immutable["state"] == "fail"
    assert "tool:log-admin, in the model's reach, can write to datastore:logs" in \
        immutable["message"]
    retention = found[("AIR-LOG-007", "model:bot")]
    assert retention["state"] == "fail"
    assert "claims 365 days of logs, but datastore:logs keeps them 90 days" in \
        retention["message"]
    # A missing store is said once, as a missing store.
    root2 = project(tmp_path / "two", model("bot", lifecycle="production",
                                            logging={"inputs": True, "outputs": True}))
    missing = findings(capsys, root2)[("AIR-LOG-004", "model:bot")]["message"]
    assert "logging.store is not set, expected a log store of its own" in missing


def test_a_tool_held_through_a_credential_must_be_disableable(
        tmp_path: Path, capsys: Capture) -> None:
    stuck = entity("Tool", "wire", {"actions": ["pay"]}, owner="team:ml")
    key = entity("Credential", "bank", {"grants": ["tool:wire"]})
    root = project(tmp_path, stuck, key, model("bot", lifecycle="production",
                                               credentials=["credential:bank"]))
    gap = findings(capsys, root)[("AIR-CON-004", "model:bot")]
    assert gap["state"] == "fail"
    assert "tool:wire (through credential:bank) cannot be disabled" in gap["message"]


def test_a_tool_the_scorecard_counts_as_writing_needs_approval_for_outside_users(
        tmp_path: Path, capsys: Capture) -> None:
    """An admin or deploy tool in the hands of an externally exposed model is as
    consequential as a payment tool: the scorecard counts it as a tool that can write,
    and AIR-CON-006 asks it for an approval step or a limit, as it asks the others."""
    admin = entity("Tool", "accounts-admin", {"actions": ["read", "admin"], "can_disable": True},
                   owner="team:ml")
    deploy = entity("Tool", "deployer", {"actions": ["deploy"], "can_disable": True,
                                         "human_approval": True}, owner="team:ml")
    root = project(tmp_path, admin, deploy, model(
        "helpdesk", lifecycle="production", users={"count": 4000, "audience": "external"},
        tools=[{"tool": "tool:accounts-admin"}, {"tool": "tool:deployer"}]))
    gap = findings(capsys, root)[("AIR-CON-006", "model:helpdesk")]
    assert gap["state"] == "fail"
    assert "tool:accounts-admin (admin)" in gap["message"]
    assert "tool:deployer" not in gap["message"]  # approved by a person
    assert cards(capsys, root)["model:helpdesk"]["reach"]["write_tools"] == 2


# --- roles -----------------------------------------------------------------------------------

def test_roles_backups_are_checked_like_holders(tmp_path: Path, capsys: Capture) -> None:
    org = entity("Organization", "acme", {
        "team": ["person:ada"],
        "roles": {"incident_commander": {"primary": "person:ada", "backup": "person:bo"},
                  "legal_advisor": {"primary": "person:ada", "backup": "person:bo"}}})
    ada = entity("Person", "ada", {"email": "a@x.example", "phone": "1",
                                   "role_training": "2026-10-01", "skills": ["ml"]})
    bo = entity("Person", "bo", {"email": "b@x.example", "phone": "2",
                                 "role_training": "2024-01-01", "left": "2026-10-31",
                                 "skills": ["legal"]})
    lawyer = entity("Person", "cy", {"skills": ["legal", "security"]})  # not on the team
    root = make_project(tmp_path, {"inventory": ["inventory"], "controls": ["builtin"]},
                        {"inventory/estate.yaml": dump([org, ada, bo, lawyer, TEAM])})
    found = {c: f for (c, _), f in findings(capsys, root).items() if c.startswith("AIR-TEAM")}
    assert "person:bo: left the organisation on 2026-10-31" in found["AIR-TEAM-005"]["message"]
    assert "person:bo: role_training is 2024-01-01" in found["AIR-TEAM-006"]["message"]
    assert "person:ada is the primary holder of all 2 roles" in \
        found["AIR-TEAM-007"]["message"]
    assert found["AIR-TEAM-008"]["state"] == "fail"  # ada (primary) has no legal skills
    skills = found["AIR-TEAM-001"]["message"]
    # The field is named once, with every skill it lacks.
    assert "team: expected a member with security skills" in skills
    assert "a member with data_science skills" in skills
    assert "and a member with communications skills" in skills
    assert skills.count("team:") == 1


def test_a_playbook_for_no_live_model_satisfies_no_scenario(
        tmp_path: Path, capsys: Capture) -> None:
    playbook = entity("Playbook", "pi", {"scenario": "prompt_injection",
                                         "steps": ["a", "b", "c"],
                                         "applies_to": ["model:old"]}, owner="team:ml")
    root = project(tmp_path, playbook, model("old", lifecycle="retired"))
    gap = findings(capsys, root)[("AIR-PB-001", "organization:acme")]
    assert gap["state"] == "fail"
    assert "that apply to a live model: found none, expected at least 1" in gap["message"]


# --- regulatory clocks -----------------------------------------------------------------------

def _incident(**spec: Any) -> dict[str, Any]:
    base = {"severity": "P1", "category": "data_leakage", "models": ["model:triage"],
            "timeline": {"detected": "2026-11-02T09:00:00Z"}}
    return entity("Incident", "inc-1", {**base, **spec}, owner="team:ml")


def test_an_incident_without_a_detection_time_cannot_pass(tmp_path: Path,
                                                          capsys: Capture) -> None:
    incident = _incident(impact={"data_classes": ["pii"]}, timeline={})
    root = project(tmp_path, incident, model("triage", lifecycle="production"))
    result = findings(capsys, root)[("AIR-INC-008", "incident:inc-1")]
    assert result["state"] == "error"
    assert "timeline.detected is not set" in result["message"]


def test_the_ai_act_clock_runs_for_serious_incidents_in_high_risk_systems_only(
        tmp_path: Path, capsys: Capture) -> None:
    org = entity("Organization", "acme", {"regulations": ["eu_ai_act"]})
    triage = model("triage", lifecycle="production", eu_ai_act={"class": "high_risk"})
    unclassified = model("helper", lifecycle="production")

    def clocks(incident: dict[str, Any], folder: str) -> list[str]:
        root = make_project(tmp_path / folder, None, {"inventory/estate.yaml": dump(
            [org, TEAM, triage, unclassified, incident])})
        done = run(capsys, "incidents", "--project", root, "--format", "json",
                   "--today", TODAY)
        return [c["regime"] for c in json.loads(done.out)["incidents"][0]["regulatory"]]

    assert clocks(_incident(serious=True), "serious") == ["eu_ai_act"]
    assert clocks(_incident(serious=False), "not-serious") == []
    root = make_project(tmp_path / "undecided", None, {"inventory/estate.yaml": dump(
        [org, TEAM, triage, unclassified, _incident()])})
    found = findings(capsys, root)
    assert found[("AIR-INC-010", "incident:inc-1")]["state"] == "fail"
    assert found[("AIR-REG-003", "model:helper")]["state"] == "fail"
    assert found[("AIR-REG-003", "model:triage")]["state"] == "pass"
