"""Load and validate a project's inventory: envelope, schema, names, references.

Every problem is collected, never raised: the caller reports them all at once.
Readiness gaps are not problems here (see kinds.py): only what breaks the format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .config import CONFIG_NAME, Project
from .fields import KIND_BY_PREFIX, PREFIX_BY_KIND, split_ref
from .inventory import Inventory
from .kinds import ENTITY_CLASS, KINDS, OWNER_REQUIRED, SPEC_BY_KIND, Entity, spec_required
from .problems import Problem
from .refs import iter_refs
from .schema_errors import did_you_mean, problems_from_validation
from .yamlsource import SourceDoc, find_yaml_files, load_file


def inventory_files(project: Project) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Every YAML file the project names (inventory, reports, waivers), once each."""
    config = project.config
    problems: list[Problem] = []
    seen: dict[Path, str] = {}
    sources: list[tuple[str, list[str], bool]] = [
        ("inventory", config.inventory, True),
        ("waivers", config.waivers, True),
        ("reports", [config.reports] if config.reports else [], False),
    ]
    for key, entries, required in sources:
        for index, entry in enumerate(entries):
            path = project.root / entry
            if not path.exists():
                if required:
                    where = (key, index) if key != "reports" else (key,)
                    line, column = project.locate(*where)
                    problems.append(Problem(CONFIG_NAME, line, column,
                                            f"{key}: {entry!r} does not exist", code="config"))
                continue
            for file in find_yaml_files(path):
                resolved = file.resolve()
                if resolved not in seen:
                    seen[resolved] = project.shown(file)
    return [(path, shown) for path, shown in seen.items()], problems


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
                              "document has no 'kind' (one of " + ", ".join(KINDS) + ")",
                              code="schema")]
    if kind not in ENTITY_CLASS:
        line, column = doc.locate(("kind",))
        hint = did_you_mean(str(kind), KINDS)
        return None, [Problem(doc.file, line, column,
                              f"kind: unknown kind {kind!r}{hint}", code="schema")]
    cls = ENTITY_CLASS[kind]
    try:
        entity = cls.model_validate(data)
    except ValidationError as exc:
        return None, problems_from_validation(doc, exc, cls)
    return entity, _envelope_problems(entity, doc)


def _envelope_problems(entity: Entity, doc: SourceDoc) -> list[Problem]:
    problems = []
    meta = entity.metadata
    needs_spec = spec_required(entity.kind)

    def problem(path: tuple[str, ...], message: str, key: bool = True) -> None:
        line, column = doc.locate(path, key=key)
        problems.append(Problem(doc.file, line, column, message, code="schema"))

    if meta.external:
        if needs_spec:
            problem(("metadata", "external"), f"metadata.external: a {entity.kind} cannot be "
                    "external; it is always the organisation's own")
        elif isinstance(doc.data.get("spec"), dict) and doc.data["spec"]:
            problem(("spec",), "spec: an external entity has no further fields "
                    "(drop 'external: true' or the spec)")
    elif entity.kind in OWNER_REQUIRED and meta.owner is None:
        problem(("metadata",), f"metadata.owner: required for a {entity.kind} "
                "(a person: or team: reference)")
    if entity.spec is None:
        if needs_spec:
            if not meta.external:
                problem((), f"a {entity.kind} needs a spec", key=False)
        else:
            # Kinds whose fields are all optional: an absent spec is an empty one.
            object.__setattr__(entity, "spec", SPEC_BY_KIND[entity.kind]())
    return problems


def _reference_problems(inventory: Inventory) -> Iterator[Problem]:
    names_by_prefix: dict[str, list[str]] = {}
    for ref, entity in inventory.entities.items():
        for path, target, prefixes in iter_refs(entity):
            if target in inventory.entities or target in inventory.declared:
                continue
            prefix, name = split_ref(target)
            if prefix not in names_by_prefix:
                names_by_prefix[prefix] = inventory.names([prefix])
            hint = did_you_mean(name, names_by_prefix[prefix])
            if not hint:
                elsewhere = [f"{p}:{name}" for p in KIND_BY_PREFIX
                             if p != prefix and f"{p}:{name}" in inventory.entities]
                if elsewhere and any(p.split(":")[0] in prefixes for p in elsewhere):
                    hint = f" (did you mean {elsewhere[0]!r}?)"
            file, line, column = inventory.locate(ref, path)
            field = ".".join(str(p) for p in path)
            kind = KIND_BY_PREFIX.get(prefix, prefix)
            yield Problem(file, line, column,
                          f"{field}: {target!r} does not resolve: no {kind} named {name!r}{hint}",
                          code="reference")


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
                          f"spec.derived_from: {entity.ref} cannot be derived from itself",
                          code="reference")


def _declared_ref(data: dict[str, Any]) -> list[str]:
    """The reference an invalid document meant to declare, so references to it don't cascade."""
    kind, meta = data.get("kind"), data.get("metadata")
    if kind in PREFIX_BY_KIND and isinstance(meta, dict) and isinstance(meta.get("name"), str):
        return [f"{PREFIX_BY_KIND[kind]}:{meta['name']}"]
    return []


def build_inventory(docs: list[SourceDoc]) -> tuple[Inventory, list[Problem]]:
    inventory = Inventory()
    problems: list[Problem] = []
    for doc in docs:
        entity, doc_problems = validate_document(doc)
        problems.extend(doc_problems)
        if entity is None:
            inventory.declared.update(_declared_ref(doc.data))
            continue
        if entity.ref in inventory.entities:
            first = inventory.sources[entity.ref]
            line, column = doc.locate(("metadata", "name"))
            problems.append(Problem(doc.file, line, column,
                                    f"metadata.name: {entity.ref} is defined twice "
                                    f"(first in {first.file}:{first.line})", code="schema"))
            continue
        inventory.add(entity, doc)
    organizations = inventory.of_kind("Organization")
    if len(organizations) > 1:
        first = inventory.sources[organizations[0].ref]
        for extra in organizations[1:]:
            file, line, column = inventory.locate(extra.ref, ("kind",))
            problems.append(Problem(file, line, column,
                                    "kind: there must be exactly one Organization "
                                    f"(another is in {first.file}:{first.line})", code="schema"))
    problems.extend(_reference_problems(inventory))
    problems.extend(_graph_sanity(inventory))
    return inventory, problems


def load_inventory(project: Project) -> tuple[Inventory, list[Problem]]:
    docs, problems = load_documents(project)
    inventory, more = build_inventory(docs)
    problems.extend(more)
    if not inventory.of_kind("Organization") and not any(p.code == "yaml" for p in problems):
        line, column = project.locate("inventory")
        problems.append(Problem(CONFIG_NAME, line, column,
                                "the inventory has no Organization: add exactly one "
                                "(kind: Organization)", code="schema"))
    return inventory, sorted(problems, key=_problem_order)


def _problem_order(problem: Problem) -> tuple[Any, ...]:
    return (problem.file, problem.line, problem.column, problem.message)

