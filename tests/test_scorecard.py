"""``airready scorecard``: levels, scores, required levels, rollups, frameworks, freshness.

Most numbers are pinned on the estate of scorekit (its own controls only; the table in
scorekit's docstring says what each model holds and why).  One test runs the builtin
catalog on the example project and checks only what must hold whatever the catalog says.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from projectkit import run
from scorekit import (
    ESTATE_FILE,
    TODAY,
    TODAY_DATE,
    audit,
    build,
    cli,
    control,
    doc,
    estate_inventory,
    invoke,
    model,
    models_by_ref,
    scorecard_json,
    write,
    write_estate,
)

from airready.audit import load_all
from airready.inventory.config import load_project
from airready.readiness import scorecard as scoring
from airready.readiness.scorecard import LEVELS, load_frameworks, required_level, score
from airready.rules.conditions import Context, Scope, compile_condition
from airready.rules.engine import evaluate_control
from airready.rules.findings import Finding
from airready.rules.freshness import _stale_on

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_estate(tmp_path_factory.mktemp("estate"))


@pytest.fixture(scope="module")
def data(estate: Path) -> dict[str, Any]:
    done = invoke("scorecard", "--project", estate, "--today", TODAY, "--format", "json")
    assert done.code == 0, done.out + done.err
    result: dict[str, Any] = json.loads(done.out)
    return result


@pytest.fixture(scope="module")
def models(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return models_by_ref(data)


def days(n: int) -> str:
    """The date ``n`` days before TODAY."""
    return (TODAY_DATE - dt.timedelta(days=n)).isoformat()


def later(n: int) -> str:
    return (TODAY_DATE + dt.timedelta(days=n)).isoformat()


# --- levels and scores ------------------------------------------------------------------------

def test_level_and_score_of_every_model(models):
    assert {ref: (m["level"], m["score"]) for ref, m in models.items()} == {
        "model:all-pass": ("gold", 100),
        "model:no-bronze": (None, 44),  # 8 of 18 points
        "model:silver-fail": ("bronze", 72),  # 13 of 18
        "model:waived": ("bronze", 72),  # waived counts against, like the failure above
        "model:gold-fail": ("silver", 94),  # 17 of 18
        "model:lab": ("unrated", None),
    }


def test_result_counts_of_every_model(models):
    counts = {ref: (m["pass"], m["gaps"], m["waived"], m["not_applicable"])
              for ref, m in models.items()}
    assert counts == {
        "model:all-pass": (4, 0, 0, 1),
        "model:no-bronze": (3, 1, 0, 1),
        "model:silver-fail": (3, 1, 0, 1),
        "model:waived": (3, 0, 1, 1),
        "model:gold-fail": (3, 1, 0, 1),
        "model:lab": (0, 0, 0, 5),
    }


def test_one_failing_bronze_control_means_no_level_whatever_else_passes(models):
    m = models["model:no-bronze"]
    assert m["level"] is None
    assert [g["control"] for g in m["failing"]] == ["SC-BRZ-001"]  # silver and gold pass


def test_waived_is_shown_as_waived_and_never_as_a_pass(models):
    m = models["model:waived"]
    assert m["level"] == "bronze"  # the waived silver control still blocks silver
    (gap,) = m["failing"]
    assert gap["control"] == "SC-SLV-001"
    assert gap["state"] == "waived"
    assert gap["waiver"]["ref"] == "waiver:waived-outputs"
    assert gap["waiver"]["expires"] == "2027-03-01"
    assert m["next_level_missing"] == ["SC-SLV-001"]


def test_not_applicable_results_are_left_out(models):
    m = models["model:all-pass"]
    assert m["score"] == 100 and m["level"] == "gold"  # SC-NA-001 does not apply: no dent
    assert m["not_applicable"] == 1
    assert m["failing"] == []


def test_a_model_nothing_applies_to_is_unrated_and_not_ready(models):
    m = models["model:lab"]
    assert (m["level"], m["score"], m["ready"]) == ("unrated", None, False)
    assert m["failing"] == [] and m["next_level_missing"] == []


def test_an_external_model_has_no_card(models):
    assert "model:vendor-model" not in models


def test_organisation_and_estate(data):
    org = data["organization"]
    # SC-TOOL-001 is low but set to level bronze: failing on tool:search, it blocks Bronze.
    assert {k: org[k] for k in ("level", "score", "pass", "gaps", "waived",
                                "not_applicable", "why_no_level")} == {
        "level": None, "score": 79, "pass": 2, "gaps": 2, "waived": 0, "not_applicable": 5,
        "why_no_level": "a Bronze control does not pass"}
    assert [(g["control"], g["target"]) for g in org["gaps_outside_models"]] == [
        ("SC-ORG-002", "organization:acme"), ("SC-TOOL-001", "tool:search")]
    assert org["waived_outside_models"] == []
    # 80 of 104 points across the estate; one failing bronze control anywhere: no level.
    assert data["estate"] == {"level": None, "score": 77, "pass": 18, "gaps": 5, "waived": 1,
                              "not_applicable": 15,
                              "why_no_level": "a Bronze control does not pass"}


def finding(state: str, severity: str, control_id: str = "X-Y-001") -> Finding:
    return Finding(control_id, "model:m", state, severity, "f.yaml", 1, 1, "",  # type: ignore[arg-type]
                   "message", "fix", "preparation")


@pytest.mark.parametrize(("results", "expected"), [
    ([], ("unrated", None)),
    ([("not_applicable", "critical")], ("unrated", None)),
    # A level is held on evidence only: no Silver control applied, so no Silver.
    ([("pass", "critical")], ("bronze", 100)),
    ([("pass", "critical"), ("pass", "high"), ("pass", "low")], ("gold", 100)),
    ([("pass", "critical"), ("fail", "medium")], ("bronze", 83)),
    ([("pass", "critical"), ("pass", "high"), ("fail", "medium")], ("silver", 88)),
    ([("waived", "critical"), ("pass", "high")], (None, 33)),
    ([("error", "high"), ("pass", "critical")], ("bronze", 67)),
    # 2 of 16 points is 12.5: rounded half up, not to the even 12.
    ([("fail", "critical"), ("pass", "medium"), ("fail", "medium"), ("fail", "low"),
      ("fail", "low")], (None, 13)),
    # 3 of 8 is 37.5: 38; with no Bronze control at all, no level at all.
    ([("fail", "high"), ("pass", "medium"), ("pass", "low")], (None, 38)),
    # A score of 0 never comes with a level.
    ([("fail", "medium")], (None, 0)),
])
def test_score_function(results, expected):
    findings = [finding(state, severity, f"X-Y-{i:03d}")
                for i, (state, severity) in enumerate(results)]
    levels = {f.control: scoring.LEVEL_BY_SEVERITY[f.severity] for f in findings}
    got = score(findings, levels)
    assert (got.level, got.score) == expected
    assert got.passed + got.gaps + got.waived + got.not_applicable == len(findings)


def test_percent_rounds_half_up():
    assert [scoring.percent(p, w) for p, w in [(1, 8), (3, 8), (5, 8), (1, 3), (2, 3),
                                                (0, 5), (5, 5)]] == [13, 38, 63, 33, 67, 0, 100]


# --- required level and readiness ---------------------------------------------------------------

def test_required_level_and_reason_of_every_model(models):
    assert {ref: (m["required_level"], m["required_reason"]) for ref, m in models.items()} == {
        "model:no-bronze": ("gold", "risk tier high"),
        "model:silver-fail": ("gold", "reaches 1 tool that can write, send or pay and "
                                      "sensitive data (pii)"),
        "model:waived": ("gold", "reaches 1 tool that can write, send or pay and "
                                 "external users (1,200)"),
        "model:gold-fail": ("silver", "reaches sensitive data (pii)"),
        "model:lab": ("silver", "risk tier medium"),
        "model:all-pass": ("bronze", "risk tier low and little reach"),
    }


def test_reach_behind_the_required_level(models):
    # No user count declared: unknown, never 0.
    assert models["model:silver-fail"]["reach"] == {
        "write_tools": 1, "sensitive_data": ["pii"], "users": None, "external_users": False}
    assert models["model:waived"]["reach"] == {
        "write_tools": 1, "sensitive_data": [], "users": 1200, "external_users": True}


@pytest.mark.parametrize(("tier", "write", "sensitive", "users", "external", "expected"), [
    ("high", 0, [], 0, False, ("gold", "risk tier high")),
    ("high", 2, ["pii"], 0, False,
     ("gold", "risk tier high; reaches 2 tools that can write, send or pay and sensitive "
              "data (pii)")),
    (None, 1, ["payment", "pii"], 0, False,
     ("gold", "reaches 1 tool that can write, send or pay and sensitive data (payment, pii)")),
    ("low", 1, [], 0, True,
     ("gold", "reaches 1 tool that can write, send or pay and external users")),
    (None, 0, ["phi"], 0, False, ("silver", "reaches sensitive data (phi)")),
    (None, 0, [], 50000, True, ("silver", "reaches external users (50,000)")),
    (None, 3, [], 0, False, ("silver", "reaches 3 tools that can write, send or pay")),
    ("medium", 0, ["pii"], 0, False,
     ("silver", "risk tier medium; reaches sensitive data (pii)")),
    ("medium", 0, [], 0, False, ("silver", "risk tier medium")),
    ("low", 0, [], 10, False, ("bronze", "risk tier low and little reach")),
    (None, 0, [], 0, False, ("bronze", "risk tier not set and little reach")),
])
def test_required_level_function(tier, write, sensitive, users, external, expected):
    spec = SimpleNamespace(risk_tier=tier)
    assert required_level(spec, write, sensitive, users, external) == expected


def test_ready_flags_and_the_order_of_models(data):
    # Live models first, not ready first, then by score, then by reference; the lab model
    # (experimental, exposed to nothing) is out of scope: neither ready nor not ready.
    assert [(m["ref"], m["status"], m["ready"]) for m in data["models"]] == [
        ("model:no-bronze", "live", False), ("model:silver-fail", "live", False),
        ("model:waived", "live", False), ("model:gold-fail", "live", True),
        ("model:all-pass", "live", True), ("model:lab", "out_of_scope", False)]


def test_next_level_missing_lists_only_the_next_level(models):
    assert {ref: m["next_level_missing"] for ref, m in models.items()} == {
        "model:no-bronze": ["SC-BRZ-001"],
        "model:silver-fail": ["SC-SLV-001"],
        "model:waived": ["SC-SLV-001"],
        "model:gold-fail": ["SC-GLD-002"],
        "model:all-pass": [],
        "model:lab": [],
    }


def test_next_level_missing_skips_controls_of_higher_levels(tmp_path, capsys):
    docs = [d for d in estate_inventory() if d["metadata"]["name"] in ("acme", "ada")]
    docs.append(model("broken", "team:alpha", logging={"inputs": False, "outputs": False},
                      version=None))
    docs.append(doc("Team", "alpha"))
    m = models_by_ref(scorecard_json(capsys, write_estate(tmp_path, docs)))["model:broken"]
    assert m["level"] is None
    assert [g["control"] for g in m["failing"]] == ["SC-BRZ-001", "SC-SLV-001", "SC-GLD-002"]
    assert m["next_level_missing"] == ["SC-BRZ-001"]
    assert m["failing"][0]["remediation"] == "Log every input."


# --- rollups -------------------------------------------------------------------------------------

def test_owner_rollup(data):
    # Live models only; the out-of-scope lab model is counted apart.
    assert data["owners"] == [
        {"owner": "team:alpha", "models": 3, "ready": 2, "mean_score": 79,  # (100+44+94)/3
         "lowest_level": None, "not_ready": ["model:no-bronze"], "retired": 0,
         "out_of_scope": 0},
        {"owner": "team:beta", "models": 2, "ready": 0, "mean_score": 72,
         "lowest_level": "bronze", "not_ready": ["model:silver-fail", "model:waived"],
         "retired": 0, "out_of_scope": 1},
    ]


def test_a_failing_bronze_control_is_lower_than_unrated(tmp_path, capsys):
    docs = [d for d in estate_inventory() if d["kind"] not in ("Model", "Waiver")
            or d["metadata"]["name"] in ("no-bronze", "lab")]
    docs = [model("lab", "team:alpha", lifecycle="experimental") if d["kind"] == "Model"
            and d["metadata"]["name"] == "lab" else d for d in docs]
    (row,) = scorecard_json(capsys, write_estate(tmp_path, docs))["owners"]
    assert (row["owner"], row["lowest_level"], row["mean_score"]) == ("team:alpha", None, 44)


def test_organisation_facts(tmp_path, capsys):
    org = doc("Organization", "acme", {
        "roles": {"incident_commander": {"primary": "person:ada", "backup": "person:bo"}},
        "tabletop_exercises": [{"date": days(400)}, {"date": days(10)},
                               {"date": later(20)}]})  # the last one is only planned
    docs = [org, doc("Person", "ada", {}), doc("Person", "bo", {}),
            doc("Vendor", "llmco", {"security_contact": {"email": "sec@llmco.example"}}),
            doc("Vendor", "other", {}),
            doc("Vendor", "outside", external=True)]
    facts = scorecard_json(capsys, write(tmp_path, {"controls/c.yaml": [ROLLBACK],
                                                    ESTATE_FILE: docs}))["organization"]
    assert facts["roles"] == {"incident_commander": {"primary": "person:ada",
                                                     "backup": "person:bo"}}
    assert (facts["last_exercise"], facts["exercises_last_year"]) == (days(10), 1)
    assert (facts["vendors"], facts["vendors_with_contact"]) == (2, 1)
    assert (facts["level"], facts["score"]) == ("unrated", None)  # nothing applies to it


def test_phase_table(data):
    assert data["phases"] == {
        "preparation": {"score": 88, "pass": 6, "gaps": 2, "waived": 0, "not_applicable": 9},
        "detection": {"score": 80, "pass": 4, "gaps": 1, "waived": 0, "not_applicable": 2},
        "containment": {"score": 60, "pass": 3, "gaps": 1, "waived": 1, "not_applicable": 2},
        "investigation": {"score": None, "pass": 0, "gaps": 0, "waived": 0,
                          "not_applicable": 0},
        "remediation": {"score": 100, "pass": 5, "gaps": 0, "waived": 0, "not_applicable": 2},
        "post_incident": {"score": 0, "pass": 0, "gaps": 1, "waived": 0, "not_applicable": 0},
    }


# --- frameworks ----------------------------------------------------------------------------------

def numbers(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["controls"], row["controls_judged"], row["controls_passing"],
            row["share_passing"])


def test_framework_coverage_numbers(data):
    frameworks = data["frameworks"]
    # A control passes when it passes on every target it applies to; waived is no pass.
    assert numbers(frameworks["nist_ai_rmf"]) == (4, 4, 2, 50)  # ORG-001, GLD-001 pass
    assert numbers(frameworks["iso_42001"]) == (2, 2, 1, 50)
    assert numbers(frameworks["owasp_llm"]) == (1, 1, 0, 0)  # SLV-001 fails and is waived
    assert numbers(frameworks["eu_ai_act"]) == (1, 0, 0, None)  # NA-001 applied nowhere
    assert numbers(frameworks["mitre_atlas"]) == (0, 0, 0, None)  # SC-OFF-001 is disabled


def test_uncovered_requirements_are_those_no_enabled_control_maps_to(data):
    known = load_frameworks()
    mapped = {"nist_ai_rmf": {"GOVERN 1.6", "MEASURE 2.4", "MANAGE 2.4", "GOVERN 2.1"},
              "iso_42001": {"A.6.2.8", "A.3.2"}, "owasp_llm": {"LLM06:2025"},
              "eu_ai_act": {"Art. 14"}, "mitre_atlas": set()}
    for name, ids in mapped.items():
        uncovered = data["frameworks"][name]["uncovered"]
        assert uncovered == [i for i in known[name] if i not in ids], name  # in file order
        assert len(uncovered) == len(known[name]) - len(ids)
    # The disabled control's requirement counts as uncovered.
    assert "AML.M0024" in data["frameworks"]["mitre_atlas"]["uncovered"]


def test_requirement_rows(data):
    rows = {r["id"]: r for r in data["frameworks"]["nist_ai_rmf"]["requirements"]}
    assert rows["GOVERN 1.6"]["controls"] == ["SC-BRZ-001"]
    assert rows["GOVERN 1.6"]["passing"] is False
    assert rows["MANAGE 2.4"]["passing"] is True
    assert rows["GOVERN 1.1"] == {"id": "GOVERN 1.1", "controls": [], "passing": False,
                                  "title": load_frameworks()["nist_ai_rmf"]["GOVERN 1.1"]}
    art14 = {r["id"]: r for r in data["frameworks"]["eu_ai_act"]["requirements"]}["Art. 14"]
    assert art14["controls"] == ["SC-NA-001"] and art14["passing"] is False  # not judged


def test_a_requirement_passes_on_its_judged_controls(tmp_path, capsys):
    controls = [
        control("SC-A-001", {"path": "spec.version", "exists": True},
                references={"nist_ai_rmf": ["MAP 1.1"]}),
        control("SC-B-001", {"path": "spec.version", "exists": True},
                where={"path": "spec.lifecycle", "equals": "retired"},
                references={"nist_ai_rmf": ["MAP 1.1", "GOVERN 9.9"]}),
    ]
    project = write(tmp_path, {"controls/c.yaml": controls, ESTATE_FILE: [
        doc("Organization", "acme", {}), doc("Team", "alpha"),
        model("m", "team:alpha")]})
    nist = scorecard_json(capsys, project)["frameworks"]["nist_ai_rmf"]
    assert numbers(nist) == (2, 1, 1, 100)
    row = {r["id"]: r for r in nist["requirements"]}["MAP 1.1"]
    assert row == {"id": "MAP 1.1", "title": row["title"], "controls": ["SC-A-001", "SC-B-001"],
                   "passing": True}
    assert "GOVERN 9.9" not in [r["id"] for r in nist["requirements"]]  # not a known id


# --- evidence freshness ---------------------------------------------------------------------------

ROLLBACK = control("SC-RB-001", {"path": "spec.rollback.last_tested", "within": "P90D"},
                   severity="medium", phase="containment")


def freshness_project(root: Path, controls: list[dict[str, Any]],
                      docs: list[dict[str, Any]]) -> Path:
    base = [doc("Organization", "acme", {}), doc("Team", "alpha")]
    if any(d["kind"] == "Organization" for d in docs):
        base = base[1:]
    return write(root, {"controls/c.yaml": controls, ESTATE_FILE: base + docs})


def rollback_tested(name: str, ago: int) -> dict[str, Any]:
    return doc("Model", name, {"rollback": {"last_tested": days(ago)}}, owner="team:alpha")


def test_expiring_lists_what_goes_stale_in_the_next_30_days(tmp_path, capsys):
    project = freshness_project(tmp_path, [ROLLBACK], [
        rollback_tested(f"m{ago}", ago) for ago in (70, 40, 60, 61, 90, 91)])
    data = scorecard_json(capsys, project)
    # Tested 70 days ago with P90D: still fine for 20 more days, stale from the 21st.
    # 40 and 60 days ago: stale in 51 and 31 days, outside the window; 91: already failing.
    assert data["expiring"] == [
        {"control": "SC-RB-001", "target": "model:m90", "stale_on": later(1), "days_left": 1},
        {"control": "SC-RB-001", "target": "model:m70", "stale_on": later(21),
         "days_left": 21},
        {"control": "SC-RB-001", "target": "model:m61", "stale_on": later(30),
         "days_left": 30},
    ]
    text = cli(capsys, project).out
    assert "Evidence that goes stale in the next 30 days:" in text
    assert f"  {later(21)} (in 21 days): SC-RB-001 model:m70" in text
    assert f"  {later(1)} (in 1 day): SC-RB-001 model:m90" in text


def test_the_stale_day_is_the_first_day_the_check_fails(tmp_path):
    """freshness agrees with op_within for dates, times and durations of any length."""
    project = freshness_project(tmp_path, [ROLLBACK], [rollback_tested("m", 10)])
    inventory = audit(project).inventory
    values = [dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 0, 0),
              dt.datetime(2026, 3, 1, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
              dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.UTC)]
    for duration in ("P0D", "P1D", "PT12H", "P1DT12H", "P90D"):
        spec = {"path": "t", "within": duration}
        check = compile_condition(spec)
        for value in values:
            root = {"t": value}
            stale = _stale_on(spec, root, inventory, Context(inventory, dt.date(2026, 3, 1), ""))
            assert stale is not None

            def ok(day: dt.date, root: dict[str, Any] = root, check: Any = check) -> bool:
                return check(Scope(root, "", ()), Context(inventory, day, "")).ok
            assert ok(stale - dt.timedelta(days=1)), (duration, value)
            assert not ok(stale), (duration, value)


def test_if_then_only_the_branch_that_applies_counts(tmp_path, capsys):
    check = {"if": {"path": "spec.lifecycle", "equals": "production"},
             "then": {"path": "spec.rollback.last_tested", "within": "P90D"},
             "else": {"path": "spec.baselines.documented", "within": "P30D"}}
    project = freshness_project(tmp_path, [control("SC-IF-001", check)], [
        # production: the rollback test decides; the stale baseline is the other branch's
        doc("Model", "prod", {"lifecycle": "production",
                              "rollback": {"last_tested": days(70)},
                              "baselines": {"documented": days(100)}}, owner="team:alpha"),
        # staging: the baseline decides; the old rollback test does not matter
        doc("Model", "stage", {"lifecycle": "staging",
                               "rollback": {"last_tested": days(200)},
                               "baselines": {"documented": days(15)}}, owner="team:alpha"),
        # if without else, not production: nothing can go stale
    ])
    assert [(e["target"], e["days_left"]) for e in scorecard_json(capsys, project)["expiring"]] \
        == [("model:stage", 16), ("model:prod", 21)]


def test_any_counts_only_the_alternatives_that_hold_today(tmp_path, capsys):
    check = {"any": [
        {"all": [{"path": "spec.containment.kill_switch", "equals": True},
                 {"path": "spec.rollback.last_tested", "within": "P365D"}]},
        {"path": "spec.baselines.documented", "within": "P30D"}]}
    project = freshness_project(tmp_path, [control("SC-ANY-001", check)], [
        doc("Model", "m", {"containment": {"kill_switch": False},
                           "rollback": {"last_tested": days(5)},
                           "baselines": {"documented": days(20)}}, owner="team:alpha")])
    # The first alternative fails today (no kill switch): its fresh date keeps nothing.
    assert [(e["target"], e["days_left"]) for e in scorecard_json(capsys, project)["expiring"]] \
        == [("model:m", 11)]


def test_some_counts_only_the_items_that_qualify(tmp_path, capsys):
    check = {"path": "spec.tabletop_exercises", "some": {"all": [
        {"path": "date", "within": "P365D"},
        {"path": "scenarios", "contains": "prompt_injection"}]}}
    org = doc("Organization", "acme", {"tabletop_exercises": [
        {"date": days(350), "scenarios": ["prompt_injection"]},
        {"date": days(100), "scenarios": ["data_poisoning"]},  # recent, but off topic
    ]})
    project = freshness_project(tmp_path, [control("SC-EX-001", check, kind="Organization")],
                                [org])
    assert scorecard_json(capsys, project)["expiring"] == [
        {"control": "SC-EX-001", "target": "organization:acme", "stale_on": later(16),
         "days_left": 16}]


def test_each_over_a_mapping_and_ref_take_the_earliest(tmp_path, capsys):
    check = {"path": "spec.roles", "each": {
        "path": "primary", "ref": {"path": "spec.role_training", "within": "P365D"}}}
    org = doc("Organization", "acme", {"roles": {
        "incident_commander": {"primary": "person:ada"},
        "technical_lead": {"primary": "person:bo"}}})
    people = [doc("Person", "ada", {"role_training": days(340)}),
              doc("Person", "bo", {"role_training": days(350)})]
    project = freshness_project(tmp_path, [control("SC-ROLE-001", check, kind="Organization")],
                                [org, *people])
    assert [(e["target"], e["days_left"]) for e in scorecard_json(capsys, project)["expiring"]] \
        == [("organization:acme", 16)]


def test_waived_and_failing_results_never_expire(tmp_path, capsys):
    waiver = doc("Waiver", "w", {"control": "SC-RB-001", "targets": ["model:old"],
                                 "justification": "later", "approved_by": "person:ada",
                                 "expires": later(60)})
    project = freshness_project(tmp_path, [ROLLBACK], [
        doc("Person", "ada", {}), rollback_tested("old", 100), waiver])
    assert scorecard_json(capsys, project)["expiring"] == []


# --- output --------------------------------------------------------------------------------------

def test_json_shape(data):
    assert data["schema_version"] == 1
    assert list(data) == ["schema_version", "today", "estate", "organization", "models",
                          "owners", "owner_rollup", "phases", "frameworks", "expiring"]
    assert data["today"] == TODAY
    for key in ("level", "score", "pass", "gaps", "waived", "not_applicable", "roles",
                "last_exercise", "gaps_outside_models", "waived_outside_models"):
        assert key in data["organization"], key
    for m in data["models"]:
        assert list(m) == ["ref", "title", "owner", "lifecycle", "level", "score", "pass", "gaps",
                           "waived", "not_applicable", "required_level", "required_reason",
                           "ready", "status", "status_reason", "why_no_level", "reach",
                           "failing", "next_level_missing"]
    assert set(data["frameworks"]) == {"nist_ai_rmf", "iso_42001", "owasp_llm", "mitre_atlas",
                                       "eu_ai_act"}
    for row in data["frameworks"].values():
        assert list(row) == ["title", "controls", "controls_passing", "controls_judged",
                             "share_passing", "requirements", "uncovered"]
    assert "history" not in data


def test_text_output(estate, capsys):
    done = cli(capsys, estate)
    assert done.code == 0 and done.err == ""
    lines = done.out.splitlines()
    assert lines[:2] == [
        "Organisation: level none, score 79/100 (2 passing, 2 gaps, 0 waived, "
        "5 not applicable) as of 2026-11-25",
        "Whole estate: level none, score 77/100; 2 of 5 live models ready for their reach "
        "(1 out of scope)"]
    assert not any(line.startswith("model:lab ") for line in lines)  # not in the live table
    text = done.out
    assert ("  model:lab: out of scope (not live: lifecycle experimental, and no users, tools, "
            "credentials, data access or production or staging environment declared)") in text
    assert "    no level: a Bronze control does not pass" in text
    assert ("    SC-SLV-001 [high] [waived] model:waived does not log its outputs "
            "(logging.outputs is false, expected true) (waived by waiver:waived-outputs "
            "until 2027-03-01)") in text
    assert "      fix: Log every output." in text
    assert "  team:alpha: 2/3 ready, mean score 79, lowest level none" in text
    assert "  team:beta: 0/2 ready, mean score 72, lowest level bronze; also 1 out of scope" \
        in text
    assert "  containment    score  60  3 pass, 1 gap, 1 waived, 2 not applicable" in text
    assert "  investigation  score   -  0 pass, 0 gaps, 0 waived, 0 not applicable" in text
    assert "  NIST AI RMF 1.0: 2/4 passing (50%); uncovered: GOVERN 1.1, " in text
    assert "  MITRE ATLAS: 0/0 passing (-); uncovered: AML.M0004, " in text


def test_markdown_output(estate, capsys):
    out = cli(capsys, estate, "--format", "markdown").out
    assert out.startswith("# Readiness scorecard\n\nAs of 2026-11-25: organisation level "
                          "**none**, score **79/100**; whole estate **none**, **77/100**; "
                          "2 of 5 live models ready for their reach (1 out of scope).\n")
    assert "| model:lab | team:beta | out of scope | not live: lifecycle experimental" in out
    assert "| team:beta | 2 | 0 | 72 | bronze | 1 | 0 |" in out
    assert "| containment | 60 | 3 | 1 | 1 | 2 |" in out
    assert ("    - SC-SLV-001 (high, waived): model:waived does not log its outputs "
            "(logging.outputs is false, expected true) (waived by waiver:waived-outputs "
            "until 2027-03-01). Fix: Log every output.") in out


def test_markdown_escapes_hostile_text(tmp_path, capsys):
    hostile = "<img src=x onerror=alert(1)> | [click](http://evil.example) `code` *b*\n# H"
    controls = [control("SC-VER-001", {"path": "spec.version", "matches": "^v[0-9]"},
                        remediation=f"Pin it. {hostile}")]
    project = write(tmp_path, {"controls/c.yaml": controls, ESTATE_FILE: [
        doc("Organization", "acme", {}), doc("Team", "alpha"),
        doc("Model", "m", {"version": hostile, "risk_tier": "high", "lifecycle": "production"},
            owner="team:alpha")]})
    out = cli(capsys, project, "--format", "markdown").out
    for raw in ("<img", "](http", "`code`", "*b*", "| [click"):
        assert not re.search(r"(?<!\\)" + re.escape(raw), out), raw
    assert "\\<img src=x onerror=alert(1)\\> \\| \\[click\\](`http://evil.example`) " in out
    assert "\n# H" not in out
    line = next(x for x in out.splitlines() if "SC-VER-001" in x)
    assert line.count("\\<img") == 2  # the message and the remediation, both escaped
    text = cli(capsys, project).out  # the text report keeps each result on one line
    assert "\n# H" not in text and "\\n# H" in text


def test_explain_prints_the_scoring_model(capsys, tmp_path):
    done = run(capsys, "scorecard", "--explain", "--project", tmp_path / "nowhere")
    assert done.code == 0
    assert done.out.strip() == scoring.__doc__.strip()
    for words in ("Bronze", "Silver", "Gold", "critical 10, high 5, medium 2, low 1",
                  "Waived is never a pass", "not-applicable ones are left out",
                  "write-capable tools combined with sensitive data or external users",
                  "unrated", "next 30 days"):
        assert words in done.out, words


# --- the builtin catalog: invariants only ---------------------------------------------

def test_builtin_catalog_invariants(capsys):
    data = scorecard_json(capsys, REPO)
    assert data["models"]
    levels = {*LEVELS, None, "unrated"}
    for m in data["models"]:
        assert m["level"] in levels
        assert m["required_level"] in LEVELS and m["required_reason"]
        assert m["status"] in ("live", "out_of_scope", "retired") and m["status_reason"]
        rank = LEVELS.index(m["level"]) + 1 if m["level"] in LEVELS else 0
        assert m["ready"] == (m["status"] == "live"
                              and rank >= LEVELS.index(m["required_level"]) + 1)
        if m["score"] is None:
            assert m["level"] == "unrated"
        else:
            assert 0 <= m["score"] <= 100
            assert (m["score"] == 100) == (m["gaps"] == m["waived"] == 0)
        failing = [g["control"] for g in m["failing"]]
        assert len(failing) == m["gaps"] + m["waived"]
        assert set(m["next_level_missing"]) <= set(failing)
        assert all(g["state"] in ("fail", "error", "waived") for g in m["failing"])
        if m["level"] == "gold" or m["status"] != "live":
            assert m["next_level_missing"] == []  # retired and out-of-scope: no next level
        elif m["level"] != "unrated":
            assert m["next_level_missing"], m["ref"]
    live = [m for m in data["models"] if m["status"] == "live"]
    assert sum(o["models"] for o in data["owners"]) == len(live)
    assert sum(o["retired"] + o["out_of_scope"] for o in data["owners"]) == \
        len(data["models"]) - len(live)
    assert sum(o["ready"] for o in data["owners"]) == sum(m["ready"] for m in data["models"])
    # Phases, organisation and models partition the estate's results.
    estate = data["estate"]
    for key in ("pass", "gaps", "waived", "not_applicable"):
        assert sum(p[key] for p in data["phases"].values()) == estate[key], key
        assert data["organization"][key] + sum(m[key] for m in data["models"]) \
            == estate[key], key
    known = load_frameworks()
    # The example project declares a framework of its own (airready.yaml: frameworks).
    known["hl_ai_policy"] = {"4.2": "", "6.1": ""}
    assert data["frameworks"]["hl_ai_policy"]["uncovered"] == ["6.1"]
    for name, row in data["frameworks"].items():
        assert row["controls_passing"] <= row["controls_judged"] <= row["controls"]
        assert set(row["uncovered"]) <= set(known[name])
        assert [r["id"] for r in row["requirements"]] == list(known[name])
    window = [e["days_left"] for e in data["expiring"]]
    assert all(1 <= d <= 30 for d in window)
    assert [e["stale_on"] for e in data["expiring"]] == sorted(e["stale_on"]
                                                               for e in data["expiring"])
    for e in data["expiring"]:
        assert e["stale_on"] == later(e["days_left"])


def test_builtin_expiring_results_pass_today_and_fail_on_their_stale_day():
    card = build(REPO, TODAY)
    assert card.expiring, "the example project should have something expiring"
    inventory, catalog = card_sources(REPO)
    for e in card.expiring:
        control_, entity = catalog.controls[e.control], inventory.entities[e.target]
        for day, state in ((e.stale_on - dt.timedelta(days=1), "pass"), (e.stale_on, "fail")):
            assert evaluate_control(control_, entity, inventory, day).state == state, (e, day)


def card_sources(root: Path) -> tuple[Any, Any]:
    loaded = load_all(load_project(root, root))
    return loaded.inventory, loaded.catalog

