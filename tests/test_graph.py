"""The dependency graph: one typed edge per reference, pointing the way harm spreads.

The edge table of the format (docs: "Relations and blast radius") is the contract:
each row is checked for its type and its direction, on the smallest inventory that
holds it.  Then what is not an edge, pairs declared twice, the sorted adjacency that
makes walks deterministic, and the lineage cycles that validate warns about.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from blastkit import (
    ESTATE,
    FILE,
    ORG,
    PEOPLE,
    dump,
    entity,
    inventory,
    inventory_with_problems,
    minimal,
    write_project,
)

from airready.cli import main
from airready.graph.blast import walk
from airready.graph.edges import EDGE_TYPES, LINEAGE_EDGES, EdgeSource
from airready.graph.graph import build_graph, lineage_cycles

OWNER = "team:ml"

# (field, documents, the one edge they make: source, destination, type)
EDGE_TABLE = [
    ("Model.training_data",
     [entity("Dataset", "d", {}, owner=OWNER),
      entity("Model", "m", {"training_data": ["dataset:d"]}, owner=OWNER)],
     ("dataset:d", "model:m", "trains")),
    ("Model.fine_tuning[].dataset",
     [entity("Dataset", "d", {}, owner=OWNER),
      entity("Model", "m", {"fine_tuning": [{"dataset": "dataset:d", "date": "2026-01-02",
                                             "by": "person:ada"}]}, owner=OWNER)],
     ("dataset:d", "model:m", "trains")),
    ("Dataset.derived_from",
     [entity("Dataset", "raw", {}, owner=OWNER),
      entity("Dataset", "clean", {"derived_from": ["dataset:raw"]}, owner=OWNER)],
     ("dataset:raw", "dataset:clean", "derives")),
    ("Model.base_model",
     [entity("Model", "base", {}, owner=OWNER),
      entity("Model", "tuned", {"base_model": "model:base"}, owner=OWNER)],
     ("model:base", "model:tuned", "fine_tunes")),
    ("Model.provider",
     [entity("Vendor", "v", {}), entity("Model", "m", {"provider": "vendor:v"}, owner=OWNER)],
     ("vendor:v", "model:m", "supplies")),
    ("Dataset.supplier",
     [entity("Vendor", "v", {}), entity("Dataset", "d", {"supplier": "vendor:v"}, owner=OWNER)],
     ("vendor:v", "dataset:d", "supplies")),
    ("Component.supplier",
     [entity("Vendor", "v", {}), entity("Component", "c", {"supplier": "vendor:v"})],
     ("vendor:v", "component:c", "supplies")),
    ("Model.depends_on (component)",
     [entity("Component", "c", {}),
      entity("Model", "m", {"depends_on": ["component:c"]}, owner=OWNER)],
     ("component:c", "model:m", "serves")),
    ("Model.depends_on (model)",
     [entity("Model", "dep", {}, owner=OWNER),
      entity("Model", "m", {"depends_on": ["model:dep"]}, owner=OWNER)],
     ("model:dep", "model:m", "serves")),
    ("Model.depends_on (datastore)",
     [entity("DataStore", "s", {}),
      entity("Model", "m", {"depends_on": ["datastore:s"]}, owner=OWNER)],
     ("datastore:s", "model:m", "serves")),
    ("Component.depends_on",
     [entity("Component", "lib", {}),
      entity("Component", "app", {"depends_on": ["component:lib"]})],
     ("component:lib", "component:app", "serves")),
    ("Model.tools",
     [entity("Tool", "t", {}, owner=OWNER),
      entity("Model", "m", {"tools": [{"tool": "tool:t", "permissions": ["read"]}]},
             owner=OWNER)],
     ("model:m", "tool:t", "acts_through")),
    ("Tool.reaches (datastore)",
     [entity("DataStore", "s", {}),
      entity("Tool", "t", {"reaches": ["datastore:s"]}, owner=OWNER)],
     ("tool:t", "datastore:s", "reaches")),
    ("Tool.reaches (tool)",
     [entity("Tool", "inner", {}, owner=OWNER),
      entity("Tool", "t", {"reaches": ["tool:inner"]}, owner=OWNER)],
     ("tool:t", "tool:inner", "reaches")),
    ("Credential.grants (datastore)",
     [entity("DataStore", "s", {}), entity("Credential", "k", {"grants": ["datastore:s"]})],
     ("credential:k", "datastore:s", "reaches")),
    ("Credential.grants (tool)",
     [entity("Tool", "t", {}, owner=OWNER), entity("Credential", "k", {"grants": ["tool:t"]})],
     ("credential:k", "tool:t", "reaches")),
    ("Model.data_access",
     [entity("DataStore", "s", {}),
      entity("Model", "m", {"data_access": ["datastore:s"]}, owner=OWNER)],
     ("model:m", "datastore:s", "reads")),
    ("Model.credentials",
     [entity("Credential", "k", {}),
      entity("Model", "m", {"credentials": ["credential:k"]}, owner=OWNER)],
     ("model:m", "credential:k", "holds")),
    ("Model.environments",
     [entity("Environment", "e", {}),
      entity("Model", "m", {"environments": ["environment:e"]}, owner=OWNER)],
     ("model:m", "environment:e", "runs_in")),
    # Added to the format after the table: hosts, issuers and in-house suppliers.
    ("DataStore.supplier",
     [entity("Vendor", "v", {}), entity("DataStore", "s", {"supplier": "vendor:v"})],
     ("vendor:v", "datastore:s", "supplies")),
    ("Credential.issuer",
     [entity("Vendor", "v", {}), entity("Credential", "k", {"issuer": "vendor:v"})],
     ("vendor:v", "credential:k", "supplies")),
    ("Component.supplier (team)",
     [entity("Component", "c", {"supplier": "team:ml"})],
     ("team:ml", "component:c", "supplies")),
]


def edges_of(graph: nx.DiGraph) -> set[tuple[str, str, str]]:
    return {(u, v, d["edge"]) for u, v, d in graph.edges(data=True)}


@pytest.mark.parametrize(("field", "docs", "expected"), EDGE_TABLE,
                         ids=[row[0] for row in EDGE_TABLE])
def test_edge_table(field: str, docs: list[dict], expected: tuple[str, str, str]):
    graph = build_graph(inventory(minimal(*docs)))
    assert edges_of(graph) == {expected}
    source, dest, edge = expected
    data = graph.edges[source, dest]
    assert data["edges"] == {edge}
    # Harm spreads along the edge, and only that way.
    assert [(r.ref, r.edges) for r in walk(graph, source)] == [(dest, [edge])]
    assert walk(graph, dest) == []
    assert [(r.ref, r.edges, r.against) for r in walk(graph, dest, reverse=True)] == [
        (source, [edge], (True,))]


def test_edge_table_covers_every_edge_type():
    assert {row[2][2] for row in EDGE_TABLE} == set(EDGE_TYPES)
    assert {"trains", "derives", "fine_tunes"} == LINEAGE_EDGES


def test_every_entity_is_a_node_with_its_kind():
    built = inventory(ESTATE)
    graph = build_graph(built)
    assert set(graph.nodes) == set(built.entities)
    assert graph.nodes["datastore:payments"]["kind"] == "DataStore"
    assert graph.nodes["person:ada"]["kind"] == "Person"
    assert graph.degree("person:ada") == 0  # people are looked up, never walked through


def test_the_estate_graph():
    graph = build_graph(inventory(ESTATE))
    assert edges_of(graph) == {
        ("vendor:acme-ai", "model:router", "supplies"),
        ("vendor:datahub", "dataset:web-crawl", "supplies"),
        ("vendor:gpuco", "component:serving", "supplies"),
        ("dataset:web-crawl", "dataset:crawl-clean", "derives"),
        ("dataset:crawl-clean", "model:base-lm", "trains"),
        ("dataset:support-tickets", "model:support-bot", "trains"),
        ("component:serving", "component:runtime-lib", "serves"),
        ("component:serving", "model:base-lm", "serves"),
        ("model:base-lm", "environment:staging", "runs_in"),
        ("model:base-lm", "model:support-bot", "fine_tunes"),
        ("model:support-bot", "credential:refunds-key", "holds"),
        ("model:support-bot", "datastore:customers", "reads"),
        ("model:support-bot", "environment:prod", "runs_in"),
        ("model:support-bot", "model:router", "serves"),
        ("model:support-bot", "tool:refunds", "acts_through"),
        ("model:router", "credential:db-ro", "holds"),
        ("model:router", "environment:prod", "runs_in"),
        ("tool:refunds", "datastore:payments", "reaches"),
        ("credential:refunds-key", "datastore:payments", "reaches"),
        ("credential:refunds-key", "tool:refunds", "reaches"),
        ("credential:db-ro", "datastore:customers", "reaches"),
    }


def test_lookups_are_not_edges():
    """Owners, fine-tuners, playbooks, risks, log stores, separation: looked up, not walked."""
    docs = minimal(
        entity("Dataset", "d", {}, owner="person:ada"),
        entity("DataStore", "logs", {"separate_from": ["datastore:other"]}),
        entity("DataStore", "other", {}),
        entity("Model", "m", {
            "fine_tuning": [{"dataset": "dataset:d", "by": "person:ada"},
                            {"dataset": "dataset:d", "by": "team:ml"}],
            "logging": {"inputs": True, "store": "datastore:logs"}}, owner="team:ml"),
        entity("Playbook", "p", {"scenario": "prompt_injection", "applies_to": ["model:m"]},
               owner="person:ada"),
        entity("Risk", "r", {"title": "t", "models": ["model:m"], "likelihood": 2,
                             "impact": 3}, owner="person:ada"),
    )
    graph = build_graph(inventory(docs))
    assert edges_of(graph) == {("dataset:d", "model:m", "trains")}


def test_edge_source_points_at_the_declaration():
    built = inventory(ESTATE)
    graph = build_graph(built)
    where = graph.edges["model:base-lm", "model:support-bot"]["source"]
    assert where == EdgeSource("model:support-bot", ("spec", "base_model"))
    file, line, column = built.locate(where.entity, where.path)
    text = dump(ESTATE).splitlines()[line - 1]
    assert file == FILE
    assert text.strip() == "base_model: model:base-lm"
    assert text[column - 1:] == "model:base-lm"
    tool = graph.edges["model:support-bot", "tool:refunds"]["source"]
    assert tool == EdgeSource("model:support-bot", ("spec", "tools", 0, "tool"))


def test_a_pair_declared_twice_keeps_the_first_type_and_lists_both():
    docs = minimal(
        entity("Dataset", "d", {}, owner=OWNER),
        entity("Model", "base", {}, owner=OWNER),
        entity("Model", "m", {"base_model": "model:base", "depends_on": ["model:base"],
                              "training_data": ["dataset:d"],
                              "fine_tuning": [{"dataset": "dataset:d"}]}, owner=OWNER),
    )
    graph = build_graph(inventory(docs))
    assert graph.edges["model:base", "model:m"]["edge"] == "fine_tunes"
    assert graph.edges["model:base", "model:m"]["edges"] == {"fine_tunes", "serves"}
    assert graph.edges["dataset:d", "model:m"]["edges"] == {"trains"}
    assert graph.number_of_edges() == 2


def test_adjacency_is_sorted_whatever_the_declaration_order():
    shuffled = list(ESTATE)
    random.Random(7).shuffle(shuffled)
    first, second = build_graph(inventory(ESTATE)), build_graph(inventory(shuffled))
    assert sorted(first.edges(data="edge")) == sorted(second.edges(data="edge"))
    for node in first:
        assert list(first.successors(node)) == list(second.successors(node))
        assert list(first.predecessors(node)) == list(second.predecessors(node))
    for graph in (first, second):
        for node in graph:
            assert list(graph.successors(node)) == sorted(graph.successors(node))
            assert list(graph.predecessors(node)) == sorted(graph.predecessors(node))


# --- cycles ---------------------------------------------------------------------------------

def fine_tune_cycle() -> list[dict]:
    return minimal(
        entity("Model", "x", {"base_model": "model:y"}, owner=OWNER),
        entity("Model", "y", {"base_model": "model:x"}, owner=OWNER),
    )


def test_a_fine_tuning_cycle_is_a_warning_with_its_place():
    built, problems = inventory_with_problems(fine_tune_cycle())
    assert problems == []  # the format itself is fine: the graph says what is wrong
    warnings = lineage_cycles(built)
    assert len(warnings) == 1
    warning = warnings[0]
    assert (warning.level, warning.code) == ("warning", "graph")
    assert warning.message.startswith("lineage cycle: model:x -> model:y -> model:x ")
    # x -fine_tunes-> y is declared by y: its base_model line.
    lines = dump(fine_tune_cycle()).splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip() == "base_model: model:x")
    assert (warning.file, warning.line, warning.column) == (
        FILE, line, lines[line - 1].index("model:x") + 1)


def test_a_derivation_cycle_names_the_shortest_cycle_through_the_smallest_ref():
    docs = minimal(
        entity("Dataset", "c", {"derived_from": ["dataset:b"]}, owner=OWNER),
        entity("Dataset", "a", {"derived_from": ["dataset:c"]}, owner=OWNER),
        entity("Dataset", "b", {"derived_from": ["dataset:a", "dataset:c"]}, owner=OWNER),
        entity("Dataset", "ok", {"derived_from": ["dataset:a"]}, owner=OWNER),
    )
    built = inventory(docs)
    [warning] = lineage_cycles(built)
    assert "lineage cycle: dataset:a -> dataset:b -> dataset:c -> dataset:a " in warning.message


def test_two_separate_cycles_give_two_sorted_warnings():
    docs = [*fine_tune_cycle(),
            entity("Dataset", "p", {"derived_from": ["dataset:q"]}, owner=OWNER),
            entity("Dataset", "q", {"derived_from": ["dataset:p"]}, owner=OWNER)]
    built = inventory(docs)
    warnings = lineage_cycles(built)
    assert [w.message.split(" (")[0] for w in warnings] == [
        "lineage cycle: model:x -> model:y -> model:x",
        "lineage cycle: dataset:p -> dataset:q -> dataset:p",
    ]
    assert warnings == sorted(warnings)


def test_models_that_call_each_other_are_no_lineage_cycle():
    """A serves B serves A: agents may call each other; the walk still ends."""
    docs = minimal(
        entity("Model", "a", {"depends_on": ["model:b"]}, owner=OWNER),
        entity("Model", "b", {"depends_on": ["model:a"], "base_model": "model:a"},
               owner=OWNER),
    )
    built = inventory(docs)
    graph = build_graph(built)
    assert lineage_cycles(built) == []
    assert [(r.ref, r.path) for r in walk(graph, "model:a")] == [
        ("model:b", ["model:a", "model:b"])]
    assert [(r.ref, r.path) for r in walk(graph, "model:b")] == [
        ("model:a", ["model:b", "model:a"])]


def test_a_model_fine_tuned_from_itself_is_an_error_already():
    built, problems = inventory_with_problems(minimal(
        entity("Model", "x", {"base_model": "model:x"}, owner=OWNER)))
    assert [(p.level, p.message) for p in problems] == [
        ("error", "spec.base_model: model:x cannot be fine-tuned from itself")]


def test_validate_prints_the_cycle_warning_and_exits_0(tmp_path: Path, capsys):
    root = write_project(tmp_path / "p", fine_tune_cycle())
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--project", str(root)])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 0
    lines = dump(fine_tune_cycle()).splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip() == "base_model: model:x")
    assert (f"{FILE}:{line}:{lines[line - 1].index('model:x') + 1}: [warning] lineage cycle: "
            "model:x -> model:y -> model:x") in out
    assert "1 warning" in err


PROBE = """
import json, sys
sys.path.insert(0, {tests!r})
from blastkit import entity, inventory, minimal
from airready.graph.graph import lineage_cycles
docs = minimal(*[entity("Model", f"m{{i}}", {{"base_model": f"model:m{{(i + 1) % 7}}"}},
                        owner="team:ml") for i in range(7)],
               *[entity("Dataset", f"d{{i}}", {{"derived_from": [f"dataset:d{{(i + 3) % 5}}"]}},
                        owner="team:ml") for i in range(5)])
built = inventory(docs)
print(json.dumps([p.render() for p in lineage_cycles(built)]))
"""


def test_cycle_warnings_do_not_depend_on_the_hash_seed():
    """Sets of strings iterate in a per-process order: compare this process with another."""
    script = PROBE.format(tests=str(Path(__file__).parent))
    here = io.StringIO()
    with contextlib.redirect_stdout(here):
        exec(script, {})
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
    assert json.loads(done.stdout) == json.loads(here.getvalue())
    assert [w.split(": [warning] ")[1].split(" (")[0] for w in json.loads(done.stdout)] == [
        "lineage cycle: model:m0 -> model:m6 -> model:m5 -> model:m4 -> model:m3 -> "
        "model:m2 -> model:m1 -> model:m0",
        "lineage cycle: dataset:d0 -> dataset:d2 -> dataset:d4 -> dataset:d1 -> "
        "dataset:d3 -> dataset:d0",
    ]


def test_an_empty_inventory_has_an_empty_graph():
    built = inventory([ORG, *PEOPLE])
    graph = build_graph(built)
    assert graph.number_of_edges() == 0
    assert lineage_cycles(built) == []
