# Reference types are built by fields.Ref(...), a factory mypy cannot read as a type.
# mypy: disable-error-code="valid-type"
"""The inventory format: one pydantic model per kind (see docs/format.md).

The format demands only what identifies and connects entities.  Everything that
readiness asks for (backups, logging, baselines, rollback, contacts) is optional
here: its absence is a control's finding, never a validation error, so that an
inventory full of gaps still validates and can be audited.
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Annotated, Any, Literal

from pydantic import Field, create_model

from .fields import PREFIX_BY_KIND, Date, Duration, Identifier, Name, Ref, Strict, Timestamp

API_VERSION = "airready/v1"

Scenario = Literal[
    "prompt_injection", "data_poisoning", "model_theft", "adversarial_inputs",
    "supply_chain", "infrastructure", "data_leakage",
]
SCENARIOS: tuple[str, ...] = Scenario.__args__  # type: ignore[attr-defined]
# The regimes airready knows; a project may declare more in airready.yaml (validate.py
# checks each name against both), so the field type itself is an open identifier.
BUILTIN_REGULATIONS = ("gdpr", "eu_ai_act", "hipaa", "nis2", "dora", "sec")
Regulation = Identifier
Skill = Literal["ml", "security", "data_science", "legal", "communications"]
Severity = Annotated[str, Field(pattern=r"^P[1-9]$")]
DataClass = Identifier
# What raises a model's required level and a gap's rank: data classes that hurt people or
# the organisation when they leak (personal data in all the forms the built-in regimes
# name, payment data, secrets, trade secrets). Other classes are listed but raise nothing.
SENSITIVE_DATA = frozenset({"pii", "phi", "health", "special_category", "biometric",
                            "payment", "credentials", "proprietary"})
# Tool actions that change the world rather than read it.
WRITE_ACTIONS = frozenset({"write", "execute", "send", "pay", "delete", "deploy", "admin"})
NonEmpty = Annotated[str, Field(min_length=1)]

PersonRef = Ref("person")
OwnerRef = Ref("person", "team")
VendorRef = Ref("vendor")
DatasetRef = Ref("dataset")
ModelRef = Ref("model")
DataStoreRef = Ref("datastore")
ANY_REF = Ref(
    "person", "team", "model", "dataset", "component", "tool", "datastore", "credential",
    "environment", "vendor", "playbook", "incident", "risk",
)


# --- envelope -----------------------------------------------------------------------------

class Link(Strict):
    title: str
    url: str


class Metadata(Strict):
    name: Name
    title: str | None = None
    description: str | None = None
    owner: OwnerRef | None = None
    labels: dict[str, str] = {}
    links: list[Link] = []
    external: bool = False
    # Ids the entity has in other systems (omb, purl, bom-ref...): importers match on them,
    # so a second import updates an entity instead of adding a copy.
    external_ids: dict[NonEmpty, NonEmpty] = {}
    # Judged like any entity, but its title, description and spec details stay off the site
    # and out of exports meant for the public.
    confidential: bool = False


# --- Organization ---------------------------------------------------------------------------

class Role(Strict):
    primary: PersonRef
    backup: PersonRef | None = None


class Channel(Strict):
    name: str
    kind: str  # slack, teams, bridge, phone, email, signal ...
    dedicated: bool | None = None
    independent_of_ai: bool | None = None
    secure: bool | None = None


class TabletopExercise(Strict):
    date: Date
    scenarios: list[Scenario] = []
    participants: list[PersonRef] = []
    notes: str | None = None
    models: list[ModelRef] = []  # the model(s) the exercise was built around
    findings: list[str] = []  # what the exercise showed needs fixing


class Escalation(Strict):
    legal: str | None = None
    notify_customers: str | None = None
    take_offline: str | None = None


class Targets(Strict):
    detect: Duration | None = None
    contain: Duration | None = None
    remediate: Duration | None = None
    notify: Duration | None = None


class ForensicEnvironment(Strict):
    isolated: bool | None = None
    location: str | None = None
    last_verified: Date | None = None


class UserReports(Strict):
    channel: str | None = None  # where users report a model's misbehaviour: a form, a button
    triaged_by: OwnerRef | None = None  # who reads the reports and pages the response team


class Intake(Strict):
    """How an incident reaches the response team when no alert fires."""

    user_reports: UserReports | None = None
    security_contact: str | None = None  # where outside researchers write (email or url)
    disclosure_policy: str | None = None  # the published vulnerability disclosure policy
    advisories: list[str] = []  # vendor advisories and threat feeds someone reads


class SharingBody(Strict):
    """A body the organisation shares incident findings with (an ISAC, a CSIRT...)."""

    name: str
    kind: Identifier | None = None  # isac, csirt, regulator, community ...
    contact: str | None = None


class OrganizationSpec(Strict):
    roles: dict[Identifier, Role] = {}
    team: list[PersonRef] = []
    channels: list[Channel] = []
    tabletop_exercises: list[TabletopExercise] = []
    escalation: Escalation | None = None
    severity_scale: dict[Severity, str] = {}
    targets: dict[Severity, Targets] = {}
    forensic_environment: ForensicEnvironment | None = None
    regulations: list[Regulation] = []
    recurrence_watch: Duration | None = None  # how long enhanced monitoring runs after closure
    intake: Intake | None = None
    information_sharing: list[SharingBody] = []


# --- people ---------------------------------------------------------------------------------

class PersonSpec(Strict):
    email: str | None = None
    phone: str | None = None
    role_training: Date | None = None
    skills: list[Skill] = []
    left: Date | None = None  # the day they left the organisation (or will)


class OnCall(Strict):
    url: str | None = None
    channel: str | None = None


class TeamSpec(Strict):
    members: list[PersonRef] = []
    on_call: OnCall | None = None
    parent: Ref("team") | None = None  # agency > bureau > team: what a team owns rolls up


# --- models and what they stand on ----------------------------------------------------------

class FineTuning(Strict):
    date: Date | None = None
    dataset: DatasetRef
    by: Ref("person", "team", "vendor") | None = None


class ToolGrant(Strict):
    tool: Ref("tool")
    permissions: list[Identifier] = []


class Users(Strict):
    count: int | None = Field(default=None, ge=0)
    audience: Literal["internal", "external"] | None = None


class Logging(Strict):
    inputs: bool | None = None
    outputs: bool | None = None
    timestamps: bool | None = None
    session_ids: bool | None = None
    user_attribution: bool | None = None
    store: DataStoreRef | None = None
    retention_days: int | None = Field(default=None, ge=0)


class Latency(Strict):
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None


class Tokens(Strict):
    mean: float | None = None
    p95: float | None = None


class Baselines(Strict):
    documented: Date | None = None
    output_distribution: str | None = None
    latency_ms: Latency | None = None
    tokens: Tokens | None = None
    refusal_rate: float | None = Field(default=None, ge=0, le=1)


class Monitoring(Strict):
    alerts: list[Identifier] = []
    destination: str | None = None


class Rollback(Strict):
    known_good_version: str | None = None
    artifact_checksum: str | None = None
    procedure: str | None = None
    last_tested: Date | None = None
    target_minutes: int | None = Field(default=None, ge=0)
    # A hosted model: a dated snapshot the API keeps serving (not a floating alias such as
    # "latest"), and where traffic goes when the model must come off (a model ref, a rules
    # path or a human queue).
    pinned_version: str | None = None
    fallback: str | None = None


class Containment(Strict):
    kill_switch: bool | None = None
    input_filtering: bool | None = None
    tool_restriction: bool | None = None
    rate_limiting: bool | None = None
    enhanced_logging: bool | None = None


class Architecture(Strict):
    doc: str | None = None
    endpoints: list[str] = []
    auth: str | None = None
    data_flow: str | None = None
    integrations: list[str] = []


class Artifact(Strict):
    """The version in service now (``rollback`` describes the one to go back to)."""

    checksum: str | None = None  # of the deployed weights or image, e.g. sha256:...
    location: str | None = None  # registry, bucket or image reference
    deployed: Date | None = None  # when this version went into service: its last change
    verified: Date | None = None  # when the running copy was last checked against checksum
    change: str | None = None  # the change record it was deployed under


class AdversarialTest(Strict):
    date: Date
    kind: Literal["red_team", "adversarial", "automated_scan", "penetration"] | None = None
    by: Ref("person", "team", "vendor") | None = None
    scope: str | None = None  # what was attacked: prompts, tools, retrieval, the weights
    report: str | None = None


Modality = Literal["language", "multimodal", "vision", "speech", "tabular", "other"]
Lifecycle = Literal["production", "pilot", "staging", "experimental", "retired"]
LIFECYCLES: tuple[str, ...] = Lifecycle.__args__  # type: ignore[attr-defined]


AiActClass = Literal["prohibited", "high_risk", "limited", "minimal", "gpai", "gpai_systemic"]
# The model's classification under the EU AI Act (Regulation (EU) 2024/1689).  The format's
# key is ``class``, a Python keyword, so the block is built with the field named exactly so:
# paths in controls (spec.eu_ai_act.class) and messages then read as users write them.
_ai_act_fields: dict[str, Any] = {"class": (AiActClass, ...)}
EuAiAct = create_model("EuAiAct", __base__=Strict, **_ai_act_fields)


PracticeStatus = Literal["done", "in_progress", "waived", "not_applicable", "not_done"]


class Practice(Strict):
    """Where one risk-management practice stands, as an agency or a model card reports it."""

    status: PracticeStatus
    by: str | None = None  # who did it: an oversight board, the CAIO, an internal reviewer
    notes: str | None = None  # what was found or done, or why it does not apply
    date: Date | None = None


class Practices(Strict):
    """The minimum practices for high-impact AI (OMB M-25-21, appendix section 4(b)); the EU
    AI Act asks much the same of high-risk systems (testing, oversight, monitoring)."""

    testing: Practice | None = None  # pre-deployment testing
    impact_assessment: Practice | None = None
    independent_review: Practice | None = None
    monitoring: Practice | None = None  # ongoing monitoring for performance and adverse impacts
    operator_training: Practice | None = None
    fail_safe: Practice | None = None
    appeal: Practice | None = None  # a way for affected people to contest an outcome
    consultation: Practice | None = None  # feedback sought from end users and the public


class ModelSpec(Strict):
    version: str | None = None
    checksum: str | None = None  # of the artifact in use (weights, image), e.g. sha256:...
    modality: Modality | None = None  # language models have token and refusal signals
    lifecycle: Lifecycle | None = None  # pilot: live with real users in a limited way
    risk_tier: Literal["high", "medium", "low"] | None = None
    provider: VendorRef | None = None  # the vendor whose hosted API serves it
    developer: list[VendorRef] = []  # who built it, e.g. under contract
    publisher: list[VendorRef] = []  # who published the weights
    base_model: ModelRef | None = None
    training_data: list[DatasetRef] = []
    fine_tuning: list[FineTuning] = []
    depends_on: list[Ref("component", "model", "datastore")] = []
    tools: list[ToolGrant] = []
    data_access: list[DataStoreRef] = []
    credentials: list[Ref("credential")] = []
    environments: list[Ref("environment")] = []
    users: Users | None = None
    data_classes: list[DataClass] = []
    logging: Logging | None = None
    baselines: Baselines | None = None
    monitoring: Monitoring | None = None
    rollback: Rollback | None = None
    containment: Containment | None = None
    architecture: Architecture | None = None
    eu_ai_act: EuAiAct | None = None
    practices: Practices | None = None
    artifact: Artifact | None = None
    adversarial_testing: list[AdversarialTest] = []


class Provenance(Strict):
    checksum: str | None = None
    verified: Date | None = None
    signed: bool | None = None


class DatasetSpec(Strict):
    source: str | None = None
    supplier: VendorRef | None = None
    derived_from: list[DatasetRef] = []
    data_classes: list[DataClass] = []
    provenance: Provenance | None = None


class ComponentSpec(Strict):
    type: Literal["serving", "vector_db", "library", "framework", "container_image",
                  "hardware"] | None = None
    version: str | None = None
    # A vendor, or the team that builds it in house.
    supplier: Ref("vendor", "team") | None = None
    checksum: str | None = None
    managed: bool | None = None  # a hosted service: nothing local to checksum
    depends_on: list[Ref("component")] = []


class ToolSpec(Strict):
    system: str | None = None
    actions: list[Identifier] = []
    reaches: list[Ref("datastore", "tool")] = []
    can_disable: bool | None = None
    # A person approves each consequential action, or a hard limit caps it ("refunds up to
    # 200 EUR a day"): either keeps a manipulated model from acting at scale.
    human_approval: bool | None = None
    limit: str | None = None


class DataStoreSpec(Strict):
    supplier: VendorRef | None = None  # who hosts it
    data_classes: list[DataClass] = []
    immutable: bool | None = None
    retention_days: int | None = Field(default=None, ge=0)
    separate_from: list[ANY_REF] = []


class CredentialSpec(Strict):
    grants: list[Ref("tool", "datastore")] = []
    issuer: VendorRef | None = None  # e.g. a model API's key
    rotation_days: int | None = Field(default=None, ge=0)
    revocation: str | None = None
    last_rotated: Date | None = None


class EnvironmentSpec(Strict):
    stage: Literal["production", "staging", "dev"] | None = None
    region: str | None = None
    users: int | None = Field(default=None, ge=0)


class SecurityContact(Strict):
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    verified: Date | None = None


class VendorSpec(Strict):
    security_contact: SecurityContact | None = None
    incident_reporting: str | None = None
    notification_sla: Duration | None = None
    services: list[str] = []


class PlaybookSpec(Strict):
    scenario: Scenario
    steps: list[str] = []
    last_reviewed: Date | None = None
    last_exercised: Date | None = None
    applies_to: Literal["all"] | list[ModelRef] = []


# --- after an incident ------------------------------------------------------------------------

class Timeline(Strict):
    started: Timestamp | None = None
    detected: Timestamp | None = None
    stakeholders_notified: Timestamp | None = None
    contained: Timestamp | None = None
    remediated: Timestamp | None = None
    closed: Timestamp | None = None


class Impact(Strict):
    users: int | None = Field(default=None, ge=0)
    data_classes: list[DataClass] = []
    downstream_actions: str | None = None
    deaths: int | None = Field(default=None, ge=0)
    widespread: bool | None = None
    critical_infrastructure: bool | None = None


class RegulatoryFiling(Strict):
    regime: Regulation
    # Multi-stage regimes (nis2, dora) file several reports; stage names the one recorded.
    stage: Identifier | None = None
    notified_at: Timestamp | None = None
    # When the regime's clock started, if not at detection: DORA's classification as
    # major, the SEC's materiality determination.
    clock_start: Timestamp | None = None
    reference: str | None = None


EvidenceKind = Literal["logs", "model_state", "attack_inputs", "recording", "timeline",
                       "other"]


class Evidence(Strict):
    what: str
    kind: EvidenceKind | None = None
    location: str | None = None
    preserved_at: Timestamp | None = None
    checksum: str | None = None  # of the preserved copy: what chain of custody rests on


class Action(Strict):
    title: str
    owner: OwnerRef | None = None
    due: Date | None = None
    status: Literal["open", "in_progress", "done", "cancelled"] = "open"


class Review(Strict):
    held: Date | None = None
    blameless: bool | None = None
    participants: list[PersonRef] = []
    # How fast detection, containment and notification were, and whether the right people
    # came in at the right time: what the review concluded, in words.
    effectiveness: str | None = None
    systemic_issues: list[str] = []  # patterns beyond this incident; [] when none were found


class Sharing(Strict):
    shared_with: list[str] = []  # names of the Organization's information_sharing bodies
    date: Date | None = None
    reference: str | None = None
    declined: str | None = None  # why the findings were not shared


class IncidentSpec(Strict):
    severity: Severity
    # A serious incident in the sense of EU AI Act Art. 3(49): what starts the Art. 73 clock.
    serious: bool | None = None
    category: Scenario
    models: list[ModelRef] = []
    detection_source: Literal["automated_monitoring", "user_report", "security_team",
                              "external", "audit"] | None = None
    timeline: Timeline = Timeline()
    entry_point: str | None = None
    root_cause: str | None = None
    contributing_factors: list[str] = []
    detection_gap: str | None = None
    objective: str | None = None  # what the attacker was after: data, disruption, money...
    lateral_movement: str | None = None  # whether the AI system was used to reach others
    responders: list[PersonRef] = []  # everyone who took part in the response
    detection_updates: list[str] = []  # alerts and rules added for this attack pattern
    sharing: Sharing | None = None
    impact: Impact | None = None
    regulatory: list[RegulatoryFiling] = []
    evidence: list[Evidence] = []
    actions: list[Action] = []
    review: Review | None = None
    lessons: list[str] = []


class Treatment(Strict):
    title: str
    owner: OwnerRef | None = None
    due: Date | None = None
    status: Literal["open", "in_progress", "done", "cancelled"] = "open"


class RiskSpec(Strict):
    title: str
    models: list[ModelRef] = []
    category: str | None = None
    # Not yet rated when left out: an imported model card names risks, not their odds.
    likelihood: int | None = Field(default=None, ge=1, le=5)
    impact: int | None = Field(default=None, ge=1, le=5)
    status: Literal["open", "mitigating", "accepted", "closed"] = "open"
    source: str | None = None  # an incident reference or a control id
    incidents: list[Ref("incident")] = []  # occurrences seen
    treatments: list[Treatment] = []
    review_by: Date | None = None
    controls: list[str] = []  # control ids whose gaps feed this risk


class WaiverSpec(Strict):
    control: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*-[A-Z0-9]+-\d{3}$")]
    targets: Literal["all"] | list[ANY_REF]
    justification: str = Field(min_length=1)
    approved_by: PersonRef
    approved_on: Date | None = None  # the waiver's length is counted from here (or today)
    expires: Date


# --- the envelope, per kind ----------------------------------------------------------------

SPEC_BY_KIND: dict[str, type[Strict]] = {
    "Organization": OrganizationSpec,
    "Person": PersonSpec,
    "Team": TeamSpec,
    "Model": ModelSpec,
    "Dataset": DatasetSpec,
    "Component": ComponentSpec,
    "Tool": ToolSpec,
    "DataStore": DataStoreSpec,
    "Credential": CredentialSpec,
    "Environment": EnvironmentSpec,
    "Vendor": VendorSpec,
    "Playbook": PlaybookSpec,
    "Incident": IncidentSpec,
    "Risk": RiskSpec,
    "Waiver": WaiverSpec,
}
OWNER_REQUIRED = frozenset({"Model", "Dataset", "Tool", "Playbook", "Risk"})
KINDS = tuple(SPEC_BY_KIND)


class Entity(Strict):
    """Common envelope; ``entity_class(kind)`` gives the class with the right spec."""

    apiVersion: Literal["airready/v1"]  # noqa: N815 - the format's own spelling
    kind: str
    metadata: Metadata
    spec: Any = None

    @property
    def name(self) -> str:
        return self.metadata.name

    @cached_property
    def ref(self) -> str:
        return f"{PREFIX_BY_KIND[self.kind]}:{self.metadata.name}"


def _make_entity_class(kind: str, spec: type[Strict]) -> type[Entity]:
    # The spec may be omitted only by external entities or kinds with no required field;
    # validate.py checks that, and the owner rule, so it can point at the right line.
    # The field types are built at run time, which type checkers cannot follow.
    fields: dict[str, Any] = {"kind": (Literal[kind], ...), "spec": (spec | None, None)}
    return create_model(f"{kind}Entity", __base__=Entity, **fields)


@cache  # asked for every document that validates
def spec_required(kind: str) -> bool:
    return any(f.is_required() for f in SPEC_BY_KIND[kind].model_fields.values())


ENTITY_CLASS: dict[str, type[Entity]] = {
    kind: _make_entity_class(kind, spec) for kind, spec in SPEC_BY_KIND.items()
}
