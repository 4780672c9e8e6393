"""Traceability: each item of the incident-response checklist and what covers it.

The mapping is data shipped with the package (data/coverage.yaml): one entry per
checklist item, named by its short heading, with a status (covered, partial, uncovered),
the controls, computed figures and site pages that cover it, and what is missing.  A
project's catalog adjusts it: a control disabled in airready.yaml no longer covers its
items (a covered item becomes partial, or uncovered when nothing else covers it), and a
project's own control that cites an item joins the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from ..inventory.fields import Strict
from ..rules.catalog import Catalog, Control

STATUSES = ("covered", "partial", "uncovered")
# The six phases, then the two guides that close the checklist.
PHASE_TITLES = {
    "preparation": "Preparation",
    "detection": "Detection and triage",
    "containment": "Containment",
    "investigation": "Investigation",
    "remediation": "Remediation",
    "post_incident": "Post-incident review",
    "scenarios": "AI-specific scenarios",
    "first_hour": "The first hour",
}
# What a command computes that answers a checklist item (the mapping names them).
FIGURES = {
    "incidents.time_to_detect": "airready incidents: time to detect against the target",
    "incidents.time_to_contain": "airready incidents: time to contain against the target",
    "incidents.time_to_remediate": "airready incidents: time to remediate against the target",
    "incidents.time_to_notify": "airready incidents: time to brief stakeholders against the "
                                "target",
    "incidents.detection_source": "airready incidents: incidents by detection source",
    "incidents.evidence": "airready incidents: evidence gaps of each incident",
    "incidents.regulatory": "airready incidents: regulatory clocks and late filings",
    "incidents.actions": "airready incidents: overdue remediation actions",
    "incidents.recurrence_watch": "airready incidents: the end of each recurrence watch",
    "blast-radius": "airready blast-radius: what harm reaches, and whom to act on",
    "scorecard": "airready scorecard: readiness per model, owner and phase",
    "runbook": "airready runbook: the first-hour runbook of a model",
    "tabletop": "airready tabletop: an exercise built from the estate",
    "register": "airready register update: risks from incidents and failing controls",
}
# Pages of the auditor site (paths inside docs/).
PAGES = {
    "organization": ("organization.md", "Organisation"),
    "models": ("models/index.md", "Models"),
    "runbooks": ("models/index.md", "First-hour runbooks (from each model's page)"),
    "incidents": ("incidents/index.md", "Incidents"),
    "risk-register": ("risk-register.md", "Risk register"),
    "tabletop": ("tabletop/index.md", "Tabletop exercises"),
}

Phase = Literal["preparation", "detection", "containment", "investigation", "remediation",
                "post_incident", "scenarios", "first_hour"]


class Entry(Strict):
    phase: Phase
    section: str
    item: str
    status: Literal["covered", "partial", "uncovered"]
    controls: list[str] = []
    figures: list[str] = []
    pages: list[str] = []
    missing: str | None = None


class Mapping(Strict):
    items: list[Entry]


@cache
def mapping() -> tuple[Entry, ...]:
    """The shipped mapping, in the checklist's order."""
    text = resources.files("airready").joinpath("data/coverage.yaml").read_text("utf-8")
    return tuple(Mapping.model_validate(yaml.safe_load(text)).items)


def normal(text: str) -> str:
    """A heading as compared: case and spacing do not matter."""
    return " ".join(text.lower().split())


@dataclass
class Cover:
    type: Literal["control", "figure", "page"]
    id: str
    title: str


@dataclass
class Item:
    phase: str
    section: str
    text: str
    status: str
    covered_by: list[Cover]
    missing: str | None
    notes: list[str] = field(default_factory=list)  # how this project's catalog changed it


@dataclass
class Coverage:
    items: list[Item]

    def counts(self) -> dict[str, int]:
        found = {status: 0 for status in STATUSES}
        for item in self.items:
            found[item.status] += 1
        return found

    @property
    def uncovered_share(self) -> float:
        return self.counts()["uncovered"] / len(self.items) if self.items else 0.0


def _cited(catalog: Catalog) -> dict[str, list[Control]]:
    """Controls by the checklist item they cite."""
    found: dict[str, list[Control]] = {}
    for control in catalog.controls.values():
        found.setdefault(normal(control.spec.checklist_item), []).append(control)
    return found


def build_coverage(catalog: Catalog) -> Coverage:
    """The shipped mapping, as this catalog covers it."""
    cited = _cited(catalog)
    items = []
    for entry in mapping():
        notes: list[str] = []
        live: list[Control] = []
        extra = [c.id for c in cited.get(normal(entry.item), []) if c.id not in entry.controls]
        for control_id in [*entry.controls, *extra]:
            control = catalog.get(control_id)
            if control is None:
                notes.append(f"{control_id} is not in this project's catalog")
            elif not control.enabled:
                notes.append(f"{control_id} is disabled in airready.yaml"
                             + (f" ({control.disabled_reason})" if control.disabled_reason
                                else ""))
            else:
                live.append(control)
        status = entry.status
        if notes:  # a control the mapping counts on does not run here
            status = "uncovered" if not (live or entry.figures or entry.pages) else (
                "partial" if status == "covered" else status)
        own = [c.id for c in live if c.id in extra]
        if own:
            notes.append("also judged by the project's own control(s) " + ", ".join(own))
            if status == "uncovered":
                status = "partial"
        covers = [Cover("control", c.id, c.spec.title) for c in live]
        covers += [Cover("figure", name, FIGURES[name]) for name in entry.figures]
        covers += [Cover("page", name, PAGES[name][1]) for name in entry.pages]
        items.append(Item(entry.phase, entry.section, entry.item, status, covers,
                          entry.missing, notes))
    return Coverage(items)
