"""Hand-built inventories for the graph and blast-radius tests.

``entity`` writes one document as a dict, ``inventory`` builds an Inventory in memory
(parse_text + build_inventory, as a project load does), ``write_project`` puts the same
documents on disk for the CLI, and ``ESTATE`` is a small estate in which every edge
type of the format occurs once or twice.  Its graph (harm flows left to right):

    vendor:datahub -supplies-> dataset:web-crawl -derives-> dataset:crawl-clean
    dataset:crawl-clean -trains-> model:base-lm <-serves- component:serving <-supplies- vendor:gpuco
    component:serving -serves-> component:runtime-lib
    model:base-lm -fine_tunes-> model:support-bot <-trains- dataset:support-tickets
    model:base-lm -runs_in-> environment:staging
    model:support-bot -acts_through-> tool:refunds -reaches-> datastore:payments
    model:support-bot -reads-> datastore:customers
    model:support-bot -holds-> credential:refunds-key -reaches-> tool:refunds, datastore:payments
    model:support-bot -runs_in-> environment:prod
    model:support-bot -serves-> model:router <-supplies- vendor:acme-ai
    model:router -holds-> credential:db-ro -reaches-> datastore:customers
    model:router -runs_in-> environment:prod
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from airready.inventory.model import Inventory
from airready.inventory.problems import Problem
from airready.inventory.validate import build_inventory
from airready.inventory.yamlsource import parse_text

FILE = "inventory/estate.yaml"


def entity(kind: str, name: str, spec: Mapping[str, Any] | None = None,
           owner: str | None = None, **metadata: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"apiVersion": "airready/v1", "kind": kind,
                           "metadata": {"name": name, **metadata}}
    if owner:
        doc["metadata"]["owner"] = owner
    if spec is not None:
        doc["spec"] = dict(spec)
    return doc


def dump(docs: Iterable[Mapping[str, Any]]) -> str:
    return yaml.safe_dump_all(list(docs), sort_keys=False)


def inventory_with_problems(docs: Iterable[Mapping[str, Any]]
                            ) -> tuple[Inventory, list[Problem]]:
    sources, problems = parse_text(dump(docs), FILE)
    assert problems == [], problems
    return build_inventory(sources)


def inventory(docs: Iterable[Mapping[str, Any]]) -> Inventory:
    """The inventory of ``docs``, which must be free of errors (warnings are fine)."""
    built, problems = inventory_with_problems(docs)
    assert [p for p in problems if p.level == "error"] == [], problems
    return built


def write_project(root: Path, docs: Iterable[Mapping[str, Any]]) -> Path:
    """airready.yaml plus every document in one file, ``inventory/estate.yaml``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "airready.yaml").write_text("inventory: [inventory]\ncontrols: [builtin]\n")
    (root / FILE).parent.mkdir(parents=True, exist_ok=True)
    (root / FILE).write_text(dump(docs))
    return root


ORG = entity("Organization", "acme", {
    "roles": {
        "incident_commander": {"primary": "person:ada", "backup": "person:grace"},
        "technical_lead": {"primary": "person:linus"},
    },
})
PEOPLE = [
    entity("Person", "ada", {"email": "ada@acme.example", "phone": "+44 20 0000 0001"}),
    entity("Person", "grace", {"email": "grace@acme.example"}),
    entity("Person", "linus", {}),
    entity("Person", "mei", {"email": "mei@acme.example"}),
    entity("Team", "ml", {"members": ["person:ada", "person:mei"],
                          "on_call": {"url": "https://oncall.acme.example/ml"}}),
    entity("Team", "data", {"members": ["person:linus"], "on_call": {"channel": "#data-oncall"}}),
]
VENDORS = [
    entity("Vendor", "acme-ai", {
        "security_contact": {"email": "security@acme-ai.example", "phone": "+1 555 0100"},
        "incident_reporting": "https://acme-ai.example/security/report",
        "notification_sla": "PT24H"}),
    entity("Vendor", "datahub", {"security_contact": {"url": "https://datahub.example/sec"},
                                 "incident_reporting": "email abuse@datahub.example"}),
    entity("Vendor", "gpuco", {}),
]
ESTATE_ONLY = [
    entity("Dataset", "web-crawl", {"supplier": "vendor:datahub", "data_classes": ["public"]},
           owner="team:data"),
    entity("Dataset", "crawl-clean", {"derived_from": ["dataset:web-crawl"],
                                      "data_classes": ["pii"]}, owner="team:data"),
    entity("Dataset", "support-tickets", {"data_classes": ["pii"]}, owner="team:data"),
    entity("Component", "serving", {"type": "serving", "supplier": "vendor:gpuco"},
           owner="team:ml"),
    entity("Component", "runtime-lib", {"type": "library", "depends_on": ["component:serving"]}),
    entity("Model", "base-lm", {
        "training_data": ["dataset:crawl-clean"], "depends_on": ["component:serving"],
        "environments": ["environment:staging"], "users": {"count": 10},
        "rollback": {"known_good_version": "1.4.2"}}, owner="team:ml"),
    entity("Model", "support-bot", {
        "base_model": "model:base-lm",
        "fine_tuning": [{"dataset": "dataset:support-tickets", "by": "person:ada"}],
        "tools": [{"tool": "tool:refunds", "permissions": ["pay"]}],
        "data_access": ["datastore:customers"], "credentials": ["credential:refunds-key"],
        "environments": ["environment:prod"], "users": {"count": 1000, "audience": "external"},
        "data_classes": ["pii"]}, owner="person:mei"),
    entity("Model", "router", {
        "provider": "vendor:acme-ai", "depends_on": ["model:support-bot"],
        "credentials": ["credential:db-ro"], "environments": ["environment:prod"],
        "users": {"count": 500}}, owner="team:ml"),
    entity("Tool", "refunds", {"actions": ["read", "pay"], "reaches": ["datastore:payments"]},
           owner="team:ml"),
    entity("DataStore", "customers", {"data_classes": ["pii"]}),
    entity("DataStore", "payments", {"data_classes": ["payment"]}),
    entity("Credential", "refunds-key", {
        "grants": ["tool:refunds", "datastore:payments"],
        "revocation": "https://wiki.acme.example/revoke/refunds"}),
    entity("Credential", "db-ro", {"grants": ["datastore:customers"]}),
    entity("Environment", "prod", {"stage": "production", "users": 1500}),
    entity("Environment", "staging", {"stage": "staging", "users": 12}),
    entity("Playbook", "poisoning", {"scenario": "data_poisoning",
                                     "applies_to": ["model:base-lm"]}, owner="person:ada"),
    entity("Playbook", "injection", {"scenario": "prompt_injection",
                                     "applies_to": ["model:support-bot"]}, owner="person:ada"),
    entity("Playbook", "supply-chain", {"scenario": "supply_chain", "applies_to": "all"},
           owner="person:ada"),
    entity("Playbook", "theft", {"scenario": "model_theft", "applies_to": ["model:router"]},
           owner="person:ada"),
]
ESTATE = [ORG, *PEOPLE, *VENDORS, *ESTATE_ONLY]


def minimal(*docs: dict[str, Any]) -> list[dict[str, Any]]:
    """``docs`` plus the organisation and people every owner reference needs."""
    return [ORG, *PEOPLE, *docs]
