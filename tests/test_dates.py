"""Dates and durations at the edges: a clear validation error or a working audit, never an
OverflowError; ``--today`` and ``$AIRREADY_TODAY`` take YYYY-MM-DD only, and empty is an error.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from projectkit import ORG, make_project, run
from sharedkit import REPO

from airready.inventory.fields import MAX_DATE, MAX_DURATION, parse_duration


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled Harbourline project, copied: every kind of date and duration in use."""
    root = tmp_path_factory.mktemp("example")
    for name in ("airready.yaml", "inventory", "controls", "reports"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    shutil.copytree(REPO / "site", root / "site",
                    ignore=shutil.ignore_patterns("docs", "public", "assets"))
    return root


def rewrite(root: Path, pattern: str, replacement: Any) -> int:
    count = 0
    for path in sorted((root / "inventory").rglob("*.yaml")) + sorted(
            (root / "reports").rglob("*.yaml")):
        text, done = re.subn(pattern, replacement, path.read_text(), flags=re.MULTILINE)
        path.write_text(text)
        count += done
    return count


COMMANDS = [("validate",), ("check", "--fail-on", "none"), ("scorecard",), ("incidents",),
            ("runbook", "model:support-assistant"),
            ("blast-radius", "dataset:fraud-labels-2026"),
            ("register", "update", "--dry-run"), ("site", "build", "--markdown-only")]


def test_dates_near_the_end_and_durations_at_their_longest_work(example, capsys):
    # Every date 6,800 years on (a multiple of 400: the same calendar, leap days included),
    # every duration 100 years, and today the last day there is.
    last = MAX_DATE.isoformat()
    assert rewrite(example, r"\b(\d{4})(?=-\d{2}-\d{2}(?:[T\s,}\]\"']|$))",
                   lambda m: str(int(m.group(1)) + 6800)) > 100
    assert rewrite(example, r"(?<=: )(P(\d+[WD])+|PT\d+[HMS]|\d+[smhdw])(?=[\s,}\]]|$)",
                   f"{MAX_DURATION.days}d") > 10
    for command in COMMANDS:
        result = run(capsys, *command, "--project", example, env={"AIRREADY_TODAY": last})
        assert "internal error" not in result.err, (command, result.err)
        assert result.code in (0, 1), (command, result.out[-2000:], result.err[-2000:])


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "9000-12-31T23:59:59-12:00"])
def test_a_date_beyond_the_range_is_a_validation_error(tmp_path, capsys, value):
    quoted = f'"{value}"' if "T" in value else value
    root = make_project(tmp_path, files={"inventory/org.yaml": ORG + f"""\
---
apiVersion: airready/v1
kind: Waiver
metadata: {{name: forever, owner: team:ml}}
spec:
  control: AIR-LOG-001
  targets: [team:ml]
  justification: never ends
  approved_by: person:ada
  expires: {quoted}
---
apiVersion: airready/v1
kind: Team
metadata: {{name: ml}}
---
apiVersion: airready/v1
kind: Person
metadata: {{name: ada}}
"""})
    result = run(capsys, "validate", "--project", root)
    if value.startswith("9000"):  # a timestamp where a date belongs: refused as such
        assert result.code == 2 and "internal error" not in result.err
        return
    assert result.code == 2, result.out + result.err
    assert re.search(r"inventory/org.yaml:14:12: \[error\] spec.expires: .*out of range",
                     result.out), result.out
    assert "internal error" not in result.err


@pytest.mark.parametrize("text", ["9999999999d", "P99999999999W", "PT999999999999999999H",
                                  "36526d", "P5218W"])
def test_an_overlong_duration_is_a_clear_error(text):
    with pytest.raises(ValueError, match="too long for a duration"):
        parse_duration(text)


def test_an_overlong_duration_in_the_inventory_is_a_validation_error(tmp_path, capsys):
    org = ORG.replace("spec: {}", "spec:\n  targets:\n    P1: {detect: 9999999999d}")
    root = make_project(tmp_path, files={"inventory/org.yaml": org})
    result = run(capsys, "validate", "--project", root)
    assert result.code == 2
    assert "inventory/org.yaml:6:18:" in result.out and "too long for a duration" in result.out
    assert "internal error" not in result.err


@pytest.mark.parametrize("bad", ["", "9999-12-31", "20261127", "2026-W48-5", "2026-11-25T10:00",
                                 " 2026-11-25", "2026-02-30"])
def test_today_takes_only_a_real_day_written_yyyy_mm_dd(tmp_path, capsys, bad):
    root = make_project(tmp_path)
    result = run(capsys, "check", "--project", root, "--today", bad)
    assert result.code == 2
    assert result.err.startswith("airready: error: --today: ")
    result = run(capsys, "check", "--project", root, env={"AIRREADY_TODAY": bad})
    assert result.code == 2
    assert result.err.startswith("airready: error: AIRREADY_TODAY: ")


def test_an_empty_today_is_an_error_not_the_current_date(tmp_path, capsys):
    root = make_project(tmp_path)
    for args in (("check", "--today", ""), ("incidents", "--today", ""),
                 ("scorecard", "--today", "")):
        result = run(capsys, *args, "--project", root)
        assert result.code == 2
        assert "an empty value is not a date" in result.err
