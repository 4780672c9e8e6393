"""Finding the project's files: nothing skipped in silence, nothing read from outside.

An unreadable folder, a broken symlink, a symlink loop or a FIFO in the inventory is an
error naming the path (exit 2), never passed over so that ``validate`` says "ok".  A
symlink or a configured path that leads out of the project is refused, and what it
points at is never read, so never echoed: a pull request must not be able to make CI
print the runner's files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from projectkit import ORG, control_yaml, make_project, run

from airready.inventory import yamlsource

SECRET = "ghp_s3cr3t-token-of-the-runner"
MODEL = """\
apiVersion: airready/v1
kind: Model
metadata: {name: bot, owner: team:ml}
spec: {version: "1.0"}
---
apiVersion: airready/v1
kind: Team
metadata: {name: ml}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", files={"inventory/org.yaml": ORG,
                                                  "inventory/models/bot.yaml": MODEL})


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "runner" / "credentials.yaml"
    path.parent.mkdir()
    path.write_text(f"token: {SECRET}\n- not: [valid yaml {SECRET}\n")
    return path


def validate(capsys, root: Path):
    return run(capsys, "validate", "--project", root)


def problem_lines(result) -> list[str]:
    return [line for line in result.out.splitlines() if ": [error] " in line]


def test_a_clean_inventory_is_ok(project, capsys):
    result = validate(capsys, project)
    assert result.code == 0, result.out + result.err


def test_a_broken_symlink_is_an_error_naming_it(project, capsys):
    (project / "inventory" / "gone.yaml").symlink_to(project / "inventory" / "nowhere.yaml")
    result = validate(capsys, project)
    assert result.code == 2
    assert problem_lines(result) == [
        "inventory/gone.yaml:1:1: [error] a broken symlink: what it points to "
        f"({str(project / 'inventory' / 'nowhere.yaml')!r}) does not exist (file)"]


def test_a_broken_symlink_to_a_folder_is_an_error_too(project, capsys):
    (project / "inventory" / "more-models").symlink_to(project / "old-models")
    result = validate(capsys, project)
    assert result.code == 2
    assert problem_lines(result)[0].startswith("inventory/more-models:1:1: [error] a broken")


def test_a_symlink_loop_is_an_error(project, capsys):
    inventory = project / "inventory"
    (inventory / "a.yaml").symlink_to(inventory / "b.yaml")
    (inventory / "b.yaml").symlink_to(inventory / "a.yaml")
    result = validate(capsys, project)
    assert result.code == 2
    lines = problem_lines(result)
    assert [line.split(":")[0] for line in lines] == ["inventory/a.yaml", "inventory/b.yaml"]
    assert all("symlink loop" in line for line in lines)


def test_a_linked_folder_that_leads_back_is_an_error_not_endless(project, capsys):
    (project / "inventory" / "models" / "again").symlink_to(project / "inventory")
    result = validate(capsys, project)
    assert result.code == 2
    assert problem_lines(result) == [
        "inventory/models/again:1:1: [error] a symlink to a folder searched already (a loop, "
        "or its files would be read twice): not followed (file)"]


def test_a_linked_folder_inside_the_project_is_searched(project, capsys):
    shared = project / "shared"
    shared.mkdir()
    (shared / "vendor.yaml").write_text(
        "apiVersion: airready/v1\nkind: Vendor\nmetadata: {name: acme-ai, owner: team:ml}\n")
    (project / "inventory" / "shared").symlink_to(shared, target_is_directory=True)
    result = validate(capsys, project)
    assert result.code == 0, result.out
    assert "ok: 4 entities in 3 files" in result.err


def test_an_unreadable_folder_is_an_error(project, capsys, monkeypatch):
    models = str(project / "inventory" / "models")
    scandir = os.scandir

    def refuse(path):  # what chmod 000 does for anyone but root (CI runs as root)
        if str(path) == models:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(yamlsource.os, "scandir", refuse)
    result = validate(capsys, project)
    assert result.code == 2
    assert problem_lines(result) == [
        "inventory/models:1:1: [error] cannot read the folder: Permission denied (file)"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder; the test above "
                    "covers it by refusing the listing")
def test_an_unreadable_folder_is_an_error_for_real(project, capsys):
    models = project / "inventory" / "models"
    models.chmod(0)
    try:
        result = validate(capsys, project)
    finally:
        models.chmod(0o755)
    assert result.code == 2 and "inventory/models:1:1: [error] cannot read" in result.out


def test_an_unreadable_file_is_an_error(project, capsys, monkeypatch):
    real_open = open

    def refuse(path, *args, **kwargs):
        if str(path).endswith("bot.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(yamlsource, "open", refuse, raising=False)
    result = validate(capsys, project)
    assert result.code == 2
    assert problem_lines(result)[0] == (
        "inventory/models/bot.yaml:1:1: [error] cannot read the file: Permission denied (yaml)")


def test_a_fifo_named_yaml_is_an_error_and_never_opened(project, capsys):
    os.mkfifo(project / "inventory" / "pipe.yaml")  # opening it to read would hang
    result = validate(capsys, project)
    assert result.code == 2
    assert problem_lines(result) == [
        "inventory/pipe.yaml:1:1: [error] not a regular file or folder (a FIFO, socket or "
        "device): not read (file)"]


def test_a_symlink_out_of_the_project_is_refused_and_never_read(project, secret, capsys):
    (project / "inventory" / "creds.yaml").symlink_to(secret)
    for command in ("validate", "check"):
        result = run(capsys, command, "--project", project)
        assert result.code == 2
        assert SECRET not in result.out + result.err
        assert ("inventory/creds.yaml:1:1: [error] a symlink that leads outside the project "
                "folder") in result.out


def test_a_linked_folder_out_of_the_project_is_refused(project, secret, capsys):
    (project / "inventory" / "runner").symlink_to(secret.parent, target_is_directory=True)
    result = validate(capsys, project)
    assert result.code == 2
    assert SECRET not in result.out + result.err
    assert "inventory/runner:1:1: [error] a symlink that leads outside" in result.out


@pytest.mark.parametrize(("key", "value", "where"), [
    ("inventory", "[inventory, ../runner]", "1:24"),
    ("waivers", "[../runner/credentials.yaml]", "2:11"),
    ("controls", "[builtin, ../runner]", "2:21"),
    ("reports", "../runner", "2:10"),
    ("baseline", "../runner/credentials.yaml", "2:11"),
    ("history", "../runner/credentials.yaml", "2:10"),
    ("site", "../runner", "2:7"),
])
def test_a_configured_path_out_of_the_project_is_refused(project, secret, capsys, key, value,
                                                        where):
    if key == "inventory":
        config = f"inventory: {value}\n"
    else:
        config = f"inventory: [inventory]\n{key}: {value}\n"
    (project / "airready.yaml").write_text(config)
    for command in (("validate",), ("check",), ("scorecard",), ("site", "build")):
        result = run(capsys, *command, "--project", project)
        assert result.code == 2, (command, result.out, result.err)
        assert SECRET not in result.out + result.err
        assert f"airready.yaml:{where}: [error] {key}: " in result.out
        assert "leads outside the project folder" in result.out


def test_an_absolute_configured_path_is_refused(project, secret, capsys):
    (project / "airready.yaml").write_text(f"inventory: [{secret.parent}]\n")
    result = validate(capsys, project)
    assert result.code == 2
    assert SECRET not in result.out + result.err


def test_a_project_control_folder_is_searched_the_same_way(project, capsys):
    (project / "airready.yaml").write_text("inventory: [inventory]\ncontrols: [builtin, own]\n")
    (project / "own").mkdir()
    (project / "own" / "c.yaml").write_text(control_yaml("OWN-VER-001"))
    (project / "own" / "gone.yaml").symlink_to(project / "own" / "missing.yaml")
    result = run(capsys, "check", "--project", project)
    assert result.code == 2
    assert "own/gone.yaml:1:1: [error] a broken symlink" in result.out


def test_find_yaml_files_without_a_problem_list_raises_rather_than_skips(tmp_path):
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    with pytest.raises(Exception, match="broken symlink"):
        list(yamlsource.find_yaml_files(tmp_path))
