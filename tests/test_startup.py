"""Start-up and exit: the heavy libraries load only in the commands that use them, and the
process entry point delivers all its output and its exit code though it skips teardown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("networkx", "ruamel", "jinja2", "mkdocs")


def _python(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIRREADY_TODAY": "2026-11-25", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          cwd=REPO, env=env, input=stdin, timeout=300)


def _loaded_after(code: str) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"print('loaded:', *(m for m in {HEAVY!r} if m in sys.modules))")
    done = _python("-c", probe)
    assert done.returncode == 0, done.stderr
    last = done.stdout.splitlines()[-1]
    assert last.startswith("loaded:")
    return last.split()[1:]


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import airready.cli") == []


def test_check_and_validate_load_no_heavy_library() -> None:
    for command in ("check --fail-on none", "validate"):
        code = ("import airready.cli\ntry:\n"
                f"    airready.cli.main({command.split()!r})\nexcept SystemExit:\n    pass")
        assert _loaded_after(code) == [], command


def test_blast_radius_still_has_its_graph() -> None:
    done = _python("-m", "airready", "blast-radius", "model:support-assistant",
                   "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["start"] == "model:support-assistant"


@pytest.mark.parametrize(("args", "code"), [
    (["check", "--fail-on", "none"], 0),
    (["check", "--fail-on", "low"], 1),
    (["check", "--no-such-flag"], 2),
])
def test_the_process_exits_with_the_command_s_code(args: list[str], code: int) -> None:
    done = _python("-m", "airready", *args)
    assert done.returncode == code, done.stderr


def test_the_process_delivers_all_of_a_large_output() -> None:
    done = _python("-m", "airready", "check", "--format", "json")
    assert done.returncode == 1
    document = json.loads(done.stdout)  # cut short, it would not parse
    assert document["summary"]["pass"] > 100 and len(done.stdout) > 100_000


def test_the_process_entry_point_matches_main_in_process(
        capsys: pytest.CaptureFixture[str]) -> None:
    from airready.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--project", str(REPO), "--today", "2026-11-25", "--fail-on", "none"])
    assert exit_info.value.code == 0
    in_process = capsys.readouterr().out
    done = _python("-m", "airready", "check", "--fail-on", "none")
    assert done.stdout == in_process
