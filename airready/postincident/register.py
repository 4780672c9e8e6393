"""Keep the model risk register up to date from incidents and findings (checklist phase 6).

``plan_update`` works out what the register should say and returns the new text with the
list of changes; ``save`` writes it (atomically) and appends the change to the register log;
``latest_changes`` reads the last logged change back for the site.  Nothing here prints.

The rules:

- an incident whose root cause is not registered yet (no Risk has it as ``source`` or lists it
  in ``incidents``) either recurs an existing risk of the register - same category, at least
  one model in common - which then has its likelihood raised by one (at most 5), the incident
  appended to ``incidents`` and the incident's actions added as treatments (by title), or,
  when no risk matches, becomes a new Risk ``risk-<incident name>``;
- every risk's ``controls`` lists, sorted, the controls failing (``fail`` or ``error``) on any
  of its models; a risk without models keeps the list it has.

The file is edited, not rewritten.  ruamel.yaml (round-trip mode) gives the position of every
key and value, the edits are spliced in at those positions, and new content is rendered by
ruamel.yaml in the indentation the file already uses.  A full load and dump would re-flow
multi-line flow lists and aligned spacing; splicing keeps every byte the update does not need
to change: comments, quoting, layout and the entries it did not touch.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..inventory.config import CONFIG_NAME, REGISTER_NAME, Project
from ..inventory.files import OutputError, locked_folder, resolve_target, write_output
from ..inventory.kinds import Entity
from ..inventory.model import Inventory
from ..inventory.problems import InputError, Problem
from ..inventory.validate import validate_document
from ..inventory.words import plural
from ..inventory.yamlsource import parse_text
from ..rules.engine import evaluate
from ..rules.findings import AuditResult
from ..rules.waivers import apply_waivers

LOG_NAME = ".register-log.jsonl"
REVIEW_AFTER = dt.timedelta(days=90)
TITLE_LIMIT = 100
LINE_LIMIT = 100  # a new entry's lists go one item a line when they would not fit
IMPACT_BY_SEVERITY = {"P1": 5, "P2": 4, "P3": 3, "P4": 2}
# Where a key goes when it has to be added to an existing entry: after the last of the keys
# before it (in this order) that the entry has.
SPEC_ORDER = ("title", "models", "category", "likelihood", "impact", "status", "source",
              "incidents", "controls", "treatments", "review_by")
NEW_FILE_HEADER = ("# The model risk register: one entry per risk. `airready register update` "
                   "adds and updates entries\n# from incidents and findings; edit freely.\n")


# --- results ---------------------------------------------------------------------------------

@dataclass
class RiskChange:
    ref: str
    added: bool
    notes: list[str] = field(default_factory=list)  # what changed, in words


@dataclass
class RegisterUpdate:
    path: Path
    shown: str  # the path as users see it (relative to the project)
    old_text: str | None  # None when the register did not exist
    new_text: str
    changes: list[RiskChange]
    warnings: list[str]
    today: dt.date
    root: Path | None = None  # the project folder: the register is never written outside it

    @property
    def changed(self) -> bool:
        return self.new_text != (self.old_text or "")

    @property
    def added(self) -> list[str]:
        return [c.ref for c in self.changes if c.added]

    @property
    def updated(self) -> list[str]:
        return [c.ref for c in self.changes if not c.added]


# --- what the register should say ----------------------------------------------------------

@dataclass
class _Risk:
    """One Risk as the update sees it: current values, and the edits decided so far."""

    name: str
    models: list[str]
    category: str | None
    likelihood: int | None
    source: str | None
    incidents: list[str]
    treatments: list[str]  # titles
    controls: list[str]
    node: MappingNode | None = None  # the document in the register; None for a new risk
    new: dict[str, Any] | None = None  # a new risk's whole spec
    likelihood_to: int | None = None
    incidents_added: list[str] = field(default_factory=list)
    treatments_added: list[dict[str, Any]] = field(default_factory=list)
    controls_to: list[str] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"risk:{self.name}"

    def lists(self, incident: str) -> bool:
        return self.source == incident or incident in self.incidents + self.incidents_added

    @property
    def touched(self) -> bool:
        return bool(self.likelihood_to is not None or self.incidents_added
                    or self.treatments_added or self.controls_to is not None)


def plan_update(project: Project, result: AuditResult, today: dt.date) -> RegisterUpdate:
    """The register as it should be after this update, without writing anything.

    The update converges: running it again on its own output changes nothing.  A new
    entry can itself satisfy a control (a high-risk model is now in the register), so
    the controls each risk lists are taken from an audit of the register as it will be,
    not as it was: the plan is made, the register it would write is audited, and the
    plan is made again until the two agree (at most a few rounds).
    """
    failing = _failing_by_target(result)
    update = _plan(project, result, today, failing)
    for _ in range(3):
        after = _audit_as_written(update, result)
        if after is None:
            break
        failing = _failing_by_target(after)
        again = _plan(project, result, today, failing)
        if again.new_text == update.new_text:
            break
        update = again
    return update


def _audit_as_written(update: RegisterUpdate, result: AuditResult) -> AuditResult | None:
    """The audit of ``result`` redone with the register's Risk entities as ``update``
    would write them; None when nothing in the register changes."""
    if update.new_text == (update.old_text or ""):
        return None
    docs, problems = parse_text(update.new_text, update.shown)
    if problems:
        return None
    inventory = result.inventory
    planned = Inventory()
    for ref, entity in inventory.entities.items():  # everything but the register's risks
        if not (entity.kind == "Risk" and inventory.sources[ref].file == update.shown):
            planned.add(entity, inventory.sources[ref])
    for doc in docs:
        risk, risk_problems = validate_document(doc)
        if risk is None or risk_problems or risk.ref in planned.entities:
            return None  # the planned register would not load cleanly: keep the first plan
        planned.add(risk, doc)
    planned.declared_regulations = inventory.declared_regulations
    planned.declared_frameworks = inventory.declared_frameworks
    after = evaluate(planned, result.catalog, result.today, result.evaluated)
    apply_waivers(after, planned)  # a waived gap is no failing control, as in the first audit
    return after


def _plan(project: Project, result: AuditResult, today: dt.date,
          failing: dict[str, set[str]]) -> RegisterUpdate:
    path = register_path(project)
    shown = project.shown(path)
    old_text = read_register(path, shown)
    # A file with old Mac line endings (CR alone) is edited as LF and written back as CR.
    cr_only = old_text is not None and "\r" in old_text and "\n" not in old_text
    text = (old_text or "").replace("\r", "\n") if cr_only else old_text or ""
    inventory = result.inventory
    nodes = _compose(text, shown)
    in_file: list[_Risk] = []
    for node in nodes:
        entity = _risk_entity(node, inventory.entities)
        if entity is not None and isinstance(node, MappingNode):
            in_file.append(_from_entity(entity, node))
    names_in_file = {r.name for r in in_file}
    elsewhere = [r for r in inventory.of_kind("Risk") if r.name not in names_in_file]
    warnings: list[str] = []
    added: list[_Risk] = []
    taken = {e.name for e in inventory.of_kind("Risk")}
    for incident in sorted(inventory.of_kind("Incident"), key=_incident_order):
        ref = incident.ref
        if any(r.lists(ref) for r in in_file + added) or any(
                r.spec.source == ref or ref in r.spec.incidents for r in elsewhere):
            continue
        spec = incident.spec
        recurred = [r for r in in_file + added
                    if r.category == spec.category and set(r.models) & set(spec.models)]
        outside = [r.ref for r in elsewhere if r.spec.category == spec.category
                   and set(r.spec.models) & set(spec.models)]
        if recurred:
            for risk in recurred:
                _recur(risk, incident)
        elif outside:
            warnings.append(f"{ref} recurs {', '.join(outside)}, which is not in {shown}: "
                            "list the incident there by hand")
        else:
            new = _new_risk(incident, inventory.entities, taken, today, warnings)
            if new is not None:
                taken.add(new.name)
                added.append(new)
    for risk in in_file + added:
        _set_controls(risk, failing)
    new_text = _apply(text, nodes, in_file, added, old_text is None)
    if cr_only:
        new_text = new_text.replace("\n", "\r")
    changes = [RiskChange(r.ref, r.new is not None, r.notes) for r in in_file + added
               if r.new is not None or r.touched]
    return RegisterUpdate(path, shown, old_text, new_text, changes, warnings, today,
                          project.root)


def read_register(path: Path, shown: str) -> str | None:
    """The register's text exactly as stored (None when there is none yet).

    Bytes, not read_text: universal newlines would turn a CRLF file into LF on writing.
    A file that mixes lone CRs with LF line breaks is refused: an edit could not keep
    both, and a lone CR is a line break to YAML but not to most editors.
    """
    if not path.exists() and not path.is_symlink():
        return None
    if not path.is_file():
        raise InputError([Problem(shown, 1, 1, "the risk register is not a regular file "
                                  "(a folder, a broken symlink or a device)", code="register")])
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError([Problem(shown, 1, 1, f"cannot read the risk register: "
                                  f"{exc.strerror or exc}", code="register")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(shown, 1, 1, f"the risk register is not UTF-8 (byte "
                                  f"{exc.start})", code="register")]) from None
    lone = re.search(r"\r(?!\n)", text)
    if lone is not None and "\n" in text:
        line = text.count("\n", 0, lone.start()) + 1
        raise InputError([Problem(shown, line, 1, "the risk register mixes CR line endings "
                                  "with LF ones: save it with one kind (LF or CRLF) and run "
                                  "again", code="register")])
    return text


def register_path(project: Project) -> Path:
    """``<reports>/risk-register.yaml``; the project must name a reports folder."""
    reports = project.config.reports
    folder = project.root / reports if reports else None
    if folder is None or (folder.exists() and not folder.is_dir()):
        line, column = project.locate("reports")
        what = "not set" if folder is None else f"{reports!r} is not a folder"
        raise InputError([Problem(CONFIG_NAME, line, column,
                                  f"reports: {what}; register update keeps the risk register "
                                  f"in the reports folder ({REGISTER_NAME})", code="config")])
    return folder / REGISTER_NAME


def _incident_order(incident: Entity) -> tuple[Any, ...]:
    timeline = incident.spec.timeline
    when = timeline.detected or timeline.started or timeline.closed
    return (when is None, when.timestamp() if when else 0, incident.ref)


def _risk_entity(node: Node, entities: dict[str, Entity]) -> Entity | None:
    if not isinstance(node, MappingNode):
        return None
    kind = _child(node, "kind")
    metadata = _child(node, "metadata")
    name = _child(metadata, "name") if isinstance(metadata, MappingNode) else None
    if not (isinstance(kind, ScalarNode) and kind.value == "Risk"
            and isinstance(name, ScalarNode)):
        return None
    return entities.get(f"risk:{name.value}")


def _from_entity(entity: Entity, node: MappingNode | None) -> _Risk:
    spec = entity.spec
    return _Risk(entity.name, list(spec.models), spec.category, spec.likelihood, spec.source,
                 list(spec.incidents), [t.title for t in spec.treatments], list(spec.controls),
                 node)


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _treatment(action: Any) -> dict[str, Any]:
    item = {"title": action.title, "owner": action.owner, "due": action.due,
            "status": action.status}
    return {k: v for k, v in item.items() if v is not None}


def _recur(risk: _Risk, incident: Entity) -> None:
    ref = incident.ref
    current = risk.likelihood_to or risk.likelihood
    if current is None:  # not rated yet: nothing to raise
        risk.notes.append(f"{ref} recurred it (likelihood not rated)")
    elif current < 5:
        risk.likelihood_to = current + 1
        risk.notes.append(f"likelihood {current} -> {current + 1} ({ref} recurred it)")
    else:
        risk.notes.append(f"{ref} recurred it (likelihood already 5)")
    risk.incidents_added.append(ref)
    titles = risk.treatments + [t["title"] for t in risk.treatments_added]
    count = 0
    for action in incident.spec.actions:
        if not any(_same_title(action.title, title) for title in titles):
            risk.treatments_added.append(_treatment(action))
            titles.append(action.title)
            count += 1
    if count:
        risk.notes.append(f"{plural(count, 'treatment')} added from {ref}")


def _new_risk(incident: Entity, entities: dict[str, Entity], taken: set[str], today: dt.date,
              warnings: list[str]) -> _Risk | None:
    spec = incident.spec
    owner = incident.metadata.owner
    if owner is None:  # the owner of the first model that has one
        owner = next((entities[m].metadata.owner for m in spec.models
                      if m in entities and entities[m].metadata.owner), None)
    if owner is None:
        warnings.append(f"{incident.ref} has no owner and none of its models has one: "
                        "no risk added (a Risk needs an owner)")
        return None
    name = f"risk-{incident.name}"
    suffix = 2
    while name in taken:
        name, suffix = f"risk-{incident.name}-{suffix}", suffix + 1
    severity = int(spec.severity[1:])
    risk = _Risk(name, list(spec.models), spec.category, 4 if severity == 1 else 3,
                 incident.ref, [incident.ref], [a.title for a in spec.actions], [])
    risk.new = {
        "owner": owner,
        "title": risk_title(incident),
        "models": list(spec.models),
        "category": spec.category,
        "likelihood": risk.likelihood,
        "impact": IMPACT_BY_SEVERITY.get(spec.severity, 1),
        "status": "open",
        "source": incident.ref,
        "incidents": [incident.ref],
        "treatments": [_treatment(a) for a in spec.actions],
        "review_by": today + REVIEW_AFTER,
    }
    risk.notes.append(f"added from {incident.ref}")
    return risk


def risk_title(incident: Entity) -> str:
    """The root cause's first sentence, cut to a clause or words when it is long."""
    spec = incident.spec
    if spec.root_cause and spec.root_cause.strip():
        return shorten(spec.root_cause)
    if incident.metadata.title:
        return shorten(incident.metadata.title)
    return f"{spec.category.replace('_', ' ').capitalize()} ({incident.ref})"


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", text, maxsplit=1)[0]
    first = first.rstrip(".").rstrip()
    if len(first) <= limit:
        return first
    head = first[:limit]
    for separator in ("; ", ", ", " - ", ": "):
        cut = head.rfind(separator)
        if cut >= limit // 2:
            return first[:cut]
    head = first[:limit - 3]
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else head).rstrip(",;:-") + "..."


def _failing_by_target(result: AuditResult) -> dict[str, set[str]]:
    failing: dict[str, set[str]] = {}
    for finding in result.findings:
        if finding.state in ("fail", "error"):
            failing.setdefault(finding.target, set()).add(finding.control)
    return failing


def _set_controls(risk: _Risk, failing: dict[str, set[str]]) -> None:
    if not risk.models:
        return
    wanted = sorted(set().union(*(failing.get(m, set()) for m in risk.models)))
    if risk.new is not None:
        if wanted:
            risk.new["controls"] = wanted
        return
    if wanted != risk.controls:
        risk.controls_to = wanted
        dropped = [c for c in risk.controls if c not in wanted]
        gained = [c for c in wanted if c not in risk.controls]
        parts = [f"+{c}" for c in gained] + [f"-{c}" for c in dropped]
        risk.notes.append("controls " + (", ".join(parts) if parts else "sorted"))


# --- YAML: positions in, text out ----------------------------------------------------------

def _compose(text: str, shown: str) -> list[Node]:
    try:
        return [n for n in YAML(typ="rt").compose_all(text) if n is not None]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise InputError([Problem(shown, line, column, f"{exc.problem or exc}",
                                  code="yaml")]) from None
    except YAMLError as exc:
        raise InputError([Problem(shown, 1, 1, str(exc), code="yaml")]) from None


def _child(node: Node | None, key: str) -> Node | None:
    pair = _pair(node, key)
    return pair[1] if pair else None


def _pair(node: Node | None, key: str) -> tuple[Node, Node] | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return k, v
    return None


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and str(node.tag).endswith(":null") and node.value == ""


def _end(node: Node) -> int:
    """Index just past the last character written for ``node`` (block collections end at
    their last value, not at the next token)."""
    if isinstance(node, (SequenceNode, MappingNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _end(last[1] if isinstance(node, MappingNode) else last)
    return int(node.end_mark.index)


def _value_end(text: str, key: Node, value: Node) -> int:
    if _is_null(value):
        return text.index(":", key.end_mark.index) + 1
    end = _end(value)
    while end > value.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1  # block scalars end after their line break
    return end


def _after_line(text: str, index: int) -> int:
    """The start of the line after the one holding ``index`` (the end of the text if none)."""
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


@dataclass
class _Style:
    mapping: int = 2  # a nested mapping's indent
    dash: int = 2  # a block sequence's dash, from its key's column
    item: int = 4  # a block sequence item's content, from its key's column
    newline: str = "\n"

    @classmethod
    def of(cls, text: str, nodes: list[Node]) -> _Style:
        style = cls(newline="\r\n" if "\r\n" in text else "\n")
        found_mapping = found_sequence = False
        for key, value in _walk_pairs(nodes):
            column = key.start_mark.column
            if not found_mapping and isinstance(value, MappingNode) and not value.flow_style \
                    and value.value and value.start_mark.line > key.start_mark.line:
                style.mapping = value.value[0][0].start_mark.column - column
                found_mapping = style.mapping > 0
            if not found_sequence and isinstance(value, SequenceNode) and not value.flow_style \
                    and value.value:
                dash = value.start_mark.column - column
                item = value.value[0].start_mark.column - column
                if dash >= 0 and item >= dash + 2:
                    style.dash, style.item, found_sequence = dash, item, True
            if found_mapping and found_sequence:
                break
        return style


def _walk_pairs(nodes: Iterable[Node]) -> Iterable[tuple[Node, Node]]:
    for node in nodes:
        if isinstance(node, MappingNode):
            for key, value in node.value:
                yield key, value
                yield from _walk_pairs([value])
        elif isinstance(node, SequenceNode):
            yield from _walk_pairs(node.value)


class _Renderer:
    """ruamel.yaml set up to write in the file's own indentation, without line wrapping."""

    def __init__(self, style: _Style):
        self.style = style
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 4096
        self.yaml.indent(mapping=style.mapping, sequence=style.item, offset=style.dash)

    def dump(self, data: Any) -> str:
        stream = io.StringIO()
        self.yaml.dump(data, stream)
        return stream.getvalue()

    def lines(self, data: Any) -> list[str]:
        return self.dump(data).rstrip("\n").split("\n")

    def key(self, key: str, value: Any, column: int) -> list[str]:
        """``key: value`` as lines indented at ``column``."""
        return [" " * column + line if line else line
                for line in self.lines(CommentedMap([(key, value)]))]

    def flow_items(self, items: list[Any]) -> str:
        """``a, b`` as written inside a flow list."""
        text = self.dump(CommentedMap([("k", _flow(items))])).strip()
        return text[len("k: ["):-1]

    def block_item(self, item: Any, dash: int, content: int) -> list[str]:
        """One block sequence item: ``- ...`` with the dash and content at these columns."""
        body = (self.lines(_mapping(item)) if isinstance(item, dict)
                else [self.flow_items([item])])
        first = " " * dash + "-" + " " * (content - dash - 1) + body[0]
        return [first] + [" " * content + line if line else line for line in body[1:]]

    def join(self, lines: list[str]) -> str:
        return "".join(line + self.style.newline for line in lines)


def _flow(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _mapping(item: dict[str, Any]) -> CommentedMap:
    return CommentedMap(list(item.items()))


def _apply(text: str, nodes: list[Node], in_file: list[_Risk], added: list[_Risk],
           creating: bool) -> str:
    style = _Style.of(text, nodes)
    render = _Renderer(style)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for risk in in_file:
        if risk.touched and risk.node is not None:
            edits += _edits(text, risk, render)
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    documents = len(nodes)
    for risk in added:
        text = _append_document(text, risk, render, creating, first=documents == 0)
        documents += 1
    return text


def _append_document(text: str, risk: _Risk, render: _Renderer, creating: bool,
                     first: bool) -> str:
    assert risk.new is not None
    new = dict(risk.new)
    spec = CommentedMap()
    for key in SPEC_ORDER:
        if key not in new:
            continue
        value = new[key]
        if key in ("models", "incidents", "controls"):
            flow = _flow(value)
            fits = max(map(len, render.key(key, flow, render.style.mapping))) <= LINE_LIMIT
            value = flow if fits else CommentedSeq(value)
        elif key == "treatments":
            value = CommentedSeq([_mapping(t) for t in value])
        spec[key] = value
    document = CommentedMap([
        ("apiVersion", "airready/v1"),
        ("kind", "Risk"),
        ("metadata", CommentedMap([("name", risk.name), ("owner", new["owner"])])),
        ("spec", spec),
    ])
    body = render.join(render.lines(document))
    newline = render.style.newline
    if creating and not text:
        text = NEW_FILE_HEADER.replace("\n", newline)
    if text and not text.endswith("\n"):
        text += newline
    return text + ("" if first else "---" + newline) + body


def _edits(text: str, risk: _Risk, render: _Renderer) -> list[tuple[int, int, str]]:
    assert risk.node is not None
    spec = _child(risk.node, "spec")
    if not isinstance(spec, MappingNode) or spec.flow_style or not spec.value:
        return _rewrite_flow_spec(text, risk, spec, render)
    column = spec.value[0][0].start_mark.column
    edits: list[tuple[int, int, str]] = []
    inserts: dict[str, list[str]] = {}  # anchor key -> lines to insert after it

    def insert(key: str, lines: list[str]) -> None:
        position = SPEC_ORDER.index(key)
        anchor = next((k for k in reversed(SPEC_ORDER[:position]) if _pair(spec, k)),
                      str(spec.value[-1][0].value))
        inserts.setdefault(anchor, []).extend(lines)

    if risk.likelihood_to is not None:
        pair = _pair(spec, "likelihood")
        assert pair is not None
        value = pair[1]
        edits.append((value.start_mark.index, value.end_mark.index, str(risk.likelihood_to)))
    if risk.incidents_added:
        edits += _extend_list(text, spec, "incidents", risk.incidents_added, column, render,
                              insert)
    if risk.controls_to is not None:
        pair = _pair(spec, "controls")
        if pair is None:
            insert("controls", render.key("controls", _flow(risk.controls_to), column))
        else:
            key, value = pair
            if isinstance(value, SequenceNode) and not value.flow_style and value.value and all(
                    isinstance(item, ScalarNode) for item in value.value):
                edits += _edit_block_list(text, key, value, risk.controls_to, render)
            else:
                edits.append(_replace_list(text, key, value, risk.controls_to, column, render))
    if risk.treatments_added:
        edits += _extend_list(text, spec, "treatments", risk.treatments_added, column, render,
                              insert, block=True)
    for anchor, lines in inserts.items():
        pair = _pair(spec, anchor)
        assert pair is not None
        at = _after_line(text, _value_end(text, *pair))
        prefix = render.style.newline if at == len(text) and not text.endswith("\n") else ""
        edits.append((at, at, prefix + render.join(lines)))
    return edits


def _extend_list(text: str, spec: MappingNode, key_name: str, items: list[Any], column: int,
                 render: _Renderer, insert: Any, block: bool = False
                 ) -> list[tuple[int, int, str]]:
    pair = _pair(spec, key_name)
    if pair is None:
        value = CommentedSeq([_mapping(i) if isinstance(i, dict) else i for i in items])
        if not block:
            value.fa.set_flow_style()
        insert(key_name, render.key(key_name, value, column))
        return []
    key, node = pair
    if isinstance(node, SequenceNode) and node.value:
        if node.flow_style:
            at = _end(node.value[-1])
            return [(at, at, ", " + render.flow_items(items))]
        dash = node.start_mark.column
        content = node.value[0].start_mark.column
        at = _after_line(text, _value_end(text, key, node))
        lines = [line for item in items for line in render.block_item(item, dash, content)]
        prefix = render.style.newline if at == len(text) and not text.endswith("\n") else ""
        return [(at, at, prefix + render.join(lines))]
    # an empty list, a null or something else: write the key again with the new items
    return [_replace_list(text, key, node, items, column, render, block)]


def _replace_list(text: str, key: Node, value: Node, items: list[Any], column: int,
                  render: _Renderer, block: bool = False) -> tuple[int, int, str]:
    """``key: [...]`` written anew over the old key and value, in the old value's style."""
    use_block = bool(items) and (block or (isinstance(value, SequenceNode)
                                           and not value.flow_style))
    if use_block:
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            dash = value.start_mark.column
            content = value.value[0].start_mark.column
        else:
            dash = column + render.style.dash
            content = column + render.style.item
        lines = [key.value + ":"] + [line for item in items
                                     for line in render.block_item(item, dash, content)]
    else:
        lines = render.key(str(key.value), _flow(items), 0)
    return key.start_mark.index, _value_end(text, key, value), render.style.newline.join(lines)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _edit_block_list(text: str, key: Node, seq: SequenceNode, wanted: list[str],
                     render: _Renderer) -> list[tuple[int, int, str]]:
    """A block list of plain values made to hold ``wanted``, item by item, in place.

    Items that stay keep their lines (and their comments), items that go lose their
    line, new items go in before the first kept item that sorts after them; comment
    lines of their own stay where they are.  Rewriting the list whole would drop the
    comments, or leave one beside the wrong item.
    """
    items: list[ScalarNode] = list(seq.value)
    dash = seq.start_mark.column
    content = items[0].start_mark.column
    edits: list[tuple[int, int, str]] = []
    kept: list[ScalarNode] = []
    for item in items:
        if item.value in wanted and all(k.value != item.value for k in kept):
            kept.append(item)
        else:
            edits.append((_line_start(text, item.start_mark.index),
                          _after_line(text, item.end_mark.index), ""))
    inserts: dict[int, list[str]] = {}
    present = {item.value for item in kept}
    for value in (w for w in wanted if w not in present):
        after = next((item for item in kept if str(item.value) > value), None)
        if after is None:  # after the last item (its line, with its comment)
            at = _after_line(text, items[-1].end_mark.index)
        else:  # before the comment lines that lead up to the item it must precede
            index = items.index(after)
            at = (_after_line(text, items[index - 1].end_mark.index) if index
                  else _after_line(text, key.end_mark.index))
        inserts.setdefault(at, []).extend(render.block_item(value, dash, content))
    for at, lines in inserts.items():
        prefix = render.style.newline if at == len(text) and not text.endswith("\n") else ""
        edits.append((at, at, prefix + render.join(lines)))
    if not wanted:  # no item left: the key says so, its comments stay
        colon = text.index(":", key.end_mark.index)
        edits.append((colon + 1, colon + 1, " []"))
    return edits


def _rewrite_flow_spec(text: str, risk: _Risk, spec: Node | None,
                       render: _Renderer) -> list[tuple[int, int, str]]:
    """A ``spec`` written as a flow mapping, edited in place like a block one.

    Values are replaced where they stand, items appended after the last item of their
    list and new keys after the last pair, so the mapping keeps its lines, quotes and
    comments (flow mappings may span lines and hold comments).
    """
    if not isinstance(spec, MappingNode):
        return []
    edits: list[tuple[int, int, str]] = []
    new_pairs: list[str] = []

    def flow(items: list[Any]) -> str:
        return "[" + render.flow_items(items) + "]"

    def extend(key_name: str, items: list[Any]) -> None:
        pair = _pair(spec, key_name)
        if pair is None:
            new_pairs.append(f"{key_name}: {flow(items)}")
            return
        key, value = pair
        if isinstance(value, SequenceNode) and value.flow_style and value.value:
            at = _end(value.value[-1])
            edits.append((at, at, ", " + render.flow_items(items)))
        else:  # an empty list or a null: the value written anew
            edits.append((value.start_mark.index, _value_end(text, key, value), flow(items)))

    if risk.likelihood_to is not None:
        pair = _pair(spec, "likelihood")
        if pair is None:
            new_pairs.append(f"likelihood: {risk.likelihood_to}")
        else:
            edits.append((pair[1].start_mark.index, pair[1].end_mark.index,
                          str(risk.likelihood_to)))
    if risk.incidents_added:
        extend("incidents", risk.incidents_added)
    if risk.controls_to is not None:
        pair = _pair(spec, "controls")
        if pair is None:
            new_pairs.append(f"controls: {flow(risk.controls_to)}")
        else:
            edits.append((pair[1].start_mark.index, _value_end(text, *pair),
                          flow(risk.controls_to)))
    if risk.treatments_added:
        extend("treatments", [_flow_map(t) for t in risk.treatments_added])
    if new_pairs:
        if spec.value:
            at = _end(spec.value[-1][1])
            # a mapping over several lines gets a line per new pair, at its keys' column
            multiline = spec.start_mark.line != spec.end_mark.line
            sep = ("," + render.style.newline + " " * spec.value[0][0].start_mark.column
                   if multiline else ", ")
            edits.append((at, at, sep + sep.join(new_pairs)))
        else:
            at = spec.start_mark.index + 1
            edits.append((at, at, ", ".join(new_pairs)))
    return edits


def _flow_map(item: dict[str, Any]) -> CommentedMap:
    mapping = _mapping(item)
    mapping.fa.set_flow_style()
    return mapping


# --- writing and the change log --------------------------------------------------------------

def save(update: RegisterUpdate, now: dt.datetime | None = None) -> bool:
    """Write the register (atomically) and log the change; False when nothing changed.

    Call it under ``locked``: the register on disk must still be what ``plan_update``
    read, or the update, made from a stale copy, is refused rather than written over a
    change someone else made in between.
    """
    if not update.changed:
        return False
    if read_register(update.path, update.shown) != update.old_text:
        raise InputError([Problem(update.shown, 1, 1, "the risk register changed while the "
                                  "update was being worked out: nothing written; run "
                                  "register update again", code="register")])
    try:
        write_output(update.path, update.new_text, within=update.root)
    except OutputError as exc:
        raise OutputError(update.shown, exc.reason) from None
    entry = {
        "time": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "today": update.today.isoformat(),
        "register": update.shown,
        "added": update.added,
        "updated": update.updated,
        "changes": {c.ref: c.notes for c in update.changes},
    }
    log = update.path.parent / LOG_NAME
    try:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=False) + "\n")
    except OSError as exc:
        raise OutputError(log, f"the register was written, its change log not: "
                          f"{exc.strerror or exc}") from None
    return True


@contextmanager
def locked(project: Project) -> Iterator[Path]:
    """Hold the register's lock across a whole read-modify-write (yields its path).

    Parallel ``register update`` runs take turns, so each reads what the one before it
    wrote, and three runs at once leave the file one run would.  The lock is on the
    folder that really holds the register (a symlinked register is edited in its target,
    which must lie inside the project).
    """
    path = register_path(project)
    shown = project.shown(path)
    real = os.path.realpath(path)
    try:
        target = resolve_target(path, within=project.root) if os.path.lexists(path) else None
    except OutputError as exc:  # read-only, or a symlink out of the project
        raise OutputError(shown, exc.reason) from None
    if target is not None and target.kind != "file":
        raise OutputError(shown, "the risk register is not a regular file")
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        raise OutputError(shown, f"the folder {project.shown(Path(folder))} does not exist "
                          "(create it first)")
    with locked_folder(folder):
        yield path


def input_state(project: Project, paths: Iterable[Path]) -> dict[str, tuple[int, ...]]:
    """What identifies each input file's content cheaply: size, time and inode."""
    state: dict[str, tuple[int, ...]] = {}
    for path in [project.root / CONFIG_NAME, register_path(project), *paths]:
        try:
            info = os.stat(path)
        except OSError:
            state[str(path)] = ()
            continue
        state[str(path)] = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
    return state


def latest_changes(reports_dir: Path) -> dict[str, Any] | None:
    """The last update logged in ``reports_dir`` (what the site shows), or None."""
    log = reports_dir / LOG_NAME
    try:
        lines = log.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a torn or hand-edited line: the one before still tells the story
        if isinstance(entry, dict):
            return entry
    return None
