"""Response-time targets and the times an incident's response actually took.

Targets come from the Organization (``targets`` per severity); where P1 has none, the
checklist's defaults apply (detect 1 h, contain 4 h, remediate 72 h, notify 1 h).  This
sits below the check language, which judges responses against the targets, and below
the post-incident reports and tabletop packs, which show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..inventory.fields import parse_duration
from ..inventory.kinds import Entity

METRICS = {  # metric -> (from, to, target key)
    "time_to_detect": ("started", "detected", "detect"),
    "time_to_contain": ("detected", "contained", "contain"),
    "time_to_remediate": ("detected", "remediated", "remediate"),
    "time_to_notify": ("detected", "stakeholders_notified", "notify"),
}
DEFAULT_TARGETS = {"P1": {"detect": "PT1H", "contain": "PT4H", "remediate": "PT72H",
                          "notify": "PT1H"}}


@dataclass
class Metric:
    name: str
    value: dt.timedelta | None
    target: dt.timedelta | None

    @property
    def breached(self) -> bool:
        return self.value is not None and self.target is not None and self.value > self.target


def targets_for(org: Entity | None, severity: str) -> dict[str, dt.timedelta]:
    declared = org.spec.targets.get(severity) if org is not None else None
    values = dict(DEFAULT_TARGETS.get(severity, {}))
    if declared is not None:
        values.update({k: v for k, v in declared.model_dump().items() if v})
    return {key: parse_duration(text) for key, text in values.items()}


def metrics(incident: Entity, org: Entity | None) -> list[Metric]:
    timeline = incident.spec.timeline
    targets = targets_for(org, incident.spec.severity)
    found = []
    for name, (start, end, target_key) in METRICS.items():
        begin, finish = getattr(timeline, start), getattr(timeline, end)
        value = finish - begin if begin and finish else None
        found.append(Metric(name, value, targets.get(target_key)))
    return found
