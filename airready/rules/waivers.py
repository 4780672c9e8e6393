"""Waivers: accepted gaps, with a justification, an approver and an end date.

A waived finding stays in every output, marked ``waived`` with its justification.
An expired waiver waives nothing (and the AIR-WVR controls flag it); a waiver that
waives nothing is reported so the file can be cleaned; a waiver longer than the
project's maximum is rejected outright.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..inventory.kinds import Entity
from ..inventory.model import Inventory
from ..inventory.problems import Problem
from ..inventory.schema_errors import did_you_mean
from .catalog import Catalog
from .findings import GAP_STATES, AuditResult


@dataclass
class WaiverReport:
    applied: dict[str, list[str]] = field(default_factory=dict)  # waiver ref -> targets waived
    expired: list[Entity] = field(default_factory=list)
    unused: list[Entity] = field(default_factory=list)


def waiver_problems(inventory: Inventory, catalog: Catalog, today: dt.date,
                    max_days: int) -> list[Problem]:
    """Waivers that cannot stand: unknown control, or longer than the allowed maximum."""
    problems = []
    for waiver in inventory.of_kind("Waiver"):
        spec = waiver.spec
        if catalog.get(spec.control) is None:
            file, line, column = inventory.locate(waiver.ref, ("spec", "control"))
            problems.append(Problem(file, line, column,
                                    f"spec.control: unknown control {spec.control!r}"
                                    + did_you_mean(spec.control, catalog.controls),
                                    code="waiver"))
        start = spec.approved_on or today
        length = (spec.expires - start).days
        if length > max_days:
            file, line, column = inventory.locate(waiver.ref, ("spec", "expires"))
            problems.append(Problem(file, line, column,
                                    f"spec.expires: the waiver runs {length} days from "
                                    f"{start.isoformat()}, longer than the maximum of "
                                    f"{max_days} (max_waiver_days in airready.yaml)",
                                    code="waiver"))
    return problems


def apply_waivers(result: AuditResult, inventory: Inventory) -> WaiverReport:
    """Mark the failing findings that a live waiver covers; report expired and unused ones."""
    report = WaiverReport()
    gaps_by_control: dict[str, list[int]] = {}
    for index, finding in enumerate(result.findings):
        if finding.state in GAP_STATES:
            gaps_by_control.setdefault(finding.control, []).append(index)
    evaluated = {c.id for c in result.evaluated}
    for waiver in inventory.of_kind("Waiver"):
        spec = waiver.spec
        # On its expiry day a waiver has expired, as AIR-WVR-001 (``after_today``) reports.
        if spec.expires <= result.today:
            report.expired.append(waiver)
            continue
        targets = None if spec.targets == "all" else set(spec.targets)
        waived = []
        for index in gaps_by_control.get(spec.control, []):
            finding = result.findings[index]
            if finding.state == "waived" or (targets is not None and finding.target not in targets):
                continue
            finding.state = "waived"
            finding.waiver = {"ref": waiver.ref, "justification": spec.justification,
                              "approved_by": spec.approved_by, "expires": spec.expires.isoformat()}
            waived.append(finding.target)
        if waived:
            report.applied[waiver.ref] = waived
        elif _could_have_matched(waiver, result, evaluated):
            report.unused.append(waiver)
    return report


def _could_have_matched(waiver: Entity, result: AuditResult, evaluated: set[str]) -> bool:
    """Whether this run looked at what the waiver covers (filters skip the rest).

    A waiver of a control that ``--control``/``--phase``/... left out, or whose targets
    ``--target`` left out, is not "unused": the run never looked.  A waiver of a disabled
    control, or naming only entities the control never applies to, can never waive
    anything, so it is reported.
    """
    spec = waiver.spec
    control = result.catalog.get(spec.control)
    if control is None or not control.enabled:
        return True
    if spec.control not in evaluated:
        return False
    if spec.targets == "all":
        return True
    looked_at = {f.target for f in result.findings if f.control == spec.control}
    for target in spec.targets:
        entity = result.inventory.entities.get(target)
        if target in looked_at or entity is None or entity.kind != control.kind:
            return True
    return False
