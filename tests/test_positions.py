"""The position index (SourceDoc without node trees) answers as the node trees did.

The oracle below is the lookup SourceDoc made before: walk libyaml's node tree (merge
keys resolved as the loader resolves them).  Every path into random documents, keys and
values alike, in block and flow style, with anchors and aliases and several documents
per file, must give the same line and column, and the same written form of retyped
scalars; so must every path into the example's inventory.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from airready.inventory.yamlsource import (
    MERGE,
    STR,
    SourceDoc,
    _key_value,
    _merge_sources,
    find_yaml_files,
    parse_text,
)

REPO = Path(__file__).resolve().parent.parent


def _pairs(node: MappingNode) -> dict[Any, tuple[Node, Node]]:
    pairs: dict[Any, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode):
            if key_node.tag == MERGE:
                for source in _merge_sources(value_node):
                    for k, v in _pairs(source).items():
                        pairs.setdefault(k, v)
                continue
            pairs[key_node.value if key_node.tag == STR else _key_value(key_node)] = (
                key_node, value_node)
    return pairs


def _is_index(step: Any) -> bool:
    return isinstance(step, int) and not isinstance(step, bool)


def old_locate(root: Node, path: tuple[Any, ...], key: bool) -> tuple[int, int]:
    node = target = root
    for step in path:
        if isinstance(node, MappingNode):
            pair = _pairs(node).get(step)
            if pair is None:
                break
            target = pair[0] if key else pair[1]
            node = pair[1]
        elif isinstance(node, SequenceNode) and _is_index(step):
            if not 0 <= step < len(node.value):
                break
            node = target = node.value[step]
        else:
            break
    return target.start_mark.line + 1, target.start_mark.column + 1


def old_node_at(root: Node, path: tuple[Any, ...], key: bool) -> Node | None:
    node, key_node = root, None
    for step in path:
        if isinstance(node, MappingNode):
            pair = _pairs(node).get(step)
            if pair is None:
                return None
            key_node, node = pair
        elif isinstance(node, SequenceNode) and _is_index(step) and 0 <= step < len(node.value):
            key_node, node = None, node.value[step]
        else:
            return None
    return key_node if key else node


def paths(data: Any, prefix: tuple[Any, ...] = (), depth: int = 0) -> list[tuple[Any, ...]]:
    """Every path into ``data``, and a few that run out."""
    found = [prefix, (*prefix, "missing"), (*prefix, 99)]
    if depth > 6:
        return found
    if isinstance(data, dict):
        for k, v in data.items():
            found += paths(v, (*prefix, k), depth + 1)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found += paths(v, (*prefix, i), depth + 1)
    return found


def compare(text: str) -> int:
    docs, problems = parse_text(text, "f.yaml", keys="x")
    nodes = [n for n in yaml.compose_all(text, Loader=yaml.CSafeLoader)
             if isinstance(n, MappingNode)]
    assert not problems and len(docs) == len(nodes)
    compared = 0
    for doc, node in zip(docs, nodes, strict=True):
        assert doc.line == node.start_mark.line + 1
        for path in paths(doc.data):
            for key in (False, True):
                assert doc.locate(path, key=key) == old_locate(node, path, key), (path, key)
                old = old_node_at(node, path, key)
                plain = (old.value if isinstance(old, ScalarNode) and old.style == ""
                         and old.tag not in (STR, "tag:yaml.org,2002:null") else None)
                if key:
                    if isinstance(old, ScalarNode) and old.style == "" and old.tag != STR:
                        plain = old.value
                    written = old.value if isinstance(old, ScalarNode) else None
                    if path and not isinstance(path[-1], str) and not _is_index(path[-1]):
                        assert doc.key_text(path) == written, path
                assert doc.plain_text(path, key=key) == plain, (path, key)
                compared += 1
    return compared


scalars = (st.text(alphabet="ab yes1.:-#é", max_size=6) | st.booleans() | st.none()
           | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False, width=32)
           | st.dates(dt.date(1999, 1, 1), dt.date(2030, 1, 1)))
keys = st.text(alphabet="abk1 ", min_size=1, max_size=4) | st.integers(0, 3) | st.booleans()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    keys, inner, max_size=3), max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(keys, values, min_size=1, max_size=4), min_size=1,
                max_size=3),
       st.sampled_from([False, True, None]), st.booleans(), st.integers(0, 2))
def test_random_documents_locate_as_the_node_tree_did(
        documents: list[dict[Any, Any]], flow: bool | None, share: bool, indent: int) -> None:
    if share:  # the same object twice: the dumper writes an anchor and an alias
        first = documents[0]
        shared = next((v for v in first.values() if isinstance(v, list | dict) and v), None)
        if shared is not None:
            first["again"] = shared
    text = yaml.safe_dump_all(documents, default_flow_style=flow, indent=2 + indent,
                              allow_unicode=True, sort_keys=False)
    compare(text)


def test_merge_keys_aliases_and_retyped_keys() -> None:
    text = """\
base: &base {a: 1, on: yes, d: 4}
more: &more
  b: [x, &t true]
  c: *t
  d: 5
  on: no
child:
  a: 2
  <<: [*base, *more]
  2026-01-01: day
  1.5: ratio
  ~: none
other: {<<: *base, "quoted": 'no', !!int '7': seven}
---
second: [*missing_is_not_here]
""".replace("[*missing_is_not_here]", "[1, 2]")
    assert compare(text) > 50


def test_every_path_of_the_example_inventory() -> None:
    compared = 0
    for path in find_yaml_files(REPO / "inventory"):
        compared += compare(path.read_text("utf-8"))
    assert compared > 1000


def test_a_source_doc_holds_no_node() -> None:
    doc: SourceDoc = parse_text("a: {b: [1, 2]}\n", "f.yaml")[0][0]
    assert not any(isinstance(v, Node) for v in vars(doc).values())
