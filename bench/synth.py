"""Generate a synthetic, valid airready project of any size, for benchmarks and tests.

    python bench/synth.py OUT_DIR --models N [--seed S]

writes OUT_DIR/airready.yaml and OUT_DIR/inventory/... : one Organization, people,
teams, vendors, environments, datasets (with lineage), components, tools, datastores,
credentials, one playbook per scenario, and N models, each in its own file
(inventory/models/<name>.yaml) as users keep them.  Other kinds are grouped a few
hundred documents per file, separated by ``---``.

The output is block-style YAML such as a person would write (comments included), and
it is deterministic: the same N and seed give the same bytes.  About a fifth of the
models leave readiness fields out (gaps a control should find); none of that is a
format error, so ``airready validate --project OUT_DIR`` exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from random import Random
from typing import Any

import yaml

API = "airready/v1"
PER_FILE = 250  # documents per grouped file
TODAY = dt.date(2026, 11, 1)  # fixed, so output does not depend on the day it is made

SCENARIOS = ["prompt_injection", "data_poisoning", "model_theft", "adversarial_inputs",
             "supply_chain", "infrastructure", "data_leakage"]
DATA_CLASSES = ["pii", "phi", "payment", "credentials", "proprietary", "public", "telemetry"]
SKILLS = ["ml", "security", "data_science", "legal", "communications"]
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1"]
FIRST = ["ada", "grace", "linus", "mei", "alan", "barbara", "dennis", "frances", "ken",
         "margaret", "edsger", "radia", "tim", "hedy", "john", "katherine", "claude", "donald",
         "anita", "leslie", "shafi", "yukihiro", "guido", "sophie", "niklaus", "lynn"]
LAST = ["lovelace", "hopper", "torvalds", "chen", "turing", "liskov", "ritchie", "allen",
        "thompson", "hamilton", "dijkstra", "perlman", "berners-lee", "lamarr", "mccarthy",
        "johnson", "shannon", "knuth", "borg", "lamport", "goldwasser", "matsumoto", "rossum",
        "wilson", "wirth", "conway"]
TEAM_AREAS = ["support-ml", "search", "risk", "platform", "fraud", "marketing-ml", "claims",
              "underwriting", "data-platform", "security", "ml-infra", "growth", "legal-ops",
              "clinical-ai", "payments", "recsys", "trust-safety", "finance-ai", "hr-tech",
              "devex"]
VENDORS = [
    ("openai", "OpenAI", ["chat completions API", "embeddings API"]),
    ("anthropic", "Anthropic", ["messages API"]),
    ("mistral", "Mistral AI", ["la plateforme API"]),
    ("cohere", "Cohere", ["rerank API", "embed API"]),
    ("huggingface", "Hugging Face", ["model hub", "inference endpoints"]),
    ("aws", "Amazon Web Services", ["bedrock", "sagemaker", "s3"]),
    ("google-cloud", "Google Cloud", ["vertex ai", "bigquery"]),
    ("azure", "Microsoft Azure", ["azure openai service", "blob storage"]),
    ("scale-ai", "Scale AI", ["data labelling"]),
    ("pinecone", "Pinecone", ["managed vector database"]),
    ("databricks", "Databricks", ["lakehouse", "model serving"]),
    ("snowflake", "Snowflake", ["data warehouse"]),
]
MODEL_DOMAINS = ["support", "search", "fraud", "claims", "triage", "pricing", "churn",
                 "summary", "translate", "code", "contract", "kyc", "sales", "hr", "ticket",
                 "invoice", "moderation", "recs", "forecast", "clinical"]
MODEL_KINDS = ["assistant", "classifier", "ranker", "extractor", "scorer", "agent",
               "summariser", "router", "embedder", "detector"]
DATA_TOPICS = ["tickets", "chats", "claims", "transactions", "contracts", "emails", "calls",
               "reviews", "invoices", "logs", "documents", "images", "forms", "clicks",
               "notes", "catalog", "faq", "policies", "incidents", "surveys"]
SYSTEMS = [("crm", "Salesforce CRM"), ("ticketing", "Zendesk ticketing"),
           ("email", "outbound email (SES)"), ("payments", "Stripe payouts"),
           ("search", "internal search index"), ("calendar", "Google Calendar"),
           ("wiki", "Confluence wiki"), ("code", "GitHub repositories"),
           ("shell", "sandboxed shell"), ("sql", "analytics warehouse (read replica)"),
           ("slack", "Slack workspace"), ("sms", "Twilio SMS")]
SYSTEM_ACTIONS = {"crm": ["read", "write"], "ticketing": ["read", "write", "send"],
                  "email": ["send"], "payments": ["read", "pay"], "search": ["read"],
                  "calendar": ["read", "write"], "wiki": ["read", "write"],
                  "code": ["read", "write", "execute"], "shell": ["execute"],
                  "sql": ["read"], "slack": ["read", "send"], "sms": ["send"]}
COMPONENT_TYPES = [("serving", ["vllm", "triton", "tgi", "ray-serve", "bentoml"]),
                   ("vector_db", ["qdrant", "pgvector", "weaviate", "milvus"]),
                   ("library", ["transformers", "langchain", "llama-index", "torch",
                                "sentence-transformers", "tokenizers"])]
STORE_KINDS = ["postgres", "s3", "bigquery", "redis", "elastic", "snowflake", "gcs", "kafka"]
ALERTS = ["output_drift", "refusal_rate", "latency", "token_usage", "api_usage",
          "error_rate", "cost"]
PLAYBOOK_STEPS = {
    "prompt_injection": ["Confirm the injection from logs and the reporting user's session",
                         "Switch on input filtering and restrict the model's tools",
                         "Review every tool call made in the affected sessions",
                         "Patch the system prompt and guardrails, then re-test"],
    "data_poisoning": ["Freeze training pipelines that read the suspect dataset",
                       "Trace the dataset's lineage and every model trained on it",
                       "Roll affected models back to a known-good version",
                       "Verify provenance checksums before retraining"],
    "model_theft": ["Revoke the credentials that could reach the weights",
                    "Preserve access logs of the artifact store",
                    "Rate-limit the serving endpoints and look for extraction patterns",
                    "Notify legal and assess trade-secret exposure"],
    "adversarial_inputs": ["Capture the inputs that cause the failure",
                           "Enable rate limiting and stricter input validation",
                           "Compare outputs against the documented baselines"],
    "supply_chain": ["Identify the compromised component or vendor and its version",
                     "List every model and component that depends on it",
                     "Pin to a verified checksum or roll back",
                     "Contact the vendor's security team"],
    "infrastructure": ["Isolate the affected hosts or clusters",
                       "Fail over to the standby environment",
                       "Rotate credentials held by the affected services"],
    "data_leakage": ["Stop the leaking model with the kill switch",
                     "Determine which data classes left and for whom",
                     "Start the regulatory notification clock",
                     "Purge caches and logs that hold the leaked data"],
}

# --- a tiny block-style emitter -------------------------------------------------------------

_PLAIN_OK = re.compile(r"^[A-Za-z0-9/][A-Za-z0-9 ._/:@()+,'=-]*$")
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


@lru_cache(maxsize=65536)
def _plain_is_str(text: str) -> bool:
    """Would YAML read ``text``, written plain, back as this string?"""
    return bool(_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG)


class Date:
    """A date written plain (YAML reads it back as a date)."""

    def __init__(self, value: dt.date):
        self.value = value


@dataclass
class Comment:
    text: str


@dataclass
class Doc:
    """One YAML document: a leading comment and the envelope."""

    kind: str
    metadata: dict[str, Any]
    spec: dict[str, Any] | None
    comment: str | None = None


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Date):
        return value.value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if (_PLAIN_OK.match(text) and _plain_is_str(text) and ": " not in text
            and " #" not in text and not text.endswith((" ", ":"))):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit(value: Any, indent: int, out: list[str]) -> None:
    """Append the lines of a mapping or list body at ``indent`` spaces."""
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, Comment):
                out.append(f"{pad}# {item.text}")
            elif isinstance(item, dict):
                if not item:
                    out.append(f"{pad}{key}: {{}}")
                else:
                    out.append(f"{pad}{key}:")
                    emit(item, indent + 2, out)
            elif isinstance(item, list):
                if not item:
                    out.append(f"{pad}{key}: []")
                else:
                    out.append(f"{pad}{key}:")
                    emit(item, indent + 2, out)
            else:
                out.append(f"{pad}{key}: {scalar(item)}")
    else:
        for item in value:
            if isinstance(item, dict):
                lines: list[str] = []
                emit(item, indent + 2, lines)
                out.append(f"{pad}- {lines[0][indent + 2:]}")
                out.extend(lines[1:])
            elif isinstance(item, list):
                raise ValueError("lists of lists are not used by the format")
            else:
                out.append(f"{pad}- {scalar(item)}")


def render(doc: Doc) -> str:
    out: list[str] = []
    if doc.comment:
        out.extend(f"# {line}" for line in doc.comment.splitlines())
    body: dict[str, Any] = {"apiVersion": API, "kind": doc.kind, "metadata": doc.metadata}
    if doc.spec is not None:
        body["spec"] = doc.spec
    emit(body, 0, out)
    return "\n".join(out) + "\n"


def render_file(docs: Iterable[Doc], header: str) -> str:
    parts = [f"# {header}\n"]
    for i, doc in enumerate(docs):
        parts.append(("---\n" if i else "") + render(doc))
    return "".join(parts)


# --- the estate -------------------------------------------------------------------------------


class Estate:
    """Builds every entity, then renders the files.  All choices come from one Random."""

    def __init__(self, models: int, seed: int):
        if models < 1:
            raise ValueError("--models must be at least 1")
        self.n = models
        self.rng = Random(seed)
        self.seed = seed

    # helpers
    def date(self, max_days_ago: int, min_days_ago: int = 0) -> Date:
        return Date(TODAY - dt.timedelta(days=self.rng.randint(min_days_ago, max_days_ago)))

    def checksum(self) -> str:
        return f"sha256:{self.rng.getrandbits(256):064x}"

    def pick(self, items: list[Any], k_min: int, k_max: int) -> list[Any]:
        k = min(len(items), self.rng.randint(k_min, k_max))
        return self.rng.sample(items, k)

    def version(self) -> str:
        return f"{self.rng.randint(0, 4)}.{self.rng.randint(0, 19)}.{self.rng.randint(0, 9)}"

    def _previous(self, version: str) -> str:
        major, minor, patch = (int(x) for x in version.split("."))
        if patch:
            return f"{major}.{minor}.{patch - 1}"
        return f"{major}.{max(minor - 1, 0)}.{self.rng.randint(0, 9)}" if minor else version

    def owner(self) -> str:
        return "team:" + self.rng.choice(self.teams)

    # ---------------------------------------------------------------------------------------
    def build(self) -> dict[str, str]:
        """Relative path -> file text, for the whole project."""
        rng = self.rng
        n = self.n
        self.people = self._names_people(max(8, n // 20))
        self.teams = [self._team_name(i) for i in range(max(3, min(len(self.people) // 4, 400)))]
        self.vendors = [v[0] for v in VENDORS[:10]]
        self.environments = ["production", "staging"]
        self.datastores = self._indexed([f"{rng.choice(STORE_KINDS)}-{rng.choice(DATA_TOPICS)}"
                                         for _ in range(max(3, n // 10))])
        self.datastores[0] = "ai-logs"  # where most models log to
        self.tools = self._indexed([f"{s}-{rng.choice(['connector', 'action', 'bot', 'api'])}"
                                    for s, _ in (rng.choice(SYSTEMS)
                                                 for _ in range(max(3, n // 5)))])
        self.credentials = self._indexed([f"{t.rsplit('-', 1)[0]}-key"
                                          for t in rng.sample(self.tools,
                                                              min(len(self.tools),
                                                                  max(2, n // 10)))])
        comp_specs = [rng.choice(COMPONENT_TYPES) for _ in range(max(3, n // 10))]
        self.component_types = [t for t, _ in comp_specs]
        self.components = self._indexed([rng.choice(names) for _, names in comp_specs])
        self.datasets = self._indexed([f"{rng.choice(MODEL_DOMAINS)}-{rng.choice(DATA_TOPICS)}"
                                       for _ in range(max(4, n // 4))])
        self.external_datasets = ["common-crawl", "wikipedia-dump"]
        self.models = self._indexed([f"{rng.choice(MODEL_DOMAINS)}-{rng.choice(MODEL_KINDS)}"
                                     for _ in range(n)])

        files: dict[str, str] = {}
        files["airready.yaml"] = "inventory: [inventory]\ncontrols: [builtin]\nreports: null\n"
        files["inventory/organization.yaml"] = render_file(
            [self._organization()], "The organisation: roles, channels, targets, exercises.")
        self._grouped(files, "people", "people", [self._person(p) for p in self.people],
                      "People who own, run or respond for the AI estate.")
        self._grouped(files, "teams", "teams", [self._team(t) for t in self.teams],
                      "Teams: members and on-call.")
        files["inventory/vendors.yaml"] = render_file(
            [self._vendor(*v) for v in VENDORS[:10]],
            "Vendors and how to reach their security teams.")
        files["inventory/environments.yaml"] = render_file(
            [self._environment(e) for e in self.environments], "Where models run.")
        self._grouped(files, "datastores", "datastores",
                      [self._datastore(i, s) for i, s in enumerate(self.datastores)],
                      "Data stores models read or log to.")
        self._grouped(files, "tools", "tools", [self._tool(t) for t in self.tools],
                      "Tools models act through.")
        self._grouped(files, "credentials", "credentials",
                      [self._credential(c) for c in self.credentials],
                      "Credentials models hold, what they grant and how to revoke them.")
        self._grouped(files, "components", "components",
                      [self._component(i, c) for i, c in enumerate(self.components)],
                      "Serving stacks, vector databases and libraries.")
        datasets = [self._external_dataset(d) for d in self.external_datasets]
        datasets += [self._dataset(i, d) for i, d in enumerate(self.datasets)]
        self._grouped(files, "datasets", "datasets", datasets,
                      "Training and evaluation data, with lineage.")
        files["inventory/playbooks.yaml"] = render_file(
            [self._playbook(s) for s in SCENARIOS], "One response playbook per scenario.")
        for i, name in enumerate(self.models):
            files[f"inventory/models/{name}.yaml"] = render(self._model(i, name))
        return files

    def _indexed(self, bases: list[str]) -> list[str]:
        """Unique names: base-0001, base-0002 ... numbered in order of appearance."""
        width = max(4, len(str(len(bases))))
        return [f"{b}-{i + 1:0{width}d}" for i, b in enumerate(bases)]

    def _names_people(self, count: int) -> list[str]:
        names = []
        for i in range(count):
            a, b = i % len(FIRST), i // len(FIRST)
            first, last = FIRST[a], LAST[(a + b) % len(LAST)]
            rounds = i // (len(FIRST) * len(LAST))
            names.append(f"{first}.{last}" + (f"{rounds + 1}" if rounds else ""))
        return names

    def _team_name(self, i: int) -> str:
        area = TEAM_AREAS[i % len(TEAM_AREAS)]
        return area if i < len(TEAM_AREAS) else f"{area}-{i // len(TEAM_AREAS) + 1}"

    def _grouped(self, files: dict[str, str], folder: str, stem: str, docs: list[Doc],
                 header: str) -> None:
        for start in range(0, len(docs), PER_FILE):
            part = start // PER_FILE + 1
            files[f"inventory/{folder}/{stem}-{part:03d}.yaml"] = render_file(
                docs[start:start + PER_FILE], header)

    # --- kinds --------------------------------------------------------------------------------
    def _organization(self) -> Doc:
        rng = self.rng
        people = self.people
        roles: dict[str, Any] = {}
        for role in ["incident_commander", "technical_lead", "communications_lead",
                     "legal_advisor", "security_lead", "data_protection_officer"]:
            primary, backup = rng.sample(people, 2)
            entry: dict[str, Any] = {"primary": f"person:{primary}"}
            if role != "data_protection_officer":  # a gap on purpose: no backup
                entry["backup"] = f"person:{backup}"
            roles[role] = entry
        spec: dict[str, Any] = {
            "roles": roles,
            "team": [f"person:{p}" for p in people[:min(12, len(people))]],
            "channels": [
                {"name": "#ai-incident-bridge", "kind": "slack", "dedicated": True,
                 "independent_of_ai": True, "secure": True},
                {"name": "AI incident phone bridge", "kind": "bridge", "dedicated": True,
                 "independent_of_ai": True},
                {"name": "security@example.com", "kind": "email", "dedicated": False,
                 "independent_of_ai": True},
            ],
            "tabletop_exercises": [
                {"date": self.date(400, 30), "scenarios": rng.sample(SCENARIOS, 2),
                 "participants": [f"person:{p}" for p in rng.sample(people, 5)],
                 "notes": "Found that the kill switch runbook was out of date"},
                {"date": self.date(200, 10), "scenarios": rng.sample(SCENARIOS, 3),
                 "participants": [f"person:{p}" for p in rng.sample(people, 6)]},
            ],
            "escalation": {
                "legal": "Any exposure of personal, health or payment data",
                "notify_customers": "Confirmed exposure of customer data or harmful actions",
                "take_offline": "A model acting through tools in ways nobody approved",
            },
            "severity_scale": {
                "P1": "Customer data exposed or harmful actions taken",
                "P2": "Degraded or manipulated outputs reaching customers",
                "P3": "Internal-only impact, contained",
                "P4": "Near miss, no impact",
            },
            "targets": {
                "P1": {"detect": "PT15M", "contain": "PT1H", "remediate": "P1D", "notify": "PT4H"},
                "P2": {"detect": "PT1H", "contain": "PT4H", "remediate": "P3D", "notify": "P1D"},
                "P3": {"detect": "4h", "contain": "1d", "remediate": "7d"},
                "P4": {"detect": "1d", "remediate": "30d"},
            },
            "forensic_environment": {"isolated": True,
                                     "location": "aws account forensics-123456 (eu-west-1)",
                                     "last_verified": self.date(120, 5)},
            "regulations": ["gdpr", "eu_ai_act", "nis2"],
            "recurrence_watch": "P30D",
        }
        return Doc("Organization",
                   {"name": "example-corp", "title": "Example Corp",
                    "description": "Synthetic organisation generated by bench/synth.py",
                    "labels": {"generator": "airready-bench", "seed": str(self.seed)}},
                   spec, comment="Exactly one Organization per project.")

    def _person(self, name: str) -> Doc:
        rng = self.rng
        spec: dict[str, Any] = {"email": f"{name}@example.com"}
        if rng.random() < 0.8:
            spec["phone"] = f"+44 20 7946 {rng.randint(0, 9999):04d}"
        if rng.random() < 0.6:
            spec["role_training"] = self.date(500, 1)
        spec["skills"] = self.pick(SKILLS, 1, 3)
        title = " ".join(part.capitalize() for part in name.replace("-", " ").split("."))
        return Doc("Person", {"name": name, "title": title}, spec)

    def _team(self, name: str) -> Doc:
        members = self.pick(self.people, 2, 6)
        spec: dict[str, Any] = {"members": [f"person:{m}" for m in members]}
        if self.rng.random() < 0.85:
            spec["on_call"] = {"channel": f"#{name}-oncall"}
        return Doc("Team", {"name": name, "title": name.replace("-", " ").capitalize()},
                   spec)

    def _vendor(self, name: str, title: str, services: list[str]) -> Doc:
        rng = self.rng
        contact: dict[str, Any] = {"email": f"security@{name}.example",
                                   "url": f"https://{name}.example/security"}
        if rng.random() < 0.5:
            contact["phone"] = f"+1 415 555 {rng.randint(0, 9999):04d}"
        if rng.random() < 0.7:
            contact["verified"] = self.date(300, 1)
        spec: dict[str, Any] = {
            "security_contact": contact,
            "incident_reporting": f"https://{name}.example/trust/incident-reporting",
            "notification_sla": rng.choice(["PT24H", "PT72H", "72h", "P2D"]),
            "services": services,
        }
        return Doc("Vendor", {"name": name, "title": title}, spec)

    def _environment(self, name: str) -> Doc:
        stage = "production" if name == "production" else "staging"
        spec = {"stage": stage, "region": "eu-west-1",
                "users": 250000 if stage == "production" else 120}
        return Doc("Environment", {"name": name}, spec)

    def _datastore(self, i: int, name: str) -> Doc:
        rng = self.rng
        spec: dict[str, Any] = {"data_classes": self.pick(DATA_CLASSES, 1, 3)}
        if name == "ai-logs":
            spec = {"data_classes": ["pii", "telemetry"], "immutable": True,
                    "retention_days": 400}
        else:
            spec["immutable"] = rng.random() < 0.2
            spec["retention_days"] = rng.choice([30, 90, 365, 730, 2555])
        if i > 0 and rng.random() < 0.3:
            spec["separate_from"] = ["datastore:ai-logs"]
        return Doc("DataStore", {"name": name, "owner": self.owner(),
                                 "labels": {"engine": name.split("-")[0]}}, spec)

    def _tool(self, name: str) -> Doc:
        rng = self.rng
        system_key = name.split("-")[0]
        system = dict(SYSTEMS)[system_key]
        reaches = [f"datastore:{d}" for d in self.pick(self.datastores[1:], 0, 2)]
        if rng.random() < 0.1:
            other = rng.choice(self.tools)
            if other != name:
                reaches.append(f"tool:{other}")
        spec: dict[str, Any] = {"system": system, "actions": SYSTEM_ACTIONS[system_key]}
        if reaches:
            spec["reaches"] = reaches
        if rng.random() < 0.85:
            spec["can_disable"] = rng.random() < 0.8
        return Doc("Tool", {"name": name, "owner": self.owner(),
                            "description": f"Lets a model use {system}."}, spec)

    def _credential(self, name: str) -> Doc:
        rng = self.rng
        grants = [f"tool:{t}" for t in self.pick(self.tools, 1, 2)]
        grants += [f"datastore:{d}" for d in self.pick(self.datastores[1:], 0, 1)]
        spec: dict[str, Any] = {"grants": grants,
                                "rotation_days": rng.choice([30, 60, 90, 180, 365])}
        if rng.random() < 0.8:
            spec["revocation"] = f"https://wiki.example.com/security/revoke/{name}"
        if rng.random() < 0.7:
            spec["last_rotated"] = self.date(200, 1)
        return Doc("Credential", {"name": name, "owner": self.owner()}, spec)

    def _component(self, i: int, name: str) -> Doc:
        rng = self.rng
        spec: dict[str, Any] = {"type": self.component_types[i], "version": self.version()}
        if rng.random() < 0.4:
            spec["supplier"] = f"vendor:{rng.choice(self.vendors)}"
        if rng.random() < 0.7:
            spec["checksum"] = self.checksum()
        if i > 0 and rng.random() < 0.5:  # depends only on earlier components: no cycles
            spec["depends_on"] = [f"component:{c}" for c in self.pick(self.components[:i], 1, 2)]
        return Doc("Component", {"name": name, "owner": self.owner()}, spec)

    def _external_dataset(self, name: str) -> Doc:
        return Doc("Dataset", {"name": name, "title": name.replace("-", " ").title(),
                               "external": True}, None,
                   comment="A public dataset: external, no further fields.")

    def _dataset(self, i: int, name: str) -> Doc:
        rng = self.rng
        spec: dict[str, Any] = {}
        if rng.random() < 0.3:
            spec["source"] = f"s3://example-data/{name}/"
        else:
            spec["source"] = f"Exported nightly from the {name.split('-')[1]} system"
        if rng.random() < 0.25:
            spec["supplier"] = f"vendor:{rng.choice(self.vendors)}"
        roll = rng.random()
        if i > 0 and roll < 0.5:  # lineage chains: derived only from earlier datasets
            window = self.datasets[max(0, i - 20):i]
            spec["derived_from"] = [f"dataset:{d}" for d in self.pick(window, 1, 2)]
        elif roll < 0.55:
            spec["derived_from"] = [f"dataset:{rng.choice(self.external_datasets)}"]
        spec["data_classes"] = self.pick(DATA_CLASSES, 1, 3)
        if rng.random() < 0.75:
            provenance: dict[str, Any] = {"checksum": self.checksum()}
            if rng.random() < 0.8:
                provenance["verified"] = self.date(365, 1)
            provenance["signed"] = rng.random() < 0.5
            spec["provenance"] = provenance
        return Doc("Dataset", {"name": name, "owner": self.owner()}, spec)

    def _playbook(self, scenario: str) -> Doc:
        name = scenario.replace("_", "-")
        rng = self.rng
        spec: dict[str, Any] = {"scenario": scenario, "steps": PLAYBOOK_STEPS[scenario],
                                "last_reviewed": self.date(300, 1)}
        if rng.random() < 0.7:
            spec["last_exercised"] = self.date(400, 30)
        spec["applies_to"] = "all" if scenario != "model_theft" else [
            f"model:{m}" for m in self.pick(self.models, 1, 5)]
        return Doc("Playbook", {"name": name, "owner": f"person:{self.people[0]}",
                                "title": scenario.replace("_", " ").capitalize()}, spec)

    def _model(self, i: int, name: str) -> Doc:
        rng = self.rng
        domain, kind = name.split("-")[0], name.split("-")[1]
        gaps = rng.random() < 0.2  # about a fifth of models are not ready
        third_party = rng.random() < 0.3
        risk = rng.choices(["high", "medium", "low"], [2, 5, 3])[0]
        lifecycle = rng.choices(["production", "staging", "experimental", "retired"],
                                [6, 2, 1.5, 0.5])[0]
        team = rng.choice(self.teams)
        audience = rng.choice(["internal", "external"])
        meta: dict[str, Any] = {
            "name": name,
            "title": f"{domain.capitalize()} {kind} #{i + 1}",
            "description": f"The {kind} behind {domain} workflows, "
                           f"{'hosted by a vendor' if third_party else 'served in-house'}.",
            "owner": f"team:{team}",
            "labels": {"tier": rng.choice(["gold", "silver", "bronze"]),
                       "region": rng.choice(["eu", "us", "apac"]),
                       "cost-centre": f"cc-{rng.randint(1000, 9999)}"},
            "links": [
                {"title": "Runbook", "url": f"https://wiki.example.com/ml/{name}/runbook"},
                {"title": "Dashboard", "url": f"https://grafana.example.com/d/{name}"},
            ],
        }
        version = self.version()
        spec: dict[str, Any] = {"version": version, "lifecycle": lifecycle, "risk_tier": risk}
        if third_party:
            spec["provider"] = f"vendor:{rng.choice(self.vendors[:5])}"
        if i > 0 and rng.random() < 0.4:  # fine-tuned from an earlier model: no cycles
            spec["base_model"] = f"model:{self.models[rng.randrange(max(0, i - 200), i)]}"
        datasets = self.pick(self.datasets, 1, 3)
        spec["training_data"] = [f"dataset:{d}" for d in datasets]
        if not third_party and rng.random() < 0.6:
            spec["fine_tuning"] = [
                {"date": self.date(500, 10), "dataset": f"dataset:{rng.choice(self.datasets)}",
                 "by": rng.choice([f"team:{team}", f"person:{rng.choice(self.people)}"])}
                for _ in range(rng.randint(1, 2))
            ]
        depends = [f"component:{c}" for c in self.pick(self.components, 1, 3)]
        if rng.random() < 0.2:
            depends.append(f"datastore:{rng.choice(self.datastores[1:])}")
        spec["depends_on"] = depends
        tools = self.pick(self.tools, 0, 3)
        if tools:
            spec["tools"] = [
                {"tool": f"tool:{t}",
                 "permissions": self.pick(SYSTEM_ACTIONS[t.split("-")[0]], 1, 3)}
                for t in tools
            ]
        spec["data_access"] = [f"datastore:{d}" for d in self.pick(self.datastores[1:], 1, 3)]
        if rng.random() < 0.6:
            spec["credentials"] = [f"credential:{c}" for c in self.pick(self.credentials, 1, 2)]
        spec["environments"] = (["environment:production", "environment:staging"]
                                if lifecycle == "production" else ["environment:staging"])
        spec["users"] = {"count": rng.choice([12, 80, 450, 1840, 25000, 250000]),
                         "audience": audience}
        spec["data_classes"] = self.pick(DATA_CLASSES[:5], 1, 3)
        spec["logging"] = {
            "inputs": True, "outputs": True, "timestamps": True,
            "session_ids": rng.random() < 0.9, "user_attribution": rng.random() < 0.8,
            "store": "datastore:ai-logs", "retention_days": rng.choice([90, 180, 365, 400]),
        }
        p50 = rng.randint(40, 900)
        spec["baselines"] = {
            "documented": self.date(300, 1),
            "output_distribution": f"https://grafana.example.com/d/{name}/baseline",
            "latency_ms": {"p50": p50, "p95": p50 * rng.randint(2, 4)},
            "tokens": {"mean": rng.randint(50, 1500)},
            "refusal_rate": round(rng.uniform(0.0, 0.08), 3),
        }
        spec["monitoring"] = {"alerts": self.pick(ALERTS, 2, 5),
                              "destination": f"#{team}-alerts"}
        spec["rollback"] = {
            "known_good_version": self._previous(version),
            "artifact_checksum": self.checksum(),
            "procedure": f"https://wiki.example.com/ml/{name}/rollback",
            "last_tested": self.date(250, 1),
            "target_minutes": rng.choice([5, 15, 30, 60]),
        }
        spec["containment"] = {"kill_switch": True, "input_filtering": rng.random() < 0.8,
                               "tool_restriction": bool(tools), "rate_limiting": True}
        spec["architecture"] = {
            "doc": f"docs/architecture/{name}.md",
            "endpoints": [f"https://api.example.com/v{version.split('.')[0]}/{name}"],
            "auth": rng.choice(["OAuth2 client credentials via the API gateway",
                                "mTLS between services", "API key in the vault"]),
            "data_flow": f"docs/architecture/{name}-flow.svg",
        }
        if gaps:  # readiness gaps: whole blocks or fields left out, as in real inventories
            for block in self.pick(["logging", "baselines", "monitoring", "rollback",
                                    "containment", "architecture"], 1, 4):
                del spec[block]
            if "rollback" in spec and rng.random() < 0.5:
                del spec["rollback"]["last_tested"]
            if "logging" in spec and rng.random() < 0.5:
                spec["logging"]["user_attribution"] = False
                del spec["logging"]["session_ids"]
            if rng.random() < 0.3:
                del spec["users"]
        if risk == "high" and "containment" in spec:
            spec["containment"] = {"_": Comment("high risk: every switch must work"),
                                   **spec["containment"]}
        comment = f"{meta['title']} ({risk} risk, {lifecycle}). Owned by {team}."
        return Doc("Model", meta, spec, comment=comment)


def generate(out_dir: Path, models: int, seed: int = 0) -> dict[str, int]:
    """Write the project into ``out_dir`` (replacing its inventory); returns counts."""
    files = Estate(models, seed).build()
    out_dir = Path(out_dir)
    config = out_dir / "airready.yaml"
    inventory = out_dir / "inventory"
    if config.exists() and config.read_text(encoding="utf-8") != files["airready.yaml"]:
        # Never clobber a real project: only a folder this script wrote may be rewritten.
        raise FileExistsError(f"{config} exists and was not written by bench/synth.py")
    if inventory.exists():
        if not config.exists():
            raise FileExistsError(f"{inventory} exists and was not written by bench/synth.py")
        shutil.rmtree(inventory)
    folders = {(out_dir / rel).parent for rel in files}
    for folder in sorted(folders):
        folder.mkdir(parents=True, exist_ok=True)
    size = 0
    for rel, text in files.items():
        data = text.encode("utf-8")
        (out_dir / rel).write_bytes(data)
        size += len(data)
    return {"files": len(files), "bytes": size, "models": models}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path, help="project folder to write")
    parser.add_argument("--models", type=int, required=True, help="number of Model entities")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.models < 1:
        parser.error("--models must be at least 1")
    try:
        counts = generate(args.out_dir, args.models, args.seed)
    except FileExistsError as exc:
        parser.error(str(exc))
    print(f"wrote {counts['files']} files ({counts['bytes'] / 1e6:.1f} MB), "
          f"{counts['models']} models, into {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
