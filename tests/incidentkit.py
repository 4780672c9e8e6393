"""Incident records and their Organization, for the incidents and regulatory-clock tests.

Three levels:

* ``incident_entity`` / ``org_entity`` build single records in memory, for the clock and
  metric arithmetic in ``airready.postincident.incidents`` (fast, no files);
* ``build_inventory_of`` builds a whole inventory in memory, for the renderers
  (``render``) and one control at a time (``evaluate``), without the command line;
* ``write_project`` puts the same records on disk (the Organization, a person or two and a
  model in ``inventory/``, one file per incident in ``reports/incidents/``) so a test can
  run ``airready incidents`` or ``airready check`` on them with ``projectkit.run``.

Specs are plain dicts; timestamps and dates are written unquoted, as a user writes them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from projectkit import Run, make_project, run

from airready.inventory.kinds import ENTITY_CLASS, Entity
from airready.inventory.model import Inventory
from airready.inventory.validate import build_inventory
from airready.inventory.yamlsource import parse_text
from airready.postincident.incidents import reports
from airready.report import incidents as incidents_report
from airready.rules.catalog import load_catalog
from airready.rules.clocks import Clock, clocks
from airready.rules.engine import evaluate_control

CATALOG, _CATALOG_PROBLEMS = load_catalog(None)
assert not _CATALOG_PROBLEMS

CONFIG = {"inventory": ["inventory"], "controls": ["builtin"], "reports": "reports"}

PEOPLE = """\
---
apiVersion: airready/v1
kind: Person
metadata: {name: ada}
---
apiVersion: airready/v1
kind: Person
metadata: {name: bob}
---
apiVersion: airready/v1
kind: Team
metadata: {name: ml}
spec: {members: [person:ada, person:bob]}
---
apiVersion: airready/v1
kind: Model
metadata: {name: bot, owner: team:ml}
"""

# The incident of the format page (docs: Incident): every metric measurable, none breached.
TIMELINE = {
    "started": "2026-11-02T08:40:00Z",
    "detected": "2026-11-02T09:14:00Z",
    "stakeholders_notified": "2026-11-02T09:50:00Z",
    "contained": "2026-11-02T11:30:00Z",
    "remediated": "2026-11-04T16:00:00Z",
    "closed": "2026-11-10T12:00:00Z",
}

_UNQUOTE = re.compile(r"'(\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d)?(?:Z|[+-]\d\d:\d\d))?)'")


def to_yaml(document: Mapping[str, Any]) -> str:
    """Block YAML with dates and timestamps unquoted (YAML timestamps, as users write)."""
    text = yaml.safe_dump(dict(document), sort_keys=False, width=1000)
    return _UNQUOTE.sub(r"\1", text)


def incident_doc(name: str = "inc-1", **spec: Any) -> dict[str, Any]:
    """An Incident: P1 prompt injection on model:bot unless ``spec`` says otherwise."""
    body = {"severity": "P1", "category": "prompt_injection", "models": ["model:bot"], **spec}
    return {"apiVersion": "airready/v1", "kind": "Incident",
            "metadata": {"name": name, "owner": "person:ada"}, "spec": body}


def org_doc(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "airready/v1", "kind": "Organization",
            "metadata": {"name": "acme"}, "spec": spec}


def incident_entity(name: str = "inc-1", **spec: Any) -> Entity:
    return ENTITY_CLASS["Incident"].model_validate(incident_doc(name, **spec))


def org_entity(**spec: Any) -> Entity:
    return ENTITY_CLASS["Organization"].model_validate(org_doc(**spec))


def clock_table(incident: Entity, org: Entity | None, today: str = "2026-11-25",
                inventory: Inventory | None = None) -> dict[tuple[str, str], tuple[str, str]]:
    """(regime, stage) -> (deadline in ISO 8601, state) for every clock the incident starts."""
    found: list[Clock] = clocks(incident, org, dt.date.fromisoformat(today), None, inventory)
    table = {(c.regime, c.stage): (c.deadline.isoformat(), c.state) for c in found}
    assert len(table) == len(found), "a stage appears twice"
    return table


def write_project(root: Path, org: Mapping[str, Any] | None = None,
                  *incidents: Mapping[str, Any], extra: Mapping[str, str] | None = None
                  ) -> Path:
    """A project: the Organization (``org`` is its spec) with ada, bob, team:ml and
    model:bot, and each incident document in ``reports/incidents/<name>.yaml``."""
    files = {"inventory/org.yaml": to_yaml(org_doc(**(org or {}))) + PEOPLE}
    for document in incidents:
        files[f"reports/incidents/{document['metadata']['name']}.yaml"] = to_yaml(document)
    files.update(extra or {})
    return make_project(root, CONFIG, files)


def incidents_run(capsys: pytest.CaptureFixture[str], root: Path, *args: str,
                  today: str = "2026-11-25") -> Run:
    return run(capsys, "incidents", "--project", root, "--today", today, *args)


def incidents_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str,
                   today: str = "2026-11-25") -> dict[str, Any]:
    """``airready incidents --format json``: the document, with ``by_ref`` added for lookups."""
    result = incidents_run(capsys, root, "--format", "json", *args, today=today)
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    assert document["schema_version"] == 1
    document["by_ref"] = {item["ref"]: item for item in document["incidents"]}
    return document


def check_states(capsys: pytest.CaptureFixture[str], root: Path, pattern: str = "AIR-INC-*",
                 today: str = "2026-11-25") -> dict[tuple[str, str], tuple[str, str]]:
    """``airready check`` on the incident controls: (control, target) -> (state, message)."""
    result = run(capsys, "check", "--project", root, "--control", pattern, "--format", "json",
                 "--today", today, "--fail-on", "none")
    assert result.code == 0, result.err
    findings = json.loads(result.out)["findings"]
    return {(f["control"], f["target"]): (f["state"], f["message"]) for f in findings}


# --- in memory ------------------------------------------------------------------------------

def build_inventory_of(org: Mapping[str, Any] | None = None, *incidents: Mapping[str, Any]
                       ) -> Inventory:
    """The inventory ``write_project`` would write, built in memory (no validation of
    incidents beyond the format: that is the command line's, tested there)."""
    text = to_yaml(org_doc(**(org or {}))) + PEOPLE + "".join(
        "---\n" + to_yaml(document) for document in incidents)
    sources, problems = parse_text(text, "inventory.yaml")
    assert problems == []
    inventory, problems = build_inventory(sources)
    assert problems == []
    return inventory


def render(inventory: Inventory, fmt: str = "text", today: str = "2026-11-25",
           full: bool = False) -> str:
    items = reports(inventory, dt.date.fromisoformat(today))
    return incidents_report.RENDERERS[fmt](items, full)


def evaluate(control_id: str, inventory: Inventory, ref: str, today: str = "2026-11-25"
             ) -> tuple[str, str]:
    """One builtin control on one entity: (state, message), as ``check`` reports it."""
    finding = evaluate_control(CATALOG.controls[control_id], inventory.entities[ref], inventory,
                               dt.date.fromisoformat(today))
    return finding.state, finding.message
