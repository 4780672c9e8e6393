"""Read YAML files into plain Python data without losing where each value came from.

libyaml (PyYAML's C parser) composes the node tree, which carries a line and
column for every key and value.  We keep only those positions, in a compact index
that mirrors the data (SourceDoc), and drop the tree: problems and findings look
positions up in the index.  Our own constructor replaces PyYAML's generic
one: it is leaner, and it rejects what SafeLoader lets through silently
(duplicate keys, alias bombs, recursive aliases, unknown tags, impossible dates).
Nesting is bounded while libyaml composes, before its recursion could exhaust
the C stack.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import os
import re
import stat
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import InputError, Problem

try:  # the C parser; the pure-Python one is the fallback on odd installs
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 8 * 1024 * 1024
# At most this many collections (mappings, lists) nested in one another.
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
_TAG_NAMES = {STR: "text", INT: "whole number", FLOAT: "number", BOOL: "boolean",
              NULL: "null", TIMESTAMP: "date or timestamp"}
_PLAIN_DATA = "airready reads plain YAML: text, numbers, booleans, dates, lists and mappings"
ENTITY_KEYS = "apiVersion, kind, metadata, spec"


class YamlError(Exception):
    """A problem in one document, placed at a node or at an explicit line and column.

    Problems with an alias are raised ``pending``: the node in hand is the anchored one,
    so the caller, which knows where the alias was written, places the problem there.
    """

    def __init__(self, message: str, node: Node | None, line: int = 0, column: int = 0,
                 pending: bool = False):
        super().__init__(message)
        self.message = message
        if node is not None:
            line, column = node.start_mark.line, node.start_mark.column
        self.line = line + 1
        self.column = column + 1
        self.pending = pending
        self.after: tuple[Mark, int] | None = None  # see place_after

    def place_after(self, mark: Mark, skip: int = 0) -> None:
        """Called by the first container up: the alias is the first written after ``mark``
        once ``skip`` other aliases are passed."""
        if self.pending:
            self.pending = False
            self.after = (mark, skip)
            self.line, self.column = mark.line + 1, mark.column + 1


class _Composer(_BaseLoader):
    """The C parser with a memoised resolver and a bound on nesting.

    Plain scalars repeat a lot (true, keys), so their tags are memoised.  libyaml's
    composer recurses once per nesting level in C: a file of a few kilobytes of ``[``
    would exhaust the C stack and crash the interpreter.  PyYAML calls
    ``descend_resolver``/``ascend_resolver`` around every node, so counting there
    stops a document at ``MAX_DEPTH`` before the recursion gets anywhere near that.
    """

    # Plain scalars by their text; the others (quoted, block) by (text, False).
    _cache: dict[str | tuple[str, bool], str] = {}
    _depth = 0

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            key = value if implicit[0] else (value, False)  # no tuple for the usual case
            tag = self._cache.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._cache) < 100_000:
                    self._cache[key] = tag
            return tag
        return SEQ if kind is SequenceNode else MAP

    def descend_resolver(self, parent: Node | None, index: Any) -> None:
        depth = self._depth + 1
        self._depth = depth
        # A node at depth MAX_DEPTH + 2 sits in a collection nested MAX_DEPTH + 1 deep.
        if depth > MAX_DEPTH + 1 and parent is not None:
            raise YamlError(_too_deep(), parent)

    def ascend_resolver(self) -> None:
        self._depth -= 1


def _too_deep() -> str:
    return f"nesting is deeper than {MAX_DEPTH} levels of lists and mappings"


_scalar_helper = yaml.constructor.SafeConstructor()


# A position is one int: line << 32 | column (both 0-based, as libyaml counts them).
_COLUMN = (1 << 32) - 1


@dataclass
class SourceDoc:
    """One YAML document: its data, where each of its keys and values was written, and
    the file it lives in.

    The node tree libyaml composed is not kept: at 10,000 models it was most of the
    memory a large audit used.  What is kept is one array of ints per document that
    follows the data.  Each mapping has a block of three ints per key, in the order of
    its keys in ``data``: where the key starts, where the value starts, and the block of
    the value if it is a list or mapping (else -1); each list has a block of two per
    item (where it starts, its block or -1).  Aliases share the block of what they
    repeat, as they share its data; a merge key's entries are copied from its source.
    """

    file: str  # as shown to users (relative to the project)
    index: int  # 1 for the first document loaded from its file, 2 for the next ...
    data: dict[str, Any]
    positions: array[int]  # the blocks, as above
    root: int  # the block of the document's mapping
    start: int  # where the document's mapping starts
    # The source text of scalars YAML did not read as text (true, 1.5, 2026-01-01, a key
    # such as on or 1), by position: messages show them as written.  Values: plain ones
    # only; keys: whatever their style, the plain ones also in ``plain_keys``.
    texts: dict[int, str] = field(default_factory=dict, repr=False)
    plain_keys: frozenset[int] = field(default=frozenset(), repr=False)

    @property
    def line(self) -> int:
        return (self.start >> 32) + 1

    def locate(self, path: Sequence[Any], key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``.

        With ``key=True`` the position of the last key itself.  A path that runs out
        (a missing field) gives the position of the deepest mapping that exists, which
        is where the user has to add it.  Path steps are the keys as they are in
        ``data`` (``on:`` is the key True, ``1:`` the key 1), or list indexes.
        """
        target = self._find(path, key)[0]
        return (target >> 32) + 1, (target & _COLUMN) + 1

    def plain_text(self, path: Sequence[Any], key: bool = False) -> str | None:
        """How the scalar at ``path`` (with ``key=True``: its last key) was written, when
        it was written plain (unquoted) and YAML read it as something other than text;
        else None (quoted, text, a list or mapping, or no such path)."""
        target, found, scalar, keyed = self._find(path, key)
        if not found or (key and (not keyed or target not in self.plain_keys)) or (
                not key and not scalar):
            return None
        return self.texts.get(target)

    def key_text(self, path: Sequence[Any]) -> str | None:
        """How the last key of ``path`` was written, when YAML read it as something other
        than text (``on`` for the key True); else None."""
        target, found, _, keyed = self._find(path, True)
        return self.texts.get(target) if found and keyed else None

    def _find(self, path: Sequence[Any], key: bool) -> tuple[int, bool, bool, bool]:
        """The position; whether the whole path exists; whether it ends at a scalar value;
        whether its last step was a mapping key (not a list index, not the document)."""
        data: Any = self.data
        positions = self.positions
        block = self.root
        target = self.start
        keyed = False
        for step in path:
            if block < 0:
                return target, False, False, False
            if data.__class__ is dict:
                if step not in data:
                    return target, False, False, False
                at = block + 3 * _slot(data, step)
                target = positions[at] if key else positions[at + 1]
                block = positions[at + 2]
                keyed = True
            elif data.__class__ is list and _is_index(step) and 0 <= step < len(data):
                at = block + 2 * step
                target = positions[at]
                block = positions[at + 1]
                keyed = False
            else:
                return target, False, False, False
            data = data[step]
        return target, True, block < 0, keyed


def _slot(mapping: dict[Any, Any], key: Any) -> int:
    """Where ``key`` comes in ``mapping``'s order (the key the dict would find)."""
    for slot, other in enumerate(mapping):
        if other is key or other == key:
            return slot
    raise KeyError(key)  # pragma: no cover - the caller checked ``key in mapping``


def _position(node: Node) -> int:
    mark = node.start_mark
    return int(mark.line) << 32 | int(mark.column)


# Values whose written form no message needs: text is shown as read, null not at all.
_TEXT_TAGS = frozenset({STR, NULL})


def _is_index(step: Any) -> bool:
    return isinstance(step, int) and not isinstance(step, bool)


def _key_value(node: ScalarNode) -> Any:
    """A mapping key as the data holds it (``on`` -> True, ``1`` -> 1, quoted -> text)."""
    if node.tag == STR:
        return node.value
    try:
        return _Builder().scalar(node)
    except YamlError:  # pragma: no cover - the document would not have loaded
        return node.value


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
        self.positions = array("q")  # see SourceDoc.positions
        self.blocks: dict[int, int] = {}  # each built container's block in it
        self.texts: dict[int, str] = {}  # see SourceDoc.texts
        self.plain_keys: set[int] = set()
        self.active: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.heights: dict[int, int] = {}
        self.extra = 0  # values that aliases repeat

    def document(self, node: MappingNode, shown: str, number: int) -> SourceDoc:
        """The SourceDoc of a document: its data and position index, without ``node``."""
        data = self.build(node)
        return SourceDoc(shown, number, data, self.positions, self.blocks[id(node)],
                         _position(node), self.texts, frozenset(self.plain_keys))

    def build(self, node: Node, depth: int = 0) -> Any:
        """The data of ``node``, a collection nested ``depth`` deep (the document is 0)."""
        if node.__class__ is ScalarNode:
            return self.scalar(node)
        ident = id(node)
        if ident in self.active:
            raise YamlError("this alias refers to a list or mapping that contains it "
                            "(a recursive alias)", node, pending=True)
        if ident in self.built:
            # An alias: share what was built, but bound what it expands to downstream.
            self.extra += self.size(node)
            if self.extra > MAX_ALIAS_EXPANSION:
                raise YamlError(
                    f"aliases expand this document beyond {MAX_ALIAS_EXPANSION:,} repeated "
                    "values (an alias bomb?)", node, pending=True)
            if depth + self.height(node) > MAX_DEPTH:
                raise YamlError(_too_deep() + " (through this alias)", node, pending=True)
            return self.built[ident]
        if depth >= MAX_DEPTH:
            raise YamlError(_too_deep(), node)
        if node.tag != (MAP if node.__class__ is MappingNode else SEQ):
            raise YamlError(f"unsupported tag {node.tag!r}: {_PLAIN_DATA}", node)
        self.active.add(ident)
        try:
            if node.__class__ is MappingNode:
                value: Any = self.mapping(node, depth)
            else:
                value = []
                append = value.append
                build = self.build
                entries: list[int] = []  # this list's block (see SourceDoc)
                at = entries.append
                try:
                    for child in node.value:
                        mark = child.start_mark
                        position = mark.line << 32 | mark.column
                        at(position)
                        if child.__class__ is ScalarNode:
                            at(-1)
                            if child.tag == STR:
                                append(child.value)  # as build would, without the call
                                continue
                            if child.tag != NULL and child.style == "":
                                self.texts[position] = child.value
                            append(self.scalar(child))
                            continue
                        append(build(child, depth + 1))
                        at(self.blocks[id(child)])
                except YamlError as exc:
                    if exc.pending:
                        exc.place_after(*_after_siblings(node, len(value)))
                    raise
                self.blocks[ident] = len(self.positions)
                self.positions.extend(entries)
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

    def height(self, node: Node) -> int:
        """How many collections deep the node goes, aliases inside it included."""
        if node.__class__ is ScalarNode:
            return 0
        ident = id(node)
        known = self.heights.get(ident)
        if known is None:
            children = (
                [value for _, value in node.value]
                if node.__class__ is MappingNode
                else node.value
            )
            known = 1 + max((self.height(child) for child in children), default=0)
            self.heights[ident] = known
        return known

    def mapping(self, node: MappingNode, depth: int) -> dict[Any, Any]:
        data: dict[Any, Any] = {}
        seen: dict[Any, Node] = {}
        merged: list[tuple[Node, int, MappingNode]] = []
        # This mapping's block (see SourceDoc), slot by slot in the order of data's keys.
        entries: list[int] = []
        at = entries.append
        texts = self.texts
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode:
                if key_node.tag == MERGE:
                    merged.extend((key_node, i, source)
                                  for i, source in enumerate(self._merge(value_node)))
                    continue
                mark = key_node.start_mark
                key_at = mark.line << 32 | mark.column
                if key_node.tag == STR:
                    key = key_node.value
                else:
                    key = self.scalar(key_node)
                    texts[key_at] = key_node.value
                    if key_node.style == "":
                        self.plain_keys.add(key_at)
            else:
                raise YamlError("a mapping key must be a plain value, not a list or mapping",
                                key_node)
            if key in seen:
                first = seen[key].start_mark
                message = (f"duplicate key {key_node.value!r} (first defined at line "
                           f"{first.line + 1}, column {first.column + 1}")
                if seen[key].value != key_node.value:  # on: and yes: are both the key True
                    message += f" as {seen[key].value!r}; YAML reads both as {key!r}"
                raise YamlError(message + ")", key_node)
            seen[key] = key_node
            mark = value_node.start_mark
            value_at = mark.line << 32 | mark.column
            at(key_at)
            at(value_at)
            if value_node.__class__ is ScalarNode:
                at(-1)
                if value_node.tag == STR:
                    data[key] = value_node.value  # the commonest value, without a call
                    continue
                if value_node.tag != NULL and value_node.style == "":
                    texts[value_at] = value_node.value
            try:
                data[key] = self.build(value_node, depth + 1)
            except YamlError as exc:
                exc.place_after(key_node.end_mark)
                raise
            if value_node.__class__ is not ScalarNode:
                at(self.blocks[id(value_node)])
        for merge_key, skip, source in merged:  # explicit keys win, earlier sources win
            try:
                built = self.build(source, depth)
            except YamlError as exc:
                exc.place_after(merge_key.end_mark, skip)
                raise
            block = self.blocks[id(source)]
            for slot, (key, value) in enumerate(built.items()):
                if key not in data:
                    data[key] = value
                    entries.extend(self.positions[block + 3 * slot:block + 3 * slot + 3])
        self.blocks[id(node)] = len(self.positions)
        self.positions.extend(entries)
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
        try:
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
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            if tag == TIMESTAMP and isinstance(exc, ValueError) and node.style == "":
                raise YamlError(f"{node.value} is not a real date ({exc}); quote it if it is "
                                "meant as text", node) from None
            raise YamlError(f"{node.value!r} is not a valid {_TAG_NAMES[tag]}", node) from None
        raise YamlError(f"unsupported tag {tag!r}: {_PLAIN_DATA}", node)


# --- turning parser errors into problems ----------------------------------------------------

_ALIAS_NAME = re.compile(r"\*([^\s,\[\]{}]+)")
_ANCHOR_NAME = re.compile(r"&([^\s,\[\]{}]+)")
_TOKEN = re.compile(r"[^\s,\[\]{}]+")
_BETWEEN_TOKENS = " \t,-:?[{"


def _lines(raw: bytes) -> list[str]:
    return raw.decode("utf-8", errors="replace").removeprefix("\ufeff").split("\n")


def _after_siblings(node: Node, index: int) -> tuple[Mark, int]:
    """Where to look for the alias that is item ``index`` of ``node``.

    An alias item is the anchored node itself, whose marks lie earlier in the text;
    real items follow one another.  So: the end of the last real item before ``index``
    (or the start of the list), and how many alias items come between.
    """
    mark, last, aliases = node.start_mark, node.start_mark.index, 0
    for item in node.value[:index]:
        if item.start_mark.index >= last:
            mark, last, aliases = item.end_mark, item.end_mark.index, 0
        else:
            aliases += 1
    return mark, aliases


def _alias_at(lines: list[str], after: Mark, skip: int) -> tuple[int, int, str] | None:
    """Line, column (1-based) and name of the alias written after ``after``, past ``skip``
    others; None if anything but punctuation, anchors, tags or comments comes first."""
    line, column = after.line, after.column
    while line < len(lines):
        text = lines[line].rstrip("\r")
        while column < len(text):
            char = text[column]
            if char == "*":
                match = _ALIAS_NAME.match(text, column)
                if not skip:
                    return line + 1, column + 1, match[1] if match else ""
                skip -= 1
                column += len(match[0]) if match else 1
            elif char in "&!":  # an anchor or a tag on the list that holds the alias
                match = _TOKEN.match(text, column)
                column += len(match[0]) if match else 1
            elif char == "#":
                break
            elif char in _BETWEEN_TOKENS:
                column += 1
            else:
                return None
        line, column = line + 1, 0
    return None


def _builder_problem(exc: YamlError, raw: bytes, shown: str) -> Problem:
    message = exc.message
    line, column = exc.line, exc.column
    if exc.after is not None:
        found = _alias_at(_lines(raw), *exc.after)
        if found is not None:
            line, column, name = found
            message = message.replace("this alias", f"the alias *{name}", 1)
        else:
            message = message.replace("this alias", "an alias", 1)
    return Problem(shown, line, column, message, code="yaml")


def _context(exc: yaml.MarkedYAMLError) -> str:
    """' (in the flow sequence that starts at line 1, column 4)' from libyaml's context."""
    context, mark = exc.context or "", exc.context_mark
    if not context or mark is None or (
        exc.problem_mark is not None and (mark.line, mark.column)
        == (exc.problem_mark.line, exc.problem_mark.column)
    ):
        return ""
    what = re.sub(r"^while (parsing|scanning) (an? )?", "", context)
    if what == context:
        return ""
    return f" (in the {what} that starts at line {mark.line + 1}, column {mark.column + 1})"


def _parse_problem(exc: yaml.MarkedYAMLError, raw: bytes, shown: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line, mark.column) if mark is not None else (0, 0)
    problem = exc.problem or "invalid YAML"
    lines = _lines(raw)
    text = lines[line] if line < len(lines) else ""
    char = text[column] if column < len(text) else ""
    if char == "\t" or "tab character" in problem:
        message = "a tab character here: YAML is indented with spaces, never tabs"
    elif problem == "found undefined alias":
        match = _ALIAS_NAME.match(text, column)
        name = match[1] if match else ""
        message = (f"the alias *{name} has no anchor &{name} before it (an anchor must come "
                   "first, in the same document)")
    elif problem == "second occurrence" and exc.context_mark is not None:
        first = exc.context_mark
        match = _ANCHOR_NAME.match(text, column)
        name = f" &{match[1]}" if match else ""
        message = (f"the anchor{name} is defined twice in this document (first at line "
                   f"{first.line + 1}, column {first.column + 1}): rename one")
    elif problem == "found character that cannot start any token":
        message = (f"{char!r} cannot start a value: quote the value" if char in "@`%"
                   else f"{char!r} cannot start a value here") if char else problem
        message = f"YAML does not parse: {message}"
    elif problem == "mapping values are not allowed in this context":
        message = ("YAML does not parse: a ':' here starts a mapping where none can start: "
                   "check the indentation, or quote a value that contains ': '")
    else:
        message = f"YAML does not parse: {problem}{_context(exc)}"
    return Problem(shown, line + 1, column + 1, message, code="yaml")


def _reader_problem(exc: yaml.reader.ReaderError, raw: bytes, position: int, shown: str
                    ) -> Problem:
    before = raw[:position]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", errors="replace")) + 1
    character = exc.character
    code = character if isinstance(character, int) else ord(character or "\0")
    return Problem(shown, line, column,
                   f"the file holds the control character U+{code:04X}, which YAML does not "
                   "allow", code="yaml")


def _decode_problem(raw: bytes, shown: str) -> Problem | None:
    """None when ``raw`` is UTF-8 (with or without a byte order mark)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return Problem(shown, 1, 1, "the file is UTF-16: save it as UTF-8", code="yaml")
        before = raw[: exc.start]
        line_start = before.rfind(b"\n") + 1
        line = before.count(b"\n") + 1
        column = len(before[line_start:].decode("utf-8")) + 1
        return Problem(shown, line, column,
                       f"the file is not UTF-8: byte 0x{raw[exc.start]:02x} is not valid here "
                       "(save the file as UTF-8)", code="yaml")
    return None


# --- loading --------------------------------------------------------------------------------

def parse_text(text: str | bytes, shown: str, *, keys: str = ENTITY_KEYS
               ) -> tuple[list[SourceDoc], list[Problem]]:
    """Parse every document of one file; never raises for bad input.

    A document that does not parse is reported, and parsing resumes at the next
    ``---`` line, so one broken document hides neither the problems nor the entities
    of the documents after it.  ``keys`` names what a document should hold, for the
    problem when it is not a mapping.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    docs: list[SourceDoc] = []
    problems: list[Problem] = []
    # A file's node trees, data and position indexes hold no cycles: the cyclic garbage
    # collector would only walk them again and again while they grow.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _parse_range(raw, 0, 0, len(raw), shown, keys, docs, problems)
    finally:
        if collecting:
            gc.enable()
    return docs, problems


def _parse_range(raw: bytes, line: int, offset: int, stop: int, shown: str, keys: str,
                 docs: list[SourceDoc], problems: list[Problem]) -> None:
    """The documents of ``raw[offset:stop]``, ``offset`` being the start of line ``line``."""
    while True:
        # Blank lines in front of the rest keep libyaml's line numbers those of the file.
        source = raw[:stop] if offset == 0 else b"\n" * line + raw[offset:stop]
        kept_docs, kept_problems = len(docs), len(problems)
        failed = _parse_documents(source, raw, offset - line, shown, keys, docs, problems)
        if failed is None:
            return
        failed_line, unreadable = failed
        if unreadable is not None:
            # libyaml checks characters as it reads ahead, so the documents before the bad
            # one may not have been read at all: read them again, without it.
            problem = problems[-1]
            del docs[kept_docs:], problems[kept_problems:]
            cut = _last_document_start(raw, offset, unreadable)
            if cut is not None:
                _parse_range(raw, line, offset, cut, shown, keys, docs, problems)
            problems.append(problem)
        resume = _next_document(raw, max(failed_line, line + 1))
        if resume is None or resume[1] >= stop:
            return
        line, offset = resume


_DOCUMENT_START = re.compile(rb"^---(?=[ \t\r\n]|$)", re.MULTILINE)


def _next_document(raw: bytes, from_line: int) -> tuple[int, int] | None:
    """Line (0-based) and byte offset of the first ``---`` at or after ``from_line``."""
    for match in _DOCUMENT_START.finditer(raw):
        line = raw.count(b"\n", 0, match.start())
        if line >= from_line:
            return line, match.start()
    return None


def _last_document_start(raw: bytes, after: int, before: int) -> int | None:
    """Byte offset of the last ``---`` line that starts in ``raw[after + 1:before + 1]``."""
    starts = [m.start() for m in _DOCUMENT_START.finditer(raw, after + 1, before + 1)]
    return starts[-1] if starts else None


def _parse_documents(source: bytes, raw: bytes, shift: int, shown: str, keys: str,
                     docs: list[SourceDoc], problems: list[Problem]
                     ) -> tuple[int, int | None] | None:
    """Parse ``source`` (``raw`` from some line on; byte ``i`` of it is byte ``i + shift``
    of ``raw``), appending to ``docs`` and ``problems``.  Returns None when the stream was
    read to its end, else the 0-based line where it stopped, with the offset in ``raw`` of
    the character libyaml refused if that is why."""
    composer = _Composer(source)
    try:
        while composer.check_node():
            node = composer.get_node()
            if node is None:
                continue
            if isinstance(node, ScalarNode) and node.tag == NULL:
                continue  # an empty document, such as a trailing '---'
            if not isinstance(node, MappingNode):
                line, column = node.start_mark.line + 1, node.start_mark.column + 1
                what = "a list" if isinstance(node, SequenceNode) else (
                    f"the single value {_short(node.value)}")
                problems.append(
                    Problem(shown, line, column,
                            f"a document must be a mapping ({keys}), not {what}", code="yaml"))
                continue
            try:
                doc = _Builder().document(node, shown, len(docs) + 1)
            except YamlError as exc:
                problems.append(_builder_problem(exc, raw, shown))
                continue
            except RecursionError:  # pragma: no cover - MAX_DEPTH keeps far below the limit
                line, column = node.start_mark.line + 1, node.start_mark.column + 1
                problems.append(Problem(shown, line, column, _too_deep(), code="yaml"))
                continue
            docs.append(doc)
    except YamlError as exc:  # from the composer: nesting too deep
        problems.append(Problem(shown, exc.line, exc.column, exc.message, code="yaml"))
        return exc.line - 1, None
    except yaml.MarkedYAMLError as exc:
        problem = _parse_problem(exc, raw, shown)
        problems.append(problem)
        return problem.line - 1, None
    except yaml.reader.ReaderError as exc:
        position = (exc.position if isinstance(exc.position, int) else 0) + shift
        problem = _reader_problem(exc, raw, position, shown)
        problems.append(problem)
        return problem.line - 1, position
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml marks its errors
        problems.append(Problem(shown, 1, 1, f"YAML does not parse: {exc}", code="yaml"))
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps far below the limit
        problems.append(Problem(shown, 1, 1, _too_deep(), code="yaml"))
    finally:
        composer.dispose()
    return None


def _short(value: str) -> str:
    return repr(value) if len(value) <= 40 else repr(value[:37] + "...")


def load_file(path: Path, shown: str, max_bytes: int = MAX_FILE_BYTES, *,
              keys: str = ENTITY_KEYS) -> tuple[list[SourceDoc], list[Problem]]:
    try:
        with open(path, "rb") as file:  # one open and fstat, as read_bytes makes, no extra stat
            size = os.fstat(file.fileno()).st_size
            if size > max_bytes:
                return [], [Problem(shown, 1, 1,
                                    f"the file is {size:,} bytes, over the limit of "
                                    f"{max_bytes:,} (max_file_bytes in airready.yaml)",
                                    code="yaml")]
            raw = file.read()
    except OSError as exc:
        return [], [Problem(shown, 1, 1, f"cannot read the file: {exc.strerror}", code="yaml")]
    problem = _decode_problem(raw, shown)
    if problem is not None:
        return [], [problem]
    # The bytes are valid UTF-8: hand them to libyaml as they are (no re-encoding).
    return parse_text(raw, shown, keys=keys)


def find_yaml_files(root: Path, skip: frozenset[Path] = frozenset(), *,
                    problems: list[Problem] | None = None, inside: Path | None = None,
                    shown: Callable[[str], str] | None = None) -> Iterator[Path]:
    """``root`` itself if it is a file, else every *.yaml / *.yml below it, sorted.

    Below ``root``, hidden files and folders (``.github/``, ``.venv/``) are left out, and
    so are the files in ``skip`` (resolved paths, such as the project file itself).
    What cannot be searched is a problem (see ``yaml_file_names``), never passed over.
    """
    for name in yaml_file_names(root, skip, problems=problems, inside=inside, shown=shown):
        yield Path(name)


@dataclass
class _Search:
    skip: frozenset[Path]
    skip_names: set[str]
    inside: str | None  # the real project folder: no symlink may lead out of it
    shown: Callable[[str], str]
    found: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    folders: set[str] = field(default_factory=set)  # real folders searched: loops end
    links: list[tuple[str, str, bool]] = field(default_factory=list)  # followed last

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.shown(path), 1, 1, message, code="file"))


def yaml_file_names(root: Path, skip: frozenset[Path] = frozenset(), *,
                    problems: list[Problem] | None = None, inside: Path | None = None,
                    shown: Callable[[str], str] | None = None) -> list[str]:
    """What ``find_yaml_files`` finds, as strings, in the same order.

    The files of what ``Path.rglob`` would give, found with ``os.scandir`` and kept as
    strings: with 10,000 files, pathlib's parsing and comparisons cost a tenth as much
    as reading them.  Sorted as paths sort, part by part (``a/b`` before ``a-b``).

    Nothing is skipped in silence: a folder that cannot be read, a broken symlink, a
    symlink loop, a FIFO or device named *.yaml, and (with ``inside``) a symlink leading
    out of that folder are problems, added to ``problems``; without that list the first
    of them is raised as an InputError.  Symlinked folders inside are searched too.
    """
    search = _Search(skip, {s.name for s in skip},
                     os.path.realpath(inside) if inside is not None else None,
                     shown or (lambda path: path))
    if root.is_file():
        search.found.append(str(root))
    elif root.is_dir():
        search.folders.add(os.path.realpath(root))
        _scan(str(root), search)
        # Links after every real folder: one leading into a folder searched anyway is
        # then reported whichever order the folder listing came in.
        while search.links:
            search.links.sort()
            _linked(*search.links.pop(0), search)
    elif os.path.lexists(root):
        search.problem(str(root), _not_searchable(str(root)))
    search.found.sort(key=lambda name: name.split(os.sep))
    if problems is not None:
        problems.extend(search.problems)
    elif search.problems:
        raise InputError(search.problems)
    return search.found


def _not_searchable(path: str) -> str:
    """Why ``path``, which is there but is neither a file nor a folder, is not read."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symlink loop: it never reaches a file or folder"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return (f"a broken symlink: what it points to ({os.readlink(path)!r}) does not "
                    "exist")
        return f"cannot be read: {exc.strerror}"
    return "not a regular file or folder (a FIFO, socket or device): not read"


def _scan(folder: str, search: _Search) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        search.problem(folder, f"cannot read the folder: {exc.strerror or exc}")
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue  # hidden, with everything inside
        yaml_name = name.endswith((".yaml", ".yml"))
        try:
            linked = entry.is_symlink()
            if not linked and entry.is_dir(follow_symlinks=False):
                search.folders.add(os.path.realpath(entry.path))
                _scan(entry.path, search)
                continue
            if not linked:
                if yaml_name and entry.is_file(follow_symlinks=False):
                    _add(entry.path, name, search)
                elif yaml_name:
                    search.problem(entry.path, _not_searchable(entry.path))
                continue
        except OSError as exc:
            search.problem(entry.path, f"cannot be read: {exc.strerror or exc}")
            continue
        search.links.append((entry.path, name, yaml_name))


def _linked(path: str, name: str, yaml_name: bool, search: _Search) -> None:
    """A symlink found while searching: followed when it stays inside the project."""
    try:
        info = os.stat(path)
    except OSError:
        # broken or looping: the link may have named a folder, so any name is reported
        if yaml_name or "." not in name:
            search.problem(path, _not_searchable(path))
        return
    real = os.path.realpath(path)
    is_folder = stat.S_ISDIR(info.st_mode)
    if not (is_folder or yaml_name):
        return
    if search.inside is not None and real != search.inside and not real.startswith(
            search.inside + os.sep):
        search.problem(path, "a symlink that leads outside the project folder: not read "
                       "(airready reads only the project's own files)")
    elif is_folder:
        if real in search.folders:
            search.problem(path, "a symlink to a folder searched already (a loop, or its "
                           "files would be read twice): not followed")
        else:
            search.folders.add(real)
            _scan(path, search)
    elif stat.S_ISREG(info.st_mode):
        _add(path, name, search)
    else:
        search.problem(path, _not_searchable(path))


def _add(path: str, name: str, search: _Search) -> None:
    if name not in search.skip_names or Path(path).resolve() not in search.skip:
        search.found.append(path)


def plain(value: Any) -> Any:
    """Data made safe for JSON (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
