"""Every entity's reach along one set of edges, for all entities in one pass.

Walking from each model separately costs the estate's size once per model: at 10,000
models, where a model reaches about a third of the graph, that is hours of work for
the scorecard and the site.  Reach is shared instead: entities on a cycle reach the
same things, so the graph is cut into strongly connected components (Tarjan), and a
component's reach is its own members plus the reach of the components it points at,
each computed once, in the order Tarjan finishes them (successors first).

Sets are Python ints used as bitsets: bit ``i`` stands for the ``i``-th reference in
sorted order.  A union is one C-level OR, and the sets of a component's predecessors
share nothing they need to copy.  Counting what a set holds of one sort (tools that
write, models with users) is an AND and a popcount against a mask built once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .edges import EDGE_TYPES

if TYPE_CHECKING:  # the graph is a networkx DiGraph; only its adjacency is read here
    import networkx as nx


def edge_of(data: dict[str, Any], wanted: frozenset[str]) -> str | None:
    """The type to follow an edge by: its own if wanted, else another it also carries."""
    if data["edge"] in wanted:
        return str(data["edge"])
    for edge in EDGE_TYPES:
        if edge in wanted and edge in data["edges"]:
            return edge
    return None


class Closures:
    """For every entity, the set of entities it reaches along ``along`` (edges followed
    forwards) and ``back`` (edges followed backwards), itself included.

    The set is the same as a walk's (``blast.walk_edges``) plus the start: which
    entities a breadth-first search reaches does not depend on the order it goes in.
    """

    def __init__(self, graph: nx.DiGraph | None, along: frozenset[str] = frozenset(),
                 back: frozenset[str] = frozenset(), *,
                 refs: Iterable[str] = (), pairs: Iterable[tuple[str, str]] = ()):
        """From ``graph``'s edges of the types ``along`` (forwards) and ``back``
        (backwards); or, with ``graph`` None, from the entities ``refs`` and the steps
        ``pairs`` (from, to) between them, already in the direction harm goes."""
        names = sorted(graph) if graph is not None else sorted(refs)
        self.refs = names
        self.index = {ref: i for i, ref in enumerate(names)}
        if graph is not None:
            out = _adjacency(graph, self.index, along, back)
        else:
            out = [[] for _ in names]
            index = self.index
            for source, dest in pairs:
                out[index[source]].append(index[dest])
        self._sets = _closures(out)

    def __len__(self) -> int:
        return len(self.refs)

    def closure(self, ref: str) -> int:
        """``ref`` and everything it reaches, as a bitset."""
        return self._sets[self.index[ref]]

    def reached(self, ref: str) -> int:
        """Everything ``ref`` reaches, without ``ref`` (as a walk lists it), as a bitset."""
        i = self.index[ref]
        return self._sets[i] & ~(1 << i)

    def count(self, ref: str) -> int:
        """How many entities a walk from ``ref`` reaches."""
        return self.reached(ref).bit_count()

    def mask(self, refs: Iterable[str]) -> int:
        """The bitset of ``refs`` (those that are in the graph)."""
        bits = 0
        index = self.index
        for ref in refs:
            i = index.get(ref)
            if i is not None:
                bits |= 1 << i
        return bits

    def members(self, bits: int, limit: int | None = None) -> list[str]:
        """The references in ``bits``, sorted (only the first ``limit``, if given)."""
        refs = self.refs
        # bin() is written most significant bit first: reversed, position i is bit i.
        text = bin(bits)[:1:-1]
        found: list[str] = []
        at = text.find("1")
        while at >= 0 and (limit is None or len(found) < limit):
            found.append(refs[at])
            at = text.find("1", at + 1)
        return found


def _adjacency(graph: nx.DiGraph, index: dict[str, int], along: frozenset[str],
               back: frozenset[str]) -> list[list[int]]:
    """For each entity (by index), the entities one followed edge away."""
    out: list[list[int]] = [[] for _ in index]
    for source, targets in graph._succ.items():
        i = index[source]
        for target, data in targets.items():
            if along and edge_of(data, along) is not None:
                out[i].append(index[target])
            if back and edge_of(data, back) is not None:
                out[index[target]].append(i)
    return out


def _closures(out: list[list[int]]) -> list[int]:
    """Tarjan's strongly connected components, iteratively, with each component's
    closure computed as it is finished (every component it points at is finished first).
    Members of a component share one int."""
    count = len(out)
    order = [-1] * count  # discovery number
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    sets = [0] * count
    component = [-1] * count  # which component a finished entity belongs to
    counter = 0
    for root in range(count):
        if order[root] >= 0:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            node, position = work[-1]
            children = out[node]
            if position < len(children):
                work[-1] = (node, position + 1)
                child = children[position]
                if order[child] < 0:
                    order[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack[child] = True
                    work.append((child, 0))
                elif on_stack[child] and order[child] < low[node]:
                    low[node] = order[child]
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
            if low[node] != order[node]:
                continue
            # ``node`` roots a component: pop it, then gather what its members point at.
            members = []
            while True:
                member = stack.pop()
                on_stack[member] = False
                members.append(member)
                if member == node:
                    break
            bits = 0
            for member in members:
                bits |= 1 << member
                component[member] = node
            for member in members:
                for child in out[member]:
                    if component[child] != node:  # outside: a finished component's closure
                        bits |= sets[child]
            for member in members:
                sets[member] = bits
    return sets


def bit_slices(values: Iterable[tuple[int, int]]) -> list[int]:
    """Bit-sliced masks of whole numbers >= 0 given by entity index: mask ``b`` holds the
    entities whose value has bit ``b`` set.  With them, a sum or a maximum over any set
    of entities is a few ANDs and popcounts (``sum_of``, ``max_of``), not a loop."""
    slices: list[int] = []
    for index, value in values:
        bit = 1 << index
        b = 0
        while value:
            if value & 1:
                while len(slices) <= b:
                    slices.append(0)
                slices[b] |= bit
            value >>= 1
            b += 1
    return slices


def sum_of(bits: int, slices: list[int]) -> int:
    """The sum of the values (see bit_slices) of the entities in ``bits``."""
    return sum((bits & mask).bit_count() << b for b, mask in enumerate(slices))


def max_of(bits: int, slices: list[int], present: int) -> int | None:
    """The largest value among the entities in ``bits & present`` (``present``: those
    that have a value, zero included); None when there are none."""
    candidates = bits & present
    if not candidates:
        return None
    best = 0
    for b in range(len(slices) - 1, -1, -1):  # from the highest bit down
        narrowed = candidates & slices[b]
        if narrowed:
            candidates = narrowed
            best |= 1 << b
    return best
