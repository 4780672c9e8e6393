"""The check language: every operator and combinator passes and fails with exact evidence.

Each case builds a tiny inventory in memory, compiles one condition as a control's
``check`` would be, and evaluates it on the first entity (or a named one) with the
audit date fixed to 2026-11-25.  The evidence text is what users read in a finding,
so it is asserted word for word, together with where the deciding value sits.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import pytest
import yaml

from airready.inventory.model import Inventory
from airready.inventory.validate import build_inventory
from airready.inventory.yamlsource import parse_text
from airready.rules.conditions import (
    FIELD_OPERATORS,
    OPERATORS,
    ConditionError,
    Context,
    EvaluationError,
    Outcome,
    Scope,
    compile_condition,
)

TODAY = dt.date(2026, 11, 25)
SHA = "sha256:" + "ab" * 32
CHECKSUM = {"path": "spec.rollback.artifact_checksum", "matches": "^sha256:[0-9a-f]{64}$"}


# --- building inventories ---------------------------------------------------------------------

def inventory(*docs: dict[str, Any]) -> Inventory:
    full = [{"apiVersion": "airready/v1", **doc} for doc in docs]
    sources, problems = parse_text(yaml.safe_dump_all(full, sort_keys=False), "t.yaml")
    assert problems == []
    built, problems = build_inventory(sources)
    # Cases are small: references to entities they leave out are fine, nothing else is.
    assert [p for p in problems if p.code != "reference"] == []
    return built


def model(name: str = "bot", **spec: Any) -> dict[str, Any]:
    return {"kind": "Model", "metadata": {"name": name, "owner": "team:ml"}, "spec": spec}


def org(**spec: Any) -> dict[str, Any]:
    return {"kind": "Organization", "metadata": {"name": "acme"}, "spec": spec}


def person(name: str, external: bool = False, **spec: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if external:
        metadata["external"] = True
    return {"kind": "Person", "metadata": metadata, "spec": spec}


def entity(kind: str, name: str, owner: str | None = None, **spec: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if owner:
        metadata["owner"] = owner
    return {"kind": kind, "metadata": metadata, "spec": spec}


def playbook(name: str, scenario: str = "prompt_injection", **spec: Any) -> dict[str, Any]:
    return entity("Playbook", name, owner="team:sec", scenario=scenario, **spec)


def incident(**spec: Any) -> dict[str, Any]:
    return entity("Incident", "inc-1", severity="P2", category="data_leakage", **spec)


def risk(**spec: Any) -> dict[str, Any]:
    return entity("Risk", "r1", owner="team:sec", title="t", likelihood=2, impact=3, **spec)


def evaluate(condition: dict[str, Any], *docs: dict[str, Any], target: str | None = None,
             today: dt.date = TODAY) -> Outcome:
    built = inventory(*docs)
    ref = target or next(iter(built.entities))
    check = compile_condition(condition, ("check",))
    return check(Scope(built.get(ref), ref, ()), Context(built, today, ref))


def S(*steps: str | int) -> tuple[str | int, ...]:  # noqa: N802 - reads as a path literal
    return ("spec", *steps)


# --- every operator: a pass and a fail, evidence word for word --------------------------------

CASES: list[tuple[str, dict[str, Any], list[dict[str, Any]], bool, str, tuple[Any, ...]]] = [
    # exists
    ("exists-pass", {"path": "spec.rollback.procedure", "exists": True},
     [model(rollback={"procedure": "https://wiki/rb"})],
     True, "rollback.procedure is https://wiki/rb", S("rollback", "procedure")),
    ("exists-fail", {"path": "spec.rollback.procedure", "exists": True},
     [model(rollback={"known_good_version": "1.2"})],
     False, "rollback.procedure is not set", S("rollback", "procedure")),
    ("exists-false-pass", {"path": "spec.rollback.procedure", "exists": False},
     [model()], True, "rollback.procedure is not set", S("rollback", "procedure")),
    ("exists-false-fail", {"path": "spec.rollback.procedure", "exists": False},
     [model(rollback={"procedure": "https://wiki/rb"})],
     False, "rollback.procedure is https://wiki/rb, expected none",
     S("rollback", "procedure")),
    ("exists-empty-list", {"path": "spec.training_data", "exists": True},
     [model(training_data=[])], False, "training_data is not set", S("training_data")),
    # A block written as {} holds nothing: it does not "exist" any more than [] does.
    ("exists-empty-block", {"path": "spec.containment", "exists": True},
     [model(containment={})], False, "containment is not set", S("containment")),
    ("exists-block-pass", {"path": "spec.containment", "exists": True},
     [model(containment={"kill_switch": False})], True, "containment is set", S("containment")),
    # equals
    ("equals-pass", {"path": "spec.logging.inputs", "equals": True},
     [model(logging={"inputs": True})], True, "logging.inputs is true", S("logging", "inputs")),
    ("equals-fail", {"path": "spec.logging.inputs", "equals": True},
     [model(logging={"inputs": False})],
     False, "logging.inputs is false, expected true", S("logging", "inputs")),
    ("equals-unset", {"path": "spec.logging.user_attribution", "equals": True},
     [model(logging={"inputs": True})],
     False, "logging.user_attribution is not set, expected true",
     S("logging", "user_attribution")),
    ("equals-user-attribution", {"path": "spec.logging.user_attribution", "equals": True},
     [model(logging={"user_attribution": False})],
     False, "logging.user_attribution is false, expected true",
     S("logging", "user_attribution")),
    # Python's True == 1 must not leak into the language.
    ("equals-bool-is-not-one", {"path": "spec.logging.retention_days", "equals": True},
     [model(logging={"retention_days": 1})],
     False, "logging.retention_days is 1, expected true", S("logging", "retention_days")),
    # not_equals
    ("not-equals-pass", {"path": "spec.lifecycle", "not_equals": "retired"},
     [model(lifecycle="production")], True, "lifecycle is production", S("lifecycle")),
    ("not-equals-fail", {"path": "spec.lifecycle", "not_equals": "retired"},
     [model(lifecycle="retired")],
     False, "lifecycle is retired, expected anything else", S("lifecycle")),
    ("not-equals-unset", {"path": "spec.lifecycle", "not_equals": "retired"},
     [model()], False, "lifecycle is not set", S("lifecycle")),
    # in
    ("in-pass", {"path": "spec.stage", "in": ["production", "staging"]},
     [entity("Environment", "stg", stage="staging")], True, "stage is staging", S("stage")),
    ("in-fail", {"path": "spec.stage", "in": ["production", "staging"]},
     [entity("Environment", "dev", stage="dev")],
     False, "stage is dev, expected one of production, staging", S("stage")),
    ("in-unset", {"path": "spec.stage", "in": ["production", "staging"]},
     [entity("Environment", "dev")],
     False, "stage is not set, expected one of production, staging", S("stage")),
    ("in-bool-is-not-zero", {"path": "spec.containment.kill_switch", "in": [0]},
     [model(containment={"kill_switch": False})],
     False, "containment.kill_switch is false, expected one of 0",
     S("containment", "kill_switch")),
    # not_in
    ("not-in-pass", {"path": "spec.risk_tier", "not_in": ["high"]},
     [model(risk_tier="low")], True, "risk_tier is low", S("risk_tier")),
    ("not-in-fail", {"path": "spec.risk_tier", "not_in": ["high"]},
     [model(risk_tier="high")], False, "risk_tier is high, expected none of high", S("risk_tier")),
    ("not-in-absent-passes", {"path": "spec.risk_tier", "not_in": ["high"]},
     [model()], True, "risk_tier is not set", S("risk_tier")),
    # min
    ("min-pass", {"path": "spec.logging.retention_days", "min": 365},
     [model(logging={"retention_days": 400})],
     True, "logging.retention_days is 400", S("logging", "retention_days")),
    ("min-fail", {"path": "spec.logging.retention_days", "min": 365},
     [model(logging={"retention_days": 30})],
     False, "logging.retention_days is 30, expected at least 365",
     S("logging", "retention_days")),
    ("min-unset", {"path": "spec.logging.retention_days", "min": 365},
     [model()], False, "logging is not set", S("logging", "retention_days")),
    ("min-unset-leaf", {"path": "spec.logging.retention_days", "min": 365},
     [model(logging={"inputs": True})], False,
     "logging.retention_days is not set, expected a number of at least 365",
     S("logging", "retention_days")),
    # max
    ("max-pass", {"path": "spec.rotation_days", "max": 90},
     [entity("Credential", "key", rotation_days=30)], True, "rotation_days is 30",
     S("rotation_days")),
    ("max-fail", {"path": "spec.rotation_days", "max": 90},
     [entity("Credential", "key", rotation_days=365)],
     False, "rotation_days is 365, expected at most 90", S("rotation_days")),
    ("max-unset", {"path": "spec.rotation_days", "max": 90},
     [entity("Credential", "key")],
     False, "rotation_days is not set, expected a number of at most 90", S("rotation_days")),
    # count_min / count_max
    ("count-min-pass", {"path": "spec.steps", "count_min": 3},
     [playbook("pi", steps=["a", "b", "c", "d", "e"])],
     True, "steps is [a, b, c, d, e]", S("steps")),
    ("count-min-fail", {"path": "spec.steps", "count_min": 3},
     [playbook("pi", steps=["a"])], False, "steps has 1 entry, expected at least 3", S("steps")),
    ("count-min-mapping", {"path": "spec.roles", "count_min": 2},
     [org(roles={"incident_commander": {"primary": "person:ada"}})],
     False, "roles has 1 entry, expected at least 2", S("roles")),
    # A block counts the keys written in the YAML, like any mapping.
    ("count-min-block", {"path": "spec.containment", "count_min": 2},
     [model(containment={"kill_switch": True, "rate_limiting": False})],
     True, "containment is set", S("containment")),
    ("count-max-pass", {"path": "spec.credentials", "count_max": 2},
     [model(credentials=["credential:a"])], True, "credentials is [credential:a]",
     S("credentials")),
    ("count-max-absent", {"path": "spec.credentials", "count_max": 2},
     [model()], True, "credentials is empty", S("credentials")),
    ("count-max-fail", {"path": "spec.credentials", "count_max": 2},
     [model(credentials=[f"credential:c{i}" for i in range(4)])],
     False, "credentials has 4 entries, expected at most 2", S("credentials")),
    # matches
    ("matches-pass", CHECKSUM,
     [model(rollback={"artifact_checksum": SHA})],
     True, f"rollback.artifact_checksum is {SHA}", S("rollback", "artifact_checksum")),
    ("matches-fail", CHECKSUM,
     [model(rollback={"artifact_checksum": "md5:abc"})],
     False, "rollback.artifact_checksum is md5:abc, expected to match ^sha256:[0-9a-f]{64}$",
     S("rollback", "artifact_checksum")),
    ("matches-unset", {"path": "spec.version", "matches": "^v"},
     [model()], False, "version is not set, expected to match ^v", S("version")),
    # within
    ("within-pass", {"path": "spec.rollback.last_tested", "within": "P90D"},
     [model(rollback={"last_tested": "2026-10-26"})],
     True, "rollback.last_tested is 2026-10-26", S("rollback", "last_tested")),
    ("within-boundary", {"path": "spec.rollback.last_tested", "within": "P90D"},
     [model(rollback={"last_tested": "2026-08-27"})],
     True, "rollback.last_tested is 2026-08-27", S("rollback", "last_tested")),
    ("within-fail", {"path": "spec.rollback.last_tested", "within": "P90D"},
     [model(rollback={"last_tested": "2026-05-09"})],
     False, "rollback.last_tested is 2026-05-09, older than 90 days",
     S("rollback", "last_tested")),
    ("within-short-form", {"path": "spec.rollback.last_tested", "within": "90d"},
     [model(rollback={"last_tested": "2026-08-26"})],
     False, "rollback.last_tested is 2026-08-26, older than 90 days",
     S("rollback", "last_tested")),
    ("within-unset", {"path": "spec.rollback.last_tested", "within": "P90D"},
     [model()], False, "rollback is not set",
     S("rollback", "last_tested")),
    # A span shorter than a day is not "0 days".
    ("within-hours", {"path": "spec.rollback.last_tested", "within": "PT12H"},
     [model(rollback={"last_tested": "2026-11-24"})],
     False, "rollback.last_tested is 2026-11-24, older than PT12H",
     S("rollback", "last_tested")),
    ("within-timestamp", {"path": "spec.timeline.detected", "within": "P1D"},
     [entity("Incident", "i1", severity="P1", category="prompt_injection",
             timeline={"detected": "2026-11-20T09:00:00Z"})],
     False, "timeline.detected is 2026-11-20T09:00:00+00:00, older than 1 day",
     S("timeline", "detected")),
    # A date after the audit day is a plan, never evidence.
    ("within-future", {"path": "spec.rollback.last_tested", "within": "P90D"},
     [model(rollback={"last_tested": "2026-12-20"})],
     False, "rollback.last_tested is 2026-12-20, which is in the future",
     S("rollback", "last_tested")),
    ("within-zero-days", {"path": "spec.rollback.last_tested", "within": "P0D"},
     [model(rollback={"last_tested": "2026-11-24"})],
     False, "rollback.last_tested is 2026-11-24, which has passed",
     S("rollback", "last_tested")),
    # not_past
    ("not-past-pass", {"path": "spec.review_by", "not_past": True},
     [risk(review_by="2026-12-25")], True, "review_by is 2026-12-25", S("review_by")),
    ("not-past-today", {"path": "spec.review_by", "not_past": True},
     [risk(review_by="2026-11-25")], True, "review_by is 2026-11-25", S("review_by")),
    ("not-past-fail", {"path": "spec.review_by", "not_past": True},
     [risk(review_by="2026-11-24")], False, "review_by is 2026-11-24, which has passed",
     S("review_by")),
    # describe words the expectation instead of the operator's terms
    ("matches-described", {"path": "spec.rollback.artifact_checksum", "matches": "^sha256:",
                           "describe": "a sha256 checksum"},
     [model(rollback={"artifact_checksum": "md5:abc"})], False,
     "rollback.artifact_checksum is md5:abc, expected a sha256 checksum",
     S("rollback", "artifact_checksum")),
    # older_than
    ("older-than-pass", {"path": "spec.last_rotated", "older_than": "P1D"},
     [entity("Credential", "key", last_rotated="2026-11-18")],
     True, "last_rotated is 2026-11-18", S("last_rotated")),
    ("older-than-fail", {"path": "spec.last_rotated", "older_than": "P1D"},
     [entity("Credential", "key", last_rotated="2026-11-25")],
     False, "last_rotated is 2026-11-25, expected older than 1 day", S("last_rotated")),
    ("older-than-unset", {"path": "spec.last_rotated", "older_than": "P7D"},
     [entity("Credential", "key")], False, "last_rotated is not set, expected a date",
     S("last_rotated")),
    # after_today
    ("after-today-pass", {"path": "spec.review_by", "after_today": True},
     [risk(review_by="2026-12-25")], True, "review_by is 2026-12-25", S("review_by")),
    ("after-today-fail", {"path": "spec.review_by", "after_today": True},
     [risk(review_by="2026-10-01")], False, "review_by is 2026-10-01, which has passed",
     S("review_by")),
    ("after-today-today", {"path": "spec.review_by", "after_today": True},
     [risk(review_by="2026-11-25")], False, "review_by is 2026-11-25, which is today",
     S("review_by")),
    ("after-today-false-pass", {"path": "spec.review_by", "after_today": False},
     [risk(review_by="2026-10-01")], True, "review_by is 2026-10-01", S("review_by")),
    ("after-today-false-fail", {"path": "spec.review_by", "after_today": False},
     [risk(review_by="2026-12-25")], False, "review_by is 2026-12-25, which is still ahead",
     S("review_by")),
    ("after-today-unset", {"path": "spec.review_by", "after_today": True},
     [risk()], False, "review_by is not set, expected a date", S("review_by")),
    # A timestamp later today is still today, not after it (as for a plain date).
    ("after-today-timestamp", {"path": "spec.timeline.closed", "after_today": True},
     [entity("Incident", "i1", severity="P1", category="prompt_injection",
             timeline={"closed": "2026-11-25T23:00:00Z"})],
     False, "timeline.closed is 2026-11-25T23:00:00+00:00, which is today",
     S("timeline", "closed")),
    # contains
    ("contains-pass", {"path": "spec.monitoring.alerts", "contains": "output_drift"},
     [model(monitoring={"alerts": ["output_drift", "latency"]})],
     True, "monitoring.alerts is [output_drift, latency]", S("monitoring", "alerts")),
    ("contains-fail", {"path": "spec.monitoring.alerts", "contains": "output_drift"},
     [model(monitoring={"alerts": ["latency"]})],
     False, "monitoring.alerts is [latency], expected to contain output_drift",
     S("monitoring", "alerts")),
    ("contains-unset", {"path": "spec.monitoring.alerts", "contains": "output_drift"},
     [model()], False, "monitoring is not set",
     S("monitoring", "alerts")),
    ("contains-target", {"path": "spec.applies_to", "contains": "$target"},
     [playbook("pi", applies_to=["model:bot"])],
     False, "applies_to is [model:bot], expected to contain playbook:pi", S("applies_to")),
    # contains_all
    ("contains-all-pass", {"path": "spec.skills", "contains_all": ["ml", "security"]},
     [person("ada", skills=["ml", "security", "legal"])],
     True, "skills is [ml, security, legal]", S("skills")),
    ("contains-all-fail", {"path": "spec.skills", "contains_all": ["ml", "security"]},
     [person("ada", skills=["ml"])], False, "skills lacks security", S("skills")),
    ("contains-all-mapping", {"path": "spec.roles",
                              "contains_all": ["incident_commander", "legal_advisor"]},
     [org(roles={"incident_commander": {"primary": "person:ada"}})],
     False, "roles lacks legal_advisor", S("roles")),
    # A block's keys are its fields written in the YAML.
    ("contains-all-block", {"path": "spec.containment",
                            "contains_all": ["kill_switch", "rate_limiting"]},
     [model(containment={"kill_switch": True})],
     False, "containment lacks rate_limiting", S("containment")),
    # duration_max
    ("duration-max-pass", {"path": "spec.targets.P1.detect", "duration_max": "PT1H"},
     [org(targets={"P1": {"detect": "PT30M"}})],
     True, "targets.P1.detect is PT30M", S("targets", "P1", "detect")),
    ("duration-max-fail", {"path": "spec.targets.P1.detect", "duration_max": "PT1H"},
     [org(targets={"P1": {"detect": "PT4H"}})],
     False, "targets.P1.detect is PT4H, longer than PT1H", S("targets", "P1", "detect")),
    ("duration-max-short-form", {"path": "spec.targets.P1.detect", "duration_max": "1h"},
     [org(targets={"P1": {"detect": "90m"}})],
     False, "targets.P1.detect is 90m, longer than PT1H", S("targets", "P1", "detect")),
    ("duration-max-unset", {"path": "spec.targets.P1.detect", "duration_max": "PT1H"},
     [org()], False, "targets.P1 is not set",
     S("targets", "P1", "detect")),
    # field operators: compare with another field of the same scope
    ("differs-from-pass", {"path": "spec.roles.*", "each": {"path": "backup",
                                                            "differs_from": "primary"}},
     [org(roles={"incident_commander": {"primary": "person:ada", "backup": "person:bo"}})],
     True, "roles.incident_commander.backup is person:bo",
     S("roles", "incident_commander", "backup")),
    ("differs-from-fail", {"path": "spec.roles.*", "each": {"path": "backup",
                                                            "differs_from": "primary"}},
     [org(roles={"incident_commander": {"primary": "person:ada", "backup": "person:ada"}})],
     False, "roles.incident_commander.backup is person:ada, the same as primary",
     S("roles", "incident_commander", "backup")),
    ("differs-from-unset", {"path": "spec.logging.store", "differs_from": "spec.base_model"},
     [model()], False, "logging is not set", S("logging", "store")),
    ("not-in-field-pass", {"path": "spec.logging.store", "not_in_field": "spec.data_access"},
     [model(logging={"store": "datastore:logs"}, data_access=["datastore:crm"])],
     True, "logging.store is datastore:logs", S("logging", "store")),
    ("not-in-field-fail", {"path": "spec.logging.store", "not_in_field": "spec.data_access"},
     [model(logging={"store": "datastore:crm"}, data_access=["datastore:crm"])],
     False, "logging.store is datastore:crm, which is also in data_access",
     S("logging", "store")),
    ("in-field-pass", {"path": "spec.logging.store", "in_field": "spec.data_access"},
     [model(logging={"store": "datastore:crm"}, data_access=["datastore:crm"])],
     True, "logging.store is datastore:crm", S("logging", "store")),
    ("in-field-fail", {"path": "spec.logging.store", "in_field": "spec.data_access"},
     [model(logging={"store": "datastore:logs"}, data_access=["datastore:crm"])],
     False, "logging.store is datastore:logs, which is not in data_access",
     S("logging", "store")),
    # no_later_than: a date or time no later than another field, plus a grace period
    ("no-later-than-pass", {"path": "spec.review.held",
                            "no_later_than": "spec.timeline.closed + P14D"},
     [incident(timeline={"closed": "2026-11-10T12:00:00Z"}, review={"held": "2026-11-20"})],
     True, "review.held is 2026-11-20", S("review", "held")),
    ("no-later-than-fail", {"path": "spec.review.held",
                            "no_later_than": "spec.timeline.closed + P14D"},
     [incident(timeline={"closed": "2026-11-10T12:00:00Z"}, review={"held": "2026-11-25"})],
     False, "review.held is 2026-11-25, later than timeline.closed + 14 days (2026-11-24)",
     S("review", "held")),
    ("no-later-than-future", {"path": "spec.review.held",
                              "no_later_than": "spec.timeline.closed + P14D"},
     [incident(timeline={"closed": "2026-11-20T12:00:00Z"}, review={"held": "2026-12-01"})],
     False, "review.held is 2026-12-01, which is in the future", S("review", "held")),
    # Between two times a grace of hours counts to the minute, not to the day.
    ("no-later-than-hours-pass", {"path": "spec.timeline.contained",
                                  "no_later_than": "spec.timeline.detected + PT4H"},
     [incident(timeline={"detected": "2026-11-02T09:00:00Z",
                         "contained": "2026-11-02T12:30:00Z"})],
     True, "timeline.contained is 2026-11-02T12:30:00+00:00", S("timeline", "contained")),
    ("no-later-than-hours-fail", {"path": "spec.timeline.contained",
                                  "no_later_than": "spec.timeline.detected + PT4H"},
     [incident(timeline={"detected": "2026-11-02T09:00:00Z",
                         "contained": "2026-11-02T15:00:00Z"})],
     False, "timeline.contained is 2026-11-02T15:00:00+00:00, later than timeline.detected "
            "+ PT4H (2026-11-02T13:00:00+00:00)", S("timeline", "contained")),
    ("no-later-than-no-grace", {"path": "spec.timeline.closed",
                                "no_later_than": "spec.timeline.detected"},
     [incident(timeline={"detected": "2026-11-02T09:00:00Z", "closed": "2026-11-01T09:00:00Z"})],
     True, "timeline.closed is 2026-11-01T09:00:00+00:00", S("timeline", "closed")),
    ("no-later-than-no-limit", {"path": "spec.review.held",
                                "no_later_than": "spec.timeline.closed + P14D"},
     [incident(review={"held": "2026-11-20"})],
     False, "review.held cannot be judged: timeline.closed is not set", S("review", "held")),
    ("no-later-than-unset", {"path": "spec.review.held",
                             "no_later_than": "spec.timeline.closed + P14D"},
     [incident(timeline={"closed": "2026-11-10T12:00:00Z"})],
     False, "review is not set", S("review", "held")),
    # regulatory_on_time: the incident's clocks, from the regulations shipped with airready
    ("regulatory-on-time-pass", {"path": "spec.regulatory", "regulatory_on_time": True},
     [incident(timeline={"detected": "2026-11-02T09:14:00Z"}, impact={"data_classes": ["pii"]},
               regulatory=[{"regime": "gdpr", "notified_at": "2026-11-03T10:00:00Z"}]),
      org(regulations=["gdpr"])],
     True, "regulatory is 1 entry", S("regulatory")),
    ("regulatory-on-time-fail", {"path": "spec.regulatory", "regulatory_on_time": True},
     [incident(timeline={"detected": "2026-11-02T09:14:00Z"}, impact={"data_classes": ["pii"]},
               regulatory=[{"regime": "gdpr", "notified_at": "2026-11-06T10:00:00Z"}]),
      org(regulations=["gdpr"])],
     False, "regulatory gdpr notification was due 2026-11-05T09:14:00+00:00, filed "
            "2026-11-06T10:00:00+00:00", S("regulatory")),
    ("regulatory-on-time-undeclared", {"path": "spec.regulatory", "regulatory_on_time": True},
     [incident(timeline={"detected": "2026-11-02T09:14:00Z"}, impact={"data_classes": ["pii"]},
               regulatory=[{"regime": "gdpr", "notified_at": "2026-11-06T10:00:00Z"}]),
      org()],
     # Reported under a regime the organisation does not declare: judged by it anyway.
     False, "regulatory gdpr notification was due 2026-11-05T09:14:00+00:00, filed "
            "2026-11-06T10:00:00+00:00", S("regulatory")),
    ("regulatory-on-time-not-an-incident", {"path": "spec.regulatory",
                                            "regulatory_on_time": True},
     [model()], False, "regulatory applies to incidents only", S("regulatory")),
    # duration_min
    ("duration-min-pass", {"path": "spec.recurrence_watch", "duration_min": "P30D"},
     [org(recurrence_watch="P60D")], True, "recurrence_watch is P60D", S("recurrence_watch")),
    ("duration-min-fail", {"path": "spec.recurrence_watch", "duration_min": "P30D"},
     [org(recurrence_watch="P1D")], False, "recurrence_watch is P1D, shorter than P30D",
     S("recurrence_watch")),
    ("duration-min-unset", {"path": "spec.recurrence_watch", "duration_min": "P30D"},
     [org()], False, "recurrence_watch is not set, expected a duration of at least P30D",
     S("recurrence_watch")),
    # within_targets: the P1 defaults, or the organisation's own targets
    ("within-targets-pass", {"path": "spec.timeline", "within_targets": True},
     [entity("Incident", "inc-1", severity="P1", category="prompt_injection",
             timeline={"started": "2026-11-02T08:40:00Z", "detected": "2026-11-02T09:29:00Z",
                       "stakeholders_notified": "2026-11-02T10:00:00Z",
                       "contained": "2026-11-02T11:00:00Z",
                       "remediated": "2026-11-04T09:00:00Z"}),
      org()], True, "timeline is set", S("timeline")),
    ("within-targets-closed", {"path": "spec.timeline", "within_targets": True},
     [entity("Incident", "inc-1", severity="P1", category="prompt_injection",
             timeline={"started": "2026-11-02T08:40:00Z", "detected": "2026-11-02T09:29:00Z",
                       "closed": "2026-11-02T12:00:00Z"}),
      org()], True, "timeline is set", S("timeline")),
    ("within-targets-fail", {"path": "spec.timeline", "within_targets": True},
     [entity("Incident", "inc-1", severity="P1", category="prompt_injection",
             timeline={"started": "2026-11-02T06:00:00Z", "detected": "2026-11-02T09:00:00Z",
                       "contained": "2026-11-02T14:00:00Z"}), org()],
     # Still open on the audit day: remediation and notification are past their due times.
     False, "timeline shows the P1 targets missed: time to detect PT3H (target PT1H), "
            "time to contain PT5H (target PT4H), time to remediate not reached, due "
            "2026-11-05T09:00:00+00:00 (target P3D), time to notify not reached, due "
            "2026-11-02T10:00:00+00:00 (target PT1H)", S("timeline")),
    ("within-targets-declared", {"path": "spec.timeline", "within_targets": True},
     [entity("Incident", "inc-1", severity="P2", category="prompt_injection",
             timeline={"started": "2026-11-02T06:00:00Z", "detected": "2026-11-02T09:00:00Z"}),
      org(targets={"P2": {"detect": "PT2H"}})],
     False, "timeline shows the P2 targets missed: time to detect PT3H (target PT2H)",
     S("timeline")),
    ("within-targets-none-set", {"path": "spec.timeline", "within_targets": True},
     [entity("Incident", "inc-1", severity="P3", category="prompt_injection",
             timeline={"started": "2026-10-02T06:00:00Z", "detected": "2026-11-02T09:00:00Z"}),
      org()], True, "timeline is set", S("timeline")),
    ("within-targets-not-an-incident", {"path": "spec.timeline", "within_targets": True},
     [model()], False, "timeline applies to incidents only", S("timeline")),
    # since_last_change
    ("since-last-change-pass", {"path": "spec.adversarial_testing", "since_last_change": True},
     [model(fine_tuning=[{"date": "2026-08-18", "dataset": "dataset:d"}],
            adversarial_testing=[{"date": "2026-07-20"}, {"date": "2026-08-25"}])],
     True, "adversarial_testing is 2 entries", S("adversarial_testing")),
    ("since-last-change-fail", {"path": "spec.adversarial_testing", "since_last_change": True},
     [model(fine_tuning=[{"date": "2026-06-01", "dataset": "dataset:d"},
                         {"date": "2026-08-18", "dataset": "dataset:d"}],
            adversarial_testing=[{"date": "2026-07-20"}])],
     False, "adversarial_testing has nothing on or after 2026-08-18 (the last change, "
            "fine_tuning.1.date); the latest is 2026-07-20", S("adversarial_testing")),
    ("since-last-change-deployed", {"path": "spec.adversarial_testing",
                                    "since_last_change": True},
     [model(artifact={"deployed": "2026-10-01"})],
     False, "adversarial_testing has nothing on or after 2026-10-01 (the last change, "
            "artifact.deployed); there is none", S("adversarial_testing")),
    ("since-last-change-unknown", {"path": "spec.adversarial_testing",
                                   "since_last_change": True},
     [model(adversarial_testing=[{"date": "2025-09-01"}])],
     False, "adversarial_testing has nothing on or after 2025-11-25 (a year ago; no change "
            "date is on file); the latest is 2025-09-01", S("adversarial_testing")),
    # reviewed_after_incidents: the lessons of a closed incident of the playbook's scenario
    ("reviewed-after-incidents-pass", {"path": "spec.last_reviewed",
                                       "reviewed_after_incidents": "P30D"},
     [playbook("pi", last_reviewed="2026-11-03", applies_to=["model:bot"]),
      entity("Incident", "inc-7", severity="P1", category="prompt_injection",
             models=["model:bot"], timeline={"closed": "2026-10-20T16:00:00Z"},
             review={"held": "2026-10-27"})],
     True, "last_reviewed is 2026-11-03", S("last_reviewed")),
    ("reviewed-after-incidents-fail", {"path": "spec.last_reviewed",
                                       "reviewed_after_incidents": "P30D"},
     [playbook("pi", last_reviewed="2026-09-30"),
      entity("Incident", "inc-7", severity="P1", category="prompt_injection",
             timeline={"closed": "2026-10-20T16:00:00Z"}, review={"held": "2026-10-22"})],
     False, "last_reviewed is 2026-09-30, before the lessons of incident:inc-7 (2026-10-22)",
     S("last_reviewed")),
    ("reviewed-after-incidents-grace", {"path": "spec.last_reviewed",
                                        "reviewed_after_incidents": "P30D"},
     [playbook("pi", last_reviewed="2026-09-30"),
      entity("Incident", "inc-7", severity="P1", category="prompt_injection",
             timeline={"closed": "2026-11-10T16:00:00Z"})],
     True, "last_reviewed is 2026-09-30", S("last_reviewed")),
    ("reviewed-after-incidents-other-model", {"path": "spec.last_reviewed",
                                              "reviewed_after_incidents": "P30D"},
     [playbook("pi", last_reviewed="2026-09-30", applies_to=["model:bot"]),
      entity("Incident", "inc-7", severity="P1", category="prompt_injection",
             models=["model:other"], timeline={"closed": "2026-10-01T16:00:00Z"})],
     True, "last_reviewed is 2026-09-30", S("last_reviewed")),
    ("reviewed-after-incidents-unset", {"path": "spec.last_reviewed",
                                        "reviewed_after_incidents": "P30D"},
     [playbook("pi"),
      entity("Incident", "inc-7", severity="P1", category="prompt_injection",
             timeline={"closed": "2026-10-01T16:00:00Z"})],
     False, "last_reviewed is not set, expected a date on or after the lessons of "
            "incident:inc-7 (2026-10-01)", S("last_reviewed")),
    # declared: written in the YAML, even as an empty list
    ("declared-empty-pass", {"path": "spec.data_access", "declared": True},
     [model(data_access=[])], True, "data_access is empty", S("data_access")),
    ("declared-fail", {"path": "spec.data_access", "declared": True},
     [model()], False, "data_access is not declared (write [] for none)", S("data_access")),
    ("declared-nested-fail", {"path": "spec.review.systemic_issues", "declared": True},
     [incident(review={"held": "2026-11-20"})],
     False, "review.systemic_issues is not declared (write [] for none)",
     S("review", "systemic_issues")),
    ("declared-nested-pass", {"path": "spec.review.systemic_issues", "declared": True},
     [incident(review={"systemic_issues": ["refund limits per session"]})],
     True, "review.systemic_issues is [refund limits per session]",
     S("review", "systemic_issues")),
    ("in-field-scalar", {"path": "spec.roles.incident_commander.backup",
                         "in_field": "spec.roles.incident_commander.primary"},
     [org(roles={"incident_commander": {"primary": "person:ada", "backup": "person:bo"}})],
     False, "roles.incident_commander.backup is person:bo, which is not in "
            "roles.incident_commander.primary", S("roles", "incident_commander", "backup")),
]


@pytest.mark.parametrize(("condition", "docs", "ok", "evidence", "path"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_field_condition(condition, docs, ok, evidence, path):
    outcome = evaluate(condition, *docs)
    assert (outcome.ok, outcome.evidence, outcome.path) == (ok, evidence, path)


def test_every_operator_has_a_passing_and_a_failing_case():
    used = {key for _, condition, *_ in CASES for key in _operators_in(condition)}
    passing = {key for _, condition, _, ok, *_ in CASES if ok for key in _operators_in(condition)}
    failing = {key for _, condition, _, ok, *_ in CASES if not ok
               for key in _operators_in(condition)}
    every = set(OPERATORS) | FIELD_OPERATORS
    assert every <= used
    assert every <= passing, every - passing
    assert every <= failing, every - failing


def _operators_in(condition: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(condition, dict):
        found |= {k for k in condition if k in OPERATORS or k in FIELD_OPERATORS}
        for value in condition.values():
            found |= _operators_in(value)
    elif isinstance(condition, list):
        for item in condition:
            found |= _operators_in(item)
    return found


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_operator_docstring_shows_pass_and_fail(name):
    doc = inspect.getdoc(OPERATORS[name]) or ""
    lines = [line.strip() for line in doc.splitlines()]
    assert any(line.startswith("PASS:") for line in lines), f"{name}: no PASS: example"
    assert any(line.startswith("FAIL:") for line in lines), f"{name}: no FAIL: example"


def test_field_operators_are_documented():
    import airready.rules.conditions as module

    for name in FIELD_OPERATORS:
        assert f"{name}: " in (module.__doc__ or ""), name


def test_today_is_the_injected_date():
    condition = {"path": "spec.rollback.last_tested", "within": "P90D"}
    doc = model(rollback={"last_tested": "2026-10-26"})
    assert evaluate(condition, doc).ok
    later = evaluate(condition, doc, today=dt.date(2027, 3, 1))
    assert (later.ok, later.evidence) == (
        False, "rollback.last_tested is 2026-10-26, older than 90 days")


# --- wildcards ----------------------------------------------------------------------------------

ROLES = {"incident_commander": {"primary": "person:ada", "backup": "person:bo"},
         "legal_advisor": {"primary": "person:cy"}}


def test_wildcard_over_mapping_every_value():
    outcome = evaluate({"path": "spec.roles.*.backup", "exists": True}, org(roles=ROLES))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "roles.legal_advisor.backup is not set", S("roles", "legal_advisor", "backup"))


def test_wildcard_over_mapping_all_pass_reports_the_last():
    roles = {"incident_commander": {"primary": "person:ada", "backup": "person:bo"},
             "legal_advisor": {"primary": "person:cy", "backup": "person:di"}}
    outcome = evaluate({"path": "spec.roles.*.backup", "exists": True}, org(roles=roles))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "roles.legal_advisor.backup is person:di", S("roles", "legal_advisor", "backup"))


def test_wildcard_quantifier_any_passes_on_one():
    outcome = evaluate({"path": "spec.roles.*.backup", "exists": True, "quantifier": "any"},
                       org(roles=ROLES))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "roles.incident_commander.backup is person:bo",
        S("roles", "incident_commander", "backup"))


def test_wildcard_quantifier_any_fails_when_none():
    roles = {"incident_commander": {"primary": "person:ada"},
             "legal_advisor": {"primary": "person:cy"}}
    outcome = evaluate({"path": "spec.roles.*.backup", "exists": True, "quantifier": "any"},
                       org(roles=roles))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "roles.legal_advisor.backup is not set", S("roles", "legal_advisor", "backup"))


def test_wildcard_over_list():
    channels = [{"name": "war-room", "kind": "slack", "dedicated": True},
                {"name": "bridge", "kind": "phone"}]
    outcome = evaluate({"path": "spec.channels.*.dedicated", "equals": True},
                       org(channels=channels))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "channels.1.dedicated is not set, expected true", S("channels", 1, "dedicated"))


def test_wildcard_over_list_of_scalars():
    outcome = evaluate({"path": "spec.skills.*", "in": ["ml", "security"]},
                       person("ada", skills=["ml", "legal"]))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "skills.1 is legal, expected one of ml, security", S("skills", 1))


def test_wildcard_over_a_block_sees_the_written_fields():
    condition = {"path": "spec.containment.*", "equals": True}
    passing = evaluate(condition, model(containment={"kill_switch": True,
                                                     "rate_limiting": True}))
    assert (passing.ok, passing.evidence, passing.path) == (
        True, "containment.rate_limiting is true", S("containment", "rate_limiting"))
    failing = evaluate(condition, model(containment={"kill_switch": True,
                                                     "input_filtering": False}))
    assert (failing.ok, failing.evidence, failing.path) == (
        False, "containment.input_filtering is false, expected true",
        S("containment", "input_filtering"))


def test_wildcard_with_no_entries_fails_by_default():
    outcome = evaluate({"path": "spec.roles.*.backup", "exists": True}, org())
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "roles is empty", S("roles"))


def test_wildcard_if_empty_pass():
    outcome = evaluate({"path": "spec.roles.*.backup", "exists": True, "if_empty": "pass"},
                       org())
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "roles is empty", S("roles"))


def test_wildcard_if_empty_fail_explicit():
    outcome = evaluate({"path": "spec.channels.*.secure", "equals": True, "if_empty": "fail"},
                       org(channels=[]))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "channels is empty", S("channels"))


@pytest.mark.parametrize(("path", "shown"), [
    ("spec.copy", "copy"),  # a pydantic method
    ("ref", "ref"),  # a cached property: in the instance __dict__ once the inventory used it
    ("spec.__dict__", "__dict__"),
])
def test_path_names_fields_only_not_python_attributes(path, shown):
    outcome = evaluate({"path": path, "exists": True}, model())
    assert (outcome.ok, outcome.evidence) == (False, f"{shown} is not set")


def test_path_reaches_the_envelope_fields():
    outcome = evaluate({"path": "metadata.owner", "equals": "team:ml"}, model())
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "metadata.owner is team:ml", ("metadata", "owner"))


# --- combinators --------------------------------------------------------------------------------

LOGS = [{"path": "spec.logging.inputs", "equals": True},
        {"path": "spec.logging.outputs", "equals": True}]


def test_all_pass_reports_the_last():
    outcome = evaluate({"all": LOGS}, model(logging={"inputs": True, "outputs": True}))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "logging.outputs is true", S("logging", "outputs"))


def test_all_fail_reports_the_first_failure():
    outcome = evaluate({"all": LOGS}, model(logging={"inputs": True, "outputs": False}))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "logging.outputs is false, expected true", S("logging", "outputs"))


CONTACT = [{"path": "spec.security_contact.email", "exists": True},
           {"path": "spec.security_contact.phone", "exists": True}]


def test_any_pass_reports_the_passing_one():
    outcome = evaluate({"any": CONTACT},
                       entity("Vendor", "llmco", security_contact={"phone": "+1 555 0100"}))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "security_contact.phone is +1 555 0100", S("security_contact", "phone"))


def test_any_fail_joins_every_failure_and_points_at_the_first():
    outcome = evaluate({"any": CONTACT}, entity("Vendor", "llmco"))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "security_contact is not set",
        S("security_contact", "email"))


def test_not_passes_when_the_inner_fails():
    outcome = evaluate({"not": {"path": "spec.lifecycle", "equals": "retired"}},
                       model(lifecycle="production"))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "lifecycle is production, expected retired", S("lifecycle"))


def test_not_fails_when_the_inner_passes():
    outcome = evaluate({"not": {"path": "spec.lifecycle", "equals": "retired"}},
                       model(lifecycle="retired"))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "not expected: lifecycle is retired", S("lifecycle"))


IF_LANGUAGE = {"if": {"path": "spec.modality", "not_in": ["vision"]},
               "then": {"path": "spec.baselines.tokens", "exists": True}}


def test_if_then_applies_where_the_test_holds():
    outcome = evaluate(IF_LANGUAGE, model())
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "baselines is not set", S("baselines", "tokens"))


def test_if_without_else_passes_where_the_test_fails():
    outcome = evaluate(IF_LANGUAGE, model(modality="vision"))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "not required: modality is vision, expected none of vision", S("modality"))


def test_if_else_branch():
    condition = {**IF_LANGUAGE, "else": {"path": "spec.baselines.latency_ms", "exists": True}}
    outcome = evaluate(condition, model(modality="vision"))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "baselines is not set", S("baselines", "latency_ms"))


# --- each / some / ref / org ----------------------------------------------------------------

FINE_TUNING = [{"dataset": "dataset:a", "date": "2026-01-01"}, {"dataset": "dataset:b"}]


def test_each_over_a_list_fails_on_the_first_bad_item():
    outcome = evaluate({"path": "spec.fine_tuning", "each": {"path": "date", "exists": True}},
                       model(fine_tuning=FINE_TUNING))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "fine_tuning.1.date is not set", S("fine_tuning", 1, "date"))


def test_each_over_a_list_passes():
    tuned = [{"dataset": "dataset:a", "date": "2026-01-01"},
             {"dataset": "dataset:b", "date": "2026-02-01"}]
    outcome = evaluate({"path": "spec.fine_tuning", "each": {"path": "date", "exists": True}},
                       model(fine_tuning=tuned))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "fine_tuning.1.date is 2026-02-01", S("fine_tuning", 1, "date"))


def test_each_over_a_mapping_visits_every_value():
    outcome = evaluate({"path": "spec.roles", "each": {"path": "backup", "exists": True}},
                       org(roles=ROLES))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "roles.legal_advisor.backup is not set", S("roles", "legal_advisor", "backup"))


def test_each_with_no_items():
    condition = {"path": "spec.fine_tuning", "each": {"path": "date", "exists": True}}
    empty = evaluate(condition, model())
    assert (empty.ok, empty.evidence, empty.path) == (
        False, "fine_tuning is empty", S("fine_tuning"))
    unset = evaluate({"path": "spec.rollback", "each": {"path": "procedure", "exists": True}},
                     model())
    assert (unset.ok, unset.evidence, unset.path) == (False, "rollback is not set", S("rollback"))
    allowed = evaluate({**condition, "if_empty": "pass"}, model())
    assert (allowed.ok, allowed.evidence) == (True, "fine_tuning is empty")


CHANNELS = [{"name": "general", "kind": "slack", "dedicated": False},
            {"name": "war-room", "kind": "slack", "dedicated": True}]


def test_some_passes_on_a_qualifying_item():
    outcome = evaluate({"path": "spec.channels", "some": {"path": "dedicated", "equals": True}},
                       org(channels=CHANNELS))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        True, "channels.1.dedicated is true", S("channels", 1, "dedicated"))


def test_some_fails_when_no_item_qualifies():
    channels = [{**c, "dedicated": False} for c in CHANNELS]
    outcome = evaluate({"path": "spec.channels", "some": {"path": "dedicated", "equals": True}},
                       org(channels=channels))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "no item of channels qualifies: channels.1.dedicated is false, expected true",
        S("channels"))


def test_some_over_nothing():
    outcome = evaluate({"path": "spec.channels", "some": {"path": "dedicated", "equals": True}},
                       org())
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "channels is empty", S("channels"))


PROVIDER = {"path": "spec.provider", "ref": {"path": "spec.security_contact.email",
                                             "exists": True}}


def test_ref_pass_names_the_referenced_entity():
    outcome = evaluate(PROVIDER, model(provider="vendor:llmco"),
                       entity("Vendor", "llmco",
                              security_contact={"email": "security@llmco.example"}))
    assert (outcome.ok, outcome.ref, outcome.evidence, outcome.path) == (
        True, "vendor:llmco", "vendor:llmco: security_contact.email is security@llmco.example",
        S("security_contact", "email"))


def test_ref_fail_points_into_the_referenced_entity():
    outcome = evaluate(PROVIDER, model(provider="vendor:llmco"),
                       entity("Vendor", "llmco", services=["chat"]))
    assert (outcome.ok, outcome.ref, outcome.evidence, outcome.path) == (
        False, "vendor:llmco", "vendor:llmco: security_contact is not set",
        S("security_contact", "email"))


def test_ref_over_a_wildcard_list():
    condition = {"path": "spec.tools.*.tool", "ref": {"path": "spec.can_disable",
                                                     "equals": True}}
    docs = [model(tools=[{"tool": "tool:search"}, {"tool": "tool:refunds"}]),
            entity("Tool", "search", owner="team:ml", can_disable=True),
            entity("Tool", "refunds", owner="team:ml", can_disable=False)]
    outcome = evaluate(condition, *docs)
    assert (outcome.ok, outcome.ref, outcome.evidence, outcome.path) == (
        False, "tool:refunds", "tool:refunds: can_disable is false, expected true",
        S("can_disable"))


def test_ref_unset_fails_at_the_referring_field():
    outcome = evaluate(PROVIDER, model())
    assert (outcome.ok, outcome.ref, outcome.evidence, outcome.path) == (
        False, "model:bot", "provider is not set", S("provider"))


def test_ref_to_an_entity_not_in_the_inventory_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="vendor:ghost is referenced but not in the "
                                              "inventory"):
        evaluate(PROVIDER, model(provider="vendor:ghost"))


def test_ref_on_a_field_that_is_not_a_reference_is_an_evaluation_error():
    condition = {"path": "spec.logging.retention_days", "ref": {"path": "spec.x",
                                                               "exists": True}}
    with pytest.raises(EvaluationError, match="logging.retention_days holds 30, not a reference"):
        evaluate(condition, model(logging={"retention_days": 30}))


def test_org_evaluates_on_the_organization():
    condition = {"org": {"path": "spec.regulations", "count_min": 1}}
    outcome = evaluate(condition, model(), org(), target="model:bot")
    assert (outcome.ok, outcome.ref, outcome.evidence, outcome.path) == (
        False, "organization:acme", "regulations is empty, expected at least 1",
        S("regulations"))
    passing = evaluate(condition, model(), org(regulations=["gdpr"]), target="model:bot")
    assert (passing.ok, passing.ref, passing.evidence) == (
        True, "organization:acme", "regulations is [gdpr]")


def test_org_without_an_organization_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="the inventory has no Organization"):
        evaluate({"org": {"path": "spec.regulations", "count_min": 1}}, model())


# --- query ----------------------------------------------------------------------------------

ML_PEOPLE = {"query": {"kind": "Person", "where": {"path": "spec.skills", "contains": "ml"}},
             "count_min": 1, "describe": "people with ml skills"}


def test_query_count_min_pass():
    outcome = evaluate(ML_PEOPLE, org(), person("ada", skills=["ml"]))
    assert (outcome.ok, outcome.ref, outcome.evidence, outcome.path) == (
        True, "organization:acme", "people with ml skills: found 1, expected at least 1", ())


def test_query_count_min_fail():
    outcome = evaluate(ML_PEOPLE, org(), person("ada", skills=["legal"]))
    assert (outcome.ok, outcome.evidence, outcome.path) == (
        False, "people with ml skills: found none, expected at least 1", ())


def test_query_leaves_external_entities_out():
    outcome = evaluate(ML_PEOPLE, org(), person("consultant", external=True))
    assert (outcome.ok, outcome.evidence) == (
        False, "people with ml skills: found none, expected at least 1")


def test_query_count_max_with_the_default_description():
    condition = {"query": {"kind": "Person"}, "count_max": 1}
    outcome = evaluate(condition, org(), person("ada"), person("bo"))
    assert (outcome.ok, outcome.evidence) == (
        False, "Person entities matching the query: found 2, expected at most 1")
    passing = evaluate(condition, org(), person("ada"))
    assert (passing.ok, passing.evidence) == (
        True, "Person entities matching the query: found 1, expected at most 1")


PLAYBOOK_FOR_TARGET = {
    "query": {"kind": "Playbook", "where": {"any": [
        {"path": "spec.applies_to", "equals": "all"},
        {"path": "spec.applies_to", "contains": "$target"}]}},
    "count_min": 1, "describe": "playbooks that apply to $target"}


def test_query_target_is_the_audited_entity():
    docs = [model("bot"), model("other"), playbook("pi", applies_to=["model:bot"])]
    bot = evaluate(PLAYBOOK_FOR_TARGET, *docs, target="model:bot")
    assert (bot.ok, bot.ref, bot.evidence) == (
        True, "model:bot", "playbooks that apply to model:bot: found 1, expected at least 1")
    other = evaluate(PLAYBOOK_FOR_TARGET, *docs, target="model:other")
    assert (other.ok, other.ref, other.evidence) == (
        False, "model:other",
        "playbooks that apply to model:other: found none, expected at least 1")


def test_query_applies_to_all():
    docs = [model("bot"), playbook("pi", applies_to="all")]
    outcome = evaluate(PLAYBOOK_FOR_TARGET, *docs, target="model:bot")
    assert outcome.ok


def test_target_in_a_list_argument():
    condition = {"path": "spec.models", "contains_all": ["$target"]}
    risk_doc = entity("Risk", "r1", owner="team:sec", title="t", likelihood=1, impact=1,
                      models=["model:bot"])
    query = {"query": {"kind": "Risk", "where": condition}, "count_min": 1,
             "describe": "risks naming $target"}
    outcome = evaluate(query, model("bot"), risk_doc, target="model:bot")
    assert (outcome.ok, outcome.evidence) == (
        True, "risks naming model:bot: found 1, expected at least 1")


# --- malformed conditions: ConditionError with the path inside the control -----------------

MALFORMED = [
    ("unknown-operator", {"path": "spec.logging.inputs", "equal": True},
     ("check", "equal"), "unknown operator(s) equal (did you mean 'equals'?)"),
    ("unknown-operator-far", {"path": "spec.logging.inputs", "frobnicate": True},
     ("check", "frobnicate"), "unknown operator(s) frobnicate; known: " + ", ".join(
         sorted([*OPERATORS, *FIELD_OPERATORS, "each", "some", "ref", "some_ref"]))),
    ("two-operators", {"path": "spec.logging.inputs", "equals": True, "exists": True},
     ("check",), "a field condition takes exactly one operator (or each, some, ref or some_ref); "
                 "got equals, exists"),
    ("no-operator", {"path": "spec.logging.inputs"},
     ("check",), "a field condition takes exactly one operator (or each, some, ref or some_ref)"),
    ("operator-and-each", {"path": "spec.tools", "count_min": 1,
                           "each": {"path": "tool", "exists": True}},
     ("check",), "a field condition takes exactly one operator (or each, some, ref or some_ref); "
                 "got each, count_min"),
    ("bad-duration", {"path": "spec.rollback.last_tested", "within": "soon"},
     ("check", "within"), "'soon' is not a duration: use ISO 8601 (PT1H, PT4H, P3D) or a "
                          "short form (90d, 4h)"),
    ("duration-not-text", {"path": "spec.rollback.last_tested", "within": 90},
     ("check", "within"), "expects a duration such as P90D, got 90"),
    ("duration-months", {"path": "spec.targets.P1.detect", "duration_max": "P1M"},
     ("check", "duration_max"), "'P1M' is not a duration"),
    ("bad-regex", {"path": "spec.version", "matches": "(unclosed"},
     ("check", "matches"), "missing ), unterminated subpattern at position 0"),
    ("in-not-a-list", {"path": "spec.lifecycle", "in": "production"},
     ("check", "in"), "expects a list, got 'production'"),
    ("not-in-not-a-list", {"path": "spec.lifecycle", "not_in": "retired"},
     ("check", "not_in"), "expects a list, got 'retired'"),
    ("contains-all-not-a-list", {"path": "spec.skills", "contains_all": "ml"},
     ("check", "contains_all"), "expects a list, got 'ml'"),
    ("count-min-bool", {"path": "spec.steps", "count_min": True},
     ("check", "count_min"), "expects a whole number, got True"),
    ("count-max-negative", {"path": "spec.steps", "count_max": -1},
     ("check", "count_max"), "expects a whole number, got -1"),
    ("query-count-min-bool", {"query": {"kind": "Person"}, "count_min": True},
     ("check", "count_min"), "expects a whole number, got True"),
    ("min-not-a-number", {"path": "spec.logging.retention_days", "min": "365"},
     ("check", "min"), "expects a number, got '365'"),
    ("min-bool", {"path": "spec.logging.retention_days", "min": True},
     ("check", "min"), "expects a number, got True"),
    ("exists-not-bool", {"path": "spec.version", "exists": "yes"},
     ("check", "exists"), "expects true or false, got 'yes'"),
    ("after-today-not-bool", {"path": "spec.review_by", "after_today": 1},
     ("check", "after_today"), "expects true or false, got 1"),
    ("unknown-query-kind", {"query": {"kind": "Persn"}, "count_min": 1},
     ("check", "query", "kind"), "unknown kind 'Persn' (did you mean 'Person'?)"),
    ("query-not-a-mapping", {"query": "Person", "count_min": 1},
     ("check", "query"), "expects {kind: K, where: condition}"),
    ("query-extra-key", {"query": {"kind": "Person", "filter": {}}, "count_min": 1},
     ("check", "query", "filter"), "unexpected key(s) filter beside kind, where"),
    ("query-no-count", {"query": {"kind": "Person"}},
     ("check",), "a query takes count_min or count_max"),
    ("query-describe-not-text", {"query": {"kind": "Person"}, "count_min": 1, "describe": 5},
     ("check", "describe"), "expects text, got 5"),
    ("query-bad-where", {"query": {"kind": "Person", "where": {"path": "spec.skills",
                                                               "contain": "ml"}},
                         "count_min": 1},
     ("check", "query", "where", "contain"), "unknown operator(s) contain (did you mean "),
    ("empty-all", {"all": []}, ("check", "all"), "expects a non-empty list of conditions"),
    ("any-not-a-list", {"any": {"path": "spec.x", "exists": True}},
     ("check", "any"), "expects a non-empty list of conditions"),
    ("all-and-any", {"all": [{"path": "spec.x", "exists": True}],
                     "any": [{"path": "spec.y", "exists": True}]},
     ("check", "any"), "unexpected key(s) any beside all"),
    ("key-beside-not", {"not": {"path": "spec.x", "exists": True}, "path": "spec.y"},
     ("check", "path"), "unexpected key(s) path beside not"),
    ("key-beside-org", {"org": {"path": "spec.x", "exists": True}, "count_min": 1},
     ("check", "count_min"), "unexpected key(s) count_min beside org"),
    ("if-without-then", {"if": {"path": "spec.x", "exists": True}},
     ("check",), "if: needs a then (and may have an else)"),
    ("nested-in-all", {"all": [{"path": "spec.x", "exists": True},
                               {"path": "spec.y", "within": "later"}]},
     ("check", "all", 1, "within"), "'later' is not a duration"),
    ("nested-in-each", {"path": "spec.roles.*", "each": {"path": "backup",
                                                         "differs": "primary"}},
     ("check", "each", "differs"), "unknown operator(s) differs (did you mean "
                                   "'differs_from'?)"),
    ("nested-in-ref", {"path": "spec.provider", "ref": {"path": "spec.x"}},
     ("check", "ref"), "a field condition takes exactly one operator"),
    ("not-a-mapping", ["path", "spec.x"], ("check",), "a condition is a mapping, got list"),
    ("nothing-known", {"equals": True},
     ("check",), "a condition needs one of: path, all, any, if, not, org, query; got equals"),
    ("bad-path", {"path": "spec..logging", "exists": True},
     ("check", "path"), "expects a dotted path of field names or *, e.g. spec.logging.inputs; "
                        "got 'spec..logging'"),
    ("partial-wildcard", {"path": "spec.ro*les", "exists": True},
     ("check", "path"), "expects a dotted path of field names or *"),
    ("path-not-text", {"path": 5, "exists": True},
     ("check", "path"), "expects a dotted path of field names or *, e.g. spec.logging.inputs; "
                        "got 5"),
    ("field-operator-bad-path", {"path": "spec.backup", "differs_from": "a b"},
     ("check", "differs_from"), "expects a dotted path"),
    ("no-later-than-not-text", {"path": "spec.review.held", "no_later_than": 14},
     ("check", "no_later_than"), "expects 'path' or 'path + duration', got 14"),
    ("no-later-than-bad-grace", {"path": "spec.review.held",
                                 "no_later_than": "spec.timeline.closed + a fortnight"},
     ("check", "no_later_than"), "'a fortnight' is not a duration"),
    ("no-later-than-bad-path", {"path": "spec.review.held", "no_later_than": "closed at + P1D"},
     ("check", "no_later_than"), "expects a dotted path of field names or *"),
    ("regulatory-on-time-not-bool", {"path": "spec.regulatory", "regulatory_on_time": "yes"},
     ("check", "regulatory_on_time"), "expects true or false, got 'yes'"),
    ("declared-not-bool", {"path": "spec.data_access", "declared": "yes"},
     ("check", "declared"), "expects true or false, got 'yes'"),
    ("declared-wildcard", {"path": "spec.roles.*.backup", "declared": True},
     ("check", "declared"), "declared takes a path without a wildcard (*)"),
    ("duration-min-not-a-duration", {"path": "spec.recurrence_watch", "duration_min": 30},
     ("check", "duration_min"), "expects a duration such as P90D, got 30"),
    ("bad-quantifier", {"path": "spec.roles.*.backup", "exists": True, "quantifier": "some"},
     ("check", "quantifier"), "expects all or any, got 'some'"),
    ("bad-if-empty", {"path": "spec.roles.*.backup", "exists": True, "if_empty": "skip"},
     ("check", "if_empty"), "expects pass or fail, got 'skip'"),
    # Options that would be silently ignored are refused.
    ("quantifier-without-wildcard", {"path": "spec.roles", "exists": True,
                                     "quantifier": "any"},
     ("check", "quantifier"), "applies only to an operator on a path with a wildcard (*)"),
    ("quantifier-with-each", {"path": "spec.roles.*", "quantifier": "any",
                              "each": {"path": "backup", "exists": True}},
     ("check", "quantifier"), "applies only to an operator on a path with a wildcard (*); "
                              "with each/some/ref, each means all and some means any"),
    ("if-empty-without-wildcard", {"path": "spec.tools", "count_min": 1, "if_empty": "pass"},
     ("check", "if_empty"), "applies only to a path with a wildcard (*) or to each/some/ref"),
]


@pytest.mark.parametrize(("condition", "where", "message"), [case[1:] for case in MALFORMED],
                         ids=[case[0] for case in MALFORMED])
def test_malformed_condition(condition, where, message):
    with pytest.raises(ConditionError) as caught:
        compile_condition(condition, ("check",))
    assert caught.value.where == where
    assert caught.value.message.startswith(message), caught.value.message


def test_malformed_where_path_starts_where_the_caller_says():
    with pytest.raises(ConditionError) as caught:
        compile_condition({"path": "spec.lifecycle", "in": "production"},
                          ("applies_to", "where"))
    assert caught.value.where == ("applies_to", "where", "in")
