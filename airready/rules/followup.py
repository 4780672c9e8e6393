"""Facts the follow-up controls judge that no single field holds.

An incident's response measured against the organisation's targets, the incidents a
playbook should have been reviewed after, and the day a model last changed.  The check
language (conditions.py) wraps each in an operator; the tabletop packs reuse them.
"""

from __future__ import annotations

import datetime as dt

from ..inventory.kinds import Entity
from ..inventory.model import Inventory
from .targets import Metric, metrics


def missed_targets(incident: Entity, org: Entity | None, today: dt.date | None = None
                   ) -> list[Metric]:
    """The response times that went over the target for the incident's severity, and, in
    an open incident, the stages not reached by their due day."""
    return [m for m in metrics(incident, org, today) if m.late]


def last_change(model: Entity) -> tuple[dt.date, str] | None:
    """The day the model last changed, and the field that says so.

    A change is the deployment of the version in service (``artifact.deployed``) or a
    fine-tuning run; the latest of them counts.
    """
    spec = model.spec
    found: list[tuple[dt.date, str]] = []
    if spec.artifact is not None and spec.artifact.deployed is not None:
        found.append((spec.artifact.deployed, "artifact.deployed"))
    found += [(run.date, f"fine_tuning.{index}.date")
              for index, run in enumerate(spec.fine_tuning) if run.date is not None]
    return max(found, key=lambda item: item[0]) if found else None


def lessons_date(incident: Entity) -> dt.date | None:
    """When an incident's lessons were known: its review, or else its closure."""
    spec = incident.spec
    if spec.review is not None and spec.review.held is not None:
        return spec.review.held
    closed = spec.timeline.closed
    return closed.date() if closed is not None else None


def incidents_served(playbook: Entity, inventory: Inventory) -> list[tuple[Entity, dt.date]]:
    """Closed incidents of the playbook's scenario on models it applies to, with the day
    their lessons were known, oldest first.

    A playbook that names no models, or ``all``, serves every incident of its scenario; so
    does an incident that names no models.
    """
    spec = playbook.spec
    named = set() if spec.applies_to == "all" else set(spec.applies_to)
    found = []
    for incident in inventory.of_kind("Incident"):
        if incident.spec.category != spec.scenario:
            continue
        models = set(incident.spec.models)
        if named and models and not named & models:
            continue
        day = lessons_date(incident)
        if day is not None:
            found.append((incident, day))
    return sorted(found, key=lambda pair: (pair[1], pair[0].ref))
