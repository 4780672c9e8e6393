"""Scorecard history: one JSON line per recorded run, and what changed between runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from .findings import AuditResult
from .problems import InputError, Problem
from .scorecard import Scorecard

HISTORY_VERSION = 1


def _git_commit(root: Path) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def record(card: Scorecard, result: AuditResult, root: Path,
           now: dt.datetime | None = None) -> dict[str, Any]:
    """The summary of this run as one history entry."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return {
        "schema_version": HISTORY_VERSION,
        "time": now.isoformat(timespec="seconds"),
        "today": card.today.isoformat(),
        "commit": _git_commit(root),
        "organization": {"level": card.organization.level, "score": card.organization.score},
        "models": {m.ref: {"level": m.score.level, "score": m.score.score, "ready": m.ready}
                   for m in card.models},
        "failing": sorted(f"{f.control} {f.target}" for f in result.findings if f.is_gap),
    }


def append(path: Path, entry: dict[str, Any]) -> None:
    """Append one line; a crash mid-write can at worst leave a last partial line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, sort_keys=True) + "\n"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def read(path: Path, shown: str) -> list[dict[str, Any]]:
    """Every entry; a corrupt line is an error naming its line, except a torn last line."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):
                break  # an interrupted append: ignore the torn tail
            raise InputError([Problem(shown, number, exc.colno,
                                      f"history line is not JSON: {exc.msg}",
                                      code="history")]) from None
        if not isinstance(entry, dict) or entry.get("schema_version") != HISTORY_VERSION:
            raise InputError([Problem(shown, number, 1, "not an airready history entry",
                                      code="history")])
        entries.append(entry)
    return entries


def changes(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Models that changed level, and results that started or stopped failing."""
    moved = []
    before_models = previous.get("models", {})
    for ref, now in sorted(current.get("models", {}).items()):
        before = before_models.get(ref)
        if before is None:
            moved.append({"ref": ref, "from": None, "to": now["level"]})
        elif before.get("level") != now["level"]:
            moved.append({"ref": ref, "from": before.get("level"), "to": now["level"]})
    for ref in sorted(set(before_models) - set(current.get("models", {}))):
        moved.append({"ref": ref, "from": before_models[ref].get("level"), "to": None})
    before_failing = set(previous.get("failing", []))
    now_failing = set(current.get("failing", []))
    return {
        "since": previous.get("time"),
        "organization": {"from": previous.get("organization"),
                         "to": current.get("organization")},
        "models_moved": moved,
        "started_failing": sorted(now_failing - before_failing),
        "stopped_failing": sorted(before_failing - now_failing),
    }
