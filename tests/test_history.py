"""``airready scorecard --record/--history``: the JSON Lines history and what changed.

The project is scorekit's estate; between two recorded runs the inventory is edited
(a gap fixed, another opened) and the second run must name exactly those changes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from scorekit import (
    ESTATE_CONFIG,
    cli,
    doc,
    estate_inventory,
    model,
    replace_model,
    scorecard_json,
    write_estate,
)

from airready.readiness import history

ENTRY_KEYS = ["commit", "failing", "models", "organization", "schema_version", "time",
              "today", "waived"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_estate(tmp_path / "proj")


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def edit(project: Path, docs: list[dict[str, Any]]) -> None:
    write_estate(project, docs)


def text_since_last(capsys: pytest.CaptureFixture[str], project: Path, record: Path) -> str:
    """The text report compared with the last record (``--history``: nothing recorded)."""
    text = cli(capsys, project, "--history", record).out
    return text[text.index("Since "):]


def unescaped(raw: str, markdown: str) -> bool:
    """Whether ``raw`` occurs in ``markdown`` other than behind a backslash."""
    return re.search(r"(?<!\\)" + re.escape(raw), markdown) is not None


def test_record_appends_one_entry_per_run(project, capsys):
    record = project / "history" / "scores.jsonl"
    record.parent.mkdir()  # a missing folder is an error, never created (test_writes.py)
    first = scorecard_json(capsys, project, "--record", record)
    (entry,) = lines(record)
    assert sorted(entry) == ENTRY_KEYS
    assert entry["schema_version"] == 1
    assert entry["today"] == "2026-11-25"
    assert entry["commit"] is None  # tmp_path is not in a git repository
    assert entry["organization"] == {"level": None, "score": 79}
    assert entry["models"]["model:silver-fail"] == {"level": "bronze", "score": 72,
                                                    "ready": False}
    assert entry["models"]["model:lab"] == {"level": "unrated", "score": None, "ready": False}
    assert entry["failing"] == ["SC-BRZ-001 model:no-bronze", "SC-GLD-002 model:gold-fail",
                                "SC-ORG-002 organization:acme", "SC-SLV-001 model:silver-fail",
                                "SC-TOOL-001 tool:search"]
    assert entry["waived"] == ["SC-SLV-001 model:waived"]
    # The first record has no previous one: a trend of one entry, no changes.
    assert first["history"] == {"entries": [entry]}


def test_the_second_record_names_what_changed(project, capsys):
    record = project / "scores.jsonl"
    scorecard_json(capsys, project, "--record", record)
    docs = estate_inventory()
    # Fix one gap (silver-fail now logs its outputs) and open another (all-pass loses
    # its version).
    docs = replace_model(docs, model("silver-fail", "team:beta", tools=[{"tool": "tool:refunds"}],
                                     data_classes=["pii"]))
    docs = replace_model(docs, model("all-pass", "team:alpha", risk_tier="low", version=None))
    edit(project, docs)
    shutil.copy(record, project / "copy.jsonl")
    data = scorecard_json(capsys, project, "--record", record)
    first, second = lines(record)
    assert data["history"]["entries"] == [first, second]
    changes = data["history"]["changes"]
    assert changes == {
        "since": first["time"],
        "organization": {"from": {"level": None, "score": 79},
                         "to": {"level": None, "score": 79}},
        "models_moved": [
            {"ref": "model:all-pass", "from": "gold", "to": "silver", "change": "level"},
            {"ref": "model:silver-fail", "from": "bronze", "to": "gold", "change": "level"},
        ],
        "started_failing": ["SC-GLD-002 model:all-pass"],
        "stopped_failing": ["SC-SLV-001 model:silver-fail"],
        "started_waived": [],
        "stopped_waived": [],
    }
    # The same run in text, recorded into a copy of the first history.
    text = cli(capsys, project, "--record", project / "copy.jsonl").out
    now = lines(project / "copy.jsonl")[-1]["time"]
    trend = text[text.index("Trend (from the history file):"):].splitlines()
    assert trend == [
        "Trend (from the history file):",
        f"  {first['time']}: score 79, level none",
        f"  {now}: score 79, level none",
        "",
        f"Since {first['time']}:",
        "  model:all-pass: gold -> silver",
        "  model:silver-fail: bronze -> gold",
        "  now failing: SC-GLD-002 model:all-pass",
        "  fixed: SC-SLV-001 model:silver-fail",
    ]


def test_history_alone_shows_the_trend_without_recording(project, capsys):
    record = project / "scores.jsonl"
    scorecard_json(capsys, project, "--record", record)
    before = record.read_text()
    data = scorecard_json(capsys, project, "--history", record)
    assert record.read_text() == before
    assert len(data["history"]["entries"]) == 1  # this run is not among them
    # Compared with the previous record, this run is the same.
    change = data["history"]["changes"]
    assert change["models_moved"] == [] and change["started_failing"] == []
    assert "  no change" in cli(capsys, project, "--history", record).out


def test_the_history_file_of_airready_yaml_is_the_default(project, capsys):
    record = project / "scores.jsonl"
    scorecard_json(capsys, project, "--record", record)
    write_estate(project, config={**ESTATE_CONFIG, "history": "scores.jsonl"})
    assert len(scorecard_json(capsys, project)["history"]["entries"]) == 1


def test_a_gap_that_is_waived_is_not_fixed(project, capsys):
    record = project / "scores.jsonl"
    scorecard_json(capsys, project, "--record", record)
    waiver = doc("Waiver", "later", {
        "control": "SC-BRZ-001", "targets": ["model:no-bronze"], "justification": "soon",
        "approved_by": "person:ada", "approved_on": "2026-11-20", "expires": "2027-01-31"})
    edit(project, [*estate_inventory(), waiver])
    since = text_since_last(capsys, project, record)
    assert "  now waived: SC-BRZ-001 model:no-bronze" in since
    assert "fixed" not in since
    changes = scorecard_json(capsys, project, "--record", record)["history"]["changes"]
    assert changes["stopped_failing"] == []
    assert changes["started_waived"] == ["SC-BRZ-001 model:no-bronze"]
    assert changes["models_moved"] == []  # waived still counts against: still no level
    edit(project, estate_inventory())  # the waiver is withdrawn
    assert "  now failing: SC-BRZ-001 model:no-bronze" in text_since_last(capsys, project,
                                                                          record)
    changes = scorecard_json(capsys, project, "--record", record)["history"]["changes"]
    assert changes["started_failing"] == ["SC-BRZ-001 model:no-bronze"]
    assert changes["stopped_waived"] == []  # it fails again: not "no longer waived"


def test_models_added_and_removed_are_told_apart_from_level_none(project, capsys):
    record = project / "scores.jsonl"
    scorecard_json(capsys, project, "--record", record)
    docs = [d for d in estate_inventory() if d["metadata"]["name"] != "no-bronze"]
    edit(project, [*docs, model("newcomer", "team:alpha")])
    data = scorecard_json(capsys, project, "--record", record)
    assert data["history"]["changes"]["models_moved"] == [
        {"ref": "model:newcomer", "from": None, "to": "gold", "change": "added"},
        {"ref": "model:no-bronze", "from": None, "to": None, "change": "removed"},
    ]
    assert data["history"]["changes"]["stopped_failing"] == ["SC-BRZ-001 model:no-bronze"]
    record.write_text(record.read_text().splitlines(keepends=True)[0])  # the first only
    text = text_since_last(capsys, project, record)
    assert "  model:newcomer: new, at gold" in text
    assert "  model:no-bronze: gone (was none)" in text


def test_a_torn_last_line_is_ignored_and_cut_by_the_next_record(project, capsys):
    record = project / "scores.jsonl"
    scorecard_json(capsys, project, "--record", record)
    good = record.read_text()
    record.write_text(good + good[:40])  # a crash in the middle of the second append
    data = scorecard_json(capsys, project, "--history", record)
    assert len(data["history"]["entries"]) == 1
    data = scorecard_json(capsys, project, "--record", record)
    assert len(data["history"]["entries"]) == 2
    assert len(lines(record)) == 2  # the torn piece is gone, the new line is whole
    assert record.read_text().startswith(good)
    assert len(scorecard_json(capsys, project, "--history", record)["history"]["entries"]) == 2


def test_a_whole_last_entry_missing_only_its_line_break_is_kept(project, capsys):
    record = project / "scores.jsonl"
    scorecard_json(capsys, project, "--record", record)
    record.write_text(record.read_text().rstrip("\n"))
    scorecard_json(capsys, project, "--record", record)
    assert len(lines(record)) == 2


@pytest.mark.parametrize(("content", "message"), [
    ('{"schema_version": 1, "time": "t"}\n{"torn\n{"schema_version": 1}\n',
     "scores.jsonl:2:2: [error] history line is not JSON: Unterminated string"),
    ('{"schema_version": 1}\n\n[1, 2]\n', "scores.jsonl:3:1: [error] not an airready history "
                                          "entry"),
    ('{"schema_version": 2}\n', "scores.jsonl:1:1: [error] not an airready history entry"),
    ('{"schema_version": 1, "organization": "high"}\n',
     "scores.jsonl:1:1: [error] history entry: organization has the wrong type"),
    ('{"schema_version": 1, "failing": [1]}\n',
     "scores.jsonl:1:1: [error] history entry: failing holds something other than text"),
    ('{"schema_version": 1, "commit": 7}\n{"schema_version": 1}\n',
     "scores.jsonl:1:1: [error] history entry: commit has the wrong type"),
])
def test_a_corrupt_history_line_is_an_error_naming_its_line(project, capsys, content, message):
    record = project / "scores.jsonl"
    record.write_text(content)
    for option in ("--history", "--record"):
        done = cli(capsys, project, option, record)
        assert done.code == 2
        assert message in done.out
        assert "1 error: the input is invalid" in done.err
        assert "internal error" not in done.err
    assert record.read_text() == content  # nothing appended after an error


def test_a_history_file_that_is_not_utf8_is_an_error(project, capsys):
    record = project / "scores.jsonl"
    record.write_bytes(b'{"schema_version": 1}\n\xff\xfe\n{"schema_version": 1}\n')
    done = cli(capsys, project, "--history", record)
    assert done.code == 2
    assert "scores.jsonl:2:1: [error] history line is not JSON: not UTF-8" in done.out


def test_read_and_changes_functions(tmp_path):
    path = tmp_path / "h.jsonl"
    assert history.read(path, "h.jsonl") == []  # no file yet: no history
    history.append(path, {"schema_version": 1, "time": "a", "models": {}, "failing": []})
    history.append(path, {"schema_version": 1, "time": "b", "models": {}, "failing": []})
    assert [e["time"] for e in history.read(path, "h.jsonl")] == ["a", "b"]
    before = {"time": "a", "models": {"model:x": {"level": "gold"}}, "failing": ["A x"],
              "waived": ["B x"]}
    after = {"time": "b", "models": {"model:x": {"level": "gold"}}, "failing": ["B x"],
             "waived": ["A x"]}
    assert history.changes(before, after) == {
        "since": "a", "organization": {"from": None, "to": None}, "models_moved": [],
        "started_failing": ["B x"], "stopped_failing": [],
        "started_waived": ["A x"], "stopped_waived": []}


# --- the commit -----------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com",
                           "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip()


@needs_git
def test_the_commit_is_recorded_inside_a_git_repository(project, capsys):
    git(project, "init", "-q")
    record = project / "scores.jsonl"
    scorecard_json(capsys, project, "--record", record)
    assert lines(record)[-1]["commit"] is None  # a repository without commits yet
    git(project, "add", "airready.yaml", "controls", "inventory")
    git(project, "commit", "-q", "-m", "estate")
    head = git(project, "rev-parse", "HEAD")
    assert len(head) == 40
    scorecard_json(capsys, project, "--record", record)
    assert lines(record)[-1]["commit"] == head
    assert f"({head[:10]})" in cli(capsys, project, "--history", record).out


# --- rendering what the file holds ----------------------------------------------------------------

def test_history_text_is_escaped_in_markdown_and_kept_to_one_line_in_text(project, capsys):
    record = project / "scores.jsonl"
    hostile = "<b>x</b> | [y](http://evil.example)\n# injected"
    entry = {"schema_version": 1, "time": hostile, "commit": "`abc`<i>def",
             "organization": {"level": "<s>gold</s>", "score": 1},
             "models": {"model:gone": {"level": "gold"}}, "failing": [hostile]}
    record.write_text(json.dumps(entry) + "\n")
    md = cli(capsys, project, "--format", "markdown", "--history", record).out
    trend = md[md.index("## Trend"):]
    for raw in ("<b>", "](http", "<s>", "`abc`", "<i>", "| [y]"):
        assert not unescaped(raw, trend), raw
    assert "\n# injected" not in trend
    assert "\\<b\\>x\\</b\\> \\| \\[y\\](`http://evil.example`) # injected" in trend
    text = cli(capsys, project, "--history", record).out
    assert "\n# injected" not in text
    assert "<b>x</b> | [y](http://evil.example)\\n# injected" in text
