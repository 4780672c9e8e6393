"""Load and validate a project's inventory: envelope, schema, names, references.

Every problem is collected, never raised: the caller reports them all at once.
Readiness gaps are not problems here (see kinds.py): only what breaks the format.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .config import CONFIG_NAME, Project
from .fields import KIND_BY_PREFIX, PREFIX_BY_KIND, split_ref
from .kinds import (
    BUILTIN_REGULATIONS,
    ENTITY_CLASS,
    KINDS,
    OWNER_REQUIRED,
    SPEC_BY_KIND,
    Entity,
    spec_required,
)
from .model import Inventory
from .ownership import parent_cycles
from .problems import Problem
from .schema_errors import closest, describe, did_you_mean, problems_from_validation
from .yamlsource import SourceDoc, load_file, yaml_file_names


def inventory_files(project: Project) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Every YAML file the project names (inventory, reports, waivers), once each."""
    config = project.config
    problems: list[Problem] = []
    seen: dict[str, str] = {}  # absolute path -> as shown
    config_file = (project.root / CONFIG_NAME).resolve()  # inventory: [.] must not read it
    root = os.path.abspath(project.root)
    sources: list[tuple[str, list[str], bool]] = [
        ("inventory", config.inventory, True),
        ("waivers", config.waivers, True),
        ("reports", [config.reports] if config.reports else [], False),
    ]
    for key, entries, required in sources:
        for index, entry in enumerate(entries):
            path = project.root / entry
            if not path.exists() and not path.is_symlink():
                if required:
                    where = (key, index) if key != "reports" else (key,)
                    line, column = project.locate(*where)
                    problems.append(Problem(CONFIG_NAME, line, column,
                                            f"{key}: {entry!r} does not exist"
                                            + _path_hint(project.root, entry), code="config"))
                continue
            # Absolute from the start, so every file found is (abspath is lexical).
            folder = Path(os.path.abspath(path))
            found = yaml_file_names(folder, skip=frozenset({config_file}), problems=problems,
                                    inside=project.root,
                                    shown=lambda name: _shown(project, root, name))
            for absolute in found:
                # Lexical dedupe (abspath, not resolve): one lstat chain per file was slow.
                if absolute not in seen:
                    seen[absolute] = _shown(project, root, absolute)
    return [(Path(absolute), shown) for absolute, shown in seen.items()], problems


def _shown(project: Project, root: str, absolute: str) -> str:
    """``project.shown`` of a file, without pathlib for those inside the project folder.

    For those, ``shown`` gives ``relpath(abspath(file), abspath(root))`` as posix, which
    for two normalised absolute paths is the rest of the file's path after the root's.
    """
    if absolute.startswith(root + os.sep):
        return absolute[len(root) + 1:].replace(os.sep, "/")
    return project.shown(Path(absolute))


def _path_hint(root: Path, entry: str) -> str:
    """' (did you mean ...?)' when one misspelt folder or file name is all that is wrong."""
    parts = Path(entry).parts
    for index, part in enumerate(parts):
        parent = root.joinpath(*parts[:index])
        if (parent / part).exists():
            continue
        if not parent.is_dir():
            return ""
        near = closest(part, [p.name for p in parent.iterdir()], cutoff=0.75)
        if near is None:
            return ""
        fixed = Path(*parts[:index], near, *parts[index + 1:])
        return f" (did you mean {fixed.as_posix()!r}?)" if (root / fixed).exists() else ""
    return ""


def load_documents(project: Project) -> tuple[list[SourceDoc], list[Problem]]:
    files, problems = inventory_files(project)
    docs: list[SourceDoc] = []
    for path, shown in files:
        file_docs, file_problems = load_file(path, shown, project.config.max_file_bytes)
        docs.extend(file_docs)
        problems.extend(file_problems)
    return docs, problems


def validate_document(doc: SourceDoc) -> tuple[Entity | None, list[Problem]]:
    """Schema-check one document as the entity its ``kind`` names."""
    data = doc.data
    kind = data.get("kind")
    if kind is None:
        line, column = doc.locate(())
        return None, [Problem(doc.file, line, column,
                              "kind: required field 'kind' is missing (one of "
                              + ", ".join(KINDS) + ")", code="schema")]
    if not isinstance(kind, str) or kind not in ENTITY_CLASS:
        line, column = doc.locate(("kind",))
        hint = did_you_mean(kind, KINDS) if isinstance(kind, str) else ""
        message = (f"kind: unknown kind {kind!r}{hint}" if hint else
                   f"kind: expected one of {', '.join(KINDS)}, found {describe(kind)}")
        return None, [Problem(doc.file, line, column, message, code="schema")]
    cls = ENTITY_CLASS[kind]
    try:
        entity = cls.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(doc, exc, cls)
        owner = _missing_owner(kind, data.get("metadata"), doc)
        return None, sorted(problems + ([owner] if owner else []))
    return entity, _envelope_problems(entity, doc)


def _missing_owner(kind: str, metadata: Any, doc: SourceDoc) -> Problem | None:
    """The owner rule, on the raw data (so it is reported beside schema errors too)."""
    if kind not in OWNER_REQUIRED or not isinstance(metadata, dict):
        return None
    if metadata.get("owner") is not None or metadata.get("external") is True:
        return None
    line, column = doc.locate(("metadata",))
    return Problem(doc.file, line, column,
                   f"metadata.owner: required field 'owner' is missing: {_a(kind)} needs an "
                   "owner (person:<name> or team:<name>)", code="schema")


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind}"


def _envelope_problems(entity: Entity, doc: SourceDoc) -> list[Problem]:
    problems = []
    meta = entity.metadata
    needs_spec = spec_required(entity.kind)

    def problem(path: tuple[str, ...], message: str, key: bool = True) -> None:
        line, column = doc.locate(path, key=key)
        problems.append(Problem(doc.file, line, column, message, code="schema"))

    if meta.external:
        if needs_spec:
            problem(("metadata", "external"), f"metadata.external: {_a(entity.kind)} cannot be "
                    "external; it is always the organisation's own")
        elif isinstance(doc.data.get("spec"), dict) and doc.data["spec"]:
            problem(("spec",), "spec: an external entity has no further fields "
                    "(drop 'external: true' or the spec)")
    else:
        owner = _missing_owner(entity.kind, doc.data.get("metadata"), doc)
        if owner is not None:
            problems.append(owner)
    if entity.spec is None:
        if needs_spec:
            if not meta.external:
                required = [name for name, info in SPEC_BY_KIND[entity.kind].model_fields.items()
                            if info.is_required()]
                problem((), f"spec: required field 'spec' is missing ({_a(entity.kind)} needs "
                        + ", ".join(f"spec.{name}" for name in required) + ")", key=False)
        else:
            # Kinds whose fields are all optional: an absent spec is an empty one.
            object.__setattr__(entity, "spec", SPEC_BY_KIND[entity.kind]())
    return problems


def _reference_problems(inventory: Inventory) -> Iterator[Problem]:
    names_by_prefix: dict[str, list[str]] = {}

    def names(prefix: str) -> list[str]:
        if prefix not in names_by_prefix:
            names_by_prefix[prefix] = inventory.names([prefix])
        return names_by_prefix[prefix]

    for ref in inventory.entities:
        for path, target, prefixes in inventory.references(ref):
            if target in inventory.entities or target in inventory.declared:
                continue
            prefix, name = split_ref(target)
            file, line, column = inventory.locate(ref, path)
            field = ".".join(str(p) for p in path)
            kind = KIND_BY_PREFIX.get(prefix, prefix)
            yield Problem(file, line, column,
                          f"{field}: {target!r} does not resolve: no {kind} named {name!r}"
                          + _closest_ref(prefix, name, prefixes, names), code="reference")


def _closest_ref(prefix: str, name: str, prefixes: tuple[str, ...],
                 names: Callable[[str], list[str]]) -> str:
    """' (did you mean ...?)': a close name of the same kind, else the same name (or a close
    one) among the other kinds the field accepts."""
    same_kind = closest(name, names(prefix))
    if same_kind is not None:
        return f" (did you mean '{prefix}:{same_kind}'?)"
    others = [p for p in prefixes if p != prefix]
    exact = [f"{p}:{name}" for p in others if name in names(p)]
    if exact:
        return f" (did you mean {exact[0]!r}?)"
    return did_you_mean(f"{prefix}:{name}", [f"{p}:{n}" for p in others for n in names(p)])


def _graph_sanity(inventory: Inventory) -> Iterator[Problem]:
    """Lineage that cannot be: a model fine-tuned from itself, a dataset derived from itself."""
    for entity in inventory.of_kind("Model"):
        if entity.spec and entity.spec.base_model == entity.ref:
            file, line, column = inventory.locate(entity.ref, ("spec", "base_model"))
            yield Problem(file, line, column,
                          f"spec.base_model: {entity.ref} cannot be fine-tuned from itself",
                          code="reference")
    for entity in inventory.of_kind("Dataset"):
        if entity.spec and entity.ref in entity.spec.derived_from:
            index = entity.spec.derived_from.index(entity.ref)
            file, line, column = inventory.locate(entity.ref, ("spec", "derived_from", index))
            yield Problem(file, line, column,
                          f"spec.derived_from.{index}: {entity.ref} cannot be derived from "
                          "itself", code="reference")


def _declared_ref(data: dict[str, Any]) -> str | None:
    """The reference an invalid document meant to declare, so references to it don't cascade."""
    kind, meta = data.get("kind"), data.get("metadata")
    if isinstance(kind, str) and kind in PREFIX_BY_KIND and isinstance(meta, dict) and (
            isinstance(meta.get("name"), str)):
        return f"{PREFIX_BY_KIND[kind]}:{meta['name']}"
    return None


def build_inventory(docs: list[SourceDoc]) -> tuple[Inventory, list[Problem]]:
    inventory = Inventory()
    problems: list[Problem] = []
    first_seen: dict[str, SourceDoc] = {}  # valid or not, to find names defined twice
    for doc in docs:
        entity, doc_problems = validate_document(doc)
        problems.extend(doc_problems)
        ref = entity.ref if entity is not None else _declared_ref(doc.data)
        if ref is None:
            continue
        if ref in first_seen:
            first = first_seen[ref]
            first_line, first_column = first.locate(("metadata", "name"))
            line, column = doc.locate(("metadata", "name"))
            problems.append(Problem(doc.file, line, column,
                                    f"metadata.name: {ref} is defined twice (first at "
                                    f"{first.file}:{first_line}:{first_column})", code="schema"))
            continue
        first_seen[ref] = doc
        if entity is not None:
            inventory.add(entity, doc)
        else:
            inventory.declared.add(ref)
    organizations = inventory.of_kind("Organization")
    if len(organizations) > 1:
        first_org = organizations[0]
        first = inventory.sources[first_org.ref]
        first_line, first_column = first.locate(("kind",))
        for extra in organizations[1:]:
            file, line, column = inventory.locate(extra.ref, ("kind",))
            problems.append(Problem(file, line, column,
                                    "kind: there must be exactly one Organization, and "
                                    f"{first_org.ref} is one already (at {first.file}:"
                                    f"{first_line}:{first_column})", code="schema"))
    problems.extend(_reference_problems(inventory))
    problems.extend(_graph_sanity(inventory))
    problems.extend(_team_loops(inventory))
    return inventory, problems


def _team_loops(inventory: Inventory) -> Iterator[Problem]:
    """A team may not sit below itself: ownership would roll up forever."""
    for loop in parent_cycles(inventory):
        file, line, column = inventory.locate(loop[0], ("spec", "parent"))
        yield Problem(file, line, column,
                      "spec.parent: teams above each other in a loop: "
                      + " -> ".join([*loop, loop[0]]), code="reference")


def _regime_problems(inventory: Inventory, known: list[str]) -> Iterator[Problem]:
    """Regimes named in the Organization and in incidents' filings must be known: built in,
    or declared in airready.yaml.  An unknown name would start no clock at all."""
    places: list[tuple[Entity, tuple[str | int, ...], str]] = []
    for org in inventory.of_kind("Organization"):
        if org.spec is not None:
            places += [(org, ("spec", "regulations", i), name)
                       for i, name in enumerate(org.spec.regulations)]
    for incident in inventory.of_kind("Incident"):
        places += [(incident, ("spec", "regulatory", i, "regime"), filing.regime)
                   for i, filing in enumerate(incident.spec.regulatory)]
    for entity, path, name in places:
        if name in known:
            continue
        file, line, column = inventory.locate(entity.ref, path)
        yield Problem(file, line, column,
                      f"{'.'.join(map(str, path))}: unknown regulation {name!r}"
                      + (did_you_mean(name, known) or
                         f" (built in: {', '.join(BUILTIN_REGULATIONS)}; declare others under "
                         f"regulations in {CONFIG_NAME})"), code="schema")


def _declared_problems(project: Project) -> Iterator[Problem]:
    """Declared regimes may not shadow a built-in one, and a clock counted from another
    stage must name one declared before it."""
    for name, regulation in project.config.regulations.items():
        if name in BUILTIN_REGULATIONS:
            line, column = project.locate("regulations", name)
            yield Problem(CONFIG_NAME, line, column,
                          f"regulations: {name!r} is built in; declare a regime under another "
                          "name", code="config")
        seen: list[str] = []
        for index, clock in enumerate(regulation.clocks):
            if clock.after is not None and clock.after not in seen:
                line, column = project.locate("regulations", name, "clocks", index, "after")
                yield Problem(CONFIG_NAME, line, column,
                              f"regulations.{name}.clocks.{index}.after: {clock.after!r} is not "
                              "a stage declared before this one"
                              + (f" ({', '.join(seen)})" if seen else ""), code="config")
            seen.append(clock.stage)


def load_inventory(project: Project) -> tuple[Inventory, list[Problem]]:
    docs, problems = load_documents(project)
    inventory, more = build_inventory(docs)
    problems.extend(more)
    inventory.declared_regulations = dict(project.config.regulations)
    inventory.declared_frameworks = dict(project.config.frameworks)
    problems.extend(_declared_problems(project))
    problems.extend(_regime_problems(inventory, [*BUILTIN_REGULATIONS,
                                                 *project.config.regulations]))
    declared_organization = any(ref.startswith("organization:") for ref in inventory.declared)
    if not inventory.of_kind("Organization") and not declared_organization and not any(
            p.code in ("yaml", "config") for p in problems):
        line, column = project.locate("inventory")
        problems.append(Problem(CONFIG_NAME, line, column,
                                "the inventory has no Organization: add exactly one "
                                "(kind: Organization)", code="schema"))
    return inventory, sorted(problems, key=_problem_order)


def _problem_order(problem: Problem) -> tuple[Any, ...]:
    return (problem.file, problem.line, problem.column, problem.message)

