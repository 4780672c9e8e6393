"""``airready incidents``: response metrics against targets, aggregates, actions, the
recurrence watch, incident validation and the AIR-INC controls.

Metrics (checklist, "Metrics to Track"): time to detect = started -> detected, to contain =
detected -> contained, to remediate = detected -> remediated, to notify stakeholders =
detected -> stakeholders_notified. A metric breaches its target when it is longer than the
target; the checklist's P1 targets (1 h, 4 h, 72 h, 1 h) apply unless the Organization
declares its own. Regulatory clocks are tested in test_regulatory.py.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest
from incidentkit import (
    TIMELINE,
    build_inventory_of,
    check_states,
    evaluate,
    incident_doc,
    incident_entity,
    incidents_json,
    incidents_run,
    org_entity,
    render,
    write_project,
)
from projectkit import run

from airready.postincident.incidents import (
    DEFAULT_TARGETS,
    evidence_gaps,
    metrics,
    overdue_actions,
    recurrence_watch,
    targets_for,
)

TODAY = "2026-11-25"

# The format page's incident: every metric measured, none breached.
INC_A = incident_doc(
    "inc-a", detection_source="automated_monitoring", timeline=TIMELINE,
    evidence=[{"what": "Gateway logs", "location": "s3://f/logs",
               "preserved_at": "2026-11-02T09:40:00Z"}])
# Over the P1 targets for detection (3 h) and containment (by one second); exactly on them
# for notification (1 h) and remediation (72 h), which is no breach.
INC_B = incident_doc(
    "inc-b", detection_source="user_report",
    timeline={"started": "2026-11-05T00:00:00Z", "detected": "2026-11-05T03:00:00Z",
              "stakeholders_notified": "2026-11-05T04:00:00Z",
              "contained": "2026-11-05T07:00:01Z", "remediated": "2026-11-08T03:00:00Z"})
# A P2 with ten days to detect, contained the moment it was detected (PT0S), nobody notified.
INC_C = incident_doc(
    "inc-c", severity="P2", category="data_poisoning",
    timeline={"started": "2026-10-01T00:00:00Z", "detected": "2026-10-11T00:00:00Z",
              "contained": "2026-10-11T00:00:00Z"})


@pytest.fixture
def three(tmp_path):
    return write_project(tmp_path, {}, INC_A, INC_B, INC_C)


def metric_view(item: dict) -> tuple[dict, dict, list]:
    return item["metrics"], item["targets"], item["breaches"]


# --- metrics per incident ---------------------------------------------------------------------

def test_metrics_of_the_format_pages_incident(capsys, three):
    item = incidents_json(capsys, three)["by_ref"]["incident:inc-a"]
    assert metric_view(item) == (
        {"time_to_detect": "PT34M", "time_to_contain": "PT2H16M",
         "time_to_remediate": "P2DT6H46M", "time_to_notify": "PT36M"},
        {"time_to_detect": "PT1H", "time_to_contain": "PT4H",
         "time_to_remediate": "P3D", "time_to_notify": "PT1H"},
        [])
    assert (item["severity"], item["category"], item["models"], item["detection_source"]) == \
        ("P1", "prompt_injection", ["model:bot"], "automated_monitoring")


def test_breaches_are_strictly_longer_than_the_target(capsys, three):
    item = incidents_json(capsys, three)["by_ref"]["incident:inc-b"]
    assert metric_view(item) == (
        {"time_to_detect": "PT3H", "time_to_contain": "PT4H1S",
         "time_to_remediate": "P3D", "time_to_notify": "PT1H"},
        {"time_to_detect": "PT1H", "time_to_contain": "PT4H",
         "time_to_remediate": "P3D", "time_to_notify": "PT1H"},
        [{"metric": "time_to_detect", "value": "PT3H", "target": "PT1H"},
         {"metric": "time_to_contain", "value": "PT4H1S", "target": "PT4H"}])


def test_no_default_targets_below_p1_and_unmeasured_metrics(capsys, three):
    item = incidents_json(capsys, three)["by_ref"]["incident:inc-c"]
    assert metric_view(item) == (
        {"time_to_detect": "P10D", "time_to_contain": "PT0S",
         "time_to_remediate": None, "time_to_notify": None},
        {"time_to_detect": None, "time_to_contain": None,
         "time_to_remediate": None, "time_to_notify": None},
        [])
    assert item["detection_source"] is None


def test_declared_targets_replace_the_defaults_one_by_one(capsys, tmp_path):
    root = write_project(tmp_path, {"targets": {"P1": {"detect": "PT30M"},
                                                "P2": {"detect": "PT4H", "contain": "12h"}}},
                         INC_A, INC_C)
    by_ref = incidents_json(capsys, root)["by_ref"]
    assert metric_view(by_ref["incident:inc-a"])[1:] == (
        {"time_to_detect": "PT30M", "time_to_contain": "PT4H",
         "time_to_remediate": "P3D", "time_to_notify": "PT1H"},
        [{"metric": "time_to_detect", "value": "PT34M", "target": "PT30M"}])
    assert metric_view(by_ref["incident:inc-c"])[1:] == (
        {"time_to_detect": "PT4H", "time_to_contain": "PT12H",
         "time_to_remediate": None, "time_to_notify": None},
        [{"metric": "time_to_detect", "value": "P10D", "target": "PT4H"}])


def test_declared_p1_targets_can_be_looser_than_the_checklist():
    org = org_entity(targets={"P1": {"detect": "P1D", "contain": "PT8H",
                                     "remediate": "P7D", "notify": "PT2H"}})
    found = {m.name: (m.value, m.target, m.breached) for m in metrics(
        incident_entity(timeline=INC_B["spec"]["timeline"]), org)}
    assert found == {
        "time_to_detect": (dt.timedelta(hours=3), dt.timedelta(days=1), False),
        "time_to_contain": (dt.timedelta(hours=4, seconds=1), dt.timedelta(hours=8), False),
        "time_to_remediate": (dt.timedelta(days=3), dt.timedelta(days=7), False),
        "time_to_notify": (dt.timedelta(hours=1), dt.timedelta(hours=2), False),
    }


def test_checklist_defaults():
    assert DEFAULT_TARGETS == {"P1": {"detect": "PT1H", "contain": "PT4H", "remediate": "PT72H",
                                      "notify": "PT1H"}}
    assert targets_for(None, "P1") == {"detect": dt.timedelta(hours=1),
                                       "contain": dt.timedelta(hours=4),
                                       "remediate": dt.timedelta(hours=72),
                                       "notify": dt.timedelta(hours=1)}
    assert targets_for(org_entity(), "P3") == {}


def test_metrics_across_time_zones():
    incident = incident_entity(timeline={"started": "2026-03-29T00:30:00+00:00",
                                         "detected": "2026-03-29T03:10:00+02:00"})
    detect = metrics(incident, None)[0]
    assert (detect.name, detect.value, detect.breached) == \
        ("time_to_detect", dt.timedelta(minutes=40), False)


# --- aggregates -------------------------------------------------------------------------------

def test_means_overall_and_per_severity(capsys, three):
    summary = incidents_json(capsys, three)["summary"]
    assert summary == {
        "incidents": 3,
        # (34 min + 3 h + 10 d) / 3
        "mean_time_to_detect": "P3DT9H11M20S",
        # (2 h 16 min + 4 h 0 min 1 s + 0 s) / 3 = 7520.33 s: the zero counts
        "mean_time_to_contain": "PT2H5M20S",
        "mean_time_to_remediate": "P2DT15H23M",
        "mean_time_to_notify": "PT48M",
        "by_severity": {
            "P1": {"mean_time_to_detect": "PT1H47M", "mean_time_to_contain": "PT3H8M",
                   "mean_time_to_remediate": "P2DT15H23M", "mean_time_to_notify": "PT48M"},
            "P2": {"mean_time_to_detect": "P10D", "mean_time_to_contain": "PT0S",
                   "mean_time_to_remediate": None, "mean_time_to_notify": None},
        },
        "detection_sources": {"automated_monitoring": 1, "user_report": 1, "unknown": 1},
        "breaches": 2,
        "late_notifications": 0,
        "overdue_actions": 0,
    }


def test_text_flags_breaches_and_summarises(capsys, three):
    result = incidents_run(capsys, three)
    assert result.code == 0
    assert result.out.splitlines()[:6] == [
        "incident:inc-a [P1] prompt_injection (model:bot), detected by automated_monitoring",
        "  time_to_detect     PT34M      (target PT1H)",
        "  time_to_contain    PT2H16M    (target PT4H)",
        "  time_to_remediate  P2DT6H46M  (target P3D)",
        "  time_to_notify     PT36M      (target PT1H)",
        "  evidence: no preserved model state",
    ]
    assert "  time_to_detect     PT3H       (target PT1H)  BREACH" in result.out
    assert "  time_to_contain    PT4H1S     (target PT4H)  BREACH" in result.out
    assert "  time_to_remediate  P3D        (target P3D)\n" in result.out
    assert "  time_to_remediate  -         \n" in result.out  # inc-c: not remediated yet
    assert result.out.endswith(
        "3 incidents: mean time to detect P3DT9H11M20S, contain PT2H5M20S, remediate "
        "P2DT15H23M, notify PT48M; 2 target breaches, 0 late notifications, "
        "0 overdue actions\n")


def test_markdown_table(capsys, three):
    result = incidents_run(capsys, three, "--format", "markdown")
    assert result.code == 0
    assert result.out.splitlines()[:7] == [
        "# Incidents",
        "",
        "| incident | severity | detect | contain | remediate | notify | breaches |",
        "|---|---|---|---|---|---|---|",
        "| incident:inc-a | P1 | PT34M | PT2H16M | P2DT6H46M | PT36M | none |",
        "| incident:inc-b | P1 | PT3H | PT4H1S | P3D | PT1H | time_to_detect, "
        "time_to_contain |",
        "| incident:inc-c | P2 | P10D | PT0S | - | - | none |",
    ]


def test_no_incidents(capsys, tmp_path):
    root = write_project(tmp_path, {})
    assert incidents_run(capsys, root).out == "no incident records\n"
    assert incidents_run(capsys, root, "--format", "markdown").out == \
        "# Incidents\n\nNo incident records.\n"
    document = incidents_json(capsys, root)
    assert (document["incidents"], document["summary"]["incidents"]) == ([], 0)
    assert document["summary"]["mean_time_to_detect"] is None


# --- evidence completeness -----------------------------------------------------------------

@pytest.mark.parametrize("evidence, gaps", [
    ([], ["no preserved logs", "no preserved model state", "no preserved attack inputs"]),
    ([{"what": "Gateway and model logs", "location": "s3://f/logs",
       "preserved_at": "2026-11-02T09:40:00Z"},
      {"what": "Model weights snapshot", "location": "s3://f/w",
       "preserved_at": "2026-11-02T09:50:00Z"},
      {"what": "Attack payloads", "location": "s3://f/p",
       "preserved_at": "2026-11-02T10:00:00Z"}], []),
    # not preserved is not evidence; preserved without a place is flagged
    ([{"what": "Gateway logs", "location": "s3://f/logs"},
      {"what": "Injected prompts", "preserved_at": "2026-11-02T10:00:00Z"}],
     ["no preserved logs", "no preserved model state",
      "evidence 'Injected prompts' has no location"]),
])
def test_evidence_gaps(evidence: list, gaps: list):
    assert evidence_gaps(incident_entity(evidence=evidence)) == gaps


# --- remediation actions -------------------------------------------------------------------

ACTIONS = [
    {"title": "overdue open", "owner": "person:bob", "due": "2026-11-24", "status": "open"},
    {"title": "due today", "owner": "person:bob", "due": "2026-11-25", "status": "in_progress"},
    {"title": "overdue in progress", "owner": "team:ml", "due": "2026-11-20",
     "status": "in_progress"},
    {"title": "done late", "owner": "person:bob", "due": "2026-11-01", "status": "done"},
    {"title": "dropped", "owner": "person:bob", "due": "2026-11-01", "status": "cancelled"},
    {"title": "no date", "owner": "person:bob"},
]


def test_overdue_actions_are_open_and_past_their_day():
    incident = incident_entity(actions=ACTIONS)
    assert overdue_actions(incident, dt.date(2026, 11, 25)) == [
        {"title": "overdue open", "owner": "person:bob", "due": "2026-11-24", "status": "open"},
        {"title": "overdue in progress", "owner": "team:ml", "due": "2026-11-20",
         "status": "in_progress"},
    ]
    assert [a["title"] for a in overdue_actions(incident, dt.date(2026, 11, 26))] == \
        ["overdue open", "due today", "overdue in progress"]
    assert overdue_actions(incident, dt.date(2026, 11, 20)) == []


@pytest.fixture
def with_actions(tmp_path):
    return write_project(tmp_path, {}, incident_doc("inc-act", actions=ACTIONS), INC_A)


@pytest.mark.parametrize("today, strict, code, overdue", [
    ("2026-11-25", True, 1, 2),
    ("2026-11-25", False, 0, 2),
    ("2026-11-20", True, 0, 0),   # due that day: not yet overdue
    ("2026-11-21", True, 1, 1),
])
def test_strict_exit_code(capsys, with_actions, today, strict, code, overdue):
    args = ["--strict"] if strict else []
    result = incidents_run(capsys, with_actions, "--format", "json", *args, today=today)
    assert result.code == code, result.err
    assert json.loads(result.out)["summary"]["overdue_actions"] == overdue


def test_strict_reads_today_from_the_environment(capsys, with_actions):
    args = ("incidents", "--project", with_actions, "--strict")
    assert run(capsys, *args, env={"AIRREADY_TODAY": "2026-11-20"}).code == 0
    assert run(capsys, *args, env={"AIRREADY_TODAY": "2026-11-25"}).code == 1


def test_overdue_actions_in_text_and_markdown(capsys, with_actions):
    text = incidents_run(capsys, with_actions).out
    assert ("  OVERDUE action: overdue open (owner person:bob, due 2026-11-24, open)\n"
            "  OVERDUE action: overdue in progress (owner team:ml, due 2026-11-20, "
            "in_progress)\n") in text
    markdown = incidents_run(capsys, with_actions, "--format", "markdown").out
    assert ("## Overdue actions\n\n- incident:inc-act: overdue open (owner person:bob, due "
            "2026-11-24)\n") in markdown


# --- recurrence watch ------------------------------------------------------------------------

@pytest.mark.parametrize("org, closed, until", [
    ({}, "2026-11-10T12:00:00Z", dt.date(2027, 2, 8)),               # 90 days by default
    ({"recurrence_watch": "P30D"}, "2026-11-10T12:00:00Z", dt.date(2026, 12, 10)),
    ({"recurrence_watch": "60d"}, "2026-11-10T12:00:00Z", dt.date(2027, 1, 9)),
    ({}, "2026-11-10T23:30:00-05:00", dt.date(2027, 2, 8)),          # the closing day's own zone
    ({}, None, None),                                                # still open: no watch yet
])
def test_recurrence_watch_ends(org, closed, until):
    incident = incident_entity(timeline={"closed": closed} if closed else {})
    assert recurrence_watch(incident, org_entity(**org)) == until


@pytest.mark.parametrize("today, watching", [("2026-11-25", True), ("2027-02-08", True),
                                             ("2027-02-09", False)])
def test_recurrence_watch_is_listed_until_it_ends(today, watching):
    inventory = build_inventory_of({}, INC_A, INC_B)
    items = {i["ref"]: i for i in json.loads(render(inventory, "json", today))["incidents"]}
    assert (items["incident:inc-a"]["recurrence_watch_until"],
            items["incident:inc-a"]["watching"]) == ("2027-02-08", watching)
    assert (items["incident:inc-b"]["recurrence_watch_until"],
            items["incident:inc-b"]["watching"]) == (None, False)  # still open: no watch yet
    text = render(inventory, "text", today)
    assert ("  recurrence watch until 2027-02-08\n" in text) is watching
    assert text.count("recurrence watch") == watching
    markdown = render(inventory, "markdown", today)
    assert ("## Recurrence watch\n\n- incident:inc-a: enhanced monitoring until 2027-02-08\n"
            in markdown) is watching


def test_declared_watch_through_the_cli(capsys, tmp_path):
    root = write_project(tmp_path, {"recurrence_watch": "P30D"}, INC_A)
    item = incidents_json(capsys, root, today="2026-12-10")["by_ref"]["incident:inc-a"]
    assert (item["recurrence_watch_until"], item["watching"]) == ("2026-12-10", True)


# --- incidents show ---------------------------------------------------------------------------

FULL = incident_doc(
    "inc-full", detection_source="security_team", timeline=TIMELINE,
    entry_point="ticket text", root_cause="tools on untrusted text",
    contributing_factors=["no refund limit"], detection_gap="refunds not monitored",
    impact={"users": 1840, "data_classes": ["pii"], "downstream_actions": "37 refunds"},
    evidence=[{"what": "logs", "location": "s3://f/logs",
               "preserved_at": "2026-11-02T09:40:00Z"}],
    actions=[{"title": "limit refunds", "owner": "person:bob", "due": "2026-12-01"}],
    review={"held": "2026-11-16", "blameless": True, "participants": ["person:ada"]},
    lessons=["cap refunds per session"])


def test_show_text_record(capsys, tmp_path):
    root = write_project(tmp_path, {}, FULL, INC_C)
    lines = incidents_run(capsys, root, "show", "inc-full").out.splitlines()
    start = lines.index("  timeline:")
    assert lines[start:start + 17] == [
        "  timeline:",
        "    started                2026-11-02T08:40:00+00:00",
        "    detected               2026-11-02T09:14:00+00:00",
        "    stakeholders_notified  2026-11-02T09:50:00+00:00",
        "    contained              2026-11-02T11:30:00+00:00",
        "    remediated             2026-11-04T16:00:00+00:00",
        "    closed                 2026-11-10T12:00:00+00:00",
        "  entry point: ticket text",
        "  root cause: tools on untrusted text",
        "  detection gap: refunds not monitored",
        "  contributing factor: no refund limit",
        "  impact: 1,840 users; data pii; downstream: 37 refunds",
        "  evidence item: logs (at s3://f/logs, preserved 2026-11-02T09:40:00+00:00)",
        "  action [open] limit refunds (owner person:bob, due 2026-12-01)",
        "  review held 2026-11-16, blameless, with person:ada",
        "  lesson: cap refunds per session",
        "  recurrence watch: until 2027-02-08 (watching)",
    ]
    assert lines[0] == ("incident:inc-full [P1] prompt_injection (model:bot), detected by "
                        "security_team")
    assert lines[-1].startswith("1 incident: mean time to detect PT34M")


def test_show_marks_what_the_report_lacks(capsys, three):
    out = incidents_run(capsys, three, "show", "incident:inc-c").out
    for line in ("    remediated             NOT RECORDED", "  root cause: NOT RECORDED",
                 "  contributing factors: NOT RECORDED", "  impact: NOT RECORDED",
                 "  actions: NONE", "  review: NOT HELD", "  lessons: NOT RECORDED"):
        assert line + "\n" in out


def test_show_json_and_markdown(capsys, tmp_path):
    root = write_project(tmp_path, {}, FULL, INC_C)
    document = incidents_json(capsys, root, "show", "inc-full")
    (item,) = document["incidents"]
    assert item["ref"] == "incident:inc-full"
    assert item["metrics"]["time_to_detect"] == "PT34M"
    record = item["record"]["spec"]
    assert (record["root_cause"], record["review"]["held"], record["lessons"]) == \
        ("tools on untrusted text", "2026-11-16", ["cap refunds per session"])
    assert record["timeline"]["detected"] == "2026-11-02T09:14:00Z"
    assert document["summary"]["incidents"] == 1
    # --format given to the group applies to show as well
    grouped = run(capsys, "incidents", "--project", root, "--format", "json", "--today", TODAY,
                  "show", "inc-full")
    assert json.loads(grouped.out)["incidents"][0]["record"] == item["record"]
    markdown = incidents_run(capsys, root, "--format", "markdown", "show", "inc-full").out
    assert "\n## incident:inc-full\n\n" in markdown
    assert "\n- root cause: tools on untrusted text\n" in markdown
    assert "\n- lesson: cap refunds per session\n" in markdown


def test_show_unknown_incident(capsys, three):
    result = incidents_run(capsys, three, "show", "inc-aa")
    assert result.code == 2
    assert result.out == ""
    assert "Error: no incident 'inc-aa' (did you mean 'inc-a'?)" in result.err
    far = incidents_run(capsys, three, "show", "quarterly-label-audit-finding")
    assert far.code == 2
    assert "Error: no incident 'quarterly-label-audit-finding'\n" in far.err
    assert "Traceback" not in result.err + far.err


def test_show_suggests_nothing_for_an_unrelated_name(capsys, three):
    result = incidents_run(capsys, three, "show", "something-else")
    assert result.code == 2
    assert "did you mean" not in result.err


def test_show_refuses_other_kinds(capsys, three):
    result = incidents_run(capsys, three, "show", "model:bot")
    assert result.code == 2
    assert "no incident 'model:bot'" in result.err


# --- validation -----------------------------------------------------------------------------

ORG_WITH_SCALE = """\
apiVersion: airready/v1
kind: Organization
metadata: {name: acme}
spec:
  severity_scale: {P1: outage or breach, P2: major, P3: minor, P4: cosmetic}
---
apiVersion: airready/v1
kind: Person
metadata: {name: ada}
---
apiVersion: airready/v1
kind: Model
metadata: {name: support-bot, owner: person:ada}
"""

BAD_TIMELINE = """\
apiVersion: airready/v1
kind: Incident
metadata: {name: inc-bad, owner: person:ada}
spec:
  severity: P5
  category: prompt_injection
  models: [model:support-bot]
  timeline:
    started: 2026-11-02T10:00:00Z
    detected: 2026-11-02T09:14:00Z
    stakeholders_notified: 2026-11-02T09:00:00Z
    contained: 2026-11-02T11:30:00Z
    remediated: 2026-11-02T11:00:00+01:00
    closed: 2026-11-10T12:00:00Z
"""


def bad_project(tmp_path, incident: str, org: str = ORG_WITH_SCALE):
    return write_project(tmp_path, extra={"inventory/org.yaml": org,
                                          "reports/incidents/inc-bad.yaml": incident})


ORDER = "the order is started <= detected <= contained <= remediated <= closed (incident)"
FILE = "reports/incidents/inc-bad.yaml"


def test_timeline_order_and_severity_errors(capsys, tmp_path):
    root = bad_project(tmp_path, BAD_TIMELINE)
    expected = [
        f"{FILE}:10:15: [error] spec.timeline.detected: 2026-11-02T09:14:00+00:00 is before "
        f"started (2026-11-02T10:00:00+00:00); {ORDER}",
        # 11:00+01:00 is 10:00 UTC: before containment at 11:30 UTC
        f"{FILE}:13:17: [error] spec.timeline.remediated: 2026-11-02T11:00:00+01:00 is before "
        f"contained (2026-11-02T11:30:00+00:00); {ORDER}",
        f"{FILE}:11:28: [error] spec.timeline.stakeholders_notified: 2026-11-02T09:00:00+00:00 "
        "is before detected (2026-11-02T09:14:00+00:00); stakeholders are told of an incident "
        "once it is detected (incident)",
        f"{FILE}:5:13: [error] spec.severity: P5 is not in the organisation's severity scale "
        "(P1, P2, P3, P4) (incident)",
    ]
    for command in ("incidents", "validate"):
        result = run(capsys, command, "--project", root)
        assert result.code == 2
        assert result.out.splitlines() == expected
        assert "4 errors" in result.err
    assert run(capsys, "check", "--project", root).code == 2


def test_equal_milestones_are_in_order(capsys, tmp_path):
    same = "2026-11-02T09:14:00Z"
    root = write_project(tmp_path, {}, incident_doc(
        "inc-same", timeline={"started": same, "detected": same, "stakeholders_notified": same,
                              "contained": same, "remediated": same, "closed": same}))
    item = incidents_json(capsys, root)["by_ref"]["incident:inc-same"]
    assert set(item["metrics"].values()) == {"PT0S"}
    assert item["breaches"] == []


def test_order_skips_missing_milestones(capsys, tmp_path):
    incident = BAD_TIMELINE.replace("  severity: P5", "  severity: P2").replace(
        "    detected: 2026-11-02T09:14:00Z\n", "").replace(
        "    stakeholders_notified: 2026-11-02T09:00:00Z\n", "").replace(
        "    contained: 2026-11-02T11:30:00Z\n", "    contained: 2026-11-02T09:30:00Z\n")
    result = run(capsys, "validate", "--project", bad_project(tmp_path, incident))
    # contained is compared with started, the last milestone recorded before it
    assert result.out.splitlines() == [
        f"{FILE}:10:16: [error] spec.timeline.contained: 2026-11-02T09:30:00+00:00 is before "
        f"started (2026-11-02T10:00:00+00:00); {ORDER}"]


def test_any_severity_without_a_declared_scale(capsys, tmp_path):
    org = ORG_WITH_SCALE.replace(
        "spec:\n  severity_scale: {P1: outage or breach, P2: major, P3: minor, P4: cosmetic}\n",
        "spec: {}\n")
    assert "severity_scale" not in org
    incident = "\n".join(BAD_TIMELINE.splitlines()[:7]) + "\n"  # P5, no timeline
    assert run(capsys, "validate", "--project", bad_project(tmp_path, incident, org)).code == 0


def test_timestamps_need_a_time_zone(capsys, tmp_path):
    incident = BAD_TIMELINE.replace("  severity: P5", "  severity: P1").replace(
        "    started: 2026-11-02T10:00:00Z", "    started: 2026-11-02T09:00:00")
    result = run(capsys, "incidents", "--project", bad_project(tmp_path, incident))
    assert result.code == 2
    assert result.out.splitlines()[0] == (
        f"{FILE}:9:14: [error] spec.timeline.started: a timestamp must carry a time zone, e.g. "
        "2026-11-02T09:14:00Z (schema)")


def test_referenced_models_and_people_must_exist(capsys, tmp_path):
    incident = textwrap.dedent("""\
        apiVersion: airready/v1
        kind: Incident
        metadata: {name: inc-bad, owner: person:adaa}
        spec:
          severity: P1
          category: prompt_injection
          models: [model:support-bot, model:suport-bot]
          actions:
            - {title: fix, owner: person:grace, due: 2026-12-01}
        """)
    result = run(capsys, "incidents", "--project", bad_project(tmp_path, incident))
    assert result.code == 2
    assert result.out.splitlines() == [
        f"{FILE}:3:34: [error] metadata.owner: 'person:adaa' does not resolve: no Person named "
        "'adaa' (did you mean 'person:ada'?) (reference)",
        f"{FILE}:7:31: [error] spec.models.1: 'model:suport-bot' does not resolve: no Model "
        "named 'suport-bot' (did you mean 'model:support-bot'?) (reference)",
        f"{FILE}:9:27: [error] spec.actions.0.owner: 'person:grace' does not resolve: no Person "
        "named 'grace' (reference)",
    ]


# --- the AIR-INC controls -----------------------------------------------------------------------

GOOD = incident_doc(
    "inc-good", timeline=TIMELINE, entry_point="ticket text", root_cause="tools on untrusted text",
    contributing_factors=["no refund limit"], detection_gap="refunds not monitored",
    impact={"users": 0, "data_classes": ["pii"], "downstream_actions": "none"},
    regulatory=[{"regime": "gdpr", "notified_at": "2026-11-05T09:14:00Z"}],
    evidence=[{"what": "logs", "location": "s3://f/logs",
               "preserved_at": "2026-11-02T09:40:00Z"}],
    actions=[{"title": "limit refunds", "owner": "person:bob", "due": TODAY, "status": "open"},
             {"title": "old", "owner": "team:ml", "due": "2026-11-01", "status": "done"}],
    review={"held": "2026-11-24", "blameless": True},   # 14 days after closure
    lessons=["cap refunds"])
BAD = incident_doc(
    "inc-bad",
    timeline={"started": "2026-11-02T08:40:00Z", "detected": "2026-11-02T09:14:00Z",
              "closed": "2026-11-10T12:00:00Z"},
    root_cause="tools on untrusted text", detection_gap="refunds not monitored",
    impact={"users": 10, "data_classes": ["pii"]},
    evidence=[{"what": "logs", "location": "s3://f/logs"}],
    actions=[{"title": "limit refunds", "owner": "person:bob", "due": "2026-11-24",
              "status": "in_progress"},
             {"title": "someday"}],
    review={"held": "2026-11-25", "blameless": True})
OPEN = incident_doc("inc-open", timeline={"detected": "2026-11-20T10:00:00Z"})


@pytest.fixture
def controls(tmp_path):
    return write_project(tmp_path, {"regulations": ["gdpr"]}, GOOD, BAD, OPEN)


def test_every_air_inc_control_passes_and_fails(capsys, controls):
    states = check_states(capsys, controls)
    table = {(control, target.removeprefix("incident:")): state
             for (control, target), (state, _) in states.items()}
    ids = [f"AIR-INC-{n:03d}" for n in range(1, 10)]
    assert {c: table[(c, "inc-good")] for c in ids} == dict.fromkeys(ids, "pass")
    assert {c: table[(c, "inc-bad")] for c in ids} == dict.fromkeys(ids, "fail")
    assert {c: table[(c, "inc-open")] for c in ids} == {
        "AIR-INC-001": "not_applicable", "AIR-INC-002": "not_applicable",
        "AIR-INC-003": "not_applicable", "AIR-INC-004": "not_applicable",
        "AIR-INC-005": "fail",            # no actions recorded yet
        "AIR-INC-006": "not_applicable",  # no actions to be overdue
        "AIR-INC-007": "not_applicable",
        "AIR-INC-008": "pass",            # a P1 with no personal data: no GDPR clock
        "AIR-INC-009": "fail",
    }


def test_air_inc_failure_messages(capsys, controls):
    messages = {control: message for (control, target), (state, message)
                in check_states(capsys, controls).items()
                if target == "incident:inc-bad" and state != "not_applicable"}
    prefix = "incident:inc-bad "
    assert messages == {
        # Every missing part is named, not only the first.
        "AIR-INC-001": prefix + "has gaps in its timeline (timeline.stakeholders_notified is "
                                "not set; timeline.contained is not set; timeline.remediated "
                                "is not set)",
        "AIR-INC-002": prefix + "has no recorded root cause or entry point (entry_point is not "
                                "set)",
        "AIR-INC-003": prefix + "names no contributing factors or detection gap "
                                "(contributing_factors is empty, expected at least 1)",
        "AIR-INC-004": prefix + "has an incomplete report (impact.downstream_actions is not "
                                "set; lessons is empty, expected at least 1)",
        "AIR-INC-005": prefix + "does not track its remediation actions with owners and due "
                                "dates (actions.1.owner is not set; actions.1.due is not set)",
        "AIR-INC-006": prefix + "has an overdue remediation action (actions.0.due is "
                                "2026-11-24, which has passed)",
        "AIR-INC-007": prefix + "had no timely blameless review (review.held is 2026-11-25, "
                                "later than timeline.closed + 14 days (2026-11-24))",
        "AIR-INC-008": prefix + "missed a regulatory notification deadline (regulatory gdpr "
                                "notification was due 2026-11-05T09:14:00+00:00, not filed)",
        "AIR-INC-009": prefix + "has no usable preserved evidence (evidence.0.preserved_at is "
                                "not set)",
    }


@pytest.mark.parametrize("closed, review, state", [
    ("2026-11-10T12:00:00Z", {"held": "2026-11-24", "blameless": True}, "pass"),  # day 14
    ("2026-11-10T12:00:00Z", {"held": "2026-11-10", "blameless": True}, "pass"),
    ("2026-11-10T12:00:00Z", {"held": "2026-11-25", "blameless": True}, "fail"),  # day 15
    # closed late on the 10th in New York (the 11th in UTC): judged by the closing day
    ("2026-11-10T22:00:00-05:00", {"held": "2026-11-25", "blameless": True}, "fail"),
    ("2026-11-11T01:00:00+01:00", {"held": "2026-11-25", "blameless": True}, "pass"),
    ("2026-11-10T12:00:00Z", {"held": "2026-11-16", "blameless": False}, "fail"),
    ("2026-11-10T12:00:00Z", {"held": "2026-11-16"}, "fail"),
    ("2026-11-10T12:00:00Z", {"blameless": True}, "fail"),
    ("2026-11-10T12:00:00Z", None, "fail"),
    (None, {"held": "2026-11-16", "blameless": True}, "not_applicable"),  # not closed yet
])
def test_air_inc_007_blameless_review_within_14_days(closed, review, state):
    spec: dict = {"timeline": {"closed": closed} if closed else {}}
    if review is not None:
        spec["review"] = review
    inventory = build_inventory_of({}, incident_doc("inc-r", **spec))
    assert evaluate("AIR-INC-007", inventory, "incident:inc-r")[0] == state


@pytest.mark.parametrize("today, state", [("2026-11-24", "pass"), ("2026-11-25", "fail")])
def test_air_inc_006_agrees_with_incidents_on_the_due_day(today, state):
    inventory = build_inventory_of({}, incident_doc("inc-d", actions=[
        {"title": "a", "owner": "person:bob", "due": "2026-11-24", "status": "open"},
        {"title": "b", "owner": "person:bob"}]))   # no date: AIR-INC-005's finding, not this
    assert evaluate("AIR-INC-006", inventory, "incident:inc-d", today)[0] == state
    overdue = overdue_actions(inventory.entities["incident:inc-d"], dt.date.fromisoformat(today))
    assert len(overdue) == (1 if state == "fail" else 0)


@pytest.mark.parametrize("control, spec, state", [
    ("AIR-INC-001", {"timeline": TIMELINE}, "pass"),
    ("AIR-INC-001", {"timeline": {**TIMELINE, "remediated": None}}, "fail"),
    ("AIR-INC-002", {"timeline": TIMELINE, "root_cause": "r", "entry_point": "e"}, "pass"),
    ("AIR-INC-002", {"timeline": TIMELINE, "root_cause": "r"}, "fail"),
    ("AIR-INC-003", {"timeline": TIMELINE, "contributing_factors": ["c"],
                     "detection_gap": "g"}, "pass"),
    ("AIR-INC-003", {"timeline": TIMELINE, "contributing_factors": ["c"]}, "fail"),
    ("AIR-INC-004", {"timeline": TIMELINE, "impact": {"users": 0, "downstream_actions": "none"},
                     "lessons": ["l"]}, "pass"),
    ("AIR-INC-004", {"timeline": TIMELINE, "impact": {"users": 3, "downstream_actions": "d"}},
     "fail"),
    ("AIR-INC-004", {"timeline": TIMELINE, "impact": {"downstream_actions": "d"},
                     "lessons": ["l"]}, "fail"),
    ("AIR-INC-005", {"actions": [{"title": "t", "owner": "team:ml", "due": "2027-01-01"}]},
     "pass"),
    ("AIR-INC-005", {"actions": [{"title": "t", "owner": "person:bob"}]}, "fail"),
    ("AIR-INC-005", {}, "fail"),
    ("AIR-INC-006", {"actions": [{"title": "t", "due": "2026-01-01", "status": "cancelled"}]},
     "pass"),
    ("AIR-INC-006", {"actions": [{"title": "t", "due": "2026-11-20",
                                  "status": "in_progress"}]}, "fail"),
    ("AIR-INC-009", {"evidence": [{"what": "logs", "location": "s3://f",
                                   "preserved_at": "2026-11-02T09:40:00Z"}]}, "pass"),
    ("AIR-INC-009", {"evidence": [{"what": "logs", "preserved_at": "2026-11-02T09:40:00Z"}]},
     "fail"),
    ("AIR-INC-009", {}, "fail"),
])
def test_air_inc_controls_one_field_at_a_time(control, spec, state):
    if "timeline" in spec:
        spec = {**spec, "timeline": {k: v for k, v in spec["timeline"].items() if v}}
    inventory = build_inventory_of({}, incident_doc("inc-x", **spec))
    assert evaluate(control, inventory, "incident:inc-x")[0] == state


def test_today_must_be_a_date(capsys, three):
    result = incidents_run(capsys, three, "--strict", today="2026-13-01")
    assert result.code == 2
    assert "airready: error: --today: '2026-13-01' is not a date (YYYY-MM-DD)" in result.err
