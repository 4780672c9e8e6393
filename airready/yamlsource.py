"""Read YAML files into plain Python data without losing where each value came from.

libyaml (PyYAML's C parser) composes the node tree, which carries a line and
column for every key and value.  We keep that tree beside the data and look
positions up only when a problem or finding needs one, so tracking positions
costs nothing while loading.  Our own constructor replaces PyYAML's generic
one: it is leaner, and it rejects what SafeLoader lets through silently
(duplicate keys, alias bombs, recursive aliases, unknown tags).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Problem

try:  # the C parser; the pure-Python one is the fallback on odd installs
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
# Aliases may repeat a node; beyond this many extra values per document we call it a bomb.
MAX_ALIAS_EXPANSION = 100_000

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
MERGE = "tag:yaml.org,2002:merge"

_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


class _Composer(_BaseLoader):  # type: ignore[misc,valid-type]
    """The C parser with a memoised resolver: plain scalars repeat a lot (true, keys)."""

    _cache: dict[tuple[str, bool], str] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            plain = implicit[0]
            key = (value, plain)
            tag = self._cache.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._cache) < 100_000:
                    self._cache[key] = tag
            return tag
        return SEQ if kind is SequenceNode else MAP


_scalar_helper = yaml.constructor.SafeConstructor()


class YamlError(Exception):
    def __init__(self, message: str, node: Node | None, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        if node is not None:
            line, column = node.start_mark.line, node.start_mark.column
        self.line = line + 1
        self.column = column + 1


@dataclass
class SourceDoc:
    """One YAML document: its data, its node tree, and where it lives."""

    file: str  # as shown to users (relative to the project)
    index: int  # position of the document within its file
    data: dict[str, Any]
    node: MappingNode
    _lookup: dict[int, dict[Any, tuple[Node, Node]]] = field(default_factory=dict, repr=False)

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    def locate(self, path: Sequence[str | int], key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``.

        With ``key=True`` the position of the last key itself.  A path that runs out
        (a missing field) gives the position of the deepest mapping that exists, which
        is where the user has to add it.
        """
        node: Node = self.node
        target: Node = node
        for step in path:
            if isinstance(node, MappingNode):
                pair = self._pairs(node).get(step)
                if pair is None:
                    break
                target = pair[0] if key else pair[1]
                node = pair[1]
            elif isinstance(node, SequenceNode) and isinstance(step, int):
                if not 0 <= step < len(node.value):
                    break
                node = target = node.value[step]
            else:
                break
        return int(target.start_mark.line) + 1, int(target.start_mark.column) + 1

    def node_at(self, path: Sequence[str | int]) -> Node | None:
        node: Node = self.node
        for step in path:
            if isinstance(node, MappingNode):
                pair = self._pairs(node).get(step)
                if pair is None:
                    return None
                node = pair[1]
            elif isinstance(node, SequenceNode) and isinstance(step, int) and (
                0 <= step < len(node.value)
            ):
                node = node.value[step]
            else:
                return None
        return node

    def _pairs(self, node: MappingNode) -> dict[Any, tuple[Node, Node]]:
        pairs = self._lookup.get(id(node))
        if pairs is None:
            pairs = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    if key_node.tag == MERGE:
                        for source in _merge_sources(value_node):
                            for k, v in self._pairs(source).items():
                                pairs.setdefault(k, v)
                        continue
                    pairs[key_node.value] = (key_node, value_node)
            self._lookup[id(node)] = pairs
        return pairs


def _merge_sources(node: Node) -> list[MappingNode]:
    if isinstance(node, MappingNode):
        return [node]
    if isinstance(node, SequenceNode):
        return [n for n in node.value if isinstance(n, MappingNode)]
    return []


class _Builder:
    """Builds plain data from one document's nodes, with the checks SafeLoader lacks."""

    def __init__(self) -> None:
        self.built: dict[int, Any] = {}  # containers already built, for aliases
        self.active: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.extra = 0  # values that aliases repeat

    def build(self, node: Node, depth: int = 0) -> Any:
        if node.__class__ is ScalarNode:
            return self.scalar(node)
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting is deeper than {MAX_DEPTH} levels", node)
        ident = id(node)
        if ident in self.active:
            raise YamlError("an alias refers to the node that contains it (recursive alias)", node)
        if ident in self.built:
            # An alias: share what was built, but bound what it expands to downstream.
            self.extra += self.size(node)
            if self.extra > MAX_ALIAS_EXPANSION:
                raise YamlError(
                    f"aliases expand this document beyond {MAX_ALIAS_EXPANSION:,} repeated values "
                    "(an alias bomb?)",
                    node,
                )
            return self.built[ident]
        self.active.add(ident)
        try:
            if node.__class__ is MappingNode:
                if node.tag != MAP:
                    raise YamlError(f"unsupported tag {node.tag!r}", node)
                value: Any = self.mapping(node, depth)
            else:
                if node.tag != SEQ:
                    raise YamlError(f"unsupported tag {node.tag!r}", node)
                build = self.build
                value = [build(child, depth + 1) for child in node.value]
        finally:
            self.active.discard(ident)
        self.built[ident] = value
        return value

    def size(self, node: Node) -> int:
        """How many values the node stands for once every alias inside it is expanded."""
        if node.__class__ is ScalarNode:
            return 1
        ident = id(node)
        known = self.sizes.get(ident)
        if known is None:
            children = (
                [n for pair in node.value for n in pair]
                if node.__class__ is MappingNode
                else node.value
            )
            known = 1 + sum(self.size(child) for child in children)
            self.sizes[ident] = known
        return known

    def mapping(self, node: MappingNode, depth: int) -> dict[Any, Any]:
        data: dict[Any, Any] = {}
        seen: dict[Any, Node] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode:
                if key_node.tag == MERGE:
                    merged.extend(self._merge(value_node))
                    continue
                key = key_node.value if key_node.tag == STR else self.scalar(key_node)
            else:
                raise YamlError("a mapping key must be a plain value, not a list or mapping", key_node)
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise YamlError(f"duplicate key {key!r} (first defined on line {first})", key_node)
            seen[key] = key_node
            data[key] = self.build(value_node, depth + 1)
        for source in merged:  # merge keys: explicit keys win, earlier sources win
            for key, value in self.build(source, depth + 1).items():
                data.setdefault(key, value)
        return data

    def _merge(self, node: Node) -> list[MappingNode]:
        sources = _merge_sources(node)
        if not sources or (isinstance(node, SequenceNode) and len(sources) != len(node.value)):
            raise YamlError("a merge key (<<) takes a mapping or a list of mappings", node)
        return sources

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == STR:
            return node.value
        if tag == BOOL:
            return _BOOLS[node.value.lower()]
        if tag == NULL:
            return None
        if tag == INT:
            return _scalar_helper.construct_yaml_int(node)
        if tag == FLOAT:
            return _scalar_helper.construct_yaml_float(node)
        if tag == TIMESTAMP:
            return _scalar_helper.construct_yaml_timestamp(node)
        raise YamlError(f"unsupported tag {tag!r}", node)


def _decode(raw: bytes, shown: str) -> tuple[str | None, Problem | None]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, Problem(
            shown, line, column, f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})", code="yaml"
        )
    return text, None


def parse_text(text: str | bytes, shown: str) -> tuple[list[SourceDoc], list[Problem]]:
    """Parse every document of one file; never raises for bad input."""
    docs: list[SourceDoc] = []
    problems: list[Problem] = []
    composer = _Composer(text)
    index = 0
    try:
        while composer.check_node():
            node = composer.get_node()
            index += 1
            if node is None:
                continue
            if isinstance(node, ScalarNode) and node.tag == NULL:
                continue  # an empty document, such as a trailing '---'
            if not isinstance(node, MappingNode):
                line, column = node.start_mark.line + 1, node.start_mark.column + 1
                what = "a list" if isinstance(node, SequenceNode) else "a single value"
                problems.append(
                    Problem(shown, line, column,
                            f"a document must be a mapping (apiVersion, kind, ...), not {what}",
                            code="yaml")
                )
                continue
            try:
                data = _Builder().build(node)
            except YamlError as exc:
                problems.append(Problem(shown, exc.line, exc.column, exc.message, code="yaml"))
                continue
            except RecursionError:
                line, column = node.start_mark.line + 1, node.start_mark.column + 1
                problems.append(Problem(shown, line, column, "the document nests too deeply",
                                        code="yaml"))
                continue
            docs.append(SourceDoc(shown, index, data, node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        reason = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        problems.append(Problem(shown, line, column, f"YAML does not parse: {reason}", code="yaml"))
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        problems.append(Problem(shown, 1, 1, f"YAML does not parse: {exc}", code="yaml"))
    except RecursionError:
        problems.append(Problem(shown, 1, 1, "the document nests too deeply", code="yaml"))
    finally:
        composer.dispose()
    return docs, problems


def load_file(path: Path, shown: str, max_bytes: int = MAX_FILE_BYTES
              ) -> tuple[list[SourceDoc], list[Problem]]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return [], [Problem(shown, 1, 1,
                                f"the file is {size:,} bytes, over the limit of {max_bytes:,}",
                                code="yaml")]
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Problem(shown, 1, 1, f"cannot read the file: {exc.strerror}", code="yaml")]
    _, problem = _decode(raw, shown)
    if problem is not None:
        return [], [problem]
    # The bytes are valid UTF-8: hand them to libyaml as they are (no re-encoding).
    return parse_text(raw, shown)


def find_yaml_files(root: Path) -> Iterator[Path]:
    """``root`` itself if it is a file, else every *.yaml / *.yml below it, sorted."""
    if root.is_file():
        yield root
        return
    found = [p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    yield from sorted(found)


def plain(value: Any) -> Any:
    """Data made safe for JSON (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
