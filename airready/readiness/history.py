"""Scorecard history: one JSON line per recorded run, and what changed between runs.

An entry holds the run's time, the audit day, the git commit of the project (null outside
a repository), the organisation's and every model's level and score, and the results that
fail (``failing``) or are waived (``waived``) as "CONTROL TARGET" strings.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from ..inventory.files import OutputError, open_output, resolve_target
from ..inventory.problems import InputError, Problem
from ..rules.findings import AuditResult
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
    now = now or dt.datetime.now(dt.UTC)
    return {
        "schema_version": HISTORY_VERSION,
        "time": now.isoformat(timespec="seconds"),
        "today": card.today.isoformat(),
        "commit": _git_commit(root),
        "organization": {"level": card.organization.level, "score": card.organization.score},
        "models": {m.ref: {"level": m.score.level, "score": m.score.score, "ready": m.ready}
                   for m in card.models},
        "failing": sorted(f"{f.control} {f.target}" for f in result.findings if f.is_gap),
        "waived": sorted(f"{f.control} {f.target}" for f in result.findings
                         if f.state == "waived"),
    }


def append(path: Path, entry: dict[str, Any]) -> None:
    """Append one line; a crash mid-write can at worst leave a last partial line.

    A partial last line left by an earlier crash (which ``read`` ignores) is cut off
    first: appending to it would glue the new entry onto it and lose both.  Standard
    output (``-``), a FIFO or a device just get the line; a symlink is appended through.
    """
    line = json.dumps(entry, sort_keys=True) + "\n"
    target = resolve_target(path)
    if target.kind != "file":
        with open_output(path) as stream:
            stream.write(line)
        return
    try:
        _append_line(target.real, line)
    except OSError as exc:
        raise OutputError(path, exc.strerror or str(exc)) from None


def _append_line(real: str, line: str) -> None:
    with open(real, "a+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                handle.seek(0)
                data = handle.read()
                start = data.rfind(b"\n") + 1
                if _is_entry(data[start:]):  # complete, only its line break is missing
                    handle.write(b"\n")
                else:
                    handle.truncate(start)
        handle.write(line.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def _is_entry(raw: bytes) -> bool:
    try:
        return _shape_problem(json.loads(raw.decode("utf-8"))) is None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both are
        return False


def _shape_problem(entry: Any) -> str | None:
    """What makes a decoded line unusable as an entry (None: nothing)."""
    if not isinstance(entry, dict) or entry.get("schema_version") != HISTORY_VERSION:
        return "not an airready history entry"
    for key, kinds in (("time", str), ("today", str), ("commit", (str, type(None))),
                       ("organization", dict), ("models", dict), ("failing", list),
                       ("waived", list)):
        if key in entry and not isinstance(entry[key], kinds):
            return f"history entry: {key} has the wrong type"
    for key in ("failing", "waived"):
        if not all(isinstance(item, str) for item in entry.get(key, [])):
            return f"history entry: {key} holds something other than text"
    if not all(isinstance(m, dict) for m in entry.get("models", {}).values()):
        return "history entry: models holds something other than a mapping"
    return None


def read(path: Path, shown: str) -> list[dict[str, Any]]:
    """Every entry; a corrupt line is an error naming its line, except a torn last line.

    Only a regular file is read: reading a FIFO, a terminal or ``/dev/stdout`` (which may
    be the very pipe airready writes to) would wait for ever.
    """
    if not path.exists():
        return []
    if not path.is_file():
        raise InputError([Problem(shown, 1, 1, "the history is not a regular file (a folder, "
                                  "a FIFO or a device): it is not read", code="history")])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(shown, 1, 1, f"cannot read the history file: "
                                  f"{exc.strerror or exc}", code="history")]) from None
    # A torn last line is one with no line break after it.
    torn = bool(data) and not data.endswith(b"\n")
    lines = data.split(b"\n")
    if not torn:
        lines.pop()  # the empty piece after the final line break
    entries = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            if torn and number == len(lines):
                break  # an interrupted append: ignore the torn tail
            column = exc.colno if isinstance(exc, json.JSONDecodeError) else 1
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise InputError([Problem(shown, number, column,
                                      f"history line is not JSON: {reason}",
                                      code="history")]) from None
        problem = _shape_problem(entry)
        if problem is not None:
            raise InputError([Problem(shown, number, 1, problem, code="history")])
        entries.append(entry)
    return entries


def changes(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Models that changed level, and results that started or stopped failing.

    In ``models_moved`` a ``change`` of ``added`` or ``removed`` marks a model that is new
    or gone (its ``from`` or ``to`` is then null, which otherwise means "no level").
    A result that went from failing to waived has not been fixed: it is listed under
    ``started_waived``, not ``stopped_failing``.
    """
    moved = []
    before_models = previous.get("models", {})
    now_models = current.get("models", {})
    for ref, now in sorted(now_models.items()):
        before = before_models.get(ref)
        if before is None:
            moved.append({"ref": ref, "from": None, "to": now.get("level"), "change": "added"})
        elif before.get("level") != now.get("level"):
            moved.append({"ref": ref, "from": before.get("level"), "to": now.get("level"),
                          "change": "level"})
    for ref in sorted(set(before_models) - set(now_models)):
        moved.append({"ref": ref, "from": before_models[ref].get("level"), "to": None,
                      "change": "removed"})
    before_failing = set(previous.get("failing", []))
    now_failing = set(current.get("failing", []))
    before_waived = set(previous.get("waived", []))
    now_waived = set(current.get("waived", []))
    return {
        "since": previous.get("time"),
        "organization": {"from": previous.get("organization"),
                         "to": current.get("organization")},
        "models_moved": moved,
        "started_failing": sorted(now_failing - before_failing),
        "stopped_failing": sorted(before_failing - now_failing - now_waived),
        "started_waived": sorted(now_waived - before_waived),
        "stopped_waived": sorted(before_waived - now_waived - now_failing),
    }
