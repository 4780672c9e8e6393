"""Write imported entities as inventory YAML, and import again without losing anyone's edits.

An importer hands over ``Imported`` entities: a full document each, a name it proposes and a
``key`` that stays the same for the same outside record from one import to the next (an OMB
use case id, a BOM component's purl).  ``plan_write`` decides, for each one, whether it is
new or already in the inventory, and what to write; ``save`` writes it.

Finding an entity again, in this order:

1. the import state (``<folder>/.airready-import/<source>.json``) maps each key to the
   reference the last import wrote it as, so a renamed title or a moved file is followed;
2. an external id (``metadata.external_ids``) that exactly one entity of the kind carries;
3. an entity of the same kind and name (a vendor someone wrote by hand is the same vendor).

A matched entity is updated field by field, like a three-way merge.  The state also keeps
the value each field had when the source last wrote it: a field still holding that value
takes the source's new value; a field someone edited keeps the edit, and when the source has
changed it too, the clash is reported (yours kept, the source's value shown).  Fields the
importer never sets (logging, rollback, a hand-written owner...) are never touched.  An
entity the last import wrote and someone has since deleted stays deleted, and an entity the
source no longer has is reported, never removed.  Every file is written atomically.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from ..inventory.fields import KIND_BY_PREFIX, PREFIX_BY_KIND
from ..inventory.files import write_output
from ..inventory.kinds import API_VERSION, ENTITY_CLASS
from ..inventory.problems import Problem
from ..inventory.yamlsource import load_file, plain, yaml_file_names
from .names import unique

STATE_DIR = ".airready-import"
STATE_VERSION = 1
FOLDERS = {
    "Organization": "", "Person": "people", "Team": "teams", "Model": "models",
    "Dataset": "datasets", "Component": "components", "Tool": "tools",
    "DataStore": "datastores", "Credential": "credentials", "Environment": "environments",
    "Vendor": "vendors", "Playbook": "playbooks", "Risk": "risks",
}
Path_ = tuple[str, ...]
_MISSING = object()


@dataclass
class Imported:
    """One entity an importer made from an outside record."""

    kind: str
    name: str  # proposed; an existing entity's name wins
    key: str  # the same outside record gives the same key on every import
    document: dict[str, Any]

    @property
    def ref(self) -> str:
        return f"{PREFIX_BY_KIND[self.kind]}:{self.name}"

    @property
    def external_ids(self) -> dict[str, str]:
        return dict(self.document.get("metadata", {}).get("external_ids", {}))


@dataclass
class Existing:
    """An entity already in the inventory (or in the folder imported into)."""

    ref: str
    path: Path
    shown: str
    data: dict[str, Any]


@dataclass
class Conflict:
    ref: str
    file: str
    path: str  # dotted field
    yours: Any
    source: Any


@dataclass
class Written:
    ref: str
    file: str
    fields: list[str] = field(default_factory=list)  # changed fields, for updates


@dataclass
class WritePlan:
    folder: Path
    source: str
    created: list[Written] = field(default_factory=list)
    updated: list[Written] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # matched an entity this import had not made
    adopted: list[str] = field(default_factory=list)
    deleted_kept: list[str] = field(default_factory=list)  # deleted by hand since: left out
    conflicts: list[Conflict] = field(default_factory=list)
    # the last import made them; the source no longer has them
    stale: list[str] = field(default_factory=list)
    # what would not validate (airready's bug, or a file already wrong)
    invalid: list[str] = field(default_factory=list)
    files: dict[Path, str] = field(default_factory=dict)  # what save() writes
    refs: dict[str, str] = field(default_factory=dict)  # an importer's ref -> the ref written

    def final(self, ref: str) -> str:
        return self.refs.get(ref, ref)


# --- what is there already -----------------------------------------------------------------

def read_existing(files: Iterable[tuple[Path, str]]) -> tuple[list[Existing], list[Problem]]:
    """The entities of these files; unreadable files come back as problems, since an import
    that could not see an entity would write it a second time."""
    found: list[Existing] = []
    problems: list[Problem] = []
    for path, shown in files:
        docs, file_problems = load_file(path, shown)
        problems += file_problems
        for doc in docs:
            ref = _ref_of(doc.data)
            if ref is not None:
                found.append(Existing(ref, path, shown, doc.data))
    return found, problems


def folder_files(folder: Path, base: Path) -> list[tuple[Path, str]]:
    """Every YAML file below ``folder``, shown relative to ``base``."""
    return [(Path(name), _relative(Path(name), base)) for name in yaml_file_names(folder)]


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _ref_of(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    kind, metadata = data.get("kind"), data.get("metadata")
    if kind not in PREFIX_BY_KIND or not isinstance(metadata, dict):
        return None
    name = metadata.get("name")
    return f"{PREFIX_BY_KIND[kind]}:{name}" if isinstance(name, str) else None


# --- the plan --------------------------------------------------------------------------------

def plan_write(entities: list[Imported], folder: Path, existing: list[Existing], source: str,
               base: Path, header: str) -> WritePlan:
    """What importing ``entities`` into ``folder`` writes, without writing anything.

    ``base`` is what file names are shown relative to (the project folder); ``header`` is the
    comment that opens each new file.
    """
    plan = WritePlan(folder, source)
    proposed = [e.ref for e in entities]
    if len(set(proposed)) != len(proposed):  # an importer's bug: references would be ambiguous
        raise ValueError("an importer proposed the same reference twice: "
                         + ", ".join(sorted({r for r in proposed if proposed.count(r) > 1})))
    state = _read_state(folder, source)
    by_ref = {e.ref: e for e in existing}
    by_id: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for entry in existing:
        ids = entry.data["metadata"].get("external_ids")
        for system, value in (ids.items() if isinstance(ids, dict) else ()):
            by_id[(entry.data["kind"], str(system), str(value))].append(entry.ref)
    taken: dict[str, set[str]] = defaultdict(set)
    for ref in by_ref:
        prefix, _, name = ref.partition(":")
        taken[prefix].add(name)
    claimed: set[str] = set()
    targets: dict[str, str | None] = {}  # key -> existing ref, or None when new
    bases: dict[str, dict[Path_, Any]] = {}
    skipped: set[str] = set()
    for entity in entities:
        record = state.get(entity.key)
        target = None
        if record is not None:
            known = record["ref"] if record["ref"] in by_ref else _match_by_id(
                entity, by_id, claimed)  # renamed by hand: its external ids still say
            if known is not None and known not in claimed:
                target = known
                bases[entity.key] = {tuple(p): v for p, v in record["values"]}
            elif known is None:
                plan.deleted_kept.append(record["ref"])
                skipped.add(entity.key)
                plan.refs[entity.ref] = ""  # references to it are left out
                continue
        if target is None:
            target = _match_by_id(entity, by_id, claimed) or (
                entity.ref if entity.ref in by_ref and entity.ref not in claimed else None)
            if target is not None:
                plan.adopted.append(target)
        if target is not None:
            claimed.add(target)
            plan.refs[entity.ref] = target
        else:
            prefix = PREFIX_BY_KIND[entity.kind]
            plan.refs[entity.ref] = f"{prefix}:{unique(entity.name, taken[prefix])}"
        targets[entity.key] = target
    new_state: dict[str, Any] = {}
    edits_by_file: dict[Path, list[tuple[Existing, list[tuple[Path_, Any]]]]] = defaultdict(list)
    for entity in entities:
        if entity.key in skipped:  # still deleted next time
            new_state[entity.key] = state[entity.key]
            continue
        final = plan.refs[entity.ref]
        document = _rename_refs(entity.document, plan.refs)
        document["metadata"]["name"] = final.partition(":")[2]
        leaves = dict(_leaves(document))
        new_state[entity.key] = {"ref": final,
                                 "values": [[list(p), plain(v)] for p, v in leaves.items()]}
        target = targets[entity.key]
        if target is None:
            path = _new_path(folder, entity.kind, final.partition(":")[2], plan.files)
            plan.files[path] = header + _dump(document)
            plan.created.append(Written(final, _relative(path, base)))
            _validate(document, final, plan)
            continue
        current = by_ref[target]
        edits, conflicts = _merge(leaves, bases.get(entity.key, {}), current.data)
        plan.conflicts += [Conflict(final, current.shown, ".".join(p), yours, theirs)
                           for p, yours, theirs in conflicts]
        if edits:
            edits_by_file[current.path].append((current, edits))
            plan.updated.append(Written(final, current.shown, [".".join(p) for p, _ in edits]))
            merged = copy.deepcopy(current.data)
            for path_, value in edits:
                _apply(merged, path_, value)
            _validate(merged, final, plan)
        else:
            plan.unchanged.append(final)
    for path, entries in edits_by_file.items():
        plan.files[path] = _edit_file(path, entries)
    dropped = sorted(r["ref"] for k, r in state.items() if k not in new_state
                     and k not in {e.key for e in entities} and r["ref"] in by_ref)
    plan.stale = dropped
    plan.files[_state_path(folder, source)] = _dump_state(new_state)
    return plan


def _match_by_id(entity: Imported, by_id: dict[tuple[str, str, str], list[str]],
                 claimed: set[str]) -> str | None:
    for system, value in entity.external_ids.items():
        refs = [r for r in by_id.get((entity.kind, system, value), []) if r not in claimed]
        if len(refs) == 1:
            return refs[0]
    return None


def _rename_refs(value: Any, refs: dict[str, str]) -> Any:
    """A copy of ``value`` with every reference an importer proposed replaced by its final
    one; references to entities deleted by hand are left out."""
    if isinstance(value, dict):
        renamed = {k: _rename_refs(v, refs) for k, v in value.items()}
        return {k: v for k, v in renamed.items() if v is not None}
    if isinstance(value, list):
        return [v for v in (_rename_refs(v, refs) for v in value) if v is not None]
    if isinstance(value, str):
        final = refs.get(value, value)
        return final or None
    return value


def _leaves(document: dict[str, Any]) -> Iterator[tuple[Path_, Any]]:
    """Every field the import sets, as (path, value); lists and scalars are whole values."""
    def walk(path: Path_, value: Any) -> Iterator[tuple[Path_, Any]]:
        if isinstance(value, dict) and value:
            for key, item in value.items():
                yield from walk((*path, str(key)), item)
        else:
            yield path, value

    for key in ("metadata", "spec"):
        for path, value in walk((key,), document.get(key, {})):
            if path != ("metadata", "name"):
                yield path, value


def _get(data: Any, path: Path_) -> Any:
    for step in path:
        if not isinstance(data, dict) or step not in data:
            return _MISSING
        data = data[step]
    return data


def _merge(new: dict[Path_, Any], base: dict[Path_, Any], current: dict[str, Any]
           ) -> tuple[list[tuple[Path_, Any]], list[tuple[Path_, Any, Any]]]:
    """Edits (path, value or _MISSING to delete) and clashes (path, yours, the source's)."""
    edits: list[tuple[Path_, Any]] = []
    clashes: list[tuple[Path_, Any, Any]] = []
    for path in list(new) + [p for p in base if p not in new]:
        ours = new.get(path, _MISSING)
        was = base.get(path, _MISSING)
        found = _get(current, path)
        yours = plain(found) if found is not _MISSING else _MISSING
        theirs = plain(ours) if ours is not _MISSING else _MISSING
        if yours == theirs:
            continue
        if yours == was:  # untouched since the last import: the source's value
            if _blocked(current, path):
                clashes.append((path, _get(current, path[:-1]), theirs))
            else:
                edits.append((path, ours))
        elif theirs != was:  # both changed it: the edit stays, the clash is reported
            clashes.append((path, None if yours is _MISSING else yours,
                            None if theirs is _MISSING else theirs))
    return edits, clashes


def _blocked(current: dict[str, Any], path: Path_) -> bool:
    """True when a field on the way to ``path`` holds something other than a mapping."""
    data: Any = current
    for step in path[:-1]:
        if not isinstance(data, dict):
            return True
        data = data.get(step)
        if data is None:
            return False
    return not isinstance(data, dict)


def _apply(data: dict[str, Any], path: Path_, value: Any) -> None:
    """Set (or, for _MISSING, remove) ``path`` in plain or round-trip data; mappings left
    empty by a removal go too."""
    parents = [data]
    for step in path[:-1]:
        child = parents[-1].get(step)
        if child is None:
            if value is _MISSING:
                return
            child = parents[-1][step] = CommentedMap() if isinstance(data, CommentedMap) else {}
        parents.append(child)
    if value is _MISSING:
        parents[-1].pop(path[-1], None)
        for depth in range(len(path) - 1, 0, -1):
            if not parents[depth]:
                parents[depth - 1].pop(path[depth - 1], None)
    else:
        parents[-1][path[-1]] = copy.deepcopy(value)


def _validate(document: dict[str, Any], ref: str, plan: WritePlan) -> None:
    try:
        ENTITY_CLASS[document["kind"]].model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        plan.invalid.append(f"{ref}: {where}: {first['msg']}")


# --- files -----------------------------------------------------------------------------------

def _new_path(folder: Path, kind: str, name: str, planned: dict[Path, str]) -> Path:
    """``<folder>/<kind folder>/<name>.yaml``, or a free variant when a file is there."""
    directory = folder / FOLDERS.get(kind, kind.lower() + "s")
    path = directory / f"{name}.yaml"
    number = 2
    while path.exists() or path in planned:
        path = directory / f"{name}.{number}.yaml"
        number += 1
    return path


try:  # libyaml's emitter: the pure-Python one took most of a large import's time
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """Block style, keys in the order given, long text as literal blocks."""


def _text(dumper: Any, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.startswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def _edit_file(path: Path, entries: list[tuple[Existing, list[tuple[Path_, Any]]]]) -> str:
    """The file with the edits made in place: comments, order and the rest kept."""
    parser = YAML(typ="rt")
    parser.preserve_quotes = True
    parser.width = 4096
    text = path.read_bytes().decode("utf-8")
    parser.indent(**_indentation(text))
    docs = list(parser.load_all(text))
    for existing, edits in entries:
        doc = next(d for d in docs if _ref_of(d) == existing.ref)
        for path_, value in edits:
            _apply(doc, path_, value)
    stream = io.StringIO()
    if len(docs) == 1:
        parser.dump(docs[0], stream)
    else:
        parser.dump_all(docs, stream)
    return stream.getvalue()


def imported_before(folder: Path, source: str, key: str) -> bool:
    """Whether an earlier import from ``source`` into ``folder`` wrote the entity ``key``."""
    return key in _read_state(folder, source)


def _indentation(text: str) -> dict[str, int]:
    """The file's own indentation, so that an edit does not re-indent the whole file:
    the step of nested mappings, and where list dashes sit under their key."""
    mapping, offset = 2, 0
    steps = [len(m.group(1)) for m in re.finditer(r"^( +)[^\s#-][^\n]*?:", text, re.M)]
    if steps:
        mapping = min(steps)
    found = re.search(r"^( *)[^\s#-][^\n]*:[ \t]*\n( *)- ", text, re.M)
    if found:
        offset = max(0, len(found.group(2)) - len(found.group(1)))
    return {"mapping": mapping, "sequence": offset + 2, "offset": offset}


def _state_path(folder: Path, source: str) -> Path:
    return folder / STATE_DIR / f"{source}.json"


def _read_state(folder: Path, source: str) -> dict[str, Any]:
    path = _state_path(folder, source)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StateError(f"{path}: cannot read the import state ({exc}); move it aside to "
                         "import without it (fields then count as edited by hand)") from None
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        raise StateError(f"{path}: not an import state this airready understands; move it "
                         "aside to import without it")
    return dict(data.get("entities", {}))


def _dump_state(entities: dict[str, Any]) -> str:
    document = {"version": STATE_VERSION,
                "about": "What each entity's fields held when the source last wrote them, "
                         "so that the next import can tell your edits from the source's "
                         "changes. Written by airready import; keep it with the inventory.",
                "entities": dict(sorted(entities.items()))}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


class StateError(Exception):
    """The import state file cannot be used."""


def save(plan: WritePlan) -> int:
    """Write the plan's files; returns how many changed on disk."""
    return sum(write_output(path, text, make_parents=True) for path, text in plan.files.items())


def envelope(kind: str, name: str, metadata: dict[str, Any], spec: dict[str, Any]
             ) -> dict[str, Any]:
    """A document in the format's key order, with empty values left out."""
    meta = {"name": name, **{k: v for k, v in metadata.items() if v not in (None, "", [], {})}}
    document: dict[str, Any] = {"apiVersion": API_VERSION, "kind": kind, "metadata": meta}
    body = {k: v for k, v in spec.items() if v not in (None, "", [], {})}
    if body:
        document["spec"] = body
    return document


assert set(FOLDERS) <= set(KIND_BY_PREFIX.values())
