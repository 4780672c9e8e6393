"""``register update`` as a careful user needs it: one run at a time, nothing stale written,
the register's own layout, comments and line endings kept, its permissions respected.

The project is the one of test_register.py: two models, two controls, one incident and a
hand-written register.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projectkit import run
from test_register import HAND, RECURRING, REGISTER, TODAY, project, update

from airready.postincident import register

# airready itself, with a pause just before it writes, so that parallel runs overlap for
# certain: without the lock each would then write (or refuse to write) from a stale read.
SLOW = """\
import sys, time
import airready.cli as cli
import airready.postincident.register as register
save = register.save
def slow(update):
    time.sleep(1.5)
    return save(update)
register.save = slow  # the command imports it when it runs
cli.main(sys.argv[1:])
"""


def run_cli(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", SLOW, "register", "update", "--project",
                             str(root), "--today", TODAY], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def log_entries(root: Path) -> list[dict[str, object]]:
    log = root / "reports" / ".register-log.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_three_parallel_runs_leave_the_file_one_run_leaves(tmp_path):
    one = project(tmp_path / "one", RECURRING)
    many = project(tmp_path / "many", RECURRING)
    single = run_cli(one)
    assert single.wait(timeout=120) == 0, single.stderr.read() if single.stderr else ""
    children = [run_cli(many) for _ in range(3)]
    outputs = [child.communicate(timeout=180) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], outputs
    assert (many / REGISTER).read_bytes() == (one / REGISTER).read_bytes()
    # one run changed the register; the two that waited found it up to date
    assert sum("no changes" in err for _, err in outputs) == 2
    assert len(log_entries(many)) == len(log_entries(one)) == 1
    assert sorted(os.listdir(many / "reports")) == sorted(os.listdir(one / "reports"))


def test_an_input_that_changes_during_the_update_is_read_again(tmp_path, capsys, monkeypatch):
    root = project(tmp_path, HAND)
    calls: list[int] = []
    plan = register.plan_update

    def plan_then_touch(*args, **kwargs):
        calls.append(1)
        planned = plan(*args, **kwargs)
        if len(calls) == 1:  # an editor saves a model while the audit runs
            models = root / "inventory" / "models.yaml"
            models.write_text(models.read_text() + "\n")
        return planned

    monkeypatch.setattr(register, "plan_update", plan_then_touch)  # imported at run time
    result = update(capsys, root)
    assert result.code == 0, result.err
    assert len(calls) == 2


def test_a_register_changed_after_it_was_read_is_not_written_over(tmp_path, capsys):
    from airready.audit import load_all, run_check
    from airready.inventory.config import load_project
    from airready.inventory.problems import InputError
    from airready.rules.selection import select

    root = project(tmp_path, HAND)
    proj = load_project(root, root)
    loaded = load_all(proj)
    result = run_check(loaded, __import__("datetime").date(2026, 11, 25),
                       select(loaded.catalog, loaded.inventory)).result
    planned = register.plan_update(proj, result, result.today)
    edited = HAND.replace("impact: 3", "impact: 4")
    (root / REGISTER).write_text(edited)  # someone's edit lands in between
    with pytest.raises(InputError, match="changed while the update"):
        register.save(planned)
    assert (root / REGISTER).read_text() == edited


def test_a_read_only_register_is_refused(tmp_path, capsys):
    root = project(tmp_path, HAND)
    (root / REGISTER).chmod(0o444)
    result = update(capsys, root)
    assert result.code == 2
    assert f"cannot write {REGISTER}" in result.err or "read-only" in result.err
    assert "read-only" in result.err and "internal error" not in result.err
    assert (root / REGISTER).read_text() == HAND
    assert update(capsys, root, "--dry-run").code == 0  # reading it is fine


def test_a_symlinked_register_is_edited_in_its_target(tmp_path, capsys):
    root = project(tmp_path, None)
    shared = root / "shared"
    shared.mkdir()
    (shared / "register.yaml").write_text(HAND)
    (root / REGISTER).symlink_to(shared / "register.yaml")
    result = update(capsys, root)
    assert result.code == 0, result.err
    assert (root / REGISTER).is_symlink()
    assert (shared / "register.yaml").read_text().startswith(HAND)
    assert "risk-inc-1" in (shared / "register.yaml").read_text()


def test_a_register_symlinked_out_of_the_project_is_refused(tmp_path, capsys):
    root = project(tmp_path, None)
    outside = tmp_path / "outside.yaml"
    outside.write_text(HAND)
    (root / REGISTER).symlink_to(outside)
    result = update(capsys, root)
    assert result.code == 2
    assert outside.read_text() == HAND
    assert "internal error" not in result.err


def test_comments_in_a_block_list_stay_with_their_items(tmp_path, capsys):
    text = HAND.replace("  controls: [T-LOG-001, T-VER-001]\n", """\
  controls:   # what fails on the models
    # retired, but still listed
    - T-OLD-001   # gone soon
    # the log control, since the audit
    - T-LOG-001   # inputs
""")
    root = project(tmp_path, text)
    assert update(capsys, root).code == 0
    written = (root / REGISTER).read_text()
    assert """\
  controls:   # what fails on the models
    # retired, but still listed
    # the log control, since the audit
    - T-LOG-001   # inputs
    - T-VER-001
  # next review at the forum
""" in written
    assert "T-OLD-001" not in written
    assert run(capsys, "validate", "--project", root).code == 0
    assert update(capsys, root).out == ""  # a second run changes nothing


FLOW_SPEC = HAND + """\
---
apiVersion: airready/v1
kind: Risk
metadata: {name: bot-injection, owner: team:ml}
spec: {title: 'Bot is jailbroken',   # short on purpose
       models: [model:bot],
       category: prompt_injection,
       likelihood: 2,    # a guess
       impact: 4, status: mitigating,
       # where it came from
       source: T-LOG-001}
"""


def test_a_multi_line_flow_mapping_keeps_its_lines_and_comments(tmp_path, capsys):
    root = project(tmp_path, FLOW_SPEC)
    assert update(capsys, root).code == 0
    written = (root / REGISTER).read_text()
    assert "spec: {title: 'Bot is jailbroken',   # short on purpose\n" in written
    assert "       likelihood: 3,    # a guess\n" in written
    assert "       # where it came from\n       source: T-LOG-001,\n" in written
    assert "       incidents: [incident:inc-1],\n" in written
    assert run(capsys, "validate", "--project", root).code == 0
    assert update(capsys, root).out == ""


def test_cr_only_line_endings_are_kept(tmp_path, capsys):
    root = project(tmp_path, None)
    (root / REGISTER).write_bytes(RECURRING.replace("\n", "\r").encode())
    result = update(capsys, root)
    assert result.code == 0, result.err
    data = (root / REGISTER).read_bytes()
    assert b"\n" not in data
    assert b"  likelihood: 3   # a guess\r  impact: 4\r" in data
    assert update(capsys, root).out == ""


def test_mixed_line_endings_are_refused_with_the_line(tmp_path, capsys):
    root = project(tmp_path, None)
    mixed = HAND.replace("  impact: 3\n", "  impact: 3\r")
    (root / REGISTER).write_bytes(mixed.encode())
    result = update(capsys, root)
    assert result.code == 2
    assert f"{REGISTER}:13:1: [error]" in result.out and "line endings" in result.out
    assert (root / REGISTER).read_bytes() == mixed.encode()


def test_a_missing_reports_folder_is_an_error_not_created(tmp_path, capsys):
    root = project(tmp_path, None, incident=None)
    shutil.rmtree(root / "reports", ignore_errors=True)
    result = update(capsys, root)
    assert result.code == 2
    assert "does not exist" in result.err
    assert not (root / "reports").exists()
