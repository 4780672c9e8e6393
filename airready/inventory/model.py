"""The validated inventory: entities by reference, each with the document it came from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .fields import PREFIX_BY_KIND
from .kinds import Entity
from .refs import iter_refs
from .yamlsource import SourceDoc


@dataclass
class Inventory:
    entities: dict[str, Entity] = field(default_factory=dict)  # by "kind:name"
    sources: dict[str, SourceDoc] = field(default_factory=dict)
    # References that documents tried to declare but failed validation: not dangling.
    declared: set[str] = field(default_factory=set)
    _by_kind: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    _references: dict[str, list[Any]] = field(default_factory=dict)
    # Values computed from the entities once they are all loaded (the graph).
    derived: dict[str, Any] = field(default_factory=dict)
    # Regimes and frameworks the project declares in airready.yaml, beside the built-in ones.
    declared_regulations: dict[str, Any] = field(default_factory=dict)
    declared_frameworks: dict[str, Any] = field(default_factory=dict)

    def add(self, entity: Entity, source: SourceDoc) -> None:
        self.entities[entity.ref] = entity
        self.sources[entity.ref] = source
        self._by_kind[entity.kind].append(entity)

    def of_kind(self, kind: str) -> list[Entity]:
        return self._by_kind.get(kind, [])

    def get(self, ref: str) -> Entity | None:
        return self.entities.get(ref)

    @property
    def organization(self) -> Entity | None:
        found = self.of_kind("Organization")
        return found[0] if found else None

    def names(self, prefixes: Iterable[str]) -> list[str]:
        kinds = {k for k, p in PREFIX_BY_KIND.items() if p in set(prefixes)}
        return [e.name for kind in kinds for e in self.of_kind(kind)]

    def locate(self, ref: str, path: Sequence[str | int] = (), key: bool = False
               ) -> tuple[str, int, int]:
        """File, line and column of ``path`` inside the entity ``ref``."""
        source = self.sources[ref]
        line, column = source.locate(path, key=key)
        return source.file, line, column

    def references(self, ref: str) -> list[tuple[tuple[str | int, ...], str, tuple[str, ...]]]:
        """Every reference inside entity ``ref`` (path, target, allowed kinds), computed once
        for validation and the graph alike."""
        found = self._references.get(ref)
        if found is None:
            found = self._references[ref] = list(iter_refs(self.entities[ref]))
        return found

    def spec(self, ref: str) -> Any:
        return self.entities[ref].spec

    def label(self, ref: str) -> str:
        """``model:hhs-row233 (Medicare claims triage)``: the reference and, when it has one,
        the title a person knows it by (people read titles; machines match refs)."""
        entity = self.entities.get(ref)
        title = entity.metadata.title if entity is not None else None
        return f"{ref} ({title})" if title and title != ref else ref
