"""The views a governance officer reads (issue 17): one-screen summary, owners and their
hierarchy, grouping, titles beside references."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from blastkit import dump, entity
from projectkit import make_project, run

TODAY = "2026-11-25"
REPO = Path(__file__).resolve().parents[1]
Capture = pytest.CaptureFixture[str]

ORG = entity("Organization", "acme", {})
TEAMS = [
    entity("Team", "agency", {}),
    entity("Team", "bureau", {"parent": "team:agency", "members": ["person:ada"]}),
    entity("Team", "lab", {"parent": "team:bureau"}),
    entity("Team", "other", {}),
    entity("Person", "ada", {}, title="Ada Okafor"),
]


def model(name: str, owner: str, title: str | None = None, **spec: Any) -> dict[str, Any]:
    extra = {"title": title} if title else {}
    return entity("Model", name, {"version": "1", "risk_tier": "low", **spec}, owner=owner,
                  **extra)


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    docs = [ORG, *TEAMS,
            model("triage", "team:lab", "Medicare claims triage", lifecycle="production",
                  users={"count": 90000, "audience": "external"}),
            model("helper", "team:bureau", "Form helper", lifecycle="staging"),
            model("elsewhere", "team:other", lifecycle="production"),
            model("mine", "person:ada", lifecycle="production")]
    return make_project(tmp_path, None, {"inventory/estate.yaml": dump(docs)})


def check(capsys: Capture, root: Path, *args: str) -> Any:
    return run(capsys, "check", "--project", root, "--today", TODAY, *args)


def test_text_findings_show_titles_beside_references(capsys: Capture, estate: Path) -> None:
    out = check(capsys, estate).out
    assert " AIR-LOG-001 model:triage (Medicare claims triage) does not log every input" in out
    assert " AIR-LOG-001 model:elsewhere does not log every input" in out  # no title: none shown


def test_the_summary_puts_the_organisation_first_and_ranks_by_reach(
        capsys: Capture, estate: Path) -> None:
    result = check(capsys, estate, "--summary", "--fail-on", "none")
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) <= 60
    org = lines.index(next(x for x in lines if x.startswith("Organisation-wide gaps")))
    top = lines.index(next(x for x in lines if x.startswith("Top 10 to fix")))
    assert org < top
    first = lines[top + 1]
    # The production model with 90,000 external users comes before everything else.
    assert "[critical]" in first and "model:triage (Medicare claims triage)" in first
    assert "owner team:lab" in first
    assert "reach: 90,000 external users" in lines[top + 2]
    assert lines[-1].startswith("threshold: none (the check never fails;")


def test_the_summary_cannot_go_with_another_format(capsys: Capture, estate: Path) -> None:
    result = check(capsys, estate, "--summary", "--format", "json")
    assert result.code == 2
    assert "--summary replaces the text output" in result.err


def test_the_summary_stays_on_one_screen_at_ten_thousand_models(tmp_path: Path) -> None:
    root = tmp_path / "big"
    subprocess.run([sys.executable, str(REPO / "bench" / "synth.py"), str(root),
                    "--models", "10000"], check=True, capture_output=True, timeout=300)
    done = subprocess.run([sys.executable, "-m", "airready", "check", "--project", str(root),
                           "--summary", "--today", TODAY], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert 20 < len(lines) <= 60
    assert lines[0].startswith("83 controls") or " controls, " in lines[0]
    assert sum(line.lstrip().startswith(f"{n}.") for line in lines for n in range(1, 11)) == 10


def test_owner_takes_a_team_with_its_sub_teams(capsys: Capture, estate: Path) -> None:
    def targets(*args: str) -> set[str]:
        done = check(capsys, estate, "--format", "json", "--fail-on", "none", *args)
        assert done.code == 0, done.err
        return {f["target"] for f in json.loads(done.out)["findings"]}

    assert targets("--owner", "team:bureau") == {"model:helper", "model:triage"}
    assert targets("--owner", "team:agency") == {"model:helper", "model:triage"}
    assert targets("--owner", "team:lab") == {"model:triage"}
    # A person: what they own and what their teams (and the teams below) own.
    assert targets("--owner", "person:ada") == {"model:mine", "model:helper", "model:triage"}
    bad = check(capsys, estate, "--owner", "team:bureua")
    assert bad.code == 2
    assert "did you mean 'team:bureau'" in bad.err


def test_group_by_control_and_by_owner(capsys: Capture, estate: Path) -> None:
    by_control = check(capsys, estate, "--group-by", "control").out
    assert "AIR-LOG-001 Model inputs and outputs are logged (4 gaps):\n  inventory/" in by_control
    by_owner = check(capsys, estate, "--group-by", "owner").out
    headings = [line for line in by_owner.splitlines() if line.endswith("):")
                and not line.startswith(" ")]
    assert any(h.startswith("person:ada (Ada Okafor) (") for h in headings)
    assert any(h.startswith("team:lab (") for h in headings)


def test_markdown_never_calls_gaps_a_pass(capsys: Capture, estate: Path) -> None:
    none = check(capsys, estate, "--format", "markdown", "--fail-on", "none").out
    assert none.startswith("## airready: readiness check found ")
    assert "gaps (no threshold set)" in none.splitlines()[0]
    assert "passes" not in none.splitlines()[0]
    low = check(capsys, estate, "--format", "markdown", "--fail-on", "critical",
                "--control", "AIR-INV-001")
    assert low.out.startswith("## airready: readiness check passes")


def test_scorecard_owner_and_the_hierarchy_rolled_up(capsys: Capture, estate: Path) -> None:
    done = run(capsys, "scorecard", "--project", estate, "--today", TODAY, "--format", "json")
    rollup = {row["owner"]: row for row in json.loads(done.out)["owner_rollup"]}
    assert set(rollup) == {"team:agency", "team:bureau"}
    assert rollup["team:agency"]["teams"] == ["team:bureau", "team:lab"]
    assert rollup["team:agency"]["models"] == 2  # triage (lab) and helper (bureau)
    mine = run(capsys, "scorecard", "--project", estate, "--today", TODAY, "--format", "json",
               "--owner", "team:bureau")
    data = json.loads(mine.out)
    assert data["owner"] == "team:bureau"
    assert {m["ref"] for m in data["models"]} == {"model:helper", "model:triage"}


def test_a_team_parent_loop_is_an_error(tmp_path: Path, capsys: Capture) -> None:
    docs = [ORG, entity("Team", "a", {"parent": "team:b"}), entity("Team", "b",
                                                                  {"parent": "team:a"})]
    root = make_project(tmp_path, None, {"inventory/estate.yaml": dump(docs)})
    done = run(capsys, "validate", "--project", root)
    assert done.code == 2
    assert "teams above each other in a loop: team:a -> team:b -> team:a" in done.out


def test_an_incident_gap_ranks_by_the_widest_model_it_struck(tmp_path: Path) -> None:
    """A missed notification on an incident that hit a model with 90,000 external users
    outranks the same severity on an incident with no model recorded, and says why."""
    from airready.audit import load_all
    from airready.inventory.config import load_project
    from airready.readiness.priorities import rank_one
    from airready.rules.findings import Finding

    incident = {"severity": "P1", "category": "prompt_injection"}
    docs = [ORG, *TEAMS,
            model("big", "team:lab", lifecycle="production",
                  users={"count": 90000, "audience": "external"}),
            model("small", "team:lab", lifecycle="production", users={"count": 3}),
            entity("Incident", "inc-1", {**incident, "models": ["model:small", "model:big"]},
                   owner="person:ada"),
            entity("Incident", "inc-2", incident, owner="person:ada")]
    root = make_project(tmp_path, None, {"inventory/estate.yaml": dump(docs)})
    inventory = load_all(load_project(root, root)).inventory

    def finding(target: str) -> Finding:
        return Finding("AIR-INC-008", target, "fail", "critical", "f.yaml", 1, 1, "", "",
                       "", "post_incident")

    struck = rank_one(finding("incident:inc-1"), inventory)
    bare = rank_one(finding("incident:inc-2"), inventory)
    assert struck.rank > bare.rank
    assert struck.why.startswith("incident on model:big (90,000 external users")
    assert bare.why == "incident on no recorded model"
    assert struck.owner == "person:ada"


def test_a_gap_ranks_by_the_reach_the_scorecard_gives(tmp_path: Path, capsys: Capture) -> None:
    """The dashboard's "why it ranks high" and the scorecard's "why it needs it" name the
    same reach: data a model reads through a store or a credential counts, not only the
    classes it declares, and health data is sensitive on both."""
    from airready.audit import load_all
    from airready.inventory.config import load_project
    from airready.readiness.priorities import rank_one
    from airready.rules.findings import Finding

    docs = [ORG, *TEAMS,
            entity("DataStore", "claims", {"data_classes": ["payment", "pii"]}),
            entity("Credential", "claims-rw", {"grants": ["datastore:claims"]},
                   owner="team:lab"),
            # Declares health data only; reads payment data through its credential.
            model("reader", "team:lab", lifecycle="production", data_classes=["health"],
                  credentials=["credential:claims-rw"]),
            model("medic", "team:lab", lifecycle="production", data_classes=["health"]),
            model("plain", "team:lab", lifecycle="production", data_classes=["public"])]
    root = make_project(tmp_path, None, {"inventory/estate.yaml": dump(docs)})
    inventory = load_all(load_project(root, root)).inventory

    def why(target: str) -> str:
        return rank_one(Finding("AIR-LOG-001", target, "fail", "high", "f.yaml", 1, 1, "",
                                "", "", "preparation"), inventory).why

    assert why("model:reader") == "sensitive data (health, payment, pii), production"
    assert why("model:medic") == "sensitive data (health), production"
    assert why("model:plain") == "production"
    done = run(capsys, "scorecard", "--project", root, "--today", TODAY, "--format", "json")
    cards = {m["ref"]: m for m in json.loads(done.out)["models"]}
    assert cards["model:reader"]["reach"]["sensitive_data"] == ["health", "payment", "pii"]
    # Health data alone asks for Silver, as any other sensitive class does.
    assert (cards["model:medic"]["required_level"], cards["model:medic"]["required_reason"]) \
        == ("silver", "reaches sensitive data (health)")
    assert cards["model:plain"]["required_level"] == "bronze"
