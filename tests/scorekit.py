"""Small projects for the scorecard and history tests, with their own controls only.

Every project here says ``controls: [controls]``, so the builtin catalog can never move
a pinned number.  Documents are written as dicts (``doc``), one file per list given to
``write``; ``scorecard_json`` runs ``airready scorecard --format json`` in-process and
``build`` returns the Scorecard object the command renders.

``write_estate`` writes the estate most tests pin numbers on.  Its model controls all
skip experimental models; weights are critical 10, high 5, medium 2, low 1, so a model
judged by the four of them has 18 points at stake:

=================  =====================================  =======  =====  ==================
model              results                                level    score  required
=================  =====================================  =======  =====  ==================
model:all-pass     all four pass (SC-NA-001 n/a)          gold       100  bronze
model:no-bronze    SC-BRZ-001 (critical) fails: 8/18      none        44  gold: tier high
model:silver-fail  SC-SLV-001 (high) fails: 13/18         bronze      72  gold: write + pii
model:waived       SC-SLV-001 waived, counts: 13/18       bronze      72  gold: write + users
model:gold-fail    SC-GLD-002 (low) fails: 17/18          silver      94  silver: pii
model:lab          experimental: nothing applies          unrated      -  silver: tier medium
=================  =====================================  =======  =====  ==================

model:vendor-model is external (no card).  Outside the models: SC-ORG-001 (critical)
passes, SC-ORG-002 (medium) fails, SC-TOOL-001 (low, but set to level bronze) passes on
tool:refunds and fails on tool:search.  SC-OFF-001 is disabled in airready.yaml.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml
from projectkit import Run, environment, run

from airready.audit import load_all, run_check
from airready.cli import main
from airready.inventory.config import load_project
from airready.readiness.scorecard import Scorecard, build_scorecard
from airready.rules.findings import AuditResult
from airready.rules.selection import select

TODAY = "2026-11-25"
TODAY_DATE = dt.date.fromisoformat(TODAY)
CONFIG = {"inventory": ["inventory"], "controls": ["controls"]}


def doc(kind: str, name: str, spec: Mapping[str, Any] | None = None, owner: str | None = None,
        **metadata: Any) -> dict[str, Any]:
    """One inventory document."""
    entity: dict[str, Any] = {"apiVersion": "airready/v1", "kind": kind,
                              "metadata": {"name": name, **metadata}}
    if owner:
        entity["metadata"]["owner"] = owner
    if spec is not None:
        entity["spec"] = dict(spec)
    return entity


def control(control_id: str, check: Mapping[str, Any], *, kind: str = "Model",
            severity: str = "high", phase: str = "preparation",
            where: Mapping[str, Any] | None = None, level: str | None = None,
            references: Mapping[str, list[str]] | None = None,
            failure: str = "lacks the thing", remediation: str = "Fix it.") -> dict[str, Any]:
    """One control, every required field filled in."""
    applies: dict[str, Any] = {"kind": kind}
    if where is not None:
        applies["where"] = dict(where)
    spec: dict[str, Any] = {
        "id": control_id, "title": f"{control_id} holds", "description": "Why it matters.",
        "phase": phase, "checklist_item": "Maintain model inventory", "severity": severity,
        "applies_to": applies, "check": dict(check), "failure": failure,
        "remediation": {"text": remediation},
    }
    if level is not None:
        spec["level"] = level
    if references:
        spec["references"] = {k: list(v) for k, v in references.items()}
    return spec


def write(root: Path, files: Mapping[str, Iterable[Mapping[str, Any]]],
          config: Mapping[str, Any] | None = None) -> Path:
    """airready.yaml plus one YAML file (of several documents) per entry of ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "airready.yaml").write_text(yaml.safe_dump(dict(config or CONFIG),
                                                       sort_keys=False))
    for name, docs in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump_all(list(docs), sort_keys=False))
    return root


def invoke(*args: str | Path) -> Run:
    """``airready ARGS`` in-process without capsys (for module-scoped fixtures)."""
    out, err = io.StringIO(), io.StringIO()
    code: object = None
    with environment(None), redirect_stdout(out), redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
    assert isinstance(code, int), code
    return Run(code, out.getvalue(), err.getvalue())


def cli(capsys: pytest.CaptureFixture[str], project: Path, *args: str | Path,
        today: str = TODAY) -> Run:
    return run(capsys, "scorecard", "--project", project, "--today", today, *args)


def scorecard_json(capsys: pytest.CaptureFixture[str], project: Path, *args: str | Path,
                   today: str = TODAY) -> dict[str, Any]:
    done = cli(capsys, project, "--format", "json", *args, today=today)
    assert done.code == 0, done.out + done.err
    data: dict[str, Any] = json.loads(done.out)
    return data


def audit(project: Path, today: str = TODAY) -> AuditResult:
    loaded = load_all(load_project(project, project))
    return run_check(loaded, dt.date.fromisoformat(today),
                     select(loaded.catalog, loaded.inventory)).result


def build(project: Path, today: str = TODAY) -> Scorecard:
    return build_scorecard(audit(project, today))


def models_by_ref(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["ref"]: m for m in data["models"]}


# --- the estate ----------------------------------------------------------------------------

NOT_LAB = {"not": {"path": "spec.lifecycle", "equals": "experimental"}}

ESTATE_CONTROLS = [
    control("SC-BRZ-001", {"path": "spec.logging.inputs", "equals": True}, severity="critical",
            phase="detection", where=NOT_LAB,
            references={"nist_ai_rmf": ["GOVERN 1.6"], "iso_42001": ["A.6.2.8"]},
            failure="does not log its inputs", remediation="Log every input."),
    control("SC-SLV-001", {"path": "spec.logging.outputs", "equals": True}, severity="high",
            phase="containment", where=NOT_LAB,
            references={"nist_ai_rmf": ["MEASURE 2.4"], "owasp_llm": ["LLM06:2025"]},
            failure="does not log its outputs", remediation="Log every output."),
    control("SC-GLD-001", {"path": "spec.rollback.known_good_version", "exists": True},
            severity="medium", phase="remediation", where=NOT_LAB,
            references={"nist_ai_rmf": ["MANAGE 2.4"]},
            failure="has no known-good version", remediation="Record the known-good version."),
    control("SC-GLD-002", {"path": "spec.version", "exists": True}, severity="low",
            where=NOT_LAB, failure="has no version", remediation="Record the version."),
    control("SC-NA-001", {"path": "spec.architecture.doc", "exists": True},
            where={"path": "spec.lifecycle", "equals": "retired"},
            references={"eu_ai_act": ["Art. 14"]}),
    control("SC-ORG-001", {"path": "spec.roles", "contains_all": ["incident_commander"]},
            kind="Organization", severity="critical",
            references={"nist_ai_rmf": ["GOVERN 2.1"], "iso_42001": ["A.3.2"]}),
    control("SC-ORG-002", {"path": "spec.tabletop_exercises",
                           "some": {"path": "date", "within": "P365D"}},
            kind="Organization", severity="medium", phase="post_incident",
            failure="held no exercise this year", remediation="Hold a tabletop exercise."),
    control("SC-TOOL-001", {"path": "spec.can_disable", "equals": True}, kind="Tool",
            severity="low", level="bronze", failure="cannot be disabled",
            remediation="Add a switch."),
    control("SC-OFF-001", {"path": "spec.version", "exists": True}, severity="critical",
            references={"mitre_atlas": ["AML.M0024"]}),
]
ESTATE_CONFIG = {**CONFIG, "overrides": {"SC-OFF-001": {"enabled": False, "reason": "later"}}}
GOOD_MODEL = {"lifecycle": "production", "version": "1.0",
              "logging": {"inputs": True, "outputs": True},
              "rollback": {"known_good_version": "1.0"}}


def model(name: str, owner: str, **changes: Any) -> dict[str, Any]:
    """A model passing every estate control, but for ``changes`` (None removes a field;
    a mapping is merged into the one of GOOD_MODEL)."""
    spec: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v
                            for k, v in GOOD_MODEL.items()}
    for key, value in changes.items():
        if value is None:
            spec.pop(key, None)
        elif isinstance(value, dict) and isinstance(spec.get(key), dict):
            spec[key].update(value)
        else:
            spec[key] = value
    return doc("Model", name, spec, owner=owner)


def estate_inventory() -> list[dict[str, Any]]:
    return [
        doc("Organization", "acme",
            {"roles": {"incident_commander": {"primary": "person:ada"}}}),
        doc("Person", "ada", {"email": "ada@example.com"}),
        doc("Team", "alpha"),
        doc("Team", "beta"),
        doc("Tool", "refunds", {"actions": ["write"], "can_disable": True}, owner="team:beta"),
        doc("Tool", "search", {"actions": ["read"], "can_disable": False}, owner="team:beta"),
        model("all-pass", "team:alpha", risk_tier="low"),
        model("no-bronze", "team:alpha", risk_tier="high", logging={"inputs": False}),
        model("silver-fail", "team:beta", logging={"outputs": False},
              tools=[{"tool": "tool:refunds"}], data_classes=["pii"]),
        model("waived", "team:beta", logging={"outputs": False},
              tools=[{"tool": "tool:refunds"}], users={"count": 1200, "audience": "external"}),
        model("gold-fail", "team:alpha", version=None, data_classes=["pii"]),
        model("lab", "team:beta", lifecycle="experimental", risk_tier="medium"),
        doc("Model", "vendor-model", external=True),
        doc("Waiver", "waived-outputs", {
            "control": "SC-SLV-001", "targets": ["model:waived"],
            "justification": "Outputs are logged by the gateway.",
            "approved_by": "person:ada", "approved_on": "2026-11-01",
            "expires": "2027-03-01"}),
    ]


ESTATE_FILE = "inventory/estate.yaml"


def write_estate(root: Path, inventory: Iterable[Mapping[str, Any]] | None = None,
                 config: Mapping[str, Any] | None = None) -> Path:
    docs = list(estate_inventory() if inventory is None else inventory)
    return write(root, {"controls/estate.yaml": ESTATE_CONTROLS, ESTATE_FILE: docs},
                 ESTATE_CONFIG if config is None else config)


def replace_model(docs: list[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    """``docs`` with the model of the same name swapped for ``new``."""
    name = new["metadata"]["name"]
    return [new if d["kind"] == "Model" and d["metadata"]["name"] == name else d
            for d in docs]
