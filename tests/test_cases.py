"""Folders of projects, each run through ``airready validate``: exact output, exact exit code.

Every folder under tests/cases/invalid/ and tests/cases/valid/ is one test (see
tests/cases/README.md): adding a case is adding a folder.  ``AIRREADY_REGEN=1`` rewrites
each case's expected.txt from what airready prints now; read the diff before keeping it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from validatekit import builtin_catalog_once, run  # noqa: F401 - a fixture, used by name

CASES = Path(__file__).parent / "cases"
REGEN = os.environ.get("AIRREADY_REGEN") == "1"
EXPECTED = "expected.txt"


def _folders(group: str) -> list[Path]:
    return sorted(p for p in (CASES / group).iterdir() if p.is_dir())


def read_expected(folder: Path) -> tuple[int, str]:
    text = (folder / EXPECTED).read_text(encoding="utf-8")
    first, _, stdout = text.partition("\n")
    match = re.fullmatch(r"exit: (\d+)", first)
    assert match, f"{folder.name}/{EXPECTED} must start with 'exit: N'"
    return int(match[1]), stdout


def check_case(folder: Path, want_exit: int, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", "--project", str(folder))
    assert "Traceback" not in out + err
    if REGEN:
        (folder / EXPECTED).write_text(f"exit: {code}\n{out}", encoding="utf-8")
    expected_code, expected_out = read_expected(folder)
    assert expected_code == want_exit, f"a case under {folder.parent.name}/ exits {want_exit}"
    assert out == expected_out
    assert code == expected_code
    if want_exit == 0:
        assert err.startswith("ok: ")
    else:  # the summary on standard error counts the problems printed
        assert out.count("[error]") > 0
        errors = out.count("[error]")
        assert re.match(rf"{errors} error{'' if errors == 1 else 's'}\b", err), err


@pytest.mark.parametrize("folder", _folders("invalid"), ids=lambda p: p.name)
def test_invalid_case(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_case(folder, 2, capsys)


@pytest.mark.parametrize("folder", _folders("valid"), ids=lambda p: p.name)
def test_valid_case(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_case(folder, 0, capsys)


def test_every_case_is_a_complete_project() -> None:
    for group in ("invalid", "valid"):
        for folder in _folders(group):
            assert (folder / "airready.yaml").is_file(), folder
            assert (folder / EXPECTED).is_file() or REGEN, folder


def test_there_are_enough_cases() -> None:
    assert len(_folders("invalid")) >= 20
    assert len(_folders("valid")) >= 5
