"""The control catalog: controls are YAML data, loaded, checked and compiled here.

``builtin`` is the catalog shipped in the package (airready/catalog/); a project may
add folders of its own controls and adjust any control in airready.yaml
(``overrides``: severity, or ``enabled: false`` with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from ..inventory.config import CONFIG_NAME, Project
from ..inventory.fields import Strict
from ..inventory.kinds import KINDS
from ..inventory.problems import Problem
from ..inventory.schema_errors import did_you_mean, problems_from_validation
from ..inventory.yamlsource import SourceDoc, find_yaml_files, load_file
from .conditions import Condition, ConditionError, compile_condition

BUILTIN_DIR = Path(__file__).parent.parent / "catalog"
SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
PHASES = ("preparation", "detection", "containment", "investigation", "remediation",
          "post_incident")
FRAMEWORKS = {
    "nist_ai_rmf": "NIST AI RMF 1.0",
    "iso_42001": "ISO/IEC 42001:2023",
    "owasp_llm": "OWASP Top 10 for LLM Applications 2025",
    "mitre_atlas": "MITRE ATLAS",
    "eu_ai_act": "EU AI Act (Regulation (EU) 2024/1689)",
}
Severity = Literal["critical", "high", "medium", "low"]
Phase = Literal["preparation", "detection", "containment", "investigation", "remediation",
                "post_incident"]
ID_PATTERN = r"^[A-Z][A-Z0-9]*-[A-Z0-9]+-\d{3}$"


class AppliesTo(Strict):
    kind: str
    where: dict[str, Any] | None = None


class Remediation(Strict):
    text: str
    example: str | None = None


class Examples(Strict):
    """Minimal inventories that make the control pass and fail; tests and docs use them."""

    passing: list[dict[str, Any]] = Field(alias="pass", min_length=1)
    failing: list[dict[str, Any]] = Field(alias="fail", min_length=1)


class ControlSpec(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str
    phase: Phase
    checklist_item: str
    severity: Severity
    level: Literal["bronze", "silver", "gold"] | None = None  # default: from the severity
    applies_to: AppliesTo
    check: dict[str, Any]
    failure: str  # what a failing target lacks, in a few words: "logs no user attribution"
    remediation: Remediation
    references: dict[str, list[str]] = {}
    examples: Examples | None = None
    tags: list[str] = []


@dataclass
class Control:
    spec: ControlSpec
    source: SourceDoc
    check: Condition
    where: Condition | None
    severity: str  # after overrides
    builtin: bool
    enabled: bool = True
    disabled_reason: str | None = None
    overridden: dict[str, Any] = field(default_factory=dict)
    # Framework titles by name: the built-in ones and the project's own (airready.yaml).
    framework_titles: dict[str, str] = field(default_factory=lambda: FRAMEWORKS)

    @property
    def id(self) -> str:
        return self.spec.id

    def reference_lines(self) -> list[str]:
        """``NIST AI RMF 1.0: MEASURE 2.4, MANAGE 4.1``, one line per framework cited."""
        return [f"{self.framework_titles.get(name, name)}: {', '.join(ids)}"
                for name, ids in self.spec.references.items()]

    @property
    def kind(self) -> str:
        return self.spec.applies_to.kind


@dataclass
class Catalog:
    controls: dict[str, Control]
    frameworks: dict[str, str] = field(default_factory=lambda: dict(FRAMEWORKS))

    def enabled(self) -> list[Control]:
        return [c for c in self.controls.values() if c.enabled]

    def get(self, control_id: str) -> Control | None:
        return self.controls.get(control_id)


def framework_titles(project: Project | None) -> dict[str, str]:
    """Every framework a control may cite: the built-in ones, then the project's own."""
    titles = dict(FRAMEWORKS)
    if project is not None:
        titles.update({name: f.title for name, f in project.config.frameworks.items()})
    return titles


def _control_from_doc(doc: SourceDoc, builtin: bool, selectors: dict[str, Condition] | None = None,
                      titles: dict[str, str] | None = None) -> tuple[Control | None, list[Problem]]:
    try:
        spec = ControlSpec.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems_from_validation(doc, exc, ControlSpec, code="control")
    problems = []
    if spec.applies_to.kind not in KINDS:
        line, column = doc.locate(("applies_to", "kind"))
        problems.append(Problem(doc.file, line, column,
                                f"applies_to.kind: unknown kind {spec.applies_to.kind!r}"
                                + did_you_mean(spec.applies_to.kind, KINDS), code="control"))
    titles = FRAMEWORKS if titles is None else titles
    unknown = set(spec.references) - set(titles)
    for name in sorted(unknown):
        line, column = doc.locate(("references", name), key=True)
        problems.append(Problem(doc.file, line, column,
                                f"references: unknown framework {name!r}"
                                + (did_you_mean(name, titles) or
                                   f" (declare it under frameworks in {CONFIG_NAME})"),
                                code="control"))
    try:
        check = compile_condition(spec.check, ("check",))
        where = (_selector(spec.applies_to.where, {} if selectors is None else selectors)
                 if spec.applies_to.where else None)
    except ConditionError as exc:
        line, column = doc.locate(exc.where)
        problems.append(Problem(doc.file, line, column,
                                f"{'.'.join(map(str, exc.where))}: {exc.message}",
                                code="control"))
        return None, problems
    if problems:
        return None, problems
    return Control(spec, doc, check, where, spec.severity, builtin, framework_titles=titles), []


def _selector(spec: dict[str, Any], selectors: dict[str, Condition]) -> Condition:
    """The compiled ``applies_to.where``, one function for every control written alike.

    Most controls select the same targets (``lifecycle: production`` models); sharing the
    function lets the engine evaluate such a selector once per target, not once per
    control.  The key is the spec's repr, which tells ``1``, ``1.0`` and ``true`` apart.
    """
    key = repr(spec)
    where = selectors.get(key)
    if where is None:
        where = selectors[key] = compile_condition(spec, ("applies_to", "where"))
    return where


def _catalog_paths(project: Project | None) -> list[tuple[Path, bool, tuple[str | int, ...]]]:
    if project is None:
        return [(BUILTIN_DIR, True, ())]
    paths: list[tuple[Path, bool, tuple[str | int, ...]]] = []
    for index, entry in enumerate(project.config.controls):
        if entry == "builtin":
            paths.append((BUILTIN_DIR, True, ("controls", index)))
        else:
            paths.append((project.root / entry, False, ("controls", index)))
    return paths


def load_catalog(project: Project | None) -> tuple[Catalog, list[Problem]]:
    """Every control the project uses, overrides applied; problems instead of exceptions."""
    controls: dict[str, Control] = {}
    problems: list[Problem] = []
    selectors: dict[str, Condition] = {}
    titles = framework_titles(project)
    for folder, builtin, where in _catalog_paths(project):
        if not folder.exists() and not folder.is_symlink():
            line, column = project.locate(*where) if project else (1, 1)
            problems.append(Problem(CONFIG_NAME, line, column,
                                    f"controls: {folder.name!r} does not exist", code="config"))
            continue
        found: list[Problem] = []
        files = list(find_yaml_files(folder, problems=found,
                                     inside=None if builtin or project is None else project.root,
                                     shown=None if builtin or project is None
                                     else lambda name: project.shown(Path(name))))
        problems.extend(found)
        for path in files:
            shown = (f"builtin:{path.relative_to(BUILTIN_DIR).as_posix()}" if builtin
                     else project.shown(path) if project else path.as_posix())
            docs, file_problems = load_file(path, shown)
            problems.extend(file_problems)
            for doc in docs:
                control, control_problems = _control_from_doc(doc, builtin, selectors, titles)
                problems.extend(control_problems)
                if control is None:
                    continue
                if control.id in controls:
                    first = controls[control.id].source
                    line, column = doc.locate(("id",))
                    problems.append(Problem(doc.file, line, column,
                                            f"id: {control.id} is defined twice (first in "
                                            f"{first.file}:{first.line})", code="control"))
                    continue
                controls[control.id] = control
    if project is not None:
        problems.extend(_apply_overrides(project, controls))
    ordered = dict(sorted(controls.items()))
    return Catalog(ordered, titles), problems


def _apply_overrides(project: Project, controls: dict[str, Control]) -> list[Problem]:
    problems = []
    for control_id, override in project.config.overrides.items():
        control = controls.get(control_id)
        if control is None:
            line, column = project.locate("overrides", control_id)
            problems.append(Problem(CONFIG_NAME, line, column,
                                    f"overrides: unknown control {control_id!r}"
                                    + did_you_mean(control_id, controls), code="config"))
            continue
        if override.severity is not None:
            control.overridden["severity"] = (control.severity, override.severity)
            control.severity = override.severity
        if not override.enabled:
            control.enabled = False
            control.disabled_reason = override.reason
    return problems
