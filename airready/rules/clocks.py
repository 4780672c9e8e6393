"""Regulatory notification clocks: when each regime's reports fall due after an incident.

The built-in rules live in data/regulations.yaml, each with its citation; a project may
declare regimes of its own in airready.yaml (``regulations``), which work the same way.
This sits below the check language, which judges filings with it, and the post-incident
reports, which show it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..inventory.fields import parse_duration
from ..inventory.kinds import Entity
from ..inventory.model import Inventory


@cache
def regulation_rules() -> dict[str, dict[str, Any]]:
    """The built-in regimes."""
    text = resources.files("airready").joinpath("data/regulations.yaml").read_text("utf-8")
    # libyaml's parser: the pure-Python one took a tenth of a small project's check.
    rules: dict[str, dict[str, Any]] = yaml.load(
        text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return rules


def declared_rule(regulation: Any) -> dict[str, Any]:
    """A regime declared in airready.yaml, in the shape of the built-in rules.

    Each clock runs ``within`` its duration from the clock's start (or from the filing of
    the stage it names in ``after``).  Without ``applies``, every incident starts it.
    """
    stages = []
    for clock in regulation.clocks:
        stage = {"name": clock.stage, "after": clock.within, "from": clock.after or "clock"}
        if clock.citation:
            stage["citation"] = clock.citation
        stages.append(stage)
    applies = ({k: v for k, v in regulation.applies.model_dump().items() if v}
               if regulation.applies else {"always": True})
    return {"title": regulation.title, "citation": regulation.citation, "applies": applies,
            "stages": stages, "declared": True}


def rules_for(inventory: Inventory) -> Mapping[str, dict[str, Any]]:
    """The built-in regimes and those the project declares, worked out once per inventory."""
    rules: dict[str, dict[str, Any]] | None = inventory.derived.get("regulation_rules")
    if rules is None:
        rules = dict(regulation_rules())
        for name, regulation in inventory.declared_regulations.items():
            rules.setdefault(name, declared_rule(regulation))
        inventory.derived["regulation_rules"] = rules
    return rules


# --- time arithmetic -------------------------------------------------------------------

_MONTHS = re.compile(r"^P(\d+)M$")
_BUSINESS = re.compile(r"^(\d+)BD$")


def add_months(start: dt.datetime, months: int) -> dt.datetime:
    """The same day ``months`` later, or that month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end of the ``days``-th weekday after ``start`` (public holidays are not known)."""
    current = start.date()
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return dt.datetime.combine(current, dt.time(23, 59, 59), start.tzinfo)


def add_after(start: dt.datetime, after: str) -> dt.datetime:
    if match := _MONTHS.match(after):
        return add_months(start, int(match[1]))
    if match := _BUSINESS.match(after):
        return add_business_days(start, int(match[1]))
    return start + parse_duration(after)


# --- regulatory clocks -----------------------------------------------------------------

@dataclass
class Clock:
    regime: str
    stage: str
    citation: str
    deadline: dt.datetime
    notified_at: dt.datetime | None
    today: dt.date

    @property
    def met(self) -> bool | None:
        """True or False once filed; None while the clock still runs."""
        if self.notified_at is not None:
            return self.notified_at <= self.deadline
        return False if self.overdue else None

    @property
    def overdue(self) -> bool:
        return self.notified_at is None and self.deadline.date() < self.today

    @property
    def state(self) -> str:
        """``met``, ``missed`` (filed late), ``overdue`` (not filed, past) or ``running``."""
        if self.notified_at is not None:
            return "met" if self.notified_at <= self.deadline else "missed"
        return "overdue" if self.overdue else "running"


def _model_classes(incident: Entity, inventory: Inventory | None) -> set[str]:
    """The EU AI Act classes of the incident's models (unknown without the inventory)."""
    found = set()
    for ref in incident.spec.models:
        model = inventory.get(ref) if inventory is not None else None
        if model is not None and model.spec is not None and model.spec.eu_ai_act is not None:
            found.add(getattr(model.spec.eu_ai_act, "class"))
    return found


def _touches(rule: dict[str, Any], incident: Entity, inventory: Inventory | None = None
             ) -> bool:
    """Whether the incident starts the regime's clocks.

    ``requires`` must all hold (the EU AI Act's Art. 73 clock runs only for a serious
    incident in a system classified high-risk); then any one of ``applies`` (a data
    class, a severity, an impact flag) is enough, and a rule with no ``applies`` or
    ``always: true`` is started by every incident that meets its requirements.
    """
    requires = rule.get("requires", {})
    if requires.get("serious") and incident.spec.serious is not True:
        return False
    classes = requires.get("model_classes")
    if classes and not _model_classes(incident, inventory) & set(classes):
        return False
    applies = rule.get("applies", {})
    if not applies or applies.get("always"):
        return True
    impact = incident.spec.impact
    classes = set(impact.data_classes) if impact else set()
    if classes & set(applies.get("data_classes", [])):
        return True
    if incident.spec.severity in applies.get("severities", []):
        return True
    return any(impact is not None and getattr(impact, flag, None)
               for flag in applies.get("flags", []))


def regimes_touched(incident: Entity, org: Entity | None,
                    rules: Mapping[str, dict[str, Any]] | None = None,
                    inventory: Inventory | None = None) -> list[str]:
    """The regimes whose clocks the incident starts: those the organisation declares, and
    any other it was reported under (judged by that regime anyway)."""
    rules = regulation_rules() if rules is None else rules
    declared = list(org.spec.regulations) if org is not None and org.spec is not None else []
    filed = sorted({f.regime for f in incident.spec.regulatory} - set(declared))
    return [regime for regime in [*declared, *filed]
            if regime in rules and _touches(rules[regime], incident, inventory)]


def clocks(incident: Entity, org: Entity | None, today: dt.date,
           rules: Mapping[str, dict[str, Any]] | None = None,
           inventory: Inventory | None = None) -> list[Clock]:
    """Every notification deadline the incident starts, with whether it was met.

    ``rules``: the regimes to know (default: the built-in ones; see ``rules_for``);
    ``inventory``: to look up the incident's models (the EU AI Act's high-risk class).
    Without a detection time no deadline can be computed: the list is empty, and the
    check language reports the incident as not judged (``regulatory_on_time``).
    """
    spec = incident.spec
    detected = spec.timeline.detected
    if detected is None:
        return []
    found = []
    rules = regulation_rules() if rules is None else rules
    for regime in regimes_touched(incident, org, rules, inventory):
        rule = rules[regime]
        filings = [f for f in spec.regulatory if f.regime == regime]
        clock_start = next((f.clock_start for f in filings if f.clock_start), None) or detected
        done: dict[str, tuple[dt.datetime, dt.datetime]] = {}  # stage -> first, latest
        seen: set[str] = set()
        for stage in rule["stages"]:
            name = stage["name"]
            if name in seen:
                continue
            flag = stage.get("when")
            if flag and not (spec.impact and getattr(spec.impact, flag, None)):
                continue
            seen.add(name)
            latest = bool(stage.get("from_latest"))
            deadline = add_after(_origin(stage["from"], clock_start, detected, done, latest),
                                 stage["after"])
            cap = stage.get("cap")
            if cap:
                deadline = min(deadline, add_after(
                    _origin(cap["from"], clock_start, detected, done), cap["after"]))
            # The filings of this stage (one without a stage is the first stage's); a record
            # holding only the clock's start (e.g. the SEC materiality determination) is not
            # a filing. The earliest filing meets the deadline; updates may follow.
            times = sorted(f.notified_at for f in filings if f.notified_at is not None
                           and (f.stage == name or (f.stage is None and name == _first(rule))))
            filed = times[0] if times else None
            done[name] = (times[0], times[-1]) if times else (deadline, deadline)
            found.append(Clock(regime, name, f"{rule['citation']}"
                               + (f"; {stage['citation']}" if stage.get("citation") else ""),
                               deadline, filed, today))
    return found


def _first(rule: dict[str, Any]) -> str:
    return str(rule["stages"][0]["name"])


def _origin(source: str, clock_start: dt.datetime, detected: dt.datetime,
            done: dict[str, tuple[dt.datetime, dt.datetime]], latest: bool = False
            ) -> dt.datetime:
    if source == "clock":
        return clock_start
    if source == "detected":
        return detected
    first, last = done[source]
    return last if latest else first
