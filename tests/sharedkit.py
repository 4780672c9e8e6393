"""Where ``../shared`` is: beside every checkout and CI clone (never needed at run time).

Tests that read it fail, never skip, when a file is missing: CI always has it.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXTERNAL = SHARED / "external"


def shared_text(path: Path) -> str:
    """A ``../shared`` file's text, read when a module is collected; "" when it is missing,
    so that collection goes on and the module's own tests fail, the first of them naming
    the missing file (``assert_present``), rather than the whole run stopping."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def assert_present(path: Path) -> None:
    assert path.is_file(), (f"{path} is missing: ../shared sits beside every checkout and "
                            "CI clone, and these tests read it")
