"""One audit, end to end: project -> inventory -> catalog -> findings. Returns values only."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .graph.graph import lineage_cycles
from .inventory.config import Project
from .inventory.fields import parse_day
from .inventory.model import Inventory
from .inventory.problems import InputError, Problem, has_errors
from .inventory.validate import load_inventory
from .postincident.incidents import incident_problems
from .rules.baseline import BaselineReport, apply_baseline, read_baseline
from .rules.catalog import Catalog, Control, load_catalog
from .rules.engine import evaluate
from .rules.findings import AuditResult
from .rules.selection import Selection
from .rules.waivers import WaiverReport, apply_waivers, waiver_problems

TODAY_ENV = "AIRREADY_TODAY"


def resolve_today(option: str | None) -> dt.date:
    """``--today`` wins, then $AIRREADY_TODAY, then the real date: audits are reproducible.

    Only YYYY-MM-DD is a day; an empty value is an error too, never "today": a CI variable
    left blank must not silently turn a pinned audit into one of the current date.
    """
    for source, text in (("--today", option), (TODAY_ENV, os.environ.get(TODAY_ENV))):
        if text is not None:
            try:
                return parse_day(text)
            except ValueError as exc:
                what = "an empty value is not a date (YYYY-MM-DD)" if not text else str(exc)
                raise InputError([Problem(source, 1, 1, f"{source}: {what}",
                                          code="usage")]) from None
    return dt.date.today()


@dataclass
class Loaded:
    project: Project
    inventory: Inventory
    catalog: Catalog
    warnings: list[Problem]


def load_checked_inventory(project: Project) -> tuple[Inventory, list[Problem]]:
    """The inventory with format problems and, once it is sound, graph warnings (cycles)."""
    inventory, problems = load_inventory(project)
    if not has_errors(problems):
        problems += incident_problems(inventory)
        problems += lineage_cycles(inventory)
    return inventory, problems


@contextmanager
def long_lived() -> Iterator[None]:
    """Build objects that live for the whole run without the cyclic garbage collector.

    The inventory keeps every document's data and positions, and the audit creates a
    finding per control and target: none of it forms garbage cycles, but each full
    collection would walk all of it again, which made large audits several times slower.
    What was built is frozen afterwards, out of the collector's sight.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load_all(project: Project) -> Loaded:
    """Inventory and catalog; raises InputError with every problem if either is invalid."""
    with long_lived():
        return _load_all(project)


def _load_all(project: Project) -> Loaded:
    inventory, problems = load_checked_inventory(project)
    catalog, catalog_problems = load_catalog(project)
    problems = problems + catalog_problems
    if has_errors(problems):
        raise InputError(problems)
    return Loaded(project, inventory, catalog, problems)


def run_audit(loaded: Loaded, today: dt.date, controls: list[Control] | None = None,
              targets: set[str] | None = None) -> AuditResult:
    return evaluate(loaded.inventory, loaded.catalog, today, controls, targets)


@dataclass
class CheckRun:
    result: AuditResult
    waivers: WaiverReport
    baseline: BaselineReport | None


def run_check(loaded: Loaded, today: dt.date, selection: Selection,
              baseline_file: Path | None = None) -> CheckRun:
    """Evaluate, then apply waivers and the baseline: everything ``check`` reports."""
    project = loaded.project
    problems = waiver_problems(loaded.inventory, loaded.catalog, today,
                               project.config.max_waiver_days)
    entries = None
    if baseline_file is not None:
        entries = read_baseline(baseline_file, project.shown(baseline_file))
    if problems:
        raise InputError(problems)
    with long_lived():
        result = run_audit(loaded, today, selection.controls, selection.targets)
    waivers = apply_waivers(result, loaded.inventory)
    baseline = None
    if entries is not None and baseline_file is not None:
        baseline = apply_baseline(result, entries, project.shown(baseline_file))
    return CheckRun(result, waivers, baseline)
