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
    # When the stage was due (its start plus the target), and whether the incident is
    # still open on the audit day: a stage not reached past its due day is late already.
    due: dt.datetime | None = None
    open_on: dt.date | None = None

    @property
    def breached(self) -> bool:
        """Reached, but later than the target."""
        return self.value is not None and self.target is not None and self.value > self.target

    @property
    def overdue(self) -> bool:
        """Not reached yet, in an open incident, and its due day has passed."""
        return (self.value is None and self.due is not None and self.open_on is not None
                and self.due.date() < self.open_on)

    @property
    def late(self) -> bool:
        """Breached or overdue: the response missed this target either way."""
        return self.breached or self.overdue


def targets_for(org: Entity | None, severity: str) -> dict[str, dt.timedelta]:
    declared = org.spec.targets.get(severity) if org is not None else None
    values = dict(DEFAULT_TARGETS.get(severity, {}))
    if declared is not None:
        values.update({k: v for k, v in declared.model_dump().items() if v})
    return {key: parse_duration(text) for key, text in values.items()}


def metrics(incident: Entity, org: Entity | None, today: dt.date | None = None
            ) -> list[Metric]:
    """Each response time and its target; with ``today``, a stage an open incident has not
    reached is ``overdue`` once its due day has passed (a closed incident's missing time is
    a gap in its record, not a stage still running)."""
    timeline = incident.spec.timeline
    targets = targets_for(org, incident.spec.severity)
    open_on = today if today is not None and timeline.closed is None else None
    found = []
    for name, (start, end, target_key) in METRICS.items():
        begin, finish = getattr(timeline, start), getattr(timeline, end)
        value = finish - begin if begin and finish else None
        target = targets.get(target_key)
        due = begin + target if begin is not None and target is not None else None
        found.append(Metric(name, value, target, due, open_on))
    return found
