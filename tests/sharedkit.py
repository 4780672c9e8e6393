"""Where ``../shared`` is: beside every checkout and CI clone (never needed at run time).

Tests that read it fail, never skip, when a file is missing: CI always has it.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXTERNAL = SHARED / "external"
