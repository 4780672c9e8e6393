"""Which page shows an entity, and what the site may say about it.

Every reference on the site links to a page: a model to its own page, a person or team
to its owner page, an incident to its page, the organisation to its page, a risk to its
entry in the register, a waiver to its row on the waivers page, and everything else to
its section on its kind's inventory page.

A confidential entity (``metadata.confidential: true``) is counted and judged like any
other, but the site shows its reference and the word "confidential" instead of its title,
never its description or spec, and its findings without the evidence in parentheses
(which quotes spec values).  The CLI keeps showing everything.
"""

from __future__ import annotations

import re

from ..inventory.model import Inventory
from ..rules.catalog import Catalog
from ..rules.findings import Finding

CONFIDENTIAL = "confidential"
# A reference, a word of the format (``production``, ``output_drift``), a date or a
# number: not a detail that tells anything apart.
_WORD = re.compile(r"[a-z0-9_]+|[a-z]+:[a-z0-9][a-z0-9._-]*|[\d:.TZ+-]+")
# Kinds listed on an inventory page of their own, one section per entity.
KIND_PAGES = {
    "Dataset": ("datasets", "Datasets"),
    "Component": ("components", "Components"),
    "Tool": ("tools", "Tools"),
    "DataStore": ("datastores", "Data stores"),
    "Credential": ("credentials", "Credentials"),
    "Environment": ("environments", "Environments"),
    "Vendor": ("vendors", "Vendors"),
    "Playbook": ("playbooks", "Playbooks"),
}


def slug(ref: str) -> str:
    """A file name or anchor for a reference: names are already safe, the colon is not."""
    return ref.replace(":", "-")


def kind_page(kind: str) -> str:
    """``inventory/all-datasets.md``: prefixed, as a link may not begin with ``data``, which
    sanitisers read as a data: URL."""
    return f"inventory/all-{KIND_PAGES[kind][0]}.md"


def page_of(ref: str, kind: str | None) -> str | None:
    """The page (path in docs/, with an anchor where it is a section) that shows ``ref``."""
    if kind == "Model":
        return f"models/{slug(ref)}.md"
    if kind == "Organization":
        return "organization.md"
    if kind in ("Person", "Team"):
        return f"owners/{slug(ref)}.md"
    if kind == "Incident":
        return f"incidents/{slug(ref)}.md"
    if kind == "Risk":
        return f"risk-register.md#{slug(ref)}"
    if kind == "Waiver":
        return f"waivers.md#{slug(ref)}"
    if kind in KIND_PAGES:
        return f"{kind_page(kind)}#{slug(ref)}"
    return None


class Redactor:
    """What the site says about each entity, with confidential ones held back."""

    def __init__(self, inventory: Inventory, catalog: Catalog):
        self.inventory = inventory
        self.catalog = catalog
        self.secret = frozenset(ref for ref, entity in inventory.entities.items()
                                if getattr(entity.metadata, "confidential", False))
        self._details: frozenset[str] | None = None

    def hides(self, ref: str | None) -> bool:
        return ref is not None and ref in self.secret

    def title(self, ref: str | None) -> str | None:
        """The entity's title, "confidential" for a confidential one, None when untitled."""
        if ref is None:
            return None
        if ref in self.secret:
            return CONFIDENTIAL
        entity = self.inventory.get(ref)
        return entity.metadata.title if entity is not None else None

    def mentions(self, text: str) -> bool:
        """Whether ``text`` names a confidential entity."""
        return bool(self.secret) and any(ref in text for ref in self.secret)

    def leaks(self, text: str) -> bool:
        """Whether ``text`` quotes what a confidential entity keeps to itself: its title,
        its description or a value of its spec that is not a reference or a word of the
        format (an alert name, a lifecycle)."""
        if self._details is None:
            found: set[str] = set()
            for ref in self.secret:
                entity = self.inventory.entities[ref]
                values = [entity.metadata.title, entity.metadata.description]
                if entity.spec is not None:
                    values += _strings(entity.spec.model_dump(mode="json"))
                found |= {v for v in values if isinstance(v, str) and len(v) >= 6
                          and not _WORD.fullmatch(v)}
            self._details = frozenset(found)
        return any(detail in text for detail in self._details)

    def line(self, text: str) -> str:
        """A line that may name a confidential entity with its details after it (a
        runbook's ``person:x (name, email)`` or ``vendor:y: phone``): the details go."""
        if not self.mentions(text):
            return text
        for ref in self.secret:
            if ref in text:
                text = re.sub(rf"{re.escape(ref)}(?: \([^)]*\)|: [^;]*)",
                              f"{ref} ({CONFIDENTIAL})", text)
        return text

    def message(self, finding: Finding) -> str:
        """The finding as check words it, or only the control's wording when the target
        (or the entity whose field decided) is confidential."""
        if not self.secret or not (finding.target in self.secret
                                   or finding.evidence_ref in self.secret):
            return str(finding.message)
        control = self.catalog.get(finding.control)
        if control is None:
            return f"{finding.target}: {finding.state}"
        if finding.state == "pass":
            return f"{finding.target} {control.spec.title}"
        if finding.state == "error":
            return f"{finding.target}: the check could not be evaluated"
        if finding.state == "not_applicable":
            return f"not applicable to {finding.target}"
        return f"{finding.target} {control.spec.failure}"


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []
