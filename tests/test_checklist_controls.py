"""The controls for the checklist's once-uncovered lines, on small estates shaped like real ones.

Each control's own PASS and FAIL examples run in test_control_examples.py; these cases go
after what the examples cannot show: which targets are in scope, what a finding points
at (file:line and the evidence a user reads), and the edges (a hosted model has no
weights to checksum, a playbook is only due an update a month after the lessons).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from blastkit import dump, entity
from projectkit import make_project, run

TODAY = "2026-11-25"
SHA = "sha256:" + "c3" * 32
ORG_SPEC: dict[str, Any] = {"recurrence_watch": "P60D"}


# What the cases refer to, so that every reference resolves.
SUPPORT = [
    *(entity("Person", name, {}) for name in ("ada", "bo", "cy")),
    entity("Team", "ml", {"members": ["person:ada"]}),
    entity("Team", "sec", {"members": ["person:bo"]}),
    entity("Vendor", "openai", {}),
    *(entity("Dataset", name, {}, owner="team:ml") for name in ("a", "b")),
    *(entity("Model", name, {"lifecycle": "experimental"}, owner="team:ml")
      for name in ("bot", "other")),
]


def _project(tmp_path: Path, docs: list[dict[str, Any]]) -> Path:
    files = {"inventory/estate.yaml": dump([*docs, *SUPPORT])}
    return make_project(tmp_path, {"inventory": ["inventory"], "controls": ["builtin"]}, files)


def results(capsys: pytest.CaptureFixture[str], tmp_path: Path, docs: list[dict[str, Any]],
            control: str) -> dict[str, dict[str, Any]]:
    """target -> finding of ``control`` in a check of ``docs``."""
    done = run(capsys, "check", "--project", _project(tmp_path, docs), "--format", "json",
               "--control", control, "--today", TODAY, "--fail-on", "none")
    assert done.code == 0, done.err
    return {f["target"]: f for f in json.loads(done.out)["findings"]}


def model(name: str, **spec: Any) -> dict[str, Any]:
    return entity("Model", name, {"lifecycle": "production", **spec}, owner="team:ml")


def org(**spec: Any) -> dict[str, Any]:
    return entity("Organization", "acme", {**ORG_SPEC, **spec})


def incident(name: str, **spec: Any) -> dict[str, Any]:
    base = {"severity": "P1", "category": "prompt_injection"}
    return entity("Incident", name, {**base, **spec}, owner="person:ada")


CLOSED = {"started": "2026-10-01T08:00:00Z", "detected": "2026-10-01T08:30:00Z",
          "stakeholders_notified": "2026-10-01T08:50:00Z", "contained": "2026-10-01T10:00:00Z",
          "remediated": "2026-10-02T10:00:00Z", "closed": "2026-10-10T12:00:00Z"}


# --- scope, integrity, testing since the last change -------------------------------------

def test_scope_data_access_declared_empty_passes_and_missing_points_at_the_model(
        capsys, tmp_path):
    found = results(capsys, tmp_path, [
        org(),
        model("classifier", data_access=[], data_classes=["internal"]),
        model("assistant", data_classes=["pii"]),
        model("old", lifecycle="retired"),
    ], "AIR-SCOPE-002")
    assert found["model:classifier"]["state"] == "pass"
    failing = found["model:assistant"]
    assert failing["state"] == "fail"
    assert failing["file"] == "inventory/estate.yaml"
    assert "data_access is not declared (write [] for none)" in failing["message"]
    assert found["model:old"]["state"] == "not_applicable"


def test_deployed_checksum_is_asked_of_self_hosted_models_only(capsys, tmp_path):
    found = results(capsys, tmp_path, [
        org(),
        model("self-hosted", rollback={"known_good_version": "1.0", "artifact_checksum": SHA}),
        model("hosted", provider="vendor:openai"),
        model("pinned", artifact={"checksum": SHA}),
    ], "AIR-ART-001")
    assert found["model:self-hosted"]["state"] == "fail"  # the rollback checksum is not enough
    assert "artifact is not set" in found["model:self-hosted"]["message"]
    # Not asked of a hosted model: not applicable, never a pass that would lift its score.
    assert found["model:hosted"]["state"] == "not_applicable"
    assert found["model:pinned"]["state"] == "pass"


def test_red_team_must_follow_the_latest_change(capsys, tmp_path):
    tuned = [{"date": "2026-07-01", "dataset": "dataset:a"},
             {"date": "2026-09-01", "dataset": "dataset:b"}]
    found = results(capsys, tmp_path, [
        org(),
        model("retuned", risk_tier="high", fine_tuning=tuned,
              adversarial_testing=[{"date": "2026-08-01", "kind": "red_team"}]),
        model("redeployed", risk_tier="high", artifact={"deployed": "2026-10-20"},
              fine_tuning=tuned, adversarial_testing=[{"date": "2026-09-10"}]),
        model("tested", risk_tier="medium", artifact={"deployed": "2026-10-20"},
              adversarial_testing=[{"date": "2026-10-20"}]),
        model("low-risk", risk_tier="low"),
    ], "AIR-RT-001")
    assert "on or after 2026-09-01 (the last change, fine_tuning.1.date); the latest is " \
           "2026-08-01" in found["model:retuned"]["message"]
    assert "on or after 2026-10-20 (the last change, artifact.deployed)" in \
           found["model:redeployed"]["message"]
    assert found["model:tested"]["state"] == "pass"  # the same day counts
    # Not required below medium risk: not applicable, never a pass.
    assert found["model:low-risk"]["state"] == "not_applicable"


# --- evidence ---------------------------------------------------------------------------

def test_attack_inputs_are_not_asked_of_a_supply_chain_incident(capsys, tmp_path):
    logs = {"what": "gateway logs", "kind": "logs", "location": "s3://f/logs",
            "preserved_at": "2026-10-01T09:00:00Z"}
    found = results(capsys, tmp_path, [
        org(),
        incident("inc-pi", evidence=[logs]),
        incident("inc-sc", category="supply_chain", evidence=[logs]),
    ], "AIR-EVD-002")
    assert found["incident:inc-pi"]["state"] == "fail"
    assert "preserved none of the attack inputs" in found["incident:inc-pi"]["message"]
    assert found["incident:inc-sc"]["state"] == "not_applicable"


# --- the review -------------------------------------------------------------------------

def test_missed_targets_fail_until_the_review_evaluates_them(capsys, tmp_path):
    slow = {**CLOSED, "started": "2026-10-01T05:30:00Z"}  # 3 h to detect; the P1 target is 1 h
    found = results(capsys, tmp_path, [
        org(targets={"P2": {"detect": "PT6H"}}),
        incident("inc-slow", timeline=slow, review={"held": "2026-10-15"}),
        incident("inc-evaluated", timeline=slow,
                 review={"held": "2026-10-15", "effectiveness": "3 h to detect: no alert on X"}),
        incident("inc-p2", severity="P2", timeline=slow),  # within the organisation's P2 target
        incident("inc-fast", timeline=CLOSED),
    ], "AIR-REV-001")
    message = found["incident:inc-slow"]["message"]
    assert found["incident:inc-slow"]["state"] == "fail"
    assert "time to detect PT3H (target PT1H)" in message
    assert "review.effectiveness is not set" in message
    assert found["incident:inc-evaluated"]["state"] == "pass"
    assert found["incident:inc-p2"]["state"] == "pass"
    assert found["incident:inc-fast"]["state"] == "pass"


def test_every_responder_must_be_at_the_retrospective(capsys, tmp_path):
    review = {"held": "2026-10-15", "participants": ["person:ada", "person:bo"]}
    found = results(capsys, tmp_path, [
        org(),
        incident("inc-full", timeline=CLOSED, responders=["person:ada", "person:bo"],
                 review=review),
        incident("inc-missing", timeline=CLOSED,
                 responders=["person:ada", "person:bo", "person:cy"], review=review),
        incident("inc-unrecorded", timeline=CLOSED, review=review),
    ], "AIR-REV-002")
    assert found["incident:inc-full"]["state"] == "pass"
    assert "responders.2 is person:cy, which is not in review.participants" in \
        found["incident:inc-missing"]["message"]
    assert found["incident:inc-missing"]["path"] == "spec.responders.2"
    message = found["incident:inc-unrecorded"]["message"]
    assert message.endswith("(responders is empty, expected the people who took part in the "
                            "response)")


def test_a_playbook_is_due_an_update_a_month_after_the_lessons_of_its_incidents(
        capsys, tmp_path):
    def playbook(name: str, reviewed: str, applies_to: Any = "all",
                 scenario: str = "prompt_injection") -> dict[str, Any]:
        return entity("Playbook", name, {"scenario": scenario, "applies_to": applies_to,
                                         "last_reviewed": reviewed}, owner="team:sec")
    found = results(capsys, tmp_path, [
        org(),
        # lessons known on 2026-10-15 (the review): due by 2026-11-14
        incident("inc-old", models=["model:bot"], timeline=CLOSED, review={"held": "2026-10-15"}),
        # closed on 2026-11-20: its update is not due yet
        incident("inc-new", models=["model:bot"],
                 timeline={**CLOSED, "closed": "2026-11-20T10:00:00Z"}),
        playbook("stale", "2026-09-01"),
        playbook("updated", "2026-10-20"),
        playbook("other-model", "2026-09-01", applies_to=["model:other"]),
        playbook("other-scenario", "2026-09-01", scenario="data_poisoning"),
    ], "AIR-REV-003")
    assert found["playbook:stale"]["state"] == "fail"
    assert "last_reviewed is 2026-09-01, before the lessons of incident:inc-old (2026-10-15)" \
        in found["playbook:stale"]["message"]
    assert found["playbook:updated"]["state"] == "pass"
    assert found["playbook:other-model"]["state"] == "pass"
    assert found["playbook:other-scenario"]["state"] == "pass"


def test_sharing_is_asked_only_where_the_organisation_declares_a_body(capsys, tmp_path):
    closed = incident("inc-1", timeline=CLOSED)
    without = results(capsys, tmp_path / "none", [org(), closed], "AIR-REV-004")
    assert without["incident:inc-1"]["state"] == "not_applicable"
    member = org(information_sharing=[{"name": "FS-ISAC", "kind": "isac"}])
    found = results(capsys, tmp_path / "isac", [
        member, closed,
        incident("inc-2", timeline=CLOSED, sharing={"declined": "nothing new to others"}),
    ], "AIR-REV-004")
    assert found["incident:inc-1"]["state"] == "fail"
    assert found["incident:inc-2"]["state"] == "pass"


def test_recurrence_watch_of_one_day_fails(capsys, tmp_path):
    found = results(capsys, tmp_path, [org(recurrence_watch="P1D")], "AIR-REC-001")
    assert "recurrence_watch is P1D, shorter than P30D" in found["organization:acme"]["message"]
