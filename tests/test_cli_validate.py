"""``airready validate`` and ``airready schema`` as a user runs them: exit codes, help,
finding the project, and no traceback ever."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from validatekit import builtin_catalog_once, run  # noqa: F401 - a fixture, used by name

import airready.cli
from airready import __version__
from airready.inventory.kinds import KINDS
from airready.inventory.schema_export import COMBINED_NAME, SHIPPED_DIR

ORG = "apiVersion: airready/v1\nkind: Organization\nmetadata: {name: acme}\n"


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRREADY_DEBUG", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "estate"
    (root / "inventory" / "models").mkdir(parents=True)
    (root / "airready.yaml").write_text("inventory: [inventory]\n", encoding="utf-8")
    (root / "inventory" / "org.yaml").write_text(ORG, encoding="utf-8")
    return root


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


# --- exit codes -----------------------------------------------------------------------------

def test_valid_project(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "validate", "--project", str(project)) == (
        0, "", "ok: 1 entity in 1 file\n")


def test_invalid_project(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "inventory" / "models" / "bot.yaml", """\
        apiVersion: airready/v1
        kind: Model
        metadata: {name: bot}
        spec: {lifecycle: live}
    """)
    code, out, err = run(capsys, "validate", "--project", str(project))
    assert code == 2
    assert out == (
        "inventory/models/bot.yaml:3:11: [error] metadata.owner: required field 'owner' is "
        "missing: a Model needs an owner (person:<name> or team:<name>) (schema)\n"
        "inventory/models/bot.yaml:4:19: [error] spec.lifecycle: 'live' is not one of "
        "production, pilot, staging, experimental, retired (schema)\n")
    assert err == "2 errors, 0 warnings: the inventory is invalid\n"


def test_problems_on_stdout_summary_on_stderr(project: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "inventory" / "bad.yaml", "a: [\n")
    code, out, err = run(capsys, "validate", "--project", str(project))
    assert code == 2
    assert out.startswith("inventory/bad.yaml:2:1: [error] YAML does not parse")
    assert "1 error, 0 warnings: the inventory is invalid" in err and "warnings" not in out


# --- help, version, misuse ------------------------------------------------------------------

@pytest.mark.parametrize("command", ["validate", "schema"])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(command: str, flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, command, flag)
    assert code == 0
    assert out.startswith(f"Usage: airready {command} [OPTIONS]")
    assert err == ""


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
    return paths


@pytest.mark.parametrize("path", _command_paths(airready.cli.cli), ids=" ".join)
def test_help_on_every_command(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *path, "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"Usage: airready {' '.join(path)} ")


def test_help_names_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--project DIRECTORY" in run(capsys, "validate", "--help")[1]
    assert "--out DIRECTORY" in run(capsys, "schema", "--help")[1]


def test_top_level_help_lists_both(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "validate" in out and "schema" in out and "--version" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"airready, version {__version__}\n", "")


@pytest.mark.parametrize("args", [
    ("validate", "--bogus"),
    ("validate", "--project"),
    ("validate", "extra-argument"),
    ("schema", "--bogus"),
    ("--bogus",),
    ("no-such-command",),
])
def test_misuse_is_exit_2(args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert "Error:" in err and "Traceback" not in err


def test_unknown_flag_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert "No such option '--bogus'" in run(capsys, "validate", "--bogus")[2]


def test_python_dash_m(project: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "airready", "validate", "--project",
                             str(project)], capture_output=True, text=True, timeout=60,
                            check=False)
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "", "ok: 1 entity in 1 file\n")


# --- finding the project --------------------------------------------------------------------

def test_found_by_walking_up(project: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "inventory" / "models" / "bot.yaml", """\
        apiVersion: airready/v1
        kind: Model
        metadata: {name: bot, owner: person:nobody}
    """)
    monkeypatch.chdir(project / "inventory" / "models")
    code, out, _ = run(capsys, "validate")
    assert code == 2
    # Paths stay relative to the project folder, wherever the command runs.
    assert out.startswith("inventory/models/bot.yaml:3:30: [error] metadata.owner: ")


def test_project_option_wins_over_the_current_folder(project: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other"
    write(other / "airready.yaml", "inventory: [inventory]\n")
    write(other / "inventory" / "a.yaml", "- not a mapping\n")
    monkeypatch.chdir(other)
    assert run(capsys, "validate")[0] == 2
    assert run(capsys, "validate", "--project", str(project))[0] == 0


def test_relative_project_option(project: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "inventory" / "bad.yaml", "a: [\n")
    monkeypatch.chdir(project.parent)
    code, out, _ = run(capsys, "validate", "--project", "estate")
    assert code == 2
    assert out.startswith("inventory/bad.yaml:2:1: ")


def test_no_project_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "validate")
    assert code == 2
    assert out == (f"airready.yaml:1:1: [error] no airready.yaml in {tmp_path.resolve()} or any "
                   "folder above it (use --project DIR, or airready init DIR) (config)\n")
    assert err == "1 error: the input is invalid\n"


def test_project_option_without_a_project(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", "--project", str(tmp_path))
    assert code == 2
    assert out == (f"{tmp_path.as_posix()}/airready.yaml:1:1: [error] no airready.yaml in "
                   f"{tmp_path} (airready init DIR creates a project) (config)\n")


def test_project_option_that_is_a_file(project: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", "--project", str(project / "airready.yaml"))
    assert code == 2
    assert "is a file" in err


def test_invalid_project_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "airready.yaml", "inventory: [inventory]\nfail_on: never\n")
    code, out, err = run(capsys, "validate", "--project", str(project))
    assert code == 2
    assert out == ("airready.yaml:2:10: [error] fail_on: 'never' is not one of critical, high, "
                   "medium, low, none (config)\n")
    assert err == "1 error: the input is invalid\n"


def test_configured_inventory_path_missing(project: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "airready.yaml", "inventory: [inventory, shared/vendors]\n")
    code, out, _ = run(capsys, "validate", "--project", str(project))
    assert code == 2
    assert out == ("airready.yaml:1:24: [error] inventory: 'shared/vendors' does not exist "
                   "(config)\n")


# --- no traceback, ever ---------------------------------------------------------------------

def _explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_internal_error_is_short(project: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(airready.cli, "load_checked_inventory", _explode)
    code, out, err = run(capsys, "validate", "--project", str(project))
    assert code == 2
    assert out == ""
    assert err == ("airready: internal error: RuntimeError: boom (rerun with --debug for the "
                   "traceback)\n")


def test_internal_error_with_debug(project: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(airready.cli, "load_checked_inventory", _explode)
    code, _, err = run(capsys, "--debug", "validate", "--project", str(project))
    assert code == 2
    assert err.startswith("Traceback (most recent call last):")
    assert "RuntimeError: boom" in err
    assert err.endswith("airready: internal error: RuntimeError: boom (rerun with --debug for "
                        "the traceback)\n")


def test_internal_error_with_debug_from_the_environment(
        project: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(airready.cli, "load_checked_inventory", _explode)
    monkeypatch.setenv("AIRREADY_DEBUG", "1")
    assert "Traceback" in run(capsys, "validate", "--project", str(project))[2]


def test_internal_error_in_the_schema_command(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(airready.cli, "combined_schema", _explode)
    code, _, err = run(capsys, "schema")
    assert code == 2
    assert "Traceback" not in err and "internal error: RuntimeError: boom" in err


# --- airready schema ------------------------------------------------------------------------

def test_schema_prints_the_combined_schema(capsys: pytest.CaptureFixture[str]) -> None:
    # The shipped files are what the models generate (tests/test_schema.py checks that).
    code, out, err = run(capsys, "schema")
    assert (code, err) == (0, "")
    assert out == (SHIPPED_DIR / COMBINED_NAME).read_text(encoding="utf-8")
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_out_writes_one_file_per_kind(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "schemas"
    (out_dir / "Model.schema.json").parent.mkdir()
    shutil.copy(SHIPPED_DIR / "Model.schema.json", out_dir)  # already up to date
    code, out, err = run(capsys, "schema", "--out", str(out_dir))
    shipped = sorted(p.name for p in SHIPPED_DIR.glob("*.json"))
    assert (code, out) == (0, "")
    assert err == f"wrote {len(shipped) - 1} schema files to {out_dir} (1 unchanged)\n"
    assert sorted(p.name for p in out_dir.iterdir()) == shipped
    assert sorted(shipped) == sorted([f"{kind}.schema.json" for kind in KINDS] + [COMBINED_NAME])
    for name in shipped:
        assert (out_dir / name).read_bytes() == (SHIPPED_DIR / name).read_bytes()
