"""The project file ``airready.yaml``: where the inventory, controls, reports and site live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from .fields import Duration, Identifier, Strict
from .files import is_inside
from .problems import InputError, Problem
from .yamlsource import SourceDoc, load_file

CONFIG_NAME = "airready.yaml"
REGISTER_NAME = "risk-register.yaml"  # the risk register, in the reports folder
FailOn = Literal["critical", "high", "medium", "low", "none"]


class Override(Strict):
    severity: Literal["critical", "high", "medium", "low"] | None = None
    enabled: bool = True
    reason: str | None = None

    @model_validator(mode="after")
    def _reason_when_disabled(self) -> Override:
        if not self.enabled and not (self.reason or "").strip():
            raise ValueError("disabling a control needs a 'reason'")
        return self


class DeclaredClock(Strict):
    """One report a declared regime asks for: ``within`` of its start (detection, or the
    filing's ``clock_start``), or of an earlier stage of the same regime (``after``)."""

    stage: Identifier
    within: Duration
    after: Identifier | None = None  # an earlier stage's name: counted from its filing
    citation: str | None = None


class DeclaredApplies(Strict):
    """Which incidents start the regime's clocks; none given: every incident."""

    severities: list[str] = []
    data_classes: list[Identifier] = []


class DeclaredRegulation(Strict):
    """A regime the project answers to beyond the built-in ones (FISMA, a state law...)."""

    title: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    clocks: list[DeclaredClock] = Field(default=[], max_length=20)
    applies: DeclaredApplies | None = None


class DeclaredFramework(Strict):
    """A project's own framework: requirement ids and titles for the scorecard's coverage."""

    title: str = Field(min_length=1)
    requirements: dict[str, str] = {}


class ProjectConfig(Strict):
    inventory: list[str] = ["inventory"]
    controls: list[str] = ["builtin"]
    reports: str | None = "reports"
    site: str = "site"
    fail_on: FailOn = "high"
    waivers: list[str] = []
    baseline: str | None = None
    history: str | None = None
    overrides: dict[str, Override] = {}
    max_waiver_days: int = Field(default=180, ge=1, le=36525)
    max_file_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # The repository's web address: findings on the site link to the source line.
    repo_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    regulations: dict[Identifier, DeclaredRegulation] = {}
    frameworks: dict[Identifier, DeclaredFramework] = {}


@dataclass
class Project:
    root: Path
    config: ProjectConfig
    source: SourceDoc | None  # the parsed airready.yaml, for positions

    def shown(self, path: Path) -> str:
        """A path as users see it: relative to the project folder where possible.

        Lexical (no symlink resolution): it runs once per inventory file, and resolving
        every path cost more than parsing small files.
        """
        root = os.path.abspath(self.root)
        absolute = os.path.abspath(path)
        if absolute == root or absolute.startswith(root + os.sep):
            return Path(os.path.relpath(absolute, root)).as_posix()
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def locate(self, *path: str | int) -> tuple[int, int]:
        return self.source.locate(path) if self.source else (1, 1)


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding airready.yaml, as git finds .git."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load_project(project_dir: Path | None, cwd: Path) -> Project:
    """Read airready.yaml; raises InputError with positions when it is missing or wrong."""
    if project_dir is not None:
        if not (project_dir / CONFIG_NAME).is_file():
            where = (f"no {CONFIG_NAME} in {project_dir}" if project_dir.is_dir()
                     else f"the project folder {project_dir} does not exist")
            raise InputError([Problem((project_dir / CONFIG_NAME).as_posix(), 1, 1,
                                      f"{where} (airready init DIR creates a project)",
                                      code="config")])
        root = project_dir
    else:
        found = find_root(cwd)
        if found is None:
            raise InputError([Problem(CONFIG_NAME, 1, 1,
                                      f"no {CONFIG_NAME} in {cwd} or any folder above it "
                                      "(use --project DIR, or airready init DIR)",
                                      code="config")])
        root = found
    docs, problems = load_file(root / CONFIG_NAME, CONFIG_NAME,
                               keys="inventory, controls, reports, ...")
    if problems:
        raise InputError(problems)
    if not docs:
        return Project(root, ProjectConfig(), None)
    if len(docs) > 1:
        line, column = docs[1].line, 1
        raise InputError([Problem(CONFIG_NAME, line, column,
                                  f"{CONFIG_NAME} holds one document, not {len(docs)}",
                                  code="config")])
    doc = docs[0]
    try:
        config = ProjectConfig.model_validate(doc.data)
    except ValidationError as exc:
        from .schema_errors import problems_from_validation

        raise InputError(problems_from_validation(doc, exc, ProjectConfig, code="config")) from None
    project = Project(root, config, doc)
    outside = _outside_problems(project)
    if outside:
        raise InputError(outside)
    return project


def _configured_paths(config: ProjectConfig) -> list[tuple[tuple[str | int, ...], str]]:
    """Every path airready.yaml names, with where it is written."""
    paths: list[tuple[tuple[str | int, ...], str]] = []
    for key in ("inventory", "waivers", "controls"):
        entries: list[str] = getattr(config, key)
        paths += [((key, index), entry) for index, entry in enumerate(entries)
                  if not (key == "controls" and entry == "builtin")]
    for key in ("reports", "site", "baseline", "history"):
        value = getattr(config, key)
        if value:
            paths.append(((key,), value))
    return paths


def _outside_problems(project: Project) -> list[Problem]:
    """Configured paths must stay inside the project folder, symlinks followed.

    A pull request may edit airready.yaml; CI must not then read (and echo in a problem)
    files of the machine it runs on, nor write the site or a report outside the checkout.
    """
    problems = []
    for where, entry in _configured_paths(project.config):
        if not is_inside(project.root / entry, project.root):
            line, column = project.locate(*where)
            key = where[0]
            problems.append(Problem(CONFIG_NAME, line, column,
                                    f"{key}: {entry!r} leads outside the project folder "
                                    "(airready reads and writes only inside it)",
                                    code="config"))
    return problems
