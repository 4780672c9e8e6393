"""The engine's shortcuts give exactly what plain evaluation gives.

``evaluate`` shares work across controls (one scope per target, one outcome per shared
``applies_to.where`` and target) and conditions take fast paths for plain field paths;
none of it may change a finding, a message or a position.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from airready.audit import load_all
from airready.inventory.config import load_project
from airready.inventory.model import Inventory
from airready.rules.catalog import load_catalog
from airready.rules.conditions import (
    OPERATORS,
    Context,
    Outcome,
    Scope,
    _prepare_argument,
    compile_condition,
    resolve,
    show_path,
    show_value,
)
from airready.rules.engine import _Run, evaluate, evaluate_control
from airready.rules.findings import Finding

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 25)


def _synth():
    spec = importlib.util.spec_from_file_location("bench_synth_engine",
                                                  ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=["example", "synthetic"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "example":
        root = ROOT
    else:
        root = tmp_path_factory.mktemp("synth") / "project"
        _synth().generate(root, 40, seed=11)
    return load_all(load_project(root, root))


def _as_dict(finding: Finding) -> dict[str, Any]:
    # ``message`` is worded when read, however it was given
    return {name: getattr(finding, name) for name in Finding.FIELDS}


def test_a_whole_run_gives_what_lone_calls_give(loaded):
    """Each lone ``evaluate_control`` call starts from nothing: no shared scope or selector."""
    inventory, catalog = loaded.inventory, loaded.catalog
    result = evaluate(inventory, catalog, TODAY)
    alone = [evaluate_control(control, entity, inventory, TODAY)
             for control in catalog.enabled() for entity in inventory.of_kind(control.kind)]
    assert [_as_dict(f) for f in result.findings] == [_as_dict(f) for f in alone]
    assert {f.state for f in result.findings} >= {"pass", "fail", "not_applicable"}


def test_a_run_on_another_date_shares_nothing_with_it(loaded):
    inventory, catalog = loaded.inventory, loaded.catalog
    later = dt.date(2029, 1, 1)
    first = evaluate(inventory, catalog, later)
    alone = [evaluate_control(control, entity, inventory, later)
             for control in catalog.enabled() for entity in inventory.of_kind(control.kind)]
    assert [_as_dict(f) for f in first.findings] == [_as_dict(f) for f in alone]


def test_selectors_written_alike_share_one_function():
    catalog, problems = load_catalog(None)
    assert problems == []
    by_text: dict[str, set[int]] = {}
    for control in catalog.controls.values():
        if control.where is not None:
            by_text.setdefault(repr(control.spec.applies_to.where), set()).add(id(control.where))
    assert all(len(ids) == 1 for ids in by_text.values())
    assert len({next(iter(ids)) for ids in by_text.values()}) == len(by_text)
    assert any(sum(1 for c in catalog.controls.values()
                   if repr(c.spec.applies_to.where) == text) > 1 for text in by_text)


def test_dotted_paths_tell_equal_keys_apart():
    """``1`` and ``True`` are the same mapping key, but not the same words."""
    run = _Run(Inventory(), TODAY)
    assert run.dot(("spec", "targets", True)) == "spec.targets.True"
    assert run.dot(("spec", "targets", 1)) == "spec.targets.1"
    assert run.dot(("spec", "logging", "inputs")) == "spec.logging.inputs"
    assert run.dot(("spec", "logging", "inputs")) == "spec.logging.inputs"
    assert run.dot(()) == ""


def test_shown_paths_tell_equal_keys_apart():
    """``show_path`` keeps the words of plain paths; ``1`` and ``True`` still differ."""
    assert show_path(("spec", "targets", True)) == "targets.True"
    assert show_path(("spec", "targets", 1)) == "targets.1"
    assert show_path(("spec", "logging", "inputs")) == "logging.inputs"
    assert show_path(("spec", "logging", "inputs")) == "logging.inputs"
    assert show_path(()) == "the entity"


def test_a_streamed_message_is_worded_alike_and_not_kept(loaded):
    """JSON output words each pass as it goes (``worded``) without keeping the text on
    the finding; ``message`` words it once and keeps it. Both read the same."""
    result = evaluate(loaded.inventory, loaded.catalog, TODAY)
    lazy = [f for f in result.findings if not isinstance(f._message, str)]
    assert lazy, "passes and not-applicable results are worded when read"
    for finding in lazy[:200]:
        streamed = finding.worded()
        assert not isinstance(finding._message, str)  # not kept
        assert streamed == finding.message
        assert finding._message == streamed  # kept once read as message


def test_blocks_written_alike_share_one_record_of_their_fields(loaded):
    """Each frozen block's ``model_fields_set`` is one shared frozenset per distinct set
    of written fields (memory), and still says exactly which fields were written."""
    models = loaded.inventory.of_kind("Model")
    by_fields: dict[frozenset[str], list[Any]] = {}
    for model in models:
        written = model.spec.model_fields_set
        assert isinstance(written, frozenset)
        # exactly the keys the document's spec wrote (aliases aside, none in a spec)
        assert written == set(loaded.inventory.sources[model.ref].data.get("spec") or {})
        by_fields.setdefault(written, []).append(model.spec)
    shared = [specs for written, specs in by_fields.items() if written and len(specs) > 1]
    assert shared, "some models write the same spec fields"
    for specs in shared:
        assert all(spec.model_fields_set is specs[0].model_fields_set for spec in specs)
    spec = shared[0][0]
    with pytest.raises(ValidationError, match="frozen"):  # nor, so, its record
        setattr(spec, sorted(spec.model_fields_set)[0], None)


# --- the fast path for a plain operator on a plain path ---------------------------------------

def _general(spec: dict[str, Any], scope: Scope, ctx: Context) -> Outcome:
    """A field condition evaluated the long way: ``resolve`` and the operator, as for ``*``."""
    name = next(k for k in spec if k in OPERATORS)
    argument = _prepare_argument(name, spec[name], ())
    steps = tuple(spec["path"].split("."))
    [(path, value)] = list(resolve(scope.root, steps, scope.base))
    problem = OPERATORS[name](value, argument, ctx)
    if problem is None:
        return Outcome(True, scope.ref, path, f"{show_path(path)} is {show_value(value)}")
    if value is None:  # a missing block is named once, as the block
        for index in range(1, len(steps)):
            [(block, found)] = list(resolve(scope.root, steps[:index], scope.base))
            if found is None:
                return Outcome(False, scope.ref, path, f"{show_path(block)} is not set")
    return Outcome(False, scope.ref, path, f"{show_path(path)} {problem}")


SPECS = [
    {"path": "spec.lifecycle", "equals": "production"},
    {"path": "spec.lifecycle", "in": ["production", "staging"]},
    {"path": "spec.provider", "exists": True},
    {"path": "spec.provider", "exists": False},
    {"path": "spec.tools", "count_min": 1},
    {"path": "spec.logging.inputs", "equals": True},
    {"path": "spec.logging.retention_days", "min": 180},
    {"path": "spec.logging", "exists": True},
    {"path": "spec.monitoring.alerts", "contains_all": ["latency"]},
    {"path": "spec.rollback.last_tested", "within": "P180D"},
    {"path": "spec.tools.0.tool", "exists": True},
    {"path": "spec.logging.copy", "exists": True},  # a method of the class, not a field
    {"path": "ref", "exists": True},  # Entity.ref is a cached property, not a field
    {"path": "metadata.labels.team", "exists": True},  # through a plain mapping
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s['path']}-{list(s)[1]}")
def test_plain_paths_resolve_as_the_general_walk_does(loaded, spec):
    inventory = loaded.inventory
    condition = compile_condition(spec)
    for entity in inventory.of_kind("Model"):
        scope, ctx = Scope(entity, entity.ref, ()), Context(inventory, TODAY, entity.ref)
        assert condition(scope, ctx) == _general(spec, scope, ctx), entity.ref
        nested = Scope(entity, entity.ref, ("x", 0))  # a base path is kept in front
        assert condition(nested, ctx) == _general(spec, nested, ctx), entity.ref
