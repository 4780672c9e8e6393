"""Every control's own PASS and FAIL examples evaluate as they claim.

The examples live in the catalog (the docs render them), so a control cannot ship
without showing that it can both pass and fail.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from airready.inventory.config import load_project
from airready.inventory.validate import build_inventory
from airready.inventory.yamlsource import parse_text
from airready.rules.catalog import Control, load_catalog
from airready.rules.engine import evaluate_control

TODAY = dt.date(2026, 11, 25)
# The example project's catalog: the builtin controls and the project's own (controls/).
CATALOG, PROBLEMS = load_catalog(load_project(Path(__file__).resolve().parent.parent, Path.cwd()))


def example_inventory(docs: list[dict[str, Any]]):
    full = [{"apiVersion": "airready/v1", **doc} for doc in docs]
    sources, problems = parse_text(yaml.safe_dump_all(full, sort_keys=False), "example.yaml")
    assert not problems
    inventory, problems = build_inventory(sources)
    # Examples are small: references to entities they leave out are fine.
    assert [p for p in problems if p.code != "reference"] == []
    return inventory


def test_catalog_loads_cleanly():
    assert PROBLEMS == []
    assert len(CATALOG.controls) >= 40


@pytest.mark.parametrize("control", CATALOG.controls.values(), ids=lambda c: c.id)
@pytest.mark.parametrize("expected", ["pass", "fail"])
def test_control_example(control: Control, expected: str):
    assert control.spec.examples is not None, f"{control.id} has no examples"
    docs = control.spec.examples.passing if expected == "pass" else control.spec.examples.failing
    inventory = example_inventory(docs)
    target = next(iter(inventory.entities.values()))
    assert target.kind == control.kind
    finding = evaluate_control(control, target, inventory, TODAY)
    assert finding.state == expected, finding.message
    if expected == "fail":
        assert control.spec.failure in finding.message
        assert "(" in finding.message  # the evidence: what was found
