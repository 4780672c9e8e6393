"""Reach in one pass (graph/reach.py) gives what a walk from each entity gives.

The scorecard, the runbooks and the site take every model's reach from the shared
sets; these tests hold them to the per-entity walks (``blast.walk``, ``blast.reach``)
and to ``blast.actions()`` on random graphs, on the example and on a synthetic estate.
Hypothesis draws the graphs: cycles, self-loops, edges carrying several types and
isolated entities are exactly where a hand-written case would miss something.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airready.audit import load_all
from airready.graph import blast
from airready.graph.blast import SCENARIOS, actions, closures, model_reach, walk
from airready.graph.edges import EDGE_TYPES
from airready.graph.graph import build_graph, strong_components
from airready.inventory.config import load_project

REPO = Path(__file__).resolve().parent.parent
KINDS = ("Model", "Dataset", "Tool", "DataStore", "Credential", "Vendor", "Component")


@st.composite
def graphs(draw: st.DrawFn) -> nx.DiGraph:
    """A graph shaped as build_graph makes them: kinds on nodes; on edges the first type
    in ``edge`` and every type in ``edges``; edges added in sorted order."""
    size = draw(st.integers(min_value=1, max_value=14))
    names = [f"n{i:02d}" for i in range(size)]
    graph = nx.DiGraph()
    for name in names:
        graph.add_node(name, kind=draw(st.sampled_from(KINDS)))
    pairs = draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)),
                          max_size=size * 3, unique=True))
    for source, dest in sorted(pairs):
        types = draw(st.lists(st.sampled_from(EDGE_TYPES), min_size=1, max_size=3,
                              unique=True))
        graph.add_edge(source, dest, edge=types[0], edges=set(types), source=None)
    return graph


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_one_pass_reaches_what_every_walk_reaches(graph: nx.DiGraph) -> None:
    for scenario in (None, *SCENARIOS):
        index = closures(graph, scenario)
        for start in graph:
            walked = [r.ref for r in walk(graph, start, scenario)]
            assert index.members(index.reached(start)) == sorted(walked), (scenario, start)
            assert index.count(start) == len(walked)
            assert index.members(index.closure(start)) == sorted({start, *walked})


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_reach_without_paths_agrees_with_the_one_pass(graph: nx.DiGraph) -> None:
    for scenario in (None, *SCENARIOS):
        index = closures(graph, scenario)
        for start in graph:
            assert sorted(blast.reach(graph, start, scenario)) == index.members(
                index.reached(start))


def test_members_and_mask_are_inverse() -> None:
    graph = nx.DiGraph()
    graph.add_nodes_from(["b", "a", "c"], kind="Model")
    index = closures(graph)
    assert index.members(index.mask(["c", "a", "missing"])) == ["a", "c"]
    assert index.members(0) == []


def _figures(graph: nx.DiGraph, inventory: Any, ref: str) -> blast.Reach:
    """model_reach as the walk and actions() give it.  Write tools are walked without the
    grants that may only read: a tool granted [read] writes nothing for that model."""
    act = actions(inventory, ref, blast.reach(graph, ref, "prompt_injection"), None)
    writable = nx.DiGraph(graph)  # a copy: edges of read-only grants removed
    writable.graph = {}
    for model in inventory.of_kind("Model"):
        for grant in model.spec.tools if model.spec is not None else []:
            only_reads = grant.permissions and not blast.WRITE_ACTIONS & set(grant.permissions)
            if only_reads and writable.has_edge(model.ref, grant.tool) and \
                    writable.edges[model.ref, grant.tool]["edges"] == {"acts_through"}:
                writable.remove_edge(model.ref, grant.tool)
    writes = actions(inventory, ref, blast.reach(writable, ref, "prompt_injection"), None)
    fast = model_reach(graph, inventory, ref)
    return blast.Reach(len(writes["write_tools"]), act["sensitive_data"], act["users"],
                       fast.external_users)


def _check_every_model(root: Path) -> int:
    project = load_project(root, root)
    inventory = load_all(project).inventory
    graph = build_graph(inventory)
    models = [m.ref for m in inventory.of_kind("Model")]
    for ref in models:
        assert model_reach(graph, inventory, ref) == _figures(graph, inventory, ref), ref
        assert closures(graph, "prompt_injection").count(ref) == len(
            blast.reach(graph, ref, "prompt_injection"))
    return len(models)


def test_model_reach_matches_the_walks_on_the_example() -> None:
    assert _check_every_model(REPO) >= 10


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("bench_synth", REPO / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, synth)  # dataclasses look their module up there
    spec.loader.exec_module(sys.modules[spec.name])
    synth = sys.modules[spec.name]
    out = tmp_path_factory.mktemp("reach") / "project"
    synth.generate(out, 120, seed=3)
    return out


def test_model_reach_matches_the_walks_on_a_synthetic_estate(estate: Path) -> None:
    assert _check_every_model(estate) == 120


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefghij"), st.sets(st.sampled_from("abcdefghij")),
                       max_size=10))
def test_strong_components_are_networkx_s(edges: dict[str, set[str]]) -> None:
    """The cycle warnings of check and validate find their components without networkx."""
    graph = {node: {} for node in "abcdefghij"}
    for source, targets in edges.items():
        graph[source] = dict.fromkeys(sorted(targets))
    found = sorted(sorted(c) for c in strong_components(graph))
    expected = sorted(sorted(c) for c in nx.strongly_connected_components(
        nx.DiGraph([(s, t) for s, ts in graph.items() for t in ts])))
    singles = [[n] for n in graph if not any(n in c for c in expected)]
    assert found == sorted(expected + singles)


def _views(root: Path, keep: int) -> int:
    """Every model's runbook as the site shows it, from the shared sets and from walks."""
    from airready.readiness.runbook import build_runbook
    from airready.sitegen import pages

    inventory = load_all(load_project(root, root)).inventory
    graph = build_graph(inventory)
    compared = 0
    for model in inventory.of_kind("Model"):
        full = build_runbook(graph, inventory, model.ref)
        quick = build_runbook(graph, inventory, model.ref,
                              blast.runbook_reach(graph, inventory, model.ref, keep))
        assert [pages._bounded(s) for s in quick.steps] == [
            pages._bounded(s) for s in full.steps], model.ref
        compared += sum(s.more_items + s.more_gaps > 0 for s in quick.steps)
    return compared


def test_site_runbooks_from_the_shared_sets_match_full_walks(estate: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    from airready.sitegen import pages

    assert _views(REPO, pages.RUNBOOK_KEEP) >= 0
    # Few lines per step, so that lists are cut short and the counts of what was left out
    # are what the page shows.
    monkeypatch.setattr(pages, "RUNBOOK_KEEP", 2)
    assert _views(estate, 2) > 0
    assert _views(REPO, 2) > 0


def test_reach_sets_from_declarations_are_the_graph_s(estate: Path) -> None:
    """The scorecard's reach sets come from the inventory's declared edges, no graph."""
    for root in (REPO, estate):
        inventory = load_all(load_project(root, root)).inventory
        graph = build_graph(inventory)
        for scenario in SCENARIOS:
            ours = blast.inventory_closures(inventory, scenario)
            theirs = closures(graph, scenario)
            assert ours.refs == theirs.refs
            for ref in ours.refs:
                assert ours.closure(ref) == theirs.closure(ref), (scenario, ref)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(0, 40), st.integers(0, 10**7), max_size=20),
       st.integers(0, 2**41 - 1))
def test_sums_and_maxima_over_bitsets(values: dict[int, int], bits: int) -> None:
    """What the scorecard and the site count with bit slices is what a loop counts."""
    from airready.graph.reach import bit_slices, max_of, sum_of

    slices = bit_slices(values.items())
    chosen = [v for i, v in values.items() if bits >> i & 1]
    assert sum_of(bits, slices) == sum(chosen)
    present = sum(1 << i for i in values)
    assert max_of(bits, slices, present) == (max(chosen) if chosen else None)
