"""What an import found and did, as data: the CLI prints it and writes it beside the entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..inventory.problems import Problem
from .writer import Imported


@dataclass
class Section:
    """One heading of the clean-up report: a sentence, then one line per case."""

    title: str
    summary: str
    items: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    source: str  # the input file as shown
    format: str  # "cyclonedx", "omb-inventory"
    entities: list[Imported]
    organization: Imported | None  # used only when the import creates the project
    sections: list[Section] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # warnings about the input
    facts: dict[str, Any] = field(default_factory=dict)  # counts for the report's header

    def section(self, title: str, summary: str, items: list[str]) -> None:
        """Add a section, unless there is nothing to say."""
        if items:
            self.sections.append(Section(title, summary, items))

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for entity in self.entities:
            found[entity.kind] = found.get(entity.kind, 0) + 1
        return dict(sorted(found.items()))
