"""Tabletop exercise packs on a hand-built estate: the model chosen, the injects built from
its graph and people, the gaps said as injects, the targets on the scoring sheet, and the
entry that, once recorded, closes the exercise controls.

The estate: a customer chatbot (hosted by acme-ai, external users, a refunds tool that can
pay through a key it holds, a customer store with personal data) that calls an embedding
service; an internal classifier; a retired bot.  Ada commands incidents, Grace stands in.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from blastkit import entity, inventory, write_project
from projectkit import run

from airready.graph.graph import build_graph
from airready.readiness.injects import span
from airready.readiness.tabletop import TabletopError, build_tabletop

TODAY = "2026-11-25"
Capture = pytest.CaptureFixture[str]

PEOPLE = [
    entity("Person", "ada", {"email": "ada@acme.example", "phone": "+44 20 7946 0001"},
           title="Ada Lovelace"),
    entity("Person", "grace", {"email": "grace@acme.example", "phone": "+44 20 7946 0002"},
           title="Grace Hopper"),
    entity("Person", "linus", {"email": "linus@acme.example"}),
    entity("Person", "mei", {"email": "mei@acme.example"}),
    entity("Person", "bo", {"email": "bo@acme.example"}),
    entity("Team", "ml", {"members": ["person:linus", "person:mei"]}),
]
ORG = entity("Organization", "acme", {
    "roles": {
        "incident_commander": {"primary": "person:ada", "backup": "person:grace"},
        "technical_lead": {"primary": "person:linus", "backup": "person:mei"},
        "communications_lead": {"primary": "person:mei", "backup": "person:bo"},
        "legal_advisor": {"primary": "person:bo", "backup": "person:ada"},
    },
    "severity_scale": {"P1": "harm in progress", "P2": "credible attack", "P3": "anomaly",
                       "P4": "attempt"},
    "targets": {"P1": {"detect": "PT30M", "contain": "PT2H", "remediate": "P2D",
                       "notify": "PT45M"}},
    "escalation": {"legal": "any personal data exposed",
                   "notify_customers": "confirmed disclosure of a customer's data",
                   "take_offline": "every P1"},
    "channels": [{"name": "#incident", "kind": "slack", "dedicated": True,
                  "independent_of_ai": False},
                 {"name": "incident bridge", "kind": "phone", "dedicated": True,
                  "independent_of_ai": True}],
    "regulations": ["gdpr"],
    "forensic_environment": {"isolated": True, "location": "aws:forensics"},
}, title="Acme Insurance")
VENDOR = entity("Vendor", "acme-ai", {
    "security_contact": {"email": "security@acme-ai.example", "phone": "+1 555 0100",
                         "verified": "2026-10-01"},
    "incident_reporting": "https://acme-ai.example/security/report",
    "notification_sla": "PT24H"}, title="Acme AI")
ESTATE_PARTS = [
    VENDOR,
    entity("Tool", "refunds", {"actions": ["read", "pay"], "can_disable": True},
           owner="team:ml", title="Refunds API"),
    entity("Tool", "kb-search", {"actions": ["read"], "can_disable": True}, owner="team:ml"),
    entity("Credential", "refunds-key", {"grants": ["tool:refunds"],
                                         "revocation": "Revoke in the vault: vault/refunds"}),
    entity("Credential", "kb-key", {"grants": ["tool:kb-search"], "revocation": "vault/kb"}),
    entity("DataStore", "customers", {"data_classes": ["pii"]}),
    entity("DataStore", "logs", {"immutable": True}),
    entity("Environment", "prod", {"stage": "production"}),
    entity("Playbook", "injection", {"scenario": "prompt_injection", "applies_to": "all",
                                     "steps": ["a", "b", "c"]}, owner="team:ml"),
    entity("Model", "chatbot", {
        "lifecycle": "production", "provider": "vendor:acme-ai",
        "users": {"count": 5000, "audience": "external"},
        "tools": [{"tool": "tool:refunds", "permissions": ["pay"]},
                  {"tool": "tool:kb-search", "permissions": ["read"]}],
        "credentials": ["credential:kb-key", "credential:refunds-key"],
        "data_access": ["datastore:customers"], "environments": ["environment:prod"],
        "depends_on": ["model:embedder"],
        "monitoring": {"alerts": ["tool_call_rate", "output_drift"], "destination": "#oncall"},
        "logging": {"store": "datastore:logs"},
        "baselines": {"documented": "2026-10-01"},
    }, owner="team:ml", title="Customer chatbot"),
    # Called by the chatbot, so its reach holds the chatbot's and more: still not where an
    # injection starts, as no outside user talks to it.
    entity("Model", "embedder", {"lifecycle": "production",
                                 "users": {"count": 2, "audience": "internal"}},
           owner="team:ml"),
    entity("Model", "classifier", {"lifecycle": "production",
                                   "users": {"count": 40, "audience": "internal"}},
           owner="team:ml"),
    entity("Model", "old-bot", {"lifecycle": "retired"}, owner="team:ml"),
]


def estate(org: dict[str, Any] = ORG, parts: list[dict[str, Any]] | None = None
           ) -> list[dict[str, Any]]:
    return [org, *PEOPLE, *(ESTATE_PARTS if parts is None else parts)]


def pack_of(docs: list[dict[str, Any]], scenario: str = "prompt_injection",
            model: str | None = None):
    built = inventory(docs)
    return build_tabletop(build_graph(built), built, scenario, dt.date.fromisoformat(TODAY),
                          model)


def inject(pack, title_start: str):
    return next(i for i in pack.injects if i.title.startswith(title_start))


# --- the pack, read as a facilitator would ------------------------------------------------

def test_the_chosen_model_is_the_exposed_one_with_the_widest_reach():
    pack = pack_of(estate())
    assert pack.model == "model:chatbot"
    assert pack.origin == "model:chatbot"
    assert "that only other models call" in pack.chosen_because
    assert pack.severity == "P1"
    assert "tool:refunds" in pack.severity_because


def test_the_first_signal_is_the_models_own_alert():
    first = inject(pack_of(estate()), "The first signal")
    assert first.minute == 0
    assert first.says == ["The tool_call_rate alert on model:chatbot (Customer chatbot) fires "
                          "and goes to #oncall."]


def test_the_backup_steps_in_with_their_contact():
    away = inject(pack_of(estate()), "The incident commander cannot be reached")
    assert away.minute == 10
    assert "person:ada (Ada Lovelace)" in away.says[0]
    assert away.asks[0].startswith("The backup takes command: person:grace (Grace Hopper): "
                                   "grace@acme.example, +44 20 7946 0002.")
    assert away.gaps == []


def test_the_credential_that_grants_a_paying_tool_is_the_surprise():
    found = inject(pack_of(estate()), "Scope surprise: a credential")
    # The chatbot holds kb-key first, but refunds-key grants a tool that pays.
    assert found.says[0].startswith("credential:refunds-key is within reach (model:chatbot -> "
                                    "credential:refunds-key); it grants tool:refunds.")
    assert found.asks[0] == "Revoke it: Revoke in the vault: vault/refunds"
    assert "credential:kb-key" in found.asks[1]
    tool = inject(pack_of(estate()), "Scope surprise: a tool")
    assert "tool:refunds (Refunds API), which can pay" in tool.says[0]


def test_the_vendor_is_called_on_its_contact_on_file():
    call = inject(pack_of(estate()), "A vendor must be called")
    assert call.says[0] == ("vendor:acme-ai (Acme AI) must be told and asked what it sees: it "
                            "provides the model.")
    assert call.asks[0] == ("Call its security team: security@acme-ai.example, +1 555 0100 "
                            "(verified 2026-10-01).")
    assert "Its contract promises notice within PT24H." in call.says


def test_decisions_quote_the_escalation_criteria_and_clocks_start():
    pack = pack_of(estate())
    decide = inject(pack, "Decisions")
    assert "Take the model offline? The written criteria: every P1" in decide.says
    assert [d.criteria for d in pack.decisions] == ["every P1", "any personal data exposed",
                                                    "confirmed disclosure of a customer's data"]
    assert [(c.regime, c.stage, span(c.due)) for c in pack.clocks] == [
        ("gdpr", "notification", "72 h")]
    briefing = inject(pack, "Brief stakeholders")
    assert briefing.says == ["#incident may be read by the AI systems under suspicion: move "
                             "the coordination to incident bridge."]


def test_the_scoring_sheet_holds_the_organisations_targets():
    pack = pack_of(estate())
    assert [(row.measure.split(" (")[0], row.target) for row in pack.scoring] == [
        ("time to detect", "30 min"), ("time to contain", "2 h"),
        ("time to remediate", "48 h"), ("time to notify", "45 min")]


def test_injects_run_in_time_order_and_the_pack_is_complete():
    pack = pack_of(estate())
    minutes = [i.minute for i in pack.injects]
    assert minutes == sorted(minutes) and minutes[0] == 0
    assert pack.gaps == []
    assert pack.participants[:2] == ["person:ada", "person:grace"]


# --- missing things become injects, never a crash -----------------------------------------

def test_missing_backup_contact_and_revocation_are_gaps():
    org = copy.deepcopy(ORG)
    del org["spec"]["roles"]["incident_commander"]["backup"]
    del org["spec"]["escalation"]
    parts = copy.deepcopy(ESTATE_PARTS)
    parts[0] = entity("Vendor", "acme-ai", {})  # no contact on file
    del parts[3]["spec"]["revocation"]
    pack = pack_of(estate(org, parts))
    assert "the incident commander has no backup: who takes command?" in pack.gaps
    assert "vendor:acme-ai has no security contact on file: find one now" in pack.gaps
    assert "credential:refunds-key has no revocation procedure" in pack.gaps
    assert "no written criteria for: take the model offline?" in pack.gaps
    # Grace's phone is gone too: the backup can only be emailed.
    people = copy.deepcopy(PEOPLE)
    del people[1]["spec"]["phone"]
    pack = pack_of([ORG, *people, *parts])
    assert "the backup (person:grace) has no phone number on file" in pack.gaps


def test_a_bare_estate_still_gives_a_pack():
    bare = [entity("Organization", "acme", {}),
            entity("Team", "ml", {}),
            entity("Model", "bot", {"lifecycle": "production"}, owner="team:ml")]
    for scenario in ("prompt_injection", "data_poisoning", "supply_chain", "model_theft",
                     "adversarial_inputs", "infrastructure", "data_leakage"):
        pack = pack_of(bare, scenario)
        assert pack.model == "model:bot"
        assert pack.gaps  # every missing piece is said
        assert "no incident commander is named (roles.incident_commander)" in pack.gaps


def test_no_live_model_is_a_clear_error():
    docs = [entity("Organization", "acme", {}), entity("Team", "ml", {}),
            entity("Model", "bot", {"lifecycle": "staging"}, owner="team:ml")]
    with pytest.raises(TabletopError, match="no model in production or pilot"):
        pack_of(docs)
    assert pack_of(docs, model="model:bot").model == "model:bot"  # named, it is used


def test_data_poisoning_starts_at_the_dataset_and_names_the_other_models():
    parts = [*copy.deepcopy(ESTATE_PARTS),
             entity("Dataset", "tickets", {}, owner="team:ml"),
             entity("Model", "router", {"lifecycle": "production",
                                        "training_data": ["dataset:tickets"]},
                    owner="team:ml")]
    chatbot = next(p for p in parts if p["metadata"]["name"] == "chatbot")
    chatbot["spec"]["training_data"] = ["dataset:tickets"]
    pack = pack_of(estate(parts=parts), "data_poisoning")
    assert pack.origin == "dataset:tickets"
    wider = inject(pack, "The harm is wider")
    assert "through dataset:tickets" in wider.says[0]


# --- the command --------------------------------------------------------------------------

def test_cli_text_markdown_and_json(tmp_path: Path, capsys: Capture):
    project = write_project(tmp_path, estate())
    text = run(capsys, "tabletop", "--scenario", "prompt_injection", "--project", project,
               "--today", TODAY)
    assert text.code == 0, text.err
    assert "Model: model:chatbot (Customer chatbot)" in text.out
    assert "T+10 min  The incident commander cannot be reached" in text.out
    assert "time to detect (started to detected)" in text.out and "target 30 min" in text.out
    markdown = run(capsys, "tabletop", "--scenario", "prompt_injection", "--project", project,
                   "--today", TODAY, "--format", "markdown")
    assert markdown.out.startswith("# Tabletop exercise: Prompt injection at scale\n")
    assert "| time to contain (detected to contained) | 2 h | | |" in markdown.out
    data = json.loads(run(capsys, "tabletop", "--scenario", "prompt_injection", "--project",
                          project, "--today", TODAY, "--format", "json").out)
    assert data["schema_version"] == 1 and data["model"] == "model:chatbot"
    assert data["injects"][0]["at"] == "T+0"


def test_cli_refuses_what_is_not_a_model(tmp_path: Path, capsys: Capture):
    project = write_project(tmp_path, estate())
    done = run(capsys, "tabletop", "--scenario", "prompt_injection", "--project", project,
               "--model", "tool:refunds")
    assert done.code == 2
    assert "--model 'tool:refunds' is not a model in the inventory" in done.err
    assert run(capsys, "tabletop", "--scenario", "phishing", "--project", project).code == 2


def test_recording_the_exercise_closes_the_exercise_controls(tmp_path: Path, capsys: Capture):
    project = write_project(tmp_path, estate())
    pack = pack_of(estate())
    entry = yaml.safe_load(pack.record)["tabletop_exercises"][0]
    assert entry == {"date": pack.today, "scenarios": ["prompt_injection"],
                     "models": ["model:chatbot"], "participants": pack.participants,
                     "findings": ["..."]}

    def states() -> dict[str, str]:
        done = run(capsys, "check", "--project", project, "--format", "json", "--today", TODAY,
                   "--fail-on", "none", "--control", "AIR-EX-00[13]")
        return {f["control"]: f["state"] for f in json.loads(done.out)["findings"]}

    assert states() == {"AIR-EX-001": "fail", "AIR-EX-003": "pass"}
    entry["findings"] = ["The refunds key revocation needs two approvers"]
    org = copy.deepcopy(ORG)
    org["spec"]["tabletop_exercises"] = [entry]
    write_project(tmp_path, estate(org))
    assert states() == {"AIR-EX-001": "pass", "AIR-EX-003": "pass"}


def test_the_playbook_named_is_of_the_scenario_played():
    # Data leakage follows the same walk as prompt injection; only its own playbook counts.
    assert "Open the playbook: playbook:injection." in inject(
        pack_of(estate()), "Triage").asks
    leak = pack_of(estate(), "data_leakage")
    assert "no data_leakage playbook applies to the models in reach" in leak.gaps
