"""Small airready projects on disk, and the CLI run in-process, for the CLI-level tests.

``make_project`` writes ``airready.yaml`` and any files given as text (dedented), so a
test reads like the project a user would have; ``run`` calls ``airready.cli.main`` and
returns the exit code with what went to standard output and standard error.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from airready.cli import main

# Variables that change what ``check`` prints; every run starts without them.
CLEAN_ENV = ("AIRREADY_TODAY", "NO_COLOR", "AIRREADY_DEBUG")

ORG = """\
apiVersion: airready/v1
kind: Organization
metadata: {name: acme}
spec: {}
"""


def make_project(root: Path, config: str | Mapping[str, Any] | None = None,
                 files: Mapping[str, str] | None = None) -> Path:
    """Write a project under ``root``: airready.yaml plus ``files`` (path -> YAML text).

    Without files, the inventory is a lone Organization, which validates.
    """
    root.mkdir(parents=True, exist_ok=True)
    if config is None:
        config = {"inventory": ["inventory"], "controls": ["builtin"]}
    text = config if isinstance(config, str) else yaml.safe_dump(dict(config), sort_keys=False)
    (root / "airready.yaml").write_text(textwrap.dedent(text))
    for name, content in (files if files is not None else {"inventory/org.yaml": ORG}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content))
    return root


def control_yaml(control_id: str, *, kind: str = "Model", check: str | None = None,
                 severity: str = "high", phase: str = "preparation", where: str | None = None,
                 failure: str = "lacks the thing", title: str = "The thing is there",
                 extra: str = "") -> str:
    """One control document as YAML text, with every required field filled in."""
    check = check or "{path: spec.version, exists: true}"
    applies = f"{{kind: {kind}, where: {where}}}" if where else f"{{kind: {kind}}}"
    return (f"id: {control_id}\n"
            f"title: {title}\n"
            "description: Why it matters.\n"
            f"phase: {phase}\n"
            "checklist_item: Maintain model inventory\n"
            f"severity: {severity}\n"
            f"applies_to: {applies}\n"
            f"check: {check}\n"
            f"failure: {failure}\n"
            "remediation: {text: Fix it.}\n" + extra)


@dataclass
class Run:
    code: int
    out: str
    err: str


@contextmanager
def environment(env: Mapping[str, str] | None) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in (*CLEAN_ENV, *(env or {}))}
    try:
        for name in CLEAN_ENV:
            os.environ.pop(name, None)
        os.environ.update(env or {})
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run(capsys: pytest.CaptureFixture[str], *args: str | Path,
        env: Mapping[str, str] | None = None) -> Run:
    """``airready ARGS`` in-process; the exit code comes from SystemExit, as in a shell."""
    capsys.readouterr()  # drop anything printed before
    with environment(env):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
        else:  # pragma: no cover - main always exits
            raise AssertionError("airready.cli.main returned without exiting")
    captured = capsys.readouterr()
    assert isinstance(code, int), code
    return Run(code, captured.out, captured.err)
