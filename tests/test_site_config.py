"""The site's mkdocs.yml is project input: checked before MkDocs, whose loader runs code, reads it.

A pull request that edits mkdocs.yml must not run code (``!!python/object/apply``, hooks),
read the runner's environment (``!ENV``), publish files from outside the project
(``docs_dir``) or make MkDocs empty a folder outside it (``site_dir``), and the folders
airready writes (docs/) must not lead elsewhere through a symlink.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from projectkit import run

TODAY = "2026-11-25"


@pytest.fixture
def project(tmp_path: Path, capsys) -> Path:
    root = tmp_path / "proj"
    assert run(capsys, "init", root).code == 0
    return root


def build(capsys, root: Path):
    return run(capsys, "site", "build", "--project", root, "--today", TODAY, "--markdown-only")


def set_config(root: Path, old: str, new: str) -> None:
    config = root / "site" / "mkdocs.yml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))


def test_the_starter_site_builds_with_its_one_python_name(project, capsys):
    result = build(capsys, project)
    assert result.code == 0, result.err
    assert (project / "site" / "docs" / "index.md").is_file()


@pytest.mark.parametrize("value", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    "!!python/object/new:os.system [\"touch {marker}\"]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!ENV [HOME, x]",
    "!relative $config_dir",
])
def test_a_dangerous_tag_is_refused_before_mkdocs_reads_the_file(project, tmp_path, capsys,
                                                                 value):
    marker = tmp_path / "pwned"
    set_config(project, "site_description: Readiness",
               "site_description: " + value.format(marker=marker) + "\nsite_author: Readiness")
    result = build(capsys, project)
    assert result.code == 2
    assert "site/mkdocs.yml:6:19: [error]" in result.out
    assert "not allowed" in result.out
    assert not marker.exists()
    assert "internal error" not in result.err


def test_a_tag_nested_deep_in_the_configuration_is_found(project, tmp_path, capsys):
    marker = tmp_path / "pwned"
    set_config(project, "          format: !!python/name:pymdownx.superfences.fence_code_format",
               "          format: !!python/name:pymdownx.superfences.fence_code_format\n"
               f"          extra: [{{a: !!python/object/apply:os.system ['touch {marker}']}}]")
    lines = (project / "site" / "mkdocs.yml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "os.system" in text)
    result = build(capsys, project)
    assert result.code == 2
    assert f"site/mkdocs.yml:{line}:23:" in result.out and not marker.exists()


def test_hooks_are_refused(project, tmp_path, capsys):
    marker = tmp_path / "pwned"
    (project / "site" / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    set_config(project, "plugins:\n", "hooks:\n  - evil.py\nplugins:\n")
    result = build(capsys, project)
    assert result.code == 2
    assert "hooks" in result.out and not marker.exists()


def test_an_inherited_file_is_checked_too(project, tmp_path, capsys):
    marker = tmp_path / "pwned"
    (project / "site" / "base.yml").write_text(
        f"site_author: !!python/object/apply:os.system ['touch {marker}']\n")
    set_config(project, "site_name:", "INHERIT: base.yml\nsite_name:")
    result = build(capsys, project)
    assert result.code == 2
    assert "base.yml" in result.out and not marker.exists()


def test_docs_dir_elsewhere_is_refused(project, tmp_path, capsys):
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "token.md").write_text("s3cret")
    set_config(project, "docs_dir: docs", f"docs_dir: {secrets}")
    result = build(capsys, project)
    assert result.code == 2
    assert "docs_dir" in result.out and "s3cret" not in result.out + result.err


def test_site_dir_outside_the_site_folder_is_refused(project, tmp_path, capsys):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    set_config(project, "site_dir: public", f"site_dir: {precious}")
    result = run(capsys, "site", "build", "--project", project, "--today", TODAY)
    assert result.code == 2
    assert "site_dir" in result.out
    assert (precious / "keep.txt").read_text() == "keep"


def test_a_docs_folder_symlinked_out_of_the_site_is_refused(project, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.md").write_text("keep")
    (project / "site" / "docs").symlink_to(elsewhere, target_is_directory=True)
    result = build(capsys, project)
    assert result.code == 2
    assert "symlink" in result.out
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.md"]


def test_a_page_symlinked_out_of_docs_is_refused_and_its_target_kept(project, tmp_path, capsys):
    assert build(capsys, project).code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("safe")
    page = project / "site" / "docs" / "index.md"
    page.unlink()
    page.symlink_to(victim)
    result = build(capsys, project)
    assert result.code == 2
    assert "index.md" in result.err and "outside" in result.err
    assert victim.read_text() == "safe"


def test_a_stale_symlink_in_docs_is_removed_not_followed(project, tmp_path, capsys):
    assert build(capsys, project).code == 0
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "file.txt").write_text("keep")
    (project / "site" / "docs" / "old").symlink_to(keep, target_is_directory=True)
    assert build(capsys, project).code == 0
    assert not (project / "site" / "docs" / "old").exists()
    assert (keep / "file.txt").read_text() == "keep"
