"""Filters for ``check``: which controls and targets to evaluate (they skip the work)."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from ..inventory.model import Inventory
from ..inventory.problems import InputError, Problem
from ..inventory.schema_errors import did_you_mean
from .catalog import PHASES, SEVERITIES, Catalog, Control


@dataclass
class Selection:
    controls: list[Control]
    targets: set[str] | None


def _usage(option: str, message: str) -> Problem:
    return Problem(option, 1, 1, message, code="usage")


def select(catalog: Catalog, inventory: Inventory, control_patterns: Sequence[str] = (),
           phases: Sequence[str] = (), severities: Sequence[str] = (),
           frameworks: Sequence[str] = (), targets: Sequence[str] = ()) -> Selection:
    """The enabled controls and targets the filters keep; unknown values are errors.

    A filter that leaves nothing to evaluate is an error too: it would pass without
    checking anything.
    """
    problems = []
    # Phases as the text summary shows them ("post-incident") are accepted as well.
    phases = [phase.replace("-", "_") for phase in phases]
    enabled_ids = [c.id for c in catalog.enabled()]
    for pattern in control_patterns:
        if not any(fnmatch.fnmatchcase(c, pattern) for c in catalog.controls):
            problems.append(_usage("--control", f"--control {pattern!r} matches no control"
                                   + did_you_mean(pattern, catalog.controls)))
        elif not any(fnmatch.fnmatchcase(c, pattern) for c in enabled_ids):
            problems.append(_usage("--control", f"--control {pattern!r} matches only controls "
                                   "disabled in airready.yaml (overrides)"))
    for phase in phases:
        if phase not in PHASES:
            problems.append(_usage("--phase", f"--phase {phase!r} is not one of "
                                   + ", ".join(PHASES) + did_you_mean(phase, PHASES)))
    for severity in severities:
        if severity not in SEVERITIES:
            problems.append(_usage("--severity", f"--severity {severity!r} is not one of "
                                   + ", ".join(SEVERITIES) + did_you_mean(severity, SEVERITIES)))
    for framework in frameworks:
        if framework not in catalog.frameworks:
            problems.append(_usage("--framework", f"--framework {framework!r} is not one of "
                                   + ", ".join(catalog.frameworks)
                                   + did_you_mean(framework, catalog.frameworks)))
    for target in targets:
        if target not in inventory.entities:
            problems.append(_usage("--target", f"--target {target!r} is not in the inventory"
                                   + did_you_mean(target, inventory.entities)))
    if problems:
        raise InputError(problems)
    chosen = []
    for control in catalog.enabled():
        if control_patterns and not any(fnmatch.fnmatchcase(control.id, p)
                                        for p in control_patterns):
            continue
        if phases and control.spec.phase not in phases:
            continue
        if severities and control.severity not in severities:
            continue
        if frameworks and not any(control.spec.references.get(f) for f in frameworks):
            continue
        chosen.append(control)
    if not chosen and (control_patterns or phases or severities or frameworks):
        option = _describe(control_patterns, phases, severities, frameworks).split()[0]
        raise InputError([_usage(option, "the filters together select no enabled control "
                                 "(" + _describe(control_patterns, phases, severities,
                                                 frameworks) + "): nothing would be checked")])
    kinds = {control.kind for control in chosen}
    for target in targets:
        kind = inventory.entities[target].kind
        if kind not in kinds:
            problems.append(_usage("--target", f"--target {target!r}: no selected control "
                                   f"applies to a {kind}, so nothing would be checked"))
    if problems:
        raise InputError(problems)
    return Selection(chosen, set(targets) if targets else None)


def _describe(control_patterns: Sequence[str], phases: Sequence[str],
              severities: Sequence[str], frameworks: Sequence[str]) -> str:
    parts = [f"--{option} {value}" for option, values in (
        ("control", control_patterns), ("phase", phases), ("severity", severities),
        ("framework", frameworks)) for value in values]
    return " ".join(parts)
