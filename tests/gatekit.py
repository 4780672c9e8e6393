"""Shared helpers for the CI-gate tests: a small project on disk and the CLI run in-process.

The project has known gaps at known lines:

* ``inventory/creds.yaml``: ``credential:stripe-key`` fails AIR-CRED-001 (high, no
  revocation), AIR-CRED-002 (medium, rotation_days 365) and AIR-CRED-003 (medium, rotated
  2026-01-01); ``credential:good-key`` passes all three.
* ``inventory/org.yaml``: an empty Organization, which fails most Organization controls
  (critical AIR-TEAM-002 ... low AIR-POST-001).

Every run uses ``--today 2026-11-25`` so that dates are judged the same on any day.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sharedkit import EXTERNAL

import airready.rules.catalog
from airready.cli import main

TODAY = "2026-11-25"
SARIF_SCHEMA = EXTERNAL / "sarif" / "sarif-schema-2.1.0.json"
JUNIT_XSDS = (EXTERNAL / "junit" / "JUnit.xsd", EXTERNAL / "junit" / "jenkins-xunit-junit-10.xsd")

CONFIG = """\
inventory: [inventory]
controls: [builtin]
"""

ORG = """\
apiVersion: airready/v1
kind: Organization
metadata: {name: acme}
spec: {}
"""

PEOPLE = """\
apiVersion: airready/v1
kind: Person
metadata: {name: ada}
spec: {email: ada@example.com, phone: "+44 20 7946 0000"}
"""

CREDS = """\
apiVersion: airready/v1
kind: Credential
metadata:
  name: stripe-key
spec:
  rotation_days: 365
  last_rotated: 2026-01-01
---
apiVersion: airready/v1
kind: Credential
metadata:
  name: good-key
spec:
  revocation: https://wiki.example.com/revoke
  rotation_days: 30
  last_rotated: 2026-11-01
"""

# The three credential controls by name, so that a new catalog control changes no count here.
CRED_IDS = ("AIR-CRED-001", "AIR-CRED-002", "AIR-CRED-003")
CRED_CONTROLS = tuple(arg for cid in CRED_IDS for arg in ("--control", cid))
STRIPE = "credential:stripe-key"
GOOD = "credential:good-key"


def base_files() -> dict[str, str]:
    return {
        "airready.yaml": CONFIG,
        "inventory/org.yaml": ORG,
        "inventory/people.yaml": PEOPLE,
        "inventory/creds.yaml": CREDS,
    }


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_project(root: Path, extra: dict[str, str] | None = None,
                 drop: tuple[str, ...] = ()) -> Path:
    """The base project in ``root`` (created), plus ``extra`` files, minus ``drop``."""
    root.mkdir(parents=True, exist_ok=True)
    files = {k: v for k, v in base_files().items() if k not in drop}
    files.update(extra or {})
    write_files(root, files)
    return root


def waiver(name: str, control: str, targets: str = f"[{STRIPE}]", expires: str = "2027-01-31",
           approved_on: str | None = "2026-11-01",
           justification: str = "Vault migration lands in January.") -> str:
    """One Waiver document (``targets`` as YAML: ``all`` or ``[kind:name, ...]``)."""
    approved = f"\n  approved_on: {approved_on}" if approved_on else ""
    return textwrap.dedent(f"""\
        apiVersion: airready/v1
        kind: Waiver
        metadata: {{name: {name}}}
        spec:
          control: {control}
          targets: {targets}
          justification: {json.dumps(justification)}
          approved_by: person:ada""") + approved + f"\n  expires: {expires}\n"


_BUILTIN_DOCS: dict[tuple[Path, str], Any] = {}


@pytest.fixture(autouse=True)
def builtin_catalog_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parse the shipped catalog once per session, not once per run (keeps the tests fast).

    Modules import this fixture to use it.  Only the package's own catalog files are cached;
    a project's controls and inventory are read from disk on every run.
    """
    real = airready.rules.catalog.load_file

    def load_file(path: Path, shown: str, *args: Any, **kwargs: Any) -> Any:
        if airready.rules.catalog.BUILTIN_DIR not in path.parents or args or kwargs:
            return real(path, shown, *args, **kwargs)
        key = (path, shown)
        if key not in _BUILTIN_DOCS:
            _BUILTIN_DOCS[key] = real(path, shown)
        docs, problems = _BUILTIN_DOCS[key]
        return list(docs), list(problems)

    monkeypatch.setattr(airready.rules.catalog, "load_file", load_file)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.out)

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Result:
    capsys.readouterr()  # drop whatever an earlier run printed
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    code = info.value.code
    return Result(code if isinstance(code, int) else 0, out, err)


def check(capsys: pytest.CaptureFixture[str], project: Path, *args: str,
          today: str | None = TODAY) -> Result:
    """``airready check --project PROJECT [--today TODAY] ARGS``, in-process."""
    argv = ["check", "--project", str(project)]
    if today:
        argv += ["--today", today]
    return run_cli(capsys, argv + list(args))


def check_json(capsys: pytest.CaptureFixture[str], project: Path, *args: str,
               expect: int | None = None) -> dict[str, Any]:
    result = check(capsys, project, "--format", "json", *args)
    if expect is not None:
        assert result.code == expect, result.text
    assert result.code in (0, 1), result.text
    return result.json()


def findings_by_key(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["control"], f["target"]): f for f in document["findings"]}


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of ``path`` containing ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def text_at(path: Path, line: int, column: int) -> str:
    """The rest of ``line`` from 1-based ``column``."""
    return path.read_text(encoding="utf-8").splitlines()[line - 1][column - 1:]


def git_init(folder: Path) -> None:
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(folder)], check=True, capture_output=True)
    else:  # what the CLI looks for
        (folder / ".git").mkdir(parents=True)


@functools.lru_cache(maxsize=1)
def _sarif_validator() -> Any:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def sarif_errors(document: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _sarif_validator().iter_errors(document)]


@functools.cache
def _xsd(path: Path) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(path))


def junit_errors(xml_file: Path) -> dict[str, list[str]]:
    """Schema errors per XSD (both must be empty for a valid report)."""
    return {xsd.name: [str(e.reason or e) for e in _xsd(xsd).iter_errors(str(xml_file))]
            for xsd in JUNIT_XSDS}
