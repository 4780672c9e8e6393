"""``airready register update``: the risk register kept from incidents and findings.

The projects are small: two models, two controls of their own (no builtin catalog, so the
failing controls are known), one Incident, and a register written by hand with comments,
quotes and a multi-line flow list that must survive every update byte for byte.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from projectkit import control_yaml, make_project, run

from airready.postincident import register
from airready.postincident.register import latest_changes, shorten

TODAY = "2026-11-25"
REGISTER = "reports/risk-register.yaml"

CONFIG = """\
inventory: [inventory]
controls: [controls]
reports: reports
"""

ORG = """\
apiVersion: airready/v1
kind: Organization
metadata: {name: acme}
spec: {}
---
apiVersion: airready/v1
kind: Person
metadata: {name: ada}
---
apiVersion: airready/v1
kind: Person
metadata: {name: bob}
---
apiVersion: airready/v1
kind: Team
metadata: {name: ml}
"""

# model:bot passes both controls; model:helper fails both.
MODELS = """\
apiVersion: airready/v1
kind: Model
metadata: {name: bot, owner: team:ml}
spec: {version: "1.0", logging: {inputs: true}}
---
apiVersion: airready/v1
kind: Model
metadata: {name: helper, owner: team:ml}
spec: {}
"""

CONTROLS = "---\n".join([
    control_yaml("T-VER-001", failure="has no version"),
    control_yaml("T-LOG-001", failure="does not log inputs",
                 check="{path: spec.logging.inputs, equals: true}"),
])

INCIDENT = """\
apiVersion: airready/v1
kind: Incident
metadata: {name: inc-1, owner: person:ada}
spec:
  severity: P1
  category: prompt_injection
  models: [model:bot]
  timeline:
    started: 2026-11-02T08:40:00Z
    detected: 2026-11-02T09:14:00Z
  root_cause: >-
    The bot followed instructions pasted by users. Nothing checked them.
  actions:
    - {title: Filter pasted instructions, owner: person:bob, due: 2026-12-01, status: open}
    - {title: Log every tool call, owner: team:ml, due: 2026-11-10, status: done}
"""

# Hand-written: a comment header, quotes, a flow list over two lines, trailing comments.
HAND = """\
# Our register. Reviewed monthly.
apiVersion: airready/v1
kind: Risk
metadata:
  name: helper-leak      # written by hand
  owner: team:ml
spec:
  title: "Helper leaks: data"
  models: [model:helper,
           model:bot]
  category: data_leakage
  likelihood: 2
  impact: 3
  status: open
  controls: [T-LOG-001, T-VER-001]
  # next review at the forum
  review_by: 2027-01-31
"""


def project(tmp_path: Path, register_text: str | None = HAND, incident: str | None = INCIDENT,
            models: str = MODELS) -> Path:
    files = {"inventory/org.yaml": ORG, "inventory/models.yaml": models,
             "controls/t.yaml": CONTROLS}
    if incident is not None:
        files["reports/incidents/inc-1.yaml"] = incident
    if register_text is not None:
        files[REGISTER] = register_text
    return make_project(tmp_path / "proj", CONFIG, files)


def update(capsys, root: Path, *args: str):
    return run(capsys, "register", "update", "--project", root, "--today", TODAY, *args)


NEW_RISK = """\
---
apiVersion: airready/v1
kind: Risk
metadata:
  name: risk-inc-1
  owner: person:ada
spec:
  title: The bot followed instructions pasted by users
  models: [model:bot]
  category: prompt_injection
  likelihood: 4
  impact: 5
  status: open
  source: incident:inc-1
  incidents: [incident:inc-1]
  treatments:
    - title: Filter pasted instructions
      owner: person:bob
      due: 2026-12-01
      status: open
    - title: Log every tool call
      owner: team:ml
      due: 2026-11-10
      status: done
  review_by: 2027-02-23
"""


def test_a_new_incident_adds_a_risk_and_prints_the_exact_diff(tmp_path, capsys):
    root = project(tmp_path)
    result = update(capsys, root)
    assert result.code == 0, result.err
    expected = (f"--- a/{REGISTER}\n+++ b/{REGISTER}\n@@ -15,3 +15,28 @@\n"
                "   controls: [T-LOG-001, T-VER-001]\n"
                "   # next review at the forum\n"
                "   review_by: 2027-01-31\n"
                + "".join("+" + line + "\n" for line in NEW_RISK.splitlines()))
    assert result.out == expected
    assert (root / REGISTER).read_text() == HAND + NEW_RISK
    assert "added risk:risk-inc-1: added from incident:inc-1" in result.err
    assert run(capsys, "validate", "--project", root).code == 0


def test_a_second_run_changes_nothing(tmp_path, capsys):
    root = project(tmp_path)
    assert update(capsys, root).code == 0
    before = (root / REGISTER).read_bytes()
    log = (root / "reports/.register-log.jsonl").read_text()
    again = update(capsys, root)
    assert again.code == 0
    assert again.out == ""
    assert f"no changes: {REGISTER} is up to date" in again.err
    assert (root / REGISTER).read_bytes() == before
    assert (root / "reports/.register-log.jsonl").read_text() == log  # nothing logged


RECURRING = HAND + """\
---
# The bot, talked into things.
apiVersion: airready/v1
kind: Risk
metadata: {name: bot-injection, owner: team:ml}
spec:
  title: 'Bot is jailbroken'
  models: [model:bot]
  category: prompt_injection
  likelihood: 2   # a guess
  impact: 4
  status: mitigating
  source: T-LOG-001
  treatments:
    # the one we had before
    - title: log  EVERY tool call
      owner: team:ml
      status: in_progress
  review_by: 2027-01-31
"""


def test_a_recurrence_raises_the_likelihood_once_and_adds_missing_treatments(tmp_path, capsys):
    root = project(tmp_path, RECURRING)
    result = update(capsys, root)
    assert result.code == 0, result.err
    expected = RECURRING.replace("  likelihood: 2   # a guess\n",
                                 "  likelihood: 3   # a guess\n").replace(
        "  source: T-LOG-001\n",
        "  source: T-LOG-001\n  incidents: [incident:inc-1]\n").replace(
        "      status: in_progress\n",
        "      status: in_progress\n"
        "    - title: Filter pasted instructions\n"
        "      owner: person:bob\n"
        "      due: 2026-12-01\n"
        "      status: open\n")
    # No new risk: the incident is a recurrence.  Everything else is byte for byte the same.
    assert (root / REGISTER).read_text() == expected
    assert ("updated risk:bot-injection: likelihood 2 -> 3 (incident:inc-1 recurred it); "
            "1 treatment added from incident:inc-1") in result.err
    assert update(capsys, root).out == ""  # not raised again
    assert (root / REGISTER).read_text() == expected
    assert run(capsys, "validate", "--project", root).code == 0


def test_recurrence_appends_to_an_existing_incident_list_in_its_own_style(tmp_path, capsys):
    text = RECURRING.replace("  source: T-LOG-001\n",
                             "  source: T-LOG-001\n  incidents:\n  - incident:inc-0\n")
    old = project(tmp_path, text, incident=INCIDENT)
    (old / "reports/incidents/inc-0.yaml").write_text(
        INCIDENT.replace("inc-1", "inc-0").replace("2026-11-02", "2026-10-02"))
    result = update(capsys, old)
    assert result.code == 0, result.err
    assert "  incidents:\n  - incident:inc-0\n  - incident:inc-1\n  treatments:\n" in (
        old / REGISTER).read_text()


def test_controls_are_the_failing_controls_of_the_risk_models(tmp_path, capsys):
    text = HAND.replace("controls: [T-LOG-001, T-VER-001]", "controls: [T-OLD-001]") + """\
---
apiVersion: airready/v1
kind: Risk
metadata: {name: org-wide, owner: team:ml}
spec:
  title: No models named, controls kept as written
  likelihood: 1
  impact: 1
  controls: [T-OLD-001]
"""
    root = project(tmp_path, text, incident=None)
    result = update(capsys, root)
    assert result.code == 0, result.err
    assert result.out == (f"--- a/{REGISTER}\n+++ b/{REGISTER}\n@@ -12,7 +12,7 @@\n"
                          "   likelihood: 2\n   impact: 3\n   status: open\n"
                          "-  controls: [T-OLD-001]\n"
                          "+  controls: [T-LOG-001, T-VER-001]\n"
                          "   # next review at the forum\n   review_by: 2027-01-31\n ---\n")
    assert "updated risk:helper-leak: controls +T-LOG-001, +T-VER-001, -T-OLD-001" in result.err


def test_a_fixed_gap_leaves_the_controls_list(tmp_path, capsys):
    fixed = MODELS.replace("metadata: {name: helper, owner: team:ml}\nspec: {}",
                           "metadata: {name: helper, owner: team:ml}\n"
                           "spec: {version: '2', logging: {inputs: true}}")
    root = project(tmp_path, incident=None, models=fixed)
    assert update(capsys, root).code == 0
    assert (root / REGISTER).read_text() == HAND.replace(
        "controls: [T-LOG-001, T-VER-001]", "controls: []")


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path, capsys):
    root = project(tmp_path)
    result = update(capsys, root, "--dry-run")
    assert result.code == 0
    assert result.out.startswith(f"--- a/{REGISTER}\n+++ b/{REGISTER}\n")
    assert "+  name: risk-inc-1\n" in result.out
    assert "dry run, nothing written: 1 risk added, 0 updated" in result.err
    assert (root / REGISTER).read_text() == HAND
    assert not (root / "reports/.register-log.jsonl").exists()


def test_a_missing_register_is_created(tmp_path, capsys):
    root = project(tmp_path, register_text=None)
    result = update(capsys, root)
    assert result.code == 0, result.err
    text = (root / REGISTER).read_text()
    assert text == register.NEW_FILE_HEADER + NEW_RISK.removeprefix("---\n")
    assert result.out.startswith(f"--- a/{REGISTER}\n+++ b/{REGISTER}\n@@ -0,0 +1,")
    assert run(capsys, "validate", "--project", root).code == 0


def test_an_interrupted_write_leaves_the_register_intact(tmp_path, capsys, monkeypatch):
    root = project(tmp_path)

    def crash(src: str, dst: str) -> None:  # the new file is written, the rename fails
        assert Path(src).read_text().startswith(HAND)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    result = update(capsys, root)
    assert result.code == 2
    assert f"cannot write {REGISTER}: No space left on device" in result.err
    assert (root / REGISTER).read_text() == HAND
    assert sorted(p.name for p in (root / "reports").iterdir()) == ["incidents",
                                                                   "risk-register.yaml"]


def test_a_register_with_a_yaml_error_is_exit_2_with_its_position(tmp_path, capsys):
    root = project(tmp_path, HAND.replace("  impact: 3\n", "  impact: [3\n"))
    result = update(capsys, root)
    assert result.code == 2
    assert f"{REGISTER}:14:9: [error] YAML does not parse" in result.out
    assert (root / REGISTER).read_text() == HAND.replace("  impact: 3\n", "  impact: [3\n")


def test_latest_changes_reads_the_last_logged_update(tmp_path, capsys):
    root = project(tmp_path)
    reports = root / "reports"
    assert latest_changes(reports) is None
    assert update(capsys, root).code == 0
    entry = latest_changes(reports)
    assert entry is not None
    assert entry["today"] == TODAY
    assert entry["added"] == ["risk:risk-inc-1"] and entry["updated"] == []
    assert entry["changes"] == {"risk:risk-inc-1": ["added from incident:inc-1"]}
    with (reports / ".register-log.jsonl").open("a") as log:
        log.write('{"time": "torn')  # a half-written line does not hide the last good one
    assert latest_changes(reports) == entry
    assert json.loads((reports / ".register-log.jsonl").read_text().splitlines()[0]) == entry


def test_an_incident_listed_elsewhere_is_not_registered_again(tmp_path, capsys):
    root = project(tmp_path, HAND.replace("  status: open\n",
                                          "  status: open\n  incidents: [incident:inc-1]\n"))
    assert update(capsys, root).out == ""


@pytest.mark.parametrize(("text", "title"), [
    ("The bot obeyed pasted text. Later sentences are detail.", "The bot obeyed pasted text"),
    ("Labels were accepted on a pooled sample with no per-batch and no per-annotator checks, "
     "which hid one bad batch from the audit for months.",
     "Labels were accepted on a pooled sample with no per-batch and no per-annotator checks"),
    ("word " * 40, ("word " * 19).strip() + "..."),
    ("Pinned e.g. by version only.", "Pinned e.g. by version only"),
])
def test_titles_are_the_root_cause_shortened(text, title):
    assert shorten(text) == title
    assert len(shorten(text)) <= 100


def test_a_crlf_register_keeps_its_line_endings(tmp_path, capsys):
    crlf = RECURRING.replace("\n", "\r\n")
    root = project(tmp_path, None)
    (root / REGISTER).write_bytes(crlf.encode())
    assert update(capsys, root).code == 0
    data = (root / REGISTER).read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"  likelihood: 3   # a guess\r\n  impact: 4\r\n" in data


def test_a_project_without_a_reports_folder_is_exit_2(tmp_path, capsys):
    root = project(tmp_path, None, incident=None)
    (root / "airready.yaml").write_text(CONFIG.replace("reports: reports", "reports: null"))
    result = update(capsys, root)
    assert result.code == 2
    assert result.out == ("airready.yaml:3:10: [error] reports: not set; register update keeps "
                          "the risk register in the reports folder (risk-register.yaml) "
                          "(config)\n")


def test_a_waived_gap_is_not_a_failing_control(tmp_path, capsys):
    root = project(tmp_path, incident=None)
    (root / "inventory/waivers.yaml").write_text("""\
apiVersion: airready/v1
kind: Waiver
metadata: {name: helper-version}
spec:
  control: T-VER-001
  targets: [model:helper]
  justification: The helper is versioned by its image tag.
  approved_by: person:ada
  approved_on: 2026-11-01
  expires: 2027-01-31
""")
    assert update(capsys, root).code == 0
    assert "  controls: [T-LOG-001]\n" in (root / REGISTER).read_text()


# --- the update converges -----------------------------------------------------------------

# A control that the register itself satisfies: a high-risk model must be in the register.
IN_REGISTER = control_yaml(
    "T-REG-001", failure="is not in the register", severity="medium",
    check="{query: {kind: Risk, where: {path: spec.models, contains: $target}}, count_min: 1}")
HIGH_RISK_BOT = MODELS.replace('spec: {version: "1.0", logging: {inputs: true}}',
                               'spec: {version: "1.0", risk_tier: high}')


def converging_project(tmp_path: Path, register_text: str | None) -> Path:
    root = project(tmp_path, register_text, models=HIGH_RISK_BOT)
    (root / "controls/t.yaml").write_text(CONTROLS + "---\n" + IN_REGISTER)
    return root


@pytest.mark.parametrize("start", ["none", "empty", "hand", "stale-controls"])
def test_the_update_converges_from_every_starting_state(tmp_path, capsys, start):
    """From every starting state the first run's file is a fixed point: the second and
    third runs write the same bytes (the new entry for inc-1 names model:bot, which then
    satisfies T-REG-001, so the first run must not list T-REG-001 for it)."""
    text = {"none": None, "empty": "", "hand": HAND,
            "stale-controls": HAND.replace("[T-LOG-001, T-VER-001]", "[T-REG-001]")}[start]
    root = converging_project(tmp_path, text)
    assert update(capsys, root).code == 0
    first = (root / REGISTER).read_text()
    assert "risk-inc-1" in first
    new_entry = first[first.index("name: risk-inc-1"):]
    assert "T-REG-001" not in new_entry  # satisfied by the entry itself
    for _ in range(2):
        assert update(capsys, root).code == 0
        assert (root / REGISTER).read_text() == first
    dry = update(capsys, root, "--dry-run")
    assert dry.code == 0 and "no change" in (dry.out + dry.err).lower()
