"""Regulatory notification clocks: every regime's deadlines, to the second.

The rules live in airready/data/regulations.yaml, each with its citation. A clock starts
only for a regime the Organization declares and only for an incident that touches it (a
data class, a severity or an impact flag the rule names). Each clock is ``met`` (filed by
the deadline), ``missed`` (filed late), ``overdue`` (not filed and the deadline's day has
passed) or ``running``.

Dates used below: 2026-11-02 is a Monday, 2026-11-05 a Thursday, 2026-11-06 a Friday.
"""

from __future__ import annotations

import datetime as dt

import pytest
from blastkit import entity, inventory
from incidentkit import (
    check_states,
    clock_table,
    incident_doc,
    incident_entity,
    incidents_json,
    incidents_run,
    org_entity,
    write_project,
)
from projectkit import run

from airready.inventory.fields import parse_duration
from airready.inventory.kinds import BUILTIN_REGULATIONS
from airready.inventory.model import Inventory
from airready.rules.clocks import (
    add_after,
    add_business_days,
    add_months,
    clocks,
    regulation_rules,
)

ALL = ["gdpr", "eu_ai_act", "nis2", "dora", "sec", "hipaa"]
DETECTED = "2026-11-02T09:14:00Z"


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# --- the rules file ---------------------------------------------------------------------------

CITATIONS = {
    "gdpr": "Regulation (EU) 2016/679, Art. 33(1)",
    "eu_ai_act": "Regulation (EU) 2024/1689, Art. 73(2)-(4)",
    "nis2": "Directive (EU) 2022/2555, Art. 23(4)",
    "dora": "Regulation (EU) 2022/2554, Art. 19(4) and Delegated Regulation (EU) 2025/301, "
            "Art. 5",
    "sec": "17 CFR 249.308, Form 8-K Item 1.05",
    "hipaa": "45 CFR 164.404(b) and 164.408",
}

STAGES = {  # regime -> [(stage, after, from, when)] in the file's order
    "gdpr": [("notification", "PT72H", "detected", None)],
    "eu_ai_act": [("report", "P2D", "clock", "widespread"),
                  ("report", "P2D", "clock", "critical_infrastructure"),
                  ("report", "P10D", "clock", "deaths"),
                  ("report", "P15D", "clock", None)],
    "nis2": [("early_warning", "PT24H", "clock", None),
             ("notification", "PT72H", "clock", None),
             ("final_report", "P1M", "notification", None)],
    "dora": [("initial", "PT4H", "clock", None),
             ("intermediate", "PT72H", "initial", None),
             ("final", "P1M", "intermediate", None)],
    "sec": [("form_8k", "4BD", "clock", None)],
    "hipaa": [("notification", "P60D", "detected", None)],
}


def test_every_declarable_regime_has_a_rule_and_nothing_else_does():
    assert set(regulation_rules()) == set(BUILTIN_REGULATIONS) == set(ALL)


@pytest.mark.parametrize("regime", ALL)
def test_rule_citation_and_stages(regime: str):
    rule = regulation_rules()[regime]
    assert rule["citation"] == CITATIONS[regime]
    assert rule["title"]
    assert [(s["name"], s["after"], s["from"], s.get("when")) for s in rule["stages"]] == \
        STAGES[regime]
    names = []
    for stage in rule["stages"]:
        assert set(stage) <= {"name", "after", "from", "when", "cap", "citation", "from_latest"}
        add_after(utc("2026-01-31T00:00:00Z"), stage["after"])  # every `after` is readable
        assert stage["from"] in ("clock", "detected", *names), stage
        names.append(stage["name"])


def test_dora_initial_is_capped_at_24_hours_from_awareness():
    initial, intermediate, final = regulation_rules()["dora"]["stages"]
    assert initial["cap"] == {"after": "PT24H", "from": "detected"}
    assert (intermediate.get("from_latest"), final.get("from_latest")) == (None, True)


@pytest.mark.parametrize("regime, stage, words", [
    ("eu_ai_act", 0, "Art. 73(3)"), ("eu_ai_act", 1, "Art. 73(3)"),
    ("eu_ai_act", 2, "Art. 73(4)"), ("eu_ai_act", 3, "Art. 73(2)"),
    ("nis2", 0, "Art. 23(4)(a)"), ("nis2", 1, "Art. 23(4)(b)"), ("nis2", 2, "Art. 23(4)(d)"),
    ("dora", 0, "Art. 19(4)(a): 4 hours from classification as major, and at most 24 hours "
                "from awareness"),
    ("dora", 1, "Art. 19(4)(b): 72 hours from the initial notification"),
    ("dora", 2, "Art. 19(4)(c): one month from the latest updated intermediate report"),
    ("sec", 0, "four business days"), ("hipaa", 0, "60 calendar days"),
])
def test_stage_citations(regime: str, stage: int, words: str):
    assert words in regulation_rules()[regime]["stages"][stage]["citation"]


# --- time arithmetic --------------------------------------------------------------------------

@pytest.mark.parametrize("start, months, expected", [
    ("2027-01-31T10:00:00Z", 1, "2027-02-28T10:00:00+00:00"),   # month-end clamp
    ("2028-01-31T10:00:00Z", 1, "2028-02-29T10:00:00+00:00"),   # leap year
    ("2027-01-30T10:00:00Z", 1, "2027-02-28T10:00:00+00:00"),
    ("2027-03-31T10:00:00Z", 1, "2027-04-30T10:00:00+00:00"),
    ("2026-12-31T23:00:00+01:00", 1, "2027-01-31T23:00:00+01:00"),  # across the year
    ("2026-11-15T08:00:00Z", 1, "2026-12-15T08:00:00+00:00"),
    ("2026-11-30T08:00:00Z", 3, "2027-02-28T08:00:00+00:00"),
])
def test_add_months(start: str, months: int, expected: str):
    assert add_months(utc(start), months).isoformat() == expected


@pytest.mark.parametrize("start, expected", [
    ("2026-11-05T15:00:00-05:00", "2026-11-11T23:59:59-05:00"),  # Thursday -> Wednesday
    ("2026-11-06T10:00:00-05:00", "2026-11-12T23:59:59-05:00"),  # Friday -> Thursday
    ("2026-11-07T10:00:00-05:00", "2026-11-12T23:59:59-05:00"),  # Saturday -> Thursday
    ("2026-11-02T10:00:00-05:00", "2026-11-06T23:59:59-05:00"),  # Monday -> Friday
    # 23:30 on Thursday in New York is already Friday in UTC: the clock's own zone decides.
    ("2026-11-05T23:30:00-05:00", "2026-11-11T23:59:59-05:00"),
])
def test_four_business_days(start: str, expected: str):
    assert add_business_days(utc(start), 4).isoformat() == expected
    assert add_after(utc(start), "4BD").isoformat() == expected


# --- GDPR -------------------------------------------------------------------------------------

def gdpr_incident(*filings: dict, **spec) -> object:
    spec.setdefault("impact", {"data_classes": ["pii"]})
    return incident_entity(timeline={"detected": DETECTED}, regulatory=list(filings), **spec)


GDPR_DUE = "2026-11-05T09:14:00+00:00"


@pytest.mark.parametrize("filed, today, state", [
    ("2026-11-03T10:00:00Z", "2026-11-25", "met"),
    ("2026-11-05T09:14:00Z", "2026-11-25", "met"),      # on the minute
    ("2026-11-05T09:15:00Z", "2026-11-25", "missed"),
    ("2026-11-05T10:14:00+01:00", "2026-11-25", "met"),  # the same instant, another zone
    (None, "2026-11-04", "running"),
    (None, "2026-11-05", "running"),                    # due later that day
    (None, "2026-11-06", "overdue"),
])
def test_gdpr_72_hours_from_detection(filed: str | None, today: str, state: str):
    filings = [{"regime": "gdpr", "notified_at": filed}] if filed else []
    table = clock_table(gdpr_incident(*filings), org_entity(regulations=["gdpr"]), today)
    assert table == {("gdpr", "notification"): (GDPR_DUE, state)}


def test_clock_met_and_overdue_flags():
    org = org_entity(regulations=["gdpr"])
    today = dt.date(2026, 11, 6)
    (running,) = clocks(gdpr_incident(), org, dt.date(2026, 11, 5))
    assert (running.met, running.overdue) == (None, False)
    (overdue,) = clocks(gdpr_incident(), org, today)
    assert (overdue.met, overdue.overdue) == (False, True)
    (late,) = clocks(gdpr_incident({"regime": "gdpr", "notified_at": "2026-11-06T08:00:00Z"}),
                     org, today)
    assert (late.met, late.overdue) == (False, False)
    assert late.citation == "Regulation (EU) 2016/679, Art. 33(1)"


@pytest.mark.parametrize("data_class", ["pii", "phi", "health", "special_category", "biometric",
                                        "payment", "credentials"])
def test_gdpr_personal_data_classes(data_class: str):
    incident = gdpr_incident(impact={"data_classes": [data_class]}, severity="P4")
    assert ("gdpr", "notification") in clock_table(incident, org_entity(regulations=["gdpr"]))


def test_gdpr_keeps_the_detections_zone():
    incident = incident_entity(timeline={"detected": "2026-03-27T10:00:00+01:00"},
                               impact={"data_classes": ["pii"]})
    assert clock_table(incident, org_entity(regulations=["gdpr"])) == {
        ("gdpr", "notification"): ("2026-03-30T10:00:00+01:00", "overdue")}


# --- EU AI Act Art. 73 ------------------------------------------------------------------------

@pytest.mark.parametrize("severity, impact, deadline, citation", [
    ("P1", {}, "2026-11-17T09:14:00+00:00", "Art. 73(2)"),
    ("P1", {"deaths": 0}, "2026-11-17T09:14:00+00:00", "Art. 73(2)"),
    ("P1", {"deaths": 1}, "2026-11-12T09:14:00+00:00", "Art. 73(4): a death"),
    ("P2", {"deaths": 2}, "2026-11-12T09:14:00+00:00", "Art. 73(4): a death"),
    ("P1", {"widespread": True}, "2026-11-04T09:14:00+00:00",
     "Art. 73(3): widespread infringement"),
    ("P3", {"critical_infrastructure": True}, "2026-11-04T09:14:00+00:00",
     "Art. 73(3): serious disruption of critical infrastructure"),
    # a death in a widespread infringement: the shortest deadline applies
    ("P1", {"deaths": 1, "widespread": True}, "2026-11-04T09:14:00+00:00",
     "Art. 73(3): widespread infringement"),
    ("P1", {"widespread": False, "critical_infrastructure": False},
     "2026-11-17T09:14:00+00:00", "Art. 73(2)"),
])
def test_eu_ai_act_report(severity: str, impact: dict, deadline: str, citation: str):
    incident = incident_entity(severity=severity, impact=impact, timeline={"detected": DETECTED},
                               serious=True, models=["model:triage"])
    (clock,) = clocks(incident, org_entity(regulations=["eu_ai_act"]), dt.date(2026, 11, 3),
                      None, high_risk_estate())
    assert (clock.regime, clock.stage, clock.deadline.isoformat()) == \
        ("eu_ai_act", "report", deadline)
    assert clock.citation == f"Regulation (EU) 2024/1689, Art. 73(2)-(4); {citation}"
    assert clock.state == "running"


def high_risk_estate(model_class: str | None = "high_risk") -> Inventory:
    """An inventory holding model:triage with the given EU AI Act class."""
    spec = {"eu_ai_act": {"class": model_class}} if model_class else {}
    return inventory([entity("Team", "ml", {}), entity("Model", "triage", spec, owner="team:ml")])


def test_eu_ai_act_counts_from_the_recorded_awareness():
    incident = incident_entity(
        impact={"deaths": 1}, timeline={"detected": DETECTED}, serious=True,
        models=["model:triage"],
        regulatory=[{"regime": "eu_ai_act", "clock_start": "2026-11-04T12:00:00Z",
                     "notified_at": "2026-11-14T11:00:00Z"}])
    assert clock_table(incident, org_entity(regulations=["eu_ai_act"]),
                       inventory=high_risk_estate()) == {
        ("eu_ai_act", "report"): ("2026-11-14T12:00:00+00:00", "met")}


@pytest.mark.parametrize("serious, model_class", [
    (None, "high_risk"),      # seriousness not recorded (AIR-INC-010 reports it)
    (False, "high_risk"),     # not a serious incident in the sense of Art. 3(49)
    (True, "limited"),        # serious, but not in a high-risk system
    (True, None),             # serious, in a system nobody classified (AIR-REG-003)
])
def test_eu_ai_act_clock_needs_a_serious_incident_in_a_high_risk_system(
        serious: bool | None, model_class: str | None):
    spec = {"serious": serious} if serious is not None else {}
    incident = incident_entity(severity="P1", impact={"deaths": 1},
                               timeline={"detected": DETECTED}, models=["model:triage"], **spec)
    assert clock_table(incident, org_entity(regulations=["eu_ai_act"]),
                       inventory=high_risk_estate(model_class)) == {}
    # Severity alone never started it: a serious P3 in a high-risk system does.
    p3 = incident_entity(severity="P3", timeline={"detected": DETECTED}, serious=True,
                         models=["model:triage"])
    assert set(clock_table(p3, org_entity(regulations=["eu_ai_act"]),
                           inventory=high_risk_estate())) == {("eu_ai_act", "report")}


# --- NIS2 -------------------------------------------------------------------------------------

def nis2_table(detected: str, *filings: dict, today: str = "2027-03-31", severity: str = "P2"):
    incident = incident_entity(severity=severity, timeline={"detected": detected},
                               regulatory=list(filings))
    return clock_table(incident, org_entity(regulations=["nis2"]), today)


def test_nis2_three_stages_final_report_a_month_after_the_notification_filed():
    table = nis2_table("2027-01-29T12:00:00Z",
                       {"regime": "nis2", "stage": "early_warning",
                        "notified_at": "2027-01-30T09:00:00Z"},
                       {"regime": "nis2", "stage": "notification",
                        "notified_at": "2027-01-31T09:30:00Z"},
                       today="2027-02-10")
    assert table == {
        ("nis2", "early_warning"): ("2027-01-30T12:00:00+00:00", "met"),
        ("nis2", "notification"): ("2027-02-01T12:00:00+00:00", "met"),
        # one calendar month after 31 January: the last day of February
        ("nis2", "final_report"): ("2027-02-28T09:30:00+00:00", "running"),
    }


def test_nis2_final_report_in_a_leap_year():
    table = nis2_table("2028-01-29T12:00:00Z",
                       {"regime": "nis2", "stage": "notification",
                        "notified_at": "2028-01-31T09:30:00Z"}, today="2028-03-01")
    assert table[("nis2", "final_report")] == ("2028-02-29T09:30:00+00:00", "overdue")
    assert table[("nis2", "early_warning")] == ("2028-01-30T12:00:00+00:00", "overdue")


def test_nis2_final_report_counts_from_the_notification_deadline_when_not_filed():
    table = nis2_table("2027-01-28T12:00:00Z", today="2027-02-01")
    assert table == {
        ("nis2", "early_warning"): ("2027-01-29T12:00:00+00:00", "overdue"),
        ("nis2", "notification"): ("2027-01-31T12:00:00+00:00", "overdue"),
        ("nis2", "final_report"): ("2027-02-28T12:00:00+00:00", "running"),
    }


def test_nis2_late_notification_moves_the_final_report():
    table = nis2_table("2027-01-28T12:00:00Z",
                       {"regime": "nis2", "stage": "notification",
                        "notified_at": "2027-02-03T08:00:00Z"}, today="2027-02-04")
    assert table[("nis2", "notification")] == ("2027-01-31T12:00:00+00:00", "missed")
    assert table[("nis2", "final_report")] == ("2027-03-03T08:00:00+00:00", "running")


def test_nis2_counts_from_the_recorded_awareness():
    table = nis2_table("2027-01-28T12:00:00Z",
                       {"regime": "nis2", "clock_start": "2027-01-29T08:00:00Z"})
    assert table[("nis2", "early_warning")][0] == "2027-01-30T08:00:00+00:00"
    assert table[("nis2", "notification")][0] == "2027-02-01T08:00:00+00:00"


@pytest.mark.parametrize("severity, expected", [("P1", 3), ("P2", 3), ("P3", 0), ("P4", 0)])
def test_nis2_significant_incidents_only(severity: str, expected: int):
    assert len(nis2_table("2027-01-28T12:00:00Z", severity=severity)) == expected


# --- DORA -------------------------------------------------------------------------------------

def dora_table(*filings: dict, detected: str = "2026-11-02T09:00:00Z", today: str = "2026-11-25",
               severity: str = "P1"):
    incident = incident_entity(severity=severity, timeline={"detected": detected},
                               regulatory=list(filings))
    return clock_table(incident, org_entity(regulations=["dora"]), today)


@pytest.mark.parametrize("classified, initial", [
    ("2026-11-02T11:00:00Z", "2026-11-02T15:00:00+00:00"),   # classification + 4 h
    ("2026-11-03T05:00:00Z", "2026-11-03T09:00:00+00:00"),   # equal: both 24 h after awareness
    ("2026-11-03T07:00:00Z", "2026-11-03T09:00:00+00:00"),   # capped at awareness + 24 h
    (None, "2026-11-02T13:00:00+00:00"),                     # no classification recorded
])
def test_dora_initial_notification(classified: str | None, initial: str):
    filings = [{"regime": "dora", "stage": "initial", "clock_start": classified}] \
        if classified else []
    table = dora_table(*filings, today="2026-11-02")
    assert table[("dora", "initial")] == (initial, "running")


def test_dora_cap_counts_in_the_detections_zone():
    table = dora_table({"regime": "dora", "stage": "initial",
                        "clock_start": "2026-11-03T09:30:00+01:00"},
                       detected="2026-11-02T10:00:00+01:00", today="2026-11-01")
    # classification + 4 h = 13:30+01:00; awareness + 24 h = 10:00+01:00 the next day
    assert table[("dora", "initial")] == ("2026-11-03T10:00:00+01:00", "running")


def test_dora_intermediate_72_hours_after_the_initial_filed_and_final_a_month_after():
    table = dora_table(
        {"regime": "dora", "stage": "initial", "clock_start": "2026-11-02T11:00:00Z",
         "notified_at": "2026-11-02T14:30:00Z"},
        {"regime": "dora", "stage": "intermediate", "notified_at": "2026-11-05T10:00:00Z"},
        today="2026-11-25")
    assert table == {
        ("dora", "initial"): ("2026-11-02T15:00:00+00:00", "met"),
        ("dora", "intermediate"): ("2026-11-05T14:30:00+00:00", "met"),
        ("dora", "final"): ("2026-12-05T10:00:00+00:00", "running"),
    }


def test_dora_stages_count_from_deadlines_when_nothing_was_filed():
    table = dora_table({"regime": "dora", "clock_start": "2026-11-02T11:00:00Z"},
                       today="2026-12-06")
    assert table == {
        ("dora", "initial"): ("2026-11-02T15:00:00+00:00", "overdue"),
        ("dora", "intermediate"): ("2026-11-05T15:00:00+00:00", "overdue"),
        ("dora", "final"): ("2026-12-05T15:00:00+00:00", "overdue"),
    }


def test_dora_final_report_a_month_after_the_latest_updated_intermediate_report():
    table = dora_table(
        {"regime": "dora", "stage": "initial", "clock_start": "2026-11-02T11:00:00Z",
         "notified_at": "2026-11-02T14:30:00Z"},
        {"regime": "dora", "stage": "intermediate", "notified_at": "2026-11-12T16:00:00Z"},
        {"regime": "dora", "stage": "intermediate", "notified_at": "2026-11-05T10:00:00Z"},
        today="2026-12-06")
    assert table == {
        ("dora", "initial"): ("2026-11-02T15:00:00+00:00", "met"),
        # the first intermediate report meets the deadline; the update moves the final one
        ("dora", "intermediate"): ("2026-11-05T14:30:00+00:00", "met"),
        ("dora", "final"): ("2026-12-12T16:00:00+00:00", "running"),
    }


def test_the_first_filing_meets_the_deadline_whatever_the_order():
    filings = [{"regime": "gdpr", "notified_at": "2026-11-07T10:00:00Z", "reference": "update"},
               {"regime": "gdpr", "notified_at": "2026-11-04T10:00:00Z"}]
    (clock,) = clocks(gdpr_incident(*filings), org_entity(regulations=["gdpr"]),
                      dt.date(2026, 11, 25))
    assert (clock.notified_at.isoformat(), clock.state) == ("2026-11-04T10:00:00+00:00", "met")


def test_dora_late_initial():
    table = dora_table({"regime": "dora", "stage": "initial",
                        "clock_start": "2026-11-02T11:00:00Z",
                        "notified_at": "2026-11-02T16:00:00Z"}, today="2026-11-03")
    assert table[("dora", "initial")] == ("2026-11-02T15:00:00+00:00", "missed")
    assert table[("dora", "intermediate")] == ("2026-11-05T16:00:00+00:00", "running")


def test_dora_filing_without_stage_is_the_initial_notification():
    table = dora_table({"regime": "dora", "notified_at": "2026-11-02T12:00:00Z"})
    assert table[("dora", "initial")] == ("2026-11-02T13:00:00+00:00", "met")
    assert table[("dora", "intermediate")][0] == "2026-11-05T12:00:00+00:00"


def test_dora_major_incidents_only():
    assert dora_table(severity="P2") == {}


# --- SEC Form 8-K Item 1.05 -------------------------------------------------------------------

@pytest.mark.parametrize("determined, filed, due, state", [
    # Thursday: Friday, Monday, Tuesday, Wednesday -> the end of Wednesday
    ("2026-11-05T15:00:00-05:00", "2026-11-11T23:00:00-05:00",
     "2026-11-11T23:59:59-05:00", "met"),
    ("2026-11-05T15:00:00-05:00", "2026-11-12T00:30:00-05:00",
     "2026-11-11T23:59:59-05:00", "missed"),
    # Friday: the end of the next Thursday
    ("2026-11-06T10:00:00-05:00", "2026-11-12T16:00:00-05:00",
     "2026-11-12T23:59:59-05:00", "met"),
    ("2026-11-06T10:00:00-05:00", None, "2026-11-12T23:59:59-05:00", "overdue"),
])
def test_sec_four_business_days_after_materiality(determined: str, filed: str | None,
                                                  due: str, state: str):
    incident = incident_entity(
        timeline={"detected": "2026-11-02T09:00:00-05:00"},
        regulatory=[{"regime": "sec", "clock_start": determined, "notified_at": filed}])
    assert clock_table(incident, org_entity(regulations=["sec"])) == {
        ("sec", "form_8k"): (due, state)}


def test_sec_determination_recorded_apart_from_the_filing():
    """The materiality determination written down first, the 8-K filed as its own entry."""
    incident = incident_entity(
        timeline={"detected": "2026-11-02T09:00:00-05:00"},
        regulatory=[{"regime": "sec", "clock_start": "2026-11-05T15:00:00-05:00"},
                    {"regime": "sec", "notified_at": "2026-11-10T12:00:00-05:00",
                     "reference": "Form 8-K"}])
    assert clock_table(incident, org_entity(regulations=["sec"])) == {
        ("sec", "form_8k"): ("2026-11-11T23:59:59-05:00", "met")}


def test_sec_without_a_determination_counts_from_detection():
    incident = incident_entity(timeline={"detected": "2026-11-05T09:00:00Z"})
    assert clock_table(incident, org_entity(regulations=["sec"]), "2026-11-11") == {
        ("sec", "form_8k"): ("2026-11-11T23:59:59+00:00", "running")}


def test_sec_material_incidents_only():
    incident = incident_entity(severity="P2", timeline={"detected": DETECTED})
    assert clock_table(incident, org_entity(regulations=["sec"])) == {}


# --- HIPAA ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data_class", ["phi", "health"])
def test_hipaa_60_days_from_discovery(data_class: str):
    incident = incident_entity(severity="P3", timeline={"detected": DETECTED},
                               impact={"data_classes": [data_class]},
                               regulatory=[{"regime": "hipaa",
                                            "notified_at": "2026-12-20T10:00:00Z"}])
    assert clock_table(incident, org_entity(regulations=["hipaa"])) == {
        ("hipaa", "notification"): ("2027-01-01T09:14:00+00:00", "met")}


def test_hipaa_not_for_other_personal_data():
    incident = incident_entity(timeline={"detected": DETECTED},
                               impact={"data_classes": ["pii", "payment"]})
    assert clock_table(incident, org_entity(regulations=["hipaa"])) == {}


# --- which regimes apply ----------------------------------------------------------------------

def test_declared_regimes_and_those_filed_under_are_judged():
    incident = incident_entity(
        timeline={"detected": DETECTED}, impact={"data_classes": ["phi"], "deaths": 1},
        regulatory=[{"regime": "hipaa", "notified_at": "2026-11-03T10:00:00Z"},
                    {"regime": "sec", "clock_start": "2026-11-03T10:00:00Z"}])
    # gdpr is declared; hipaa and sec are not, but the incident was reported under them.
    assert set(clock_table(incident, org_entity(regulations=["gdpr"]))) == {
        ("gdpr", "notification"), ("hipaa", "notification"), ("sec", "form_8k")}
    assert set(clock_table(incident, org_entity())) == {
        ("hipaa", "notification"), ("sec", "form_8k")}
    assert set(clock_table(incident, None)) == {("hipaa", "notification"), ("sec", "form_8k")}
    quiet = incident_entity(timeline={"detected": DETECTED}, impact={"data_classes": ["phi"]})
    assert clock_table(quiet, org_entity()) == {}


def test_every_regime_for_a_serious_health_data_incident():
    incident = incident_entity(timeline={"detected": DETECTED}, serious=True,
                               models=["model:triage"],
                               impact={"data_classes": ["phi"], "deaths": 1})
    assert sorted(clock_table(incident, org_entity(regulations=ALL),
                              inventory=high_risk_estate())) == [
        ("dora", "final"), ("dora", "initial"), ("dora", "intermediate"),
        ("eu_ai_act", "report"), ("gdpr", "notification"), ("hipaa", "notification"),
        ("nis2", "early_warning"), ("nis2", "final_report"), ("nis2", "notification"),
        ("sec", "form_8k"),
    ]


def test_an_incident_touching_no_regime_starts_no_clock():
    incident = incident_entity(severity="P3", timeline={"detected": DETECTED},
                               impact={"data_classes": ["proprietary"], "users": 40},
                               regulatory=[{"regime": "gdpr",
                                            "notified_at": "2026-11-03T10:00:00Z"}])
    assert clock_table(incident, org_entity(regulations=ALL)) == {}


def test_no_clock_before_detection_is_recorded():
    incident = incident_entity(impact={"data_classes": ["pii"]},
                               timeline={"started": "2026-11-02T08:00:00Z"})
    assert clock_table(incident, org_entity(regulations=ALL)) == {}


def test_a_filing_for_an_unknown_stage_meets_no_deadline():
    """A voluntary notification (DORA Art. 19(2)) is no stage of the major-incident clock."""
    table = dora_table({"regime": "dora", "stage": "voluntary_threat",
                        "notified_at": "2026-11-02T10:00:00Z"}, today="2026-11-03")
    assert table[("dora", "initial")] == ("2026-11-02T13:00:00+00:00", "overdue")


# --- through the command line -----------------------------------------------------------------

GDPR_LATE = incident_doc(
    "inc-gdpr", severity="P2", category="data_leakage",
    timeline={"started": "2026-11-02T08:40:00Z", "detected": DETECTED},
    impact={"users": 12, "data_classes": ["pii"]},
    regulatory=[{"regime": "gdpr", "notified_at": "2026-11-06T10:00:00Z",
                 "reference": "DPC BN-1"}])
DORA_RUNNING = incident_doc(
    "inc-dora", timeline={"started": "2026-11-20T08:00:00Z", "detected": "2026-11-24T09:00:00Z"},
    regulatory=[{"regime": "dora", "stage": "initial", "clock_start": "2026-11-24T11:00:00Z",
                 "notified_at": "2026-11-24T14:00:00Z"},
                {"regime": "hipaa", "notified_at": "2026-11-24T14:00:00Z"}])
NOT_FILED = incident_doc(
    "inc-silent", severity="P3", timeline={"detected": "2026-11-10T09:00:00Z"},
    impact={"data_classes": ["credentials"]})


@pytest.fixture
def regulated(tmp_path):
    return write_project(tmp_path, {"regulations": ["gdpr", "dora", "nis2"]},
                         GDPR_LATE, DORA_RUNNING, NOT_FILED)


def test_json_regulatory_entries(capsys, regulated):
    document = incidents_json(capsys, regulated, today="2026-11-25")
    by_ref = document["by_ref"]
    assert by_ref["incident:inc-gdpr"]["regulatory"] == [
        {"regime": "gdpr", "stage": "notification",
         "citation": "Regulation (EU) 2016/679, Art. 33(1)",
         "deadline": "2026-11-05T09:14:00+00:00", "notified_at": "2026-11-06T10:00:00+00:00",
         "met": False, "overdue": False, "state": "missed"},
        {"regime": "nis2", "stage": "early_warning",
         "citation": "Directive (EU) 2022/2555, Art. 23(4); Art. 23(4)(a): an early warning "
                     "within 24 hours of becoming aware",
         "deadline": "2026-11-03T09:14:00+00:00", "notified_at": None,
         "met": False, "overdue": True, "state": "overdue"},
        {"regime": "nis2", "stage": "notification",
         "citation": "Directive (EU) 2022/2555, Art. 23(4); Art. 23(4)(b): an incident "
                     "notification within 72 hours of becoming aware",
         "deadline": "2026-11-05T09:14:00+00:00", "notified_at": None,
         "met": False, "overdue": True, "state": "overdue"},
        {"regime": "nis2", "stage": "final_report",
         "citation": "Directive (EU) 2022/2555, Art. 23(4); Art. 23(4)(d): a final report "
                     "within one month of the incident notification",
         "deadline": "2026-12-05T09:14:00+00:00", "notified_at": None,
         "met": None, "overdue": False, "state": "running"},
    ]
    dora = [(c["stage"], c["deadline"], c["notified_at"], c["met"], c["state"])
            for c in by_ref["incident:inc-dora"]["regulatory"] if c["regime"] == "dora"]
    assert dora == [
        ("initial", "2026-11-24T15:00:00+00:00", "2026-11-24T14:00:00+00:00", True, "met"),
        ("intermediate", "2026-11-27T14:00:00+00:00", None, None, "running"),
        ("final", "2026-12-27T14:00:00+00:00", None, None, "running"),
    ]
    # hipaa is not declared; inc-dora is P1 with no data classes, so no gdpr clock either
    assert {c["regime"] for c in by_ref["incident:inc-dora"]["regulatory"]} == {"dora", "nis2"}
    assert [(c["regime"], c["state"]) for c in by_ref["incident:inc-silent"]["regulatory"]] == \
        [("gdpr", "overdue")]
    # late = filed late or not filed and past: inc-gdpr 3, inc-silent 1
    assert document["summary"]["late_notifications"] == 4


def test_text_and_markdown_show_each_clock(capsys, regulated):
    text = incidents_run(capsys, regulated).out
    assert ("  gdpr notification: due 2026-11-05T09:14:00+00:00, 2026-11-06T10:00:00+00:00: "
            "MISSED (Regulation (EU) 2016/679, Art. 33(1))") in text
    assert ("  gdpr notification: due 2026-11-13T09:00:00+00:00, not filed: OVERDUE "
            "(Regulation (EU) 2016/679, Art. 33(1))") in text
    assert "  dora intermediate: due 2026-11-27T14:00:00+00:00, not filed: running (" in text
    assert "  dora initial: due 2026-11-24T15:00:00+00:00, 2026-11-24T14:00:00+00:00: met (" \
        in text
    markdown = incidents_run(capsys, regulated, "--format", "markdown").out
    assert ("| incident:inc-silent | gdpr | notification | 2026-11-13T09:00:00+00:00 | "
            "not filed | OVERDUE |") in markdown
    assert ("| incident:inc-gdpr | gdpr | notification | 2026-11-05T09:14:00+00:00 | "
            "2026-11-06T10:00:00+00:00 | MISSED |") in markdown


def test_running_clock_becomes_overdue_with_today(capsys, regulated):
    early = incidents_json(capsys, regulated, today="2026-11-12")["by_ref"]
    late = incidents_json(capsys, regulated, today="2026-11-14")["by_ref"]
    assert early["incident:inc-silent"]["regulatory"][0]["state"] == "running"
    assert late["incident:inc-silent"]["regulatory"][0]["state"] == "overdue"


def test_air_inc_008_late_and_overdue_notifications(capsys, regulated):
    states = check_states_008(capsys, regulated, "2026-11-12")
    assert states["incident:inc-gdpr"] == (
        "fail", "incident:inc-gdpr missed a regulatory notification deadline (regulatory gdpr "
        "notification "
        "was due 2026-11-05T09:14:00+00:00, filed 2026-11-06T10:00:00+00:00; nis2 early_warning "
        "was due 2026-11-03T09:14:00+00:00, not filed; nis2 notification was due "
        "2026-11-05T09:14:00+00:00, not filed)")
    assert states["incident:inc-silent"][0] == "pass"   # due tomorrow
    assert states["incident:inc-dora"][0] == "pass"
    assert check_states_008(capsys, regulated, "2026-11-14")["incident:inc-silent"] == (
        "fail", "incident:inc-silent missed a regulatory notification deadline (regulatory gdpr "
        "notification was due 2026-11-13T09:00:00+00:00, not filed)")


def check_states_008(capsys, root, today):
    found = check_states(capsys, root, "AIR-INC-008", today)
    return {target: value for (_, target), value in found.items()}


def test_filings_under_undeclared_regimes_are_judged_and_reported(capsys, tmp_path):
    root = write_project(tmp_path, {}, GDPR_LATE, DORA_RUNNING)
    document = incidents_json(capsys, root)
    regimes = [{c["regime"] for c in item["regulatory"]} for item in document["incidents"]]
    assert regimes == [{"dora"}, {"gdpr"}]
    assert document["summary"]["late_notifications"] == 1  # the GDPR notice was late
    undeclared = check_states(capsys, root, "AIR-INC-011", "2026-11-25")
    assert {target: state for (_, target), (state, _) in undeclared.items()} == {
        "incident:inc-dora": "fail", "incident:inc-gdpr": "fail"}
    assert "reported under gdpr, which the organisation does not declare" in \
        undeclared[("AIR-INC-011", "incident:inc-gdpr")][1]


# --- a stage name that is probably a typo -----------------------------------------------------

def test_misspelt_stage_is_a_warning_with_its_position(capsys, tmp_path):
    typo = incident_doc("inc-typo", timeline={"detected": DETECTED},
                        regulatory=[{"regime": "dora", "stage": "inital",
                                     "notified_at": "2026-11-02T10:00:00Z"},
                                    {"regime": "dora", "stage": "voluntary_threat",
                                     "notified_at": "2026-11-02T10:00:00Z"}])
    root = write_project(tmp_path, {"regulations": ["dora"]}, typo)
    result = run(capsys, "validate", "--project", root)
    assert result.code == 0
    lines = (root / "reports/incidents/inc-typo.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "stage: inital" in text)
    column = lines[line - 1].index("inital") + 1
    assert result.out == (
        f"reports/incidents/inc-typo.yaml:{line}:{column}: [warning] spec.regulatory.0.stage: "
        "'inital' is not a stage of dora (initial, intermediate, final); did you mean "
        "'initial'? As written it meets no deadline (incident)\n")


def test_parse_duration_agrees_with_the_rules():
    assert parse_duration("PT72H") == dt.timedelta(days=3)
    assert add_after(utc(DETECTED), "P60D") == utc("2027-01-01T09:14:00+00:00")
