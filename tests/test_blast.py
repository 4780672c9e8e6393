"""Blast radius: what harm starting at one entity reaches, the path to each, whom to act on.

Most tests walk the small estate of blastkit (its graph is drawn there) and compare
the exact list of (depth, explained path): the path, the edge types and the direction
of every step, in the order the walk returns them.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import jsonschema
import networkx as nx
import pytest
from blastkit import ESTATE, entity, inventory, minimal, write_project

from airready.cli import main
from airready.graph import blast
from airready.graph.blast import SCENARIOS, BlastRadius, Reached, actions, blast_radius, walk
from airready.graph.edges import EDGE_TYPES
from airready.graph.graph import build_graph
from airready.report.blast import RENDERERS, blast_dict, explain

ESTATE_INVENTORY = inventory(ESTATE)
GRAPH = build_graph(ESTATE_INVENTORY)
REPO = Path(__file__).resolve().parent.parent
OWNER = "team:ml"


def reach(start: str, graph: nx.DiGraph = GRAPH, **options: Any) -> list[tuple[int, str]]:
    return [(r.depth, explain(r.path, r.edges, r.against)) for r in walk(graph, start, **options)]


def check_consistent(reached: list[Reached], start: str) -> None:
    """Every entry's fields agree with each other."""
    for r in reached:
        assert r.path[0] == start and r.path[-1] == r.ref
        assert len(r.path) == len(r.edges) + 1 == r.depth + 1 == len(r.against) + 1
    assert [r.depth for r in reached] == sorted(r.depth for r in reached)  # BFS order
    assert len({r.ref for r in reached}) == len(reached) and start not in {r.ref for r in reached}


# --- the walk ---------------------------------------------------------------------------------

WEB_CRAWL = [
    (1, "dataset:web-crawl -derives-> dataset:crawl-clean"),
    (2, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm"),
    (3, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
        "-runs_in-> environment:staging"),
    (3, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
        "-fine_tunes-> model:support-bot"),
    (4, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
        "-fine_tunes-> model:support-bot -holds-> credential:refunds-key"),
    (4, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
        "-fine_tunes-> model:support-bot -reads-> datastore:customers"),
    (4, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
        "-fine_tunes-> model:support-bot -runs_in-> environment:prod"),
    (4, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
        "-fine_tunes-> model:support-bot -serves-> model:router"),
    (4, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
        "-fine_tunes-> model:support-bot -acts_through-> tool:refunds"),
    # payments is two hops past support-bot both through the key and through the
    # tool: the path through the smaller reference (credential: < tool:) is kept.
    (5, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
        "-fine_tunes-> model:support-bot -holds-> credential:refunds-key "
        "-reaches-> datastore:payments"),
    (5, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
        "-fine_tunes-> model:support-bot -serves-> model:router -holds-> credential:db-ro"),
]


def test_everything_harm_reaches_from_a_dataset():
    assert reach("dataset:web-crawl") == WEB_CRAWL
    reached = walk(GRAPH, "dataset:web-crawl")
    check_consistent(reached, "dataset:web-crawl")
    payments = next(r for r in reached if r.ref == "datastore:payments")
    assert payments == Reached(
        "datastore:payments", "DataStore", 5,
        ["dataset:web-crawl", "dataset:crawl-clean", "model:base-lm", "model:support-bot",
         "credential:refunds-key", "datastore:payments"],
        ["derives", "trains", "fine_tunes", "holds", "reaches"], (False,) * 5)


def test_the_reached_set_is_networkx_descendants():
    for start in GRAPH:
        reached = walk(GRAPH, start)
        check_consistent(reached, start)
        assert {r.ref for r in reached} == nx.descendants(GRAPH, start)
        back = walk(GRAPH, start, reverse=True)
        check_consistent(back, start)
        assert {r.ref for r in back} == nx.ancestors(GRAPH, start)


def test_a_leaf_reaches_nothing():
    assert walk(GRAPH, "datastore:payments") == []
    assert walk(GRAPH, "person:ada") == []
    assert walk(GRAPH, "playbook:injection") == []


def test_an_unknown_start_is_a_key_error():
    with pytest.raises(KeyError):
        walk(GRAPH, "model:nope")


def test_depth_stops_the_walk():
    assert reach("dataset:web-crawl", depth=1) == WEB_CRAWL[:1]
    assert reach("dataset:web-crawl", depth=2) == WEB_CRAWL[:2]
    assert reach("dataset:web-crawl", depth=3) == WEB_CRAWL[:4]
    assert reach("dataset:web-crawl", depth=4) == WEB_CRAWL[:9]
    assert reach("dataset:web-crawl", depth=5) == WEB_CRAWL
    assert reach("dataset:web-crawl", depth=50) == WEB_CRAWL
    assert reach("dataset:web-crawl", depth=0) == []
    assert reach("model:support-bot", scenario="prompt_injection", depth=1) == [
        (1, "model:support-bot -holds-> credential:refunds-key"),
        (1, "model:support-bot -reads-> datastore:customers"),
        (1, "model:support-bot -runs_in-> environment:prod"),
        (1, "model:support-bot -serves-> model:router"),
        (1, "model:support-bot -acts_through-> tool:refunds"),
    ]


def test_reverse_walks_the_same_edges_backwards():
    assert reach("datastore:payments", reverse=True) == [
        (1, "datastore:payments <-reaches- credential:refunds-key"),
        (1, "datastore:payments <-reaches- tool:refunds"),
        (2, "datastore:payments <-reaches- credential:refunds-key <-holds- model:support-bot"),
        (3, "datastore:payments <-reaches- credential:refunds-key <-holds- model:support-bot "
            "<-trains- dataset:support-tickets"),
        (3, "datastore:payments <-reaches- credential:refunds-key <-holds- model:support-bot "
            "<-fine_tunes- model:base-lm"),
        (4, "datastore:payments <-reaches- credential:refunds-key <-holds- model:support-bot "
            "<-fine_tunes- model:base-lm <-serves- component:serving"),
        (4, "datastore:payments <-reaches- credential:refunds-key <-holds- model:support-bot "
            "<-fine_tunes- model:base-lm <-trains- dataset:crawl-clean"),
        (5, "datastore:payments <-reaches- credential:refunds-key <-holds- model:support-bot "
            "<-fine_tunes- model:base-lm <-serves- component:serving <-supplies- vendor:gpuco"),
        (5, "datastore:payments <-reaches- credential:refunds-key <-holds- model:support-bot "
            "<-fine_tunes- model:base-lm <-trains- dataset:crawl-clean "
            "<-derives- dataset:web-crawl"),
        (6, "datastore:payments <-reaches- credential:refunds-key <-holds- model:support-bot "
            "<-fine_tunes- model:base-lm <-trains- dataset:crawl-clean "
            "<-derives- dataset:web-crawl <-supplies- vendor:datahub"),
    ]
    first = walk(GRAPH, "datastore:payments", reverse=True)[0]
    assert (first.path, first.edges, first.against) == (
        ["datastore:payments", "credential:refunds-key"], ["reaches"], (True,))


def test_reverse_with_depth_and_scenario():
    assert reach("model:router", reverse=True, depth=1) == [
        (1, "model:router <-serves- model:support-bot"),
        (1, "model:router <-supplies- vendor:acme-ai"),
    ]
    # data_poisoning backwards: where could poisoned data have come from?
    assert reach("model:support-bot", scenario="data_poisoning", reverse=True) == [
        (1, "model:support-bot <-trains- dataset:support-tickets"),
        (1, "model:support-bot <-fine_tunes- model:base-lm"),
        (2, "model:support-bot <-fine_tunes- model:base-lm <-serves- component:serving"),
        (2, "model:support-bot <-fine_tunes- model:base-lm <-trains- dataset:crawl-clean"),
        (3, "model:support-bot <-fine_tunes- model:base-lm <-serves- component:serving "
            "<-supplies- vendor:gpuco"),
        (3, "model:support-bot <-fine_tunes- model:base-lm <-trains- dataset:crawl-clean "
            "<-derives- dataset:web-crawl"),
        (4, "model:support-bot <-fine_tunes- model:base-lm <-trains- dataset:crawl-clean "
            "<-derives- dataset:web-crawl <-supplies- vendor:datahub"),
    ]


# --- scenarios ---------------------------------------------------------------------------------

def test_the_scenarios_and_their_edges():
    fwd, rev = blast.FORWARD, blast.REVERSE
    expected = {
        "data_poisoning": {("supplies", fwd), ("derives", fwd), ("trains", fwd),
                           ("fine_tunes", fwd), ("serves", fwd), ("runs_in", fwd)},
        "supply_chain": {(e, fwd) for e in EDGE_TYPES},
        "prompt_injection": {("acts_through", fwd), ("reaches", fwd), ("reads", fwd),
                             ("holds", fwd), ("runs_in", fwd), ("serves", fwd)},
        "credential_leak": {("holds", fwd), ("reaches", fwd)},
        "model_theft": {("fine_tunes", fwd), ("trains", rev), ("derives", rev)},
    }
    assert {name: s["edges"] for name, s in SCENARIOS.items()} == expected
    for scenario in SCENARIOS.values():
        assert scenario["summary"] and scenario["start"]
        directions: dict[str, set[str]] = {}
        for edge, direction in scenario["edges"]:
            directions.setdefault(edge, set()).add(direction)
        assert all(len(d) == 1 for d in directions.values())


# Which kinds an edge type leaves, following it forwards or backwards (the edge table).
LEAVES = {
    "trains": ({"Dataset"}, {"Model"}), "derives": ({"Dataset"}, {"Dataset"}),
    "fine_tunes": ({"Model"}, {"Model"}),
    "supplies": ({"Vendor", "Team"}, {"Model", "Dataset", "Component", "DataStore",
                                      "Credential"}),
    "serves": ({"Component", "Model", "DataStore"}, {"Model", "Component"}),
    "acts_through": ({"Model"}, {"Tool"}), "reaches": ({"Tool", "Credential"},
                                                       {"DataStore", "Tool"}),
    "reads": ({"Model"}, {"DataStore"}), "holds": ({"Model"}, {"Credential"}),
    "runs_in": ({"Model"}, {"Environment"}),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_start_kind_of_a_scenario_can_go_somewhere(name: str):
    for kind in SCENARIOS[name]["start"]:
        assert any(kind in LEAVES[edge][0 if direction == blast.FORWARD else 1]
                   for edge, direction in SCENARIOS[name]["edges"]), (name, kind)


def test_data_poisoning_follows_lineage_and_where_models_run():
    assert reach("dataset:web-crawl", scenario="data_poisoning") == [
        (1, "dataset:web-crawl -derives-> dataset:crawl-clean"),
        (2, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm"),
        (3, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
            "-runs_in-> environment:staging"),
        (3, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
            "-fine_tunes-> model:support-bot"),
        (4, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
            "-fine_tunes-> model:support-bot -runs_in-> environment:prod"),
        (4, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm "
            "-fine_tunes-> model:support-bot -serves-> model:router"),
    ]


def test_data_poisoning_from_a_data_vendor():
    assert [ref for _, ref in reach("vendor:datahub", scenario="data_poisoning")][:2] == [
        "vendor:datahub -supplies-> dataset:web-crawl",
        "vendor:datahub -supplies-> dataset:web-crawl -derives-> dataset:crawl-clean",
    ]
    assert len(walk(GRAPH, "vendor:datahub", "data_poisoning")) == 7


def test_supply_chain_follows_everything_a_vendor_supplies():
    assert reach("vendor:gpuco", scenario="supply_chain") == [
        (1, "vendor:gpuco -supplies-> component:serving"),
        (2, "vendor:gpuco -supplies-> component:serving -serves-> component:runtime-lib"),
        (2, "vendor:gpuco -supplies-> component:serving -serves-> model:base-lm"),
        (3, "vendor:gpuco -supplies-> component:serving -serves-> model:base-lm "
            "-runs_in-> environment:staging"),
        (3, "vendor:gpuco -supplies-> component:serving -serves-> model:base-lm "
            "-fine_tunes-> model:support-bot"),
        *[(d, "vendor:gpuco -supplies-> component:serving -serves-> model:base-lm "
              "-fine_tunes-> model:support-bot" + rest.split("model:support-bot", 1)[1])
          for d, rest in WEB_CRAWL[4:]],
    ]
    assert reach("vendor:gpuco", scenario="supply_chain") == reach("vendor:gpuco")


def test_prompt_injection_follows_what_a_model_can_do():
    assert reach("model:support-bot", scenario="prompt_injection") == [
        (1, "model:support-bot -holds-> credential:refunds-key"),
        (1, "model:support-bot -reads-> datastore:customers"),
        (1, "model:support-bot -runs_in-> environment:prod"),
        (1, "model:support-bot -serves-> model:router"),
        (1, "model:support-bot -acts_through-> tool:refunds"),
        (2, "model:support-bot -holds-> credential:refunds-key -reaches-> datastore:payments"),
        (2, "model:support-bot -serves-> model:router -holds-> credential:db-ro"),
    ]
    # Not the lineage: base-lm is upstream, and a manipulated model taints no data.
    assert reach("model:base-lm", scenario="prompt_injection") == [
        (1, "model:base-lm -runs_in-> environment:staging")]


def test_credential_leak_follows_what_credentials_grant():
    assert reach("credential:refunds-key", scenario="credential_leak") == [
        (1, "credential:refunds-key -reaches-> datastore:payments"),
        (1, "credential:refunds-key -reaches-> tool:refunds"),
    ]
    assert reach("model:support-bot", scenario="credential_leak") == [
        (1, "model:support-bot -holds-> credential:refunds-key"),
        (2, "model:support-bot -holds-> credential:refunds-key -reaches-> datastore:payments"),
        (2, "model:support-bot -holds-> credential:refunds-key -reaches-> tool:refunds"),
    ]
    assert reach("tool:refunds", scenario="credential_leak") == [
        (1, "tool:refunds -reaches-> datastore:payments")]


def test_model_theft_goes_back_to_the_training_data_and_down_to_fine_tunes():
    assert reach("model:base-lm", scenario="model_theft") == [
        (1, "model:base-lm <-trains- dataset:crawl-clean"),
        (1, "model:base-lm -fine_tunes-> model:support-bot"),
        (2, "model:base-lm <-trains- dataset:crawl-clean <-derives- dataset:web-crawl"),
        (2, "model:base-lm -fine_tunes-> model:support-bot <-trains- dataset:support-tickets"),
    ]
    stolen = walk(GRAPH, "model:base-lm", "model_theft")
    assert [r.against for r in stolen] == [(True,), (False,), (True, True), (False, True)]
    # Reversed, every direction flips: which stolen models could leak this data?
    assert reach("dataset:web-crawl", scenario="model_theft", reverse=True) == [
        (1, "dataset:web-crawl -derives-> dataset:crawl-clean"),
        (2, "dataset:web-crawl -derives-> dataset:crawl-clean -trains-> model:base-lm"),
    ]
    assert reach("model:support-bot", scenario="model_theft", reverse=True) == [
        (1, "model:support-bot <-fine_tunes- model:base-lm")]


def test_a_scenario_follows_a_pair_by_any_type_it_carries():
    """router depends on AND is fine-tuned from base: base -{fine_tunes, serves}-> router."""
    docs = minimal(
        entity("Model", "base", {}, owner=OWNER),
        entity("Model", "router", {"base_model": "model:base", "depends_on": ["model:base"]},
               owner=OWNER),
    )
    graph = build_graph(inventory(docs))
    assert reach("model:base", graph) == [(1, "model:base -fine_tunes-> model:router")]
    assert reach("model:base", graph, scenario="prompt_injection") == [
        (1, "model:base -serves-> model:router")]
    assert reach("model:base", graph, scenario="model_theft") == [
        (1, "model:base -fine_tunes-> model:router")]
    assert reach("model:base", graph, scenario="credential_leak") == []


def all_forward(graph: nx.DiGraph, start: str, reverse: bool = False,
                depth: int | None = None) -> list[Reached]:
    edges = {(e, blast.FORWARD) for e in EDGE_TYPES}
    return blast.walk_edges(graph, start, edges, reverse, depth)


def test_the_fast_walk_and_the_scenario_walk_agree():
    for start in GRAPH:
        for reverse in (False, True):
            for depth in (None, 1, 2):
                assert walk(GRAPH, start, reverse=reverse, depth=depth) == all_forward(
                    GRAPH, start, reverse, depth)


def random_graph(seed: int, nodes: int = 24, edges: int = 60) -> nx.DiGraph:
    rng = random.Random(seed)
    names = [f"model:n{i:02d}" for i in range(nodes)]
    pairs = sorted({(rng.choice(names), rng.choice(names)) for _ in range(edges)})
    graph = nx.DiGraph()
    graph.add_nodes_from(names, kind="Model")
    for u, v in pairs:
        if u != v:
            edge = rng.choice(EDGE_TYPES)
            graph.add_edge(u, v, edge=edge, edges={edge}, source=None)
    return graph


@pytest.mark.parametrize("seed", range(12))
def test_paths_are_the_smallest_shortest_paths(seed: int):
    """Against networkx: same set, same depths, and the lexicographically least path."""
    graph = random_graph(seed)
    for reverse in (False, True):
        g = graph.reverse(copy=True) if reverse else graph
        start = sorted(graph)[seed % len(graph)]
        reached = walk(graph, start, reverse=reverse)
        check_consistent(reached, start)
        lengths = nx.single_source_shortest_path_length(g, start)
        assert {r.ref: r.depth for r in reached} == {n: d for n, d in lengths.items() if d}
        for r in reached:
            assert r.path == min(nx.all_shortest_paths(g, start, r.ref))
            steps = zip(r.path[:-1], r.path[1:], strict=True)
            assert r.edges == [g.edges[a, b]["edge"] for a, b in steps]
            assert r.against == (reverse,) * r.depth
        assert reached == all_forward(graph, start, reverse)


@pytest.mark.parametrize("seed", range(8))
def test_reach_is_the_walk_without_paths(seed: int):
    """blast.reach (the scorecard's and runbooks' path-less walk) reaches the same, in order."""
    graph = random_graph(seed, edges=90)
    for start in sorted(graph):
        assert blast.reach(graph, start) == [r.ref for r in walk(graph, start)]
        for scenario in SCENARIOS:
            assert blast.reach(graph, start, scenario) == [
                r.ref for r in walk(graph, start, scenario)], (start, scenario)


@pytest.mark.parametrize("seed", range(4))
def test_limit_keeps_the_nearest_of_the_full_walk(seed: int):
    graph = random_graph(seed, edges=90)
    for start in sorted(graph)[:6]:
        for scenario in (None, "prompt_injection", "model_theft"):
            for reverse in (False, True):
                full = walk(graph, start, scenario, reverse)
                for limit in (0, 1, 3, len(full), len(full) + 5):
                    assert walk(graph, start, scenario, reverse, limit=limit) == full[:limit]


# --- diamonds, cycles, long lineages --------------------------------------------------------

def diamond(order: list[int]) -> nx.DiGraph:
    """raw -> left -> tuned, raw -> right -> tuned, and a long way raw -> a -> b -> c."""
    docs = [
        entity("Dataset", "raw", {}, owner=OWNER),
        entity("Dataset", "right", {"derived_from": ["dataset:raw"]}, owner=OWNER),
        entity("Dataset", "left", {"derived_from": ["dataset:raw"]}, owner=OWNER),
        entity("Model", "tuned", {"training_data": ["dataset:right", "dataset:left"]},
               owner=OWNER),
        entity("Dataset", "a", {"derived_from": ["dataset:raw"]}, owner=OWNER),
        entity("Dataset", "b", {"derived_from": ["dataset:a"]}, owner=OWNER),
        entity("Model", "far", {"training_data": ["dataset:b", "dataset:raw"]}, owner=OWNER),
    ]
    return build_graph(inventory(minimal(*[docs[i] for i in order])))


@pytest.mark.parametrize("order", [list(range(7)), list(range(6, -1, -1)), [3, 6, 0, 2, 5, 1, 4]])
def test_a_diamond_keeps_one_shortest_path_whatever_the_order(order: list[int]):
    assert reach("dataset:raw", diamond(order)) == [
        (1, "dataset:raw -derives-> dataset:a"),
        (1, "dataset:raw -derives-> dataset:left"),
        (1, "dataset:raw -derives-> dataset:right"),
        (1, "dataset:raw -trains-> model:far"),  # not the longer way through a and b
        (2, "dataset:raw -derives-> dataset:a -derives-> dataset:b"),
        (2, "dataset:raw -derives-> dataset:left -trains-> model:tuned"),  # left < right
    ]
    assert reach("model:tuned", diamond(order), reverse=True) == [
        (1, "model:tuned <-trains- dataset:left"),
        (1, "model:tuned <-trains- dataset:right"),
        (2, "model:tuned <-trains- dataset:left <-derives- dataset:raw"),
    ]


def test_models_serving_each_other_terminate():
    docs = minimal(
        entity("Model", "a", {"depends_on": ["model:b"], "tools": [{"tool": "tool:t"}]},
               owner=OWNER),
        entity("Model", "b", {"depends_on": ["model:a"]}, owner=OWNER),
        entity("Model", "c", {"depends_on": ["model:c", "model:b"]}, owner=OWNER),
        entity("Tool", "t", {}, owner=OWNER),
    )
    graph = build_graph(inventory(docs))
    assert reach("model:a", graph) == [
        (1, "model:a -serves-> model:b"),
        (1, "model:a -acts_through-> tool:t"),
        (2, "model:a -serves-> model:b -serves-> model:c"),
    ]
    assert reach("model:c", graph) == []  # serving itself adds nothing
    assert reach("model:c", graph, reverse=True) == [
        (1, "model:c <-serves- model:b"),
        (2, "model:c <-serves- model:b <-serves- model:a"),
    ]
    for scenario in ("prompt_injection", "supply_chain", "data_poisoning"):
        assert len(walk(graph, "model:a", scenario)) in (2, 3)


def test_a_lineage_cycle_does_not_trap_the_walk():
    docs = minimal(
        entity("Model", "x", {"base_model": "model:y"}, owner=OWNER),
        entity("Model", "y", {"base_model": "model:x", "environments": ["environment:e"]},
               owner=OWNER),
        entity("Environment", "e", {}),
    )
    graph = build_graph(inventory(docs))
    assert reach("model:x", graph) == [
        (1, "model:x -fine_tunes-> model:y"),
        (2, "model:x -fine_tunes-> model:y -runs_in-> environment:e"),
    ]
    assert reach("model:y", graph, scenario="model_theft") == [
        (1, "model:y -fine_tunes-> model:x")]


GENERATIONS = 50


def long_lineage() -> list[dict]:
    models = [entity("Model", f"gen{i:02d}",
                     {"training_data": ["dataset:seed"]} if i == 0
                     else {"base_model": f"model:gen{i - 1:02d}"}, owner=OWNER)
              for i in range(GENERATIONS)]
    return minimal(entity("Dataset", "seed", {}, owner=OWNER), *models)


def test_fifty_generations_of_fine_tuning():
    built = inventory(long_lineage())
    graph = build_graph(built)
    reached = walk(graph, "dataset:seed")
    assert [r.ref for r in reached] == [f"model:gen{i:02d}" for i in range(GENERATIONS)]
    assert [r.depth for r in reached] == list(range(1, GENERATIONS + 1))
    last = reached[-1]
    assert last.path == ["dataset:seed", *(f"model:gen{i:02d}" for i in range(GENERATIONS))]
    assert last.edges == ["trains"] + ["fine_tunes"] * (GENERATIONS - 1)
    assert walk(graph, "dataset:seed", "data_poisoning") == reached
    assert len(walk(graph, "dataset:seed", depth=10)) == 10
    back = walk(graph, f"model:gen{GENERATIONS - 1:02d}", reverse=True)
    assert back[-1].ref == "dataset:seed" and back[-1].depth == GENERATIONS
    theft = walk(graph, "model:gen00", "model_theft")
    assert [r.ref for r in theft] == ["dataset:seed",
                                      *(f"model:gen{i:02d}" for i in range(1, GENERATIONS))]
    act = actions(built, "dataset:seed", [r.ref for r in reached], None)
    assert len(act["models"]) == GENERATIONS
    assert act["no_rollback"] == act["models"]


# --- what to act on ------------------------------------------------------------------------------

ML_TEAM = {"ref": "team:ml", "on_call": {"url": "https://oncall.acme.example/ml"},
           "members": [{"ref": "person:ada", "email": "ada@acme.example",
                        "phone": "+44 20 0000 0001"},
                       {"ref": "person:mei", "email": "mei@acme.example"}]}
DATA_TEAM = {"ref": "team:data", "on_call": {"channel": "#data-oncall"},
             "members": [{"ref": "person:linus"}]}
ROLES = {"incident_commander": {"primary": "person:ada", "backup": "person:grace"},
         "technical_lead": {"primary": "person:linus"}}
ACME_AI = {"ref": "vendor:acme-ai",
           "security_contact": {"email": "security@acme-ai.example", "phone": "+1 555 0100"},
           "incident_reporting": "https://acme-ai.example/security/report",
           "notification_sla": "PT24H"}
DATAHUB = {"ref": "vendor:datahub", "security_contact": {"url": "https://datahub.example/sec"},
           "incident_reporting": "email abuse@datahub.example"}


def test_act_on_everything_from_the_web_crawl():
    radius = blast_radius(GRAPH, ESTATE_INVENTORY, "dataset:web-crawl")
    assert radius.act_on == {
        "models": ["model:base-lm", "model:router", "model:support-bot"],
        "owners": [
            {"ref": "person:mei", "owns": ["model:support-bot"], "email": "mei@acme.example"},
            {**DATA_TEAM, "owns": ["dataset:crawl-clean", "dataset:web-crawl"]},
            {**ML_TEAM, "owns": ["model:base-lm", "model:router", "tool:refunds"]},
        ],
        "roles": ROLES,
        "credentials": [
            {"ref": "credential:refunds-key",
             "revocation": "https://wiki.acme.example/revoke/refunds"},
            {"ref": "credential:db-ro", "revocation": None},
        ],
        "vendors": [ACME_AI, DATAHUB],  # the router's provider, the crawl's supplier
        "environments": [
            {"ref": "environment:staging", "stage": "staging", "users": 12},
            {"ref": "environment:prod", "stage": "production", "users": 1500},
        ],
        # support-bot (1,000) and router (500) both run in environment:prod, whose 1,500
        # users caps their overlap; base-lm's 10 are in staging: 1,000 at least, 1,510 at most.
        "users": 1000,
        "users_ceiling": 1510,
        "user_populations": {"model:base-lm": 10, "model:router": 500, "model:support-bot": 1000},
        "data_classes": ["payment", "pii", "public"],
        "sensitive_data": ["payment", "pii"],
        "write_tools": ["tool:refunds"],
        "playbooks": ["playbook:injection", "playbook:poisoning", "playbook:supply-chain",
                      "playbook:theft"],
        # base-lm has a known-good version, the router is a vendor's: only support-bot.
        "no_rollback": ["model:support-bot"],
    }


def test_act_on_the_vendors_of_a_supply_chain_incident():
    act = blast_radius(GRAPH, ESTATE_INVENTORY, "vendor:gpuco", "supply_chain").act_on
    assert act["vendors"] == [ACME_AI, {"ref": "vendor:gpuco"}]  # no contact on file
    assert [o["ref"] for o in act["owners"]] == ["person:mei", "team:ml"]
    assert act["owners"][1]["owns"] == ["component:serving", "model:base-lm", "model:router",
                                        "tool:refunds"]
    assert act["playbooks"] == ["playbook:supply-chain"]


def test_playbooks_follow_the_scenario_and_what_they_apply_to():
    def playbooks(start: str, scenario: str | None) -> list[str]:
        return blast_radius(GRAPH, ESTATE_INVENTORY, start, scenario).act_on["playbooks"]

    assert playbooks("dataset:web-crawl", "data_poisoning") == ["playbook:poisoning"]
    assert playbooks("model:support-bot", "prompt_injection") == ["playbook:injection"]
    assert playbooks("model:router", "model_theft") == ["playbook:theft"]
    assert playbooks("model:base-lm", "model_theft") == []  # theft playbook is the router's
    assert playbooks("vendor:acme-ai", "supply_chain") == ["playbook:supply-chain"]
    # No playbook scenario for a leaked credential: every one that applies.
    assert playbooks("credential:refunds-key", "credential_leak") == ["playbook:supply-chain"]
    assert playbooks("model:router", None) == ["playbook:supply-chain", "playbook:theft"]


def test_act_on_a_start_with_nothing_downstream():
    act = blast_radius(GRAPH, ESTATE_INVENTORY, "model:router", "credential_leak").act_on
    assert act["models"] == ["model:router"]  # the start counts
    assert act["users"] == 500
    assert act["credentials"] == [{"ref": "credential:db-ro", "revocation": None}]
    assert act["vendors"] == [ACME_AI]
    assert act["data_classes"] == ["pii"]
    assert act["no_rollback"] == []
    empty = blast_radius(GRAPH, ESTATE_INVENTORY, "environment:prod").act_on
    # Nothing reached declares users: unknown, never 0.
    assert (empty["models"], empty["owners"], empty["users"]) == ([], [], None)
    assert empty["environments"] == [{"ref": "environment:prod", "stage": "production",
                                      "users": 1500}]


def test_kind_filters_the_list_not_what_to_act_on():
    everything = blast_radius(GRAPH, ESTATE_INVENTORY, "dataset:web-crawl")
    models = blast_radius(GRAPH, ESTATE_INVENTORY, "dataset:web-crawl", kinds=["model"])
    assert [r.ref for r in models.reached] == ["model:base-lm", "model:support-bot",
                                               "model:router"]
    assert models.act_on == everything.act_on
    two = blast_radius(GRAPH, ESTATE_INVENTORY, "dataset:web-crawl",
                       kinds=["DataStore", "credential"])
    assert [r.ref for r in two.reached] == ["credential:refunds-key", "datastore:customers",
                                            "datastore:payments", "credential:db-ro"]
    assert blast_radius(GRAPH, ESTATE_INVENTORY, "dataset:web-crawl",
                        kinds=["vendor"]).reached == []


def test_model_reach_counts_what_a_manipulated_model_can_touch():
    reach_ = blast.model_reach(GRAPH, ESTATE_INVENTORY, "model:support-bot")
    assert reach_ == blast.Reach(write_tools=1, sensitive_data=["payment", "pii"],
                                 users=1000, external_users=True)


# --- renderers ---------------------------------------------------------------------------------

def test_explain():
    assert explain(["dataset:a", "model:b", "model:c", "tool:d"],
                   ["trains", "fine_tunes", "acts_through"]) == (
        "dataset:a -trains-> model:b -fine_tunes-> model:c -acts_through-> tool:d")
    assert explain(["tool:d", "model:c"], ["acts_through"], (True,)) == (
        "tool:d <-acts_through- model:c")
    assert explain(["model:x"], []) == "model:x"


def radius(start: str = "dataset:web-crawl", **options: Any) -> BlastRadius:
    return blast_radius(GRAPH, ESTATE_INVENTORY, start, **options)


def test_text_lists_paths_then_what_to_act_on():
    text = RENDERERS["text"](radius())
    assert text.startswith("what harm starting at dataset:web-crawl reaches\n11 entities reached")
    for _, path in WEB_CRAWL:
        assert path in text
    for line in ("Owners to page:", "  - team:ml owns model:base-lm, model:router, tool:refunds;"
                 " page via https://oncall.acme.example/ml (members: person:ada, person:mei)",
                 "  - incident_commander: person:ada, backup person:grace",
                 "  - technical_lead: person:linus, backup NONE",
                 "  - credential:db-ro: NO REVOCATION PROCEDURE",
                 "  - vendor:acme-ai: security@acme-ai.example, +1 555 0100; they notify "
                 "within PT24H; report via https://acme-ai.example/security/report",
                 "  - environment:prod: production, 1,500 users",
                 "  - users of affected models: 1,000 to 1,510 (how far they overlap is "
                 "unknown; model:support-bot has 1,000)",
                 "  - data classes at risk: payment, pii, public",
                 "Models with no known-good version to roll back to:",
                 "  - model:support-bot"):
        assert line in text.splitlines(), line
    reverse = RENDERERS["text"](radius("datastore:payments", reverse=True))
    assert reverse.startswith("where harm reaching datastore:payments could come from\n")
    assert "datastore:payments <-reaches- credential:refunds-key <-holds- model:support-bot" \
        in reverse


def test_markdown_is_a_table_with_sections():
    text = RENDERERS["markdown"](radius(scenario="data_poisoning"))
    lines = text.splitlines()
    assert lines[0] == "## Blast radius of `dataset:web-crawl`"
    assert "| depth | entity | path |" in lines and "### Owners to page" in lines
    # Escaped for Markdown (``-\>`` shows as ``->``), as all inventory text is.
    assert r"| 2 | model:base-lm | dataset:web-crawl -derives-\> dataset:crawl-clean " \
           r"-trains-\> model:base-lm |" in lines
    assert r"- incident\_commander: person:ada, backup person:grace" in lines
    assert "### Playbooks" in lines and "- playbook:poisoning" in lines


BLAST_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["schema_version", "start", "scenario", "reached", "act_on"],
    "properties": {
        "schema_version": {"const": 1},
        "start": {"type": "string", "pattern": "^[a-z]+:[a-z0-9][a-z0-9._-]*$"},
        "scenario": {"enum": [None, *SCENARIOS]},
        "reached": {"type": "array", "items": {
            "type": "object",
            "required": ["ref", "kind", "depth", "path", "edges"],
            "properties": {
                "ref": {"type": "string"},
                "kind": {"type": "string", "pattern": "^[a-z]+$"},
                "depth": {"type": "integer", "minimum": 1},
                "path": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                "edges": {"type": "array", "items": {"enum": list(EDGE_TYPES)}, "minItems": 1},
                "against": {"type": "array", "items": {"type": "boolean"}},
            },
        }},
        "act_on": {
            "type": "object",
            "required": ["models", "owners", "credentials", "vendors", "environments",
                         "users", "data_classes", "playbooks"],
            "properties": {
                "models": {"type": "array", "items": {"type": "string"}},
                "owners": {"type": "array", "items": {
                    "type": "object", "required": ["ref", "owns"]}},
                "credentials": {"type": "array", "items": {
                    "type": "object", "required": ["ref", "revocation"]}},
                "vendors": {"type": "array", "items": {"type": "object", "required": ["ref"]}},
                "environments": {"type": "array", "items": {
                    "type": "object", "required": ["ref"]}},
                "users": {"type": "integer", "minimum": 0},
                "data_classes": {"type": "array", "items": {"type": "string"}},
                "playbooks": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}


def check_json(text: str) -> dict[str, Any]:
    document = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(BLAST_SCHEMA)
    jsonschema.validate(document, BLAST_SCHEMA, cls=jsonschema.Draft202012Validator)
    for entry in document["reached"]:
        assert entry["ref"] == entry["path"][-1]
        assert len(entry["path"]) == len(entry["edges"]) + 1 == entry["depth"] + 1
        assert entry["kind"] == entry["ref"].split(":")[0]
    return document


def test_json_has_the_documented_shape():
    document = check_json(RENDERERS["json"](radius()))
    assert document["start"] == "dataset:web-crawl" and document["scenario"] is None
    assert document["reached"][1] == {
        "ref": "model:base-lm", "kind": "model", "depth": 2,
        "path": ["dataset:web-crawl", "dataset:crawl-clean", "model:base-lm"],
        "edges": ["derives", "trains"], "against": [False, False]}
    assert document == json.loads(json.dumps(blast_dict(radius())))
    theft = check_json(RENDERERS["json"](radius("model:base-lm", scenario="model_theft")))
    assert theft["scenario"] == "model_theft"
    assert [e["against"] for e in theft["reached"]] == [[True], [False], [True, True],
                                                        [False, True]]


MERMAID_NODE = re.compile(r'^  (n\d+)(\["[^"]*"\]|\(\["[^"]*"\]\))$')
MERMAID_EDGE = re.compile(r"^  (n\d+) -->\|([a-z_]+)\| (n\d+)$")


def parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes, edges = {}, []
    for line in lines[1:]:
        node, edge = MERMAID_NODE.match(line), MERMAID_EDGE.match(line)
        assert node or edge, f"not a quoted node nor an edge: {line!r}"
        if node:
            nodes[node[1]] = node[2].strip('([])"')
        else:
            assert edge is not None
            edges.append((edge[1], edge[2], edge[3]))
    assert all(a in nodes and b in nodes for a, _, b in edges)
    return nodes, [(nodes[a], edge, nodes[b]) for a, edge, b in edges]


def test_mermaid_is_a_flowchart_of_quoted_nodes():
    nodes, edges = parse_mermaid(RENDERERS["mermaid"](radius()))
    assert nodes["n0"] == "dataset:web-crawl"
    assert set(nodes.values()) == {"dataset:web-crawl", *(r.ref for r in radius().reached)}
    assert ("model:support-bot", "acts_through", "tool:refunds") in edges
    assert len(edges) == len(radius().reached)  # a tree: one edge into each reached entity
    # Reversed, arrows still point the way harm spreads.
    _, back = parse_mermaid(RENDERERS["mermaid"](radius("datastore:payments", reverse=True)))
    assert ("credential:refunds-key", "reaches", "datastore:payments") in back
    assert ("vendor:datahub", "supplies", "dataset:web-crawl") in back
    # --kind keeps the nodes the paths go through.
    nodes, edges = parse_mermaid(RENDERERS["mermaid"](radius(kinds=["tool"])))
    assert ("model:support-bot", "acts_through", "tool:refunds") in edges
    assert "model:base-lm" in nodes.values()


DOT_TOKEN = re.compile(r'\s*(?:(->|[{}\[\];=,])|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*'
                       r'|-?\d+(?:\.\d+)?)|(#[^\n]*|//[^\n]*))')


def parse_dot(text: str) -> tuple[str, set[str], list[tuple[str, str, dict[str, str]]]]:
    """A strict parser for the DOT subset render_dot writes: ``digraph ID { stmt* }``."""
    tokens: list[str] = []
    position = 0
    while position < len(text.rstrip()):
        match = DOT_TOKEN.match(text, position)
        assert match and match.end() > position, f"bad DOT at {text[position:position + 30]!r}"
        position = match.end()
        if not match[4]:
            tokens.append(match[1] or match[2] or match[3])
    index = 0

    def take(expected: str | None = None) -> str:
        nonlocal index
        token = tokens[index]
        assert expected is None or token == expected, (token, expected)
        index += 1
        return token

    def ident() -> str:
        token = take()
        assert token not in "{}[];=,->", token
        return json.loads(token) if token.startswith('"') else token

    def attributes() -> dict[str, str]:
        attrs: dict[str, str] = {}
        if tokens[index] == "[":
            take("[")
            while tokens[index] != "]":
                key = ident()
                take("=")
                attrs[key] = ident()
                if tokens[index] == ",":
                    take(",")
            take("]")
        return attrs

    assert take() == "digraph"
    name = ident()
    take("{")
    nodes: set[str] = set()
    edges: list[tuple[str, str, dict[str, str]]] = []
    while tokens[index] != "}":
        first = ident()
        if tokens[index] == "=":  # graph attribute
            take("=")
            ident()
        elif tokens[index] == "->":
            take("->")
            second = ident()
            edges.append((first, second, attributes()))
            nodes.update((first, second))
        elif first in ("node", "edge", "graph"):
            attributes()
        else:
            attributes()
            nodes.add(first)
        take(";")
    take("}")
    assert index == len(tokens)
    return name, nodes, edges


def test_dot_parses_as_a_digraph():
    name, nodes, edges = parse_dot(RENDERERS["dot"](radius()))
    assert name == "blast_radius"
    assert nodes == {"dataset:web-crawl", *(r.ref for r in radius().reached)}
    assert ("model:base-lm", "model:support-bot", {"label": "fine_tunes"}) in edges
    assert len(edges) == len(radius().reached)
    _, _, back = parse_dot(RENDERERS["dot"](radius("model:router", reverse=True)))
    assert ("model:support-bot", "model:router", {"label": "serves"}) in back


# --- the command ---------------------------------------------------------------------------------

def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    code = exit_info.value.code
    assert isinstance(code, int)
    return code, out, err


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("estate"), ESTATE)


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_format_exits_0(project: Path, capsys, fmt: str):
    code, out, err = run(capsys, "blast-radius", "dataset:web-crawl", "--project", project,
                         "--format", fmt)
    assert (code, err) == (0, "")
    assert out == RENDERERS[fmt](radius())


def test_the_options_reach_the_walk(project: Path, capsys):
    code, out, _ = run(capsys, "blast-radius", "model:support-bot", "--project", project,
                       "--scenario", "model_theft", "--reverse", "--depth", "1",
                       "--kind", "model", "--format", "json")
    assert code == 0
    document = check_json(out)
    assert (document["scenario"], document["reverse"]) == ("model_theft", True)
    assert [e["ref"] for e in document["reached"]] == ["model:base-lm"]


@pytest.mark.parametrize(("args", "message"), [
    (["model:suport-bot"], "'model:suport-bot' is not in the inventory "
                           "(did you mean 'model:support-bot'?)"),
    (["support-bot"], "(did you mean 'model:support-bot'?)"),
    (["dataset:web-crawl", "--scenario", "prompt_injection"],
     "--scenario prompt_injection starts at a Model, not a Dataset"),
    (["datastore:payments", "--scenario", "model_theft"], "starts at a Model, not a DataStore"),
    (["model:router", "--kind", "modle"], "--kind 'modle' is not a kind (did you mean 'model'?)"),
    (["model:router", "--scenario", "phishing"], "'phishing' is not one of"),
    (["model:router", "--depth", "0"], "0 is not in the range"),
    (["model:router", "--format", "svg"], "'svg' is not one of"),
])
def test_misuse_exits_2(project: Path, capsys, args: list[str], message: str):
    code, out, err = run(capsys, "blast-radius", *args, "--project", project)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_a_scenario_backwards_may_start_anywhere(project: Path, capsys):
    code, out, _ = run(capsys, "blast-radius", "datastore:payments", "--project", project,
                       "--scenario", "prompt_injection", "--reverse", "--format", "json")
    assert code == 0
    assert [e["ref"] for e in check_json(out)["reached"]][:3] == [
        "credential:refunds-key", "tool:refunds", "model:support-bot"]


def test_the_example_project_end_to_end(capsys):
    """The repository's own inventory: a poisoned crawl reaches the fine-tuned models."""
    code, out, err = run(capsys, "blast-radius", "dataset:insurance-web-crawl-2026q1",
                         "--project", REPO, "--format", "json")
    assert code == 0, err
    document = check_json(out)
    reached = {e["ref"]: e for e in document["reached"]}
    models = {ref for ref in reached if ref.startswith("model:")}
    fine_tuned = {ref for ref in models if reached[ref]["edges"][-1] == "fine_tunes"}
    assert fine_tuned, models
    for ref in fine_tuned:  # each explained from the crawl down through its base model
        entry = reached[ref]
        assert entry["path"][0] == "dataset:insurance-web-crawl-2026q1"
        assert entry["path"][-2] in models
    act = document["act_on"]
    assert set(act["models"]) == models
    for key in ("models", "owners", "roles", "credentials", "environments", "data_classes",
                "playbooks"):
        assert act[key], key
    assert act["users"] > 0
    assert all(c["ref"].startswith("credential:") for c in act["credentials"])
    # Nobody supplies the crawl and every model it reaches is built in house, so no
    # vendor is named; a supplier's dataset names its vendor with a contact.
    code, out, _ = run(capsys, "blast-radius", "vendor:northwind-data", "--project", REPO,
                       "--scenario", "supply_chain", "--format", "json")
    assert code == 0
    vendors = check_json(out)["act_on"]["vendors"]
    assert any(v["ref"] == "vendor:northwind-data" for v in vendors)
    code, out, _ = run(capsys, "blast-radius", "dataset:insurance-web-crawl-2026q1",
                       "--project", REPO, "--format", "text")
    assert code == 0
    assert "-fine_tunes-> model:" in out and "Owners to page:" in out
