"""An audit as OSCAL: assessment results, and a plan of action and milestones (POA&M).

Assessment results: one result whose reviewed controls are every control evaluated, with a
finding (not satisfied) and an observation for each failing target, its subject defined in
the result (a component for a model, data set, tool...; a party for the organisation, a
team, a person or a vendor).  Waived gaps are findings too, each with a risk whose status
is ``deviation-approved`` until the waiver expires.

POA&M: an item for each failing finding (with its risk; the due date is the earliest open
treatment of a risk-register entry that lists the control for the target's model) and one
for each open treatment in the risk register (its risk carries the treatments as
remediations, each due date a milestone).

Every UUID is a version-5 UUID of the organisation and the thing it names, and every
timestamp is the as-of date, so exporting the same inventory on the same day gives the same
bytes and later exports diff line by line.  Confidential entities appear by reference only:
no title, description or detail of theirs, and the generic wording of the control instead
of a message that could quote them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any
from urllib.parse import quote

from ..inventory.model import Inventory
from ..rules.catalog import Control
from ..rules.findings import AuditResult, Finding

OSCAL_VERSION = "1.2.1"
NS = "urn:airready:oscal"  # the namespace of airready's own props
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, NS)
PARTY_KINDS = {"Organization": "organization", "Team": "organization", "Vendor": "organization",
               "Person": "person"}
COMPONENT_TYPES = {"Model": "software", "Dataset": "software", "Component": "software",
                   "Tool": "service", "DataStore": "service", "Credential": "service",
                   "Environment": "service", "Playbook": "process-procedure",
                   "Incident": "process-procedure", "Risk": "plan", "Waiver": "policy"}
STATES = {"production": "operational", "pilot": "operational", "staging": "under-development",
          "experimental": "under-development", "retired": "disposition"}
RISK_STATUS = {"open": "open", "mitigating": "remediating", "accepted": "deviation-approved",
               "closed": "closed"}
OPEN_TREATMENT = ("open", "in_progress")
FILE_NAMES = ("assessment-results.json", "plan-of-action-and-milestones.json")


def _line(text: Any) -> str:
    """One line with no outer spaces: what OSCAL's markup-line and string types accept."""
    return " ".join(str(text).split()) or "-"


class _Export:
    def __init__(self, result: AuditResult, version: str):
        self.result = result
        self.inventory: Inventory = result.inventory
        self.catalog = result.catalog
        self.version = version
        self.today = result.today
        organization = self.inventory.organization
        self.org_ref = organization.ref if organization else "organization:unknown"
        self.org_title = (organization.metadata.title or organization.name) if organization \
            else "the organisation"
        self.stamp = f"{self.today.isoformat()}T00:00:00Z"
        self.parties: dict[str, dict[str, Any]] = {}
        self.components: dict[str, dict[str, Any]] = {}

    # identities
    def uid(self, *parts: str) -> str:
        return str(uuid.uuid5(_ROOT, "|".join((self.org_ref, *parts))))

    def confidential(self, ref: str | None) -> bool:
        entity = self.inventory.get(ref) if ref else None
        return bool(entity is not None and entity.metadata.confidential)

    def prop(self, name: str, value: Any) -> dict[str, str]:
        return {"name": name, "ns": NS, "value": _line(value)}

    def subject(self, ref: str) -> dict[str, Any]:
        """The subject reference for ``ref``, defining the party or component once."""
        entity = self.inventory.get(ref)
        kind = entity.kind if entity is not None else ""
        hidden = self.confidential(ref)
        title = ref if hidden or entity is None or not entity.metadata.title else (
            f"{_line(entity.metadata.title)} ({ref})")
        if kind in PARTY_KINDS:
            key = self.uid("party", ref)
            self.parties.setdefault(ref, {"uuid": key, "type": PARTY_KINDS[kind],
                                          "name": title,
                                          "props": [self.prop("airready-ref", ref)]})
            return {"subject-uuid": key, "type": "party", "title": ref}
        key = self.uid("subject", ref)
        if ref not in self.components:
            description = ("confidential" if hidden else
                           (entity.metadata.description if entity is not None
                            and entity.metadata.description else f"{kind or 'entity'} {ref}"))
            lifecycle = getattr(getattr(entity, "spec", None), "lifecycle", None)
            self.components[ref] = {
                "uuid": key, "type": COMPONENT_TYPES.get(kind, "software"), "title": title,
                "description": description,
                "props": [self.prop("airready-ref", ref), self.prop("airready-kind", kind)]
                + ([self.prop("confidential", "true")] if hidden else []),
                "status": {"state": STATES.get(lifecycle or "", "other")},
            }
        return {"subject-uuid": key, "type": "component", "title": ref}

    # findings
    def wording(self, finding: Finding, control: Control) -> str:
        if self.confidential(finding.target) or self.confidential(finding.evidence_ref):
            return f"{finding.target} {control.spec.failure} (confidential: details withheld)"
        return _line(finding.message)

    def observation(self, finding: Finding, control: Control) -> dict[str, Any]:
        where = f"{finding.file}:{finding.line}:{finding.column}"
        return {
            "uuid": self.uid("observation", finding.control, finding.target),
            "title": _line(f"{finding.control} {finding.target}"),
            "description": self.wording(finding, control),
            "methods": ["EXAMINE"],
            "types": ["finding"],
            "subjects": [self.subject(finding.target)],
            "relevant-evidence": [{"href": f"{quote(finding.file)}#L{finding.line}",
                                   "description": f"{where} ({finding.path})"}],
            "collected": self.stamp,
        }

    def finding(self, finding: Finding, control: Control) -> dict[str, Any]:
        item: dict[str, Any] = {
            "uuid": self.uid("finding", finding.control, finding.target),
            "title": _line(f"{control.spec.title} ({finding.target})"),
            "description": self.wording(finding, control),
            "props": [self.prop("control", finding.control),
                      self.prop("severity", finding.severity),
                      self.prop("phase", finding.phase), self.prop("state", finding.state)],
            "target": {"type": "objective-id", "target-id": finding.control,
                       "status": {"state": "not-satisfied",
                                  "reason": "fail" if finding.state == "fail" else "other"}},
            "related-observations": [
                {"observation-uuid": self.uid("observation", finding.control, finding.target)}],
            "remarks": f"Remediation: {control.spec.remediation.text}",
        }
        if finding.state == "error":
            item["remarks"] = "The control could not be evaluated. " + item["remarks"]
        if finding.waiver:
            item["related-risks"] = [{"risk-uuid": self.uid("waiver-risk", finding.control,
                                                            finding.target)}]
        return item

    def waiver_risk(self, finding: Finding, control: Control) -> dict[str, Any]:
        waiver = finding.waiver or {}
        hidden = self.confidential(finding.target) or self.confidential(waiver.get("ref"))
        justification = "confidential" if hidden else waiver.get("justification", "")
        return {
            "uuid": self.uid("waiver-risk", finding.control, finding.target),
            "title": _line(f"Waived: {control.spec.title} ({finding.target})"),
            "description": _line(control.spec.description),
            "statement": f"{waiver.get('ref')}, approved by {waiver.get('approved_by')}: "
                         f"{justification}",
            "status": "deviation-approved",
            "deadline": f"{waiver.get('expires')}T00:00:00Z",
            "related-observations": [
                {"observation-uuid": self.uid("observation", finding.control, finding.target)}],
        }

    # the risk register
    def register_due(self) -> dict[tuple[str, str], dt.date]:
        """(control, model) -> the earliest due date of an open treatment of a live risk
        that lists the control and the model."""
        due: dict[tuple[str, str], dt.date] = {}
        for risk in self.inventory.of_kind("Risk"):
            spec = risk.spec
            if spec.status == "closed":
                continue
            dates = [t.due for t in spec.treatments if t.status in OPEN_TREATMENT and t.due]
            if not dates:
                continue
            for control in spec.controls:
                for model in spec.models:
                    key = (control, model)
                    due[key] = min(due.get(key, min(dates)), min(dates))
        return due

    def covering_risks(self, finding: Finding) -> list[str]:
        return [r.ref for r in self.inventory.of_kind("Risk")
                if r.spec.status != "closed" and finding.control in r.spec.controls
                and finding.target in r.spec.models and self.open_treatments(r)]

    @staticmethod
    def open_treatments(risk: Any) -> list[tuple[int, Any]]:
        return [(i, t) for i, t in enumerate(risk.spec.treatments) if t.status in OPEN_TREATMENT]

    def register_risk(self, risk: Any) -> dict[str, Any]:
        spec = risk.spec
        hidden = self.confidential(risk.ref)
        title = risk.ref if hidden else _line(f"{spec.title} ({risk.ref})")
        remediations = []
        for index, treatment in enumerate(spec.treatments):
            if treatment.status == "cancelled":
                continue
            name = f"treatment {index + 1} of {risk.ref}" if hidden else _line(treatment.title)
            item: dict[str, Any] = {
                "uuid": self.uid("treatment", risk.ref, str(index)),
                "lifecycle": "completed" if treatment.status == "done" else "planned",
                "title": name,
                "description": f"Status {treatment.status}"
                               + (f"; owner {treatment.owner}" if treatment.owner else "")
                               + (f"; due {treatment.due.isoformat()}" if treatment.due else ""),
            }
            if treatment.due:
                item["tasks"] = [{"uuid": self.uid("milestone", risk.ref, str(index)),
                                  "type": "milestone", "title": _line(f"Due: {name}"),
                                  "timing": {"on-date": {"date": _end_of(treatment.due)}}}]
            remediations.append(item)
        props = [self.prop("airready-ref", risk.ref)]
        props += [self.prop(n, v) for n, v in (("likelihood", spec.likelihood),
                                               ("impact", spec.impact)) if v is not None]
        models = ", ".join(spec.models) or "no model named"
        found: dict[str, Any] = {
            "uuid": self.uid("register-risk", risk.ref),
            "title": title,
            "description": "confidential" if hidden else (
                risk.metadata.description or _line(spec.title)),
            "statement": f"Models: {models}. Category: {spec.category or 'not given'}. "
                         f"Controls failing on them: {', '.join(spec.controls) or 'none listed'}.",
            "props": props,
            "status": RISK_STATUS.get(spec.status, "open"),
        }
        dates = [t.due for _, t in self.open_treatments(risk) if t.due]
        if dates:
            found["deadline"] = _end_of(max(dates))
        if remediations:
            found["remediations"] = remediations
        return found

    # the documents
    def metadata(self, title: str) -> dict[str, Any]:
        found: dict[str, Any] = {
            "title": _line(title),
            "last-modified": self.stamp,
            "version": self.today.isoformat(),
            "oscal-version": OSCAL_VERSION,
            "props": [self.prop("generator", f"airready {self.version}"),
                      self.prop("as-of", self.today.isoformat()),
                      self.prop("organization", self.org_ref)],
        }
        if self.parties:
            found["parties"] = [self.parties[k] for k in sorted(self.parties)]
        return found

    def components_list(self) -> list[dict[str, Any]]:
        return [self.components[k] for k in sorted(self.components)]


def _end_of(day: dt.date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def _gaps(result: AuditResult, waived: bool) -> list[Finding]:
    states = ("fail", "error", "waived") if waived else ("fail", "error")
    return sorted((f for f in result.findings if f.state in states),
                  key=lambda f: (f.control, f.target))


def _nonempty(document: dict[str, Any]) -> dict[str, Any]:
    """OSCAL arrays hold at least one item: empty ones are left out."""
    return {k: v for k, v in document.items() if v not in ([], {}, None)}


def assessment_results(result: AuditResult, version: str) -> dict[str, Any]:
    export = _Export(result, version)
    findings, observations, risks = [], [], []
    for finding in _gaps(result, waived=True):
        control = result.catalog.controls[finding.control]
        observations.append(export.observation(finding, control))
        findings.append(export.finding(finding, control))
        if finding.waiver:
            risks.append(export.waiver_risk(finding, control))
    reviewed = sorted(c.id for c in result.evaluated)
    counts = result.counts()
    outcome = _nonempty({
        "uuid": export.uid("result"),
        "title": _line(f"Readiness for AI incidents: {export.org_title}"),
        "description": (f"airready evaluated {len(reviewed)} controls against the inventory of "
                        f"{export.org_ref} as of {result.today.isoformat()}: "
                        + ", ".join(f"{n} {state}" for state, n in counts.items()) + "."),
        "start": export.stamp,
        "end": export.stamp,
        "props": [export.prop(f"count-{state}", n) for state, n in counts.items()],
        "local-definitions": _nonempty({"components": export.components_list()}),
        "reviewed-controls": {"control-selections": [{"include-controls": [
            {"control-id": control} for control in reviewed]}]} if reviewed else
        {"control-selections": [{"include-all": {}}]},
        "observations": observations,
        "risks": risks,
        "findings": findings,
    })
    catalog_uuid = export.uid("catalog")
    return {"assessment-results": _nonempty({
        "uuid": export.uid("assessment-results"),
        "metadata": export.metadata(f"AI incident readiness assessment: {export.org_title}"),
        "import-ap": {"href": f"#{catalog_uuid}",
                      "remarks": "airready has no OSCAL assessment plan: what was assessed is "
                                 "its control catalog as the project configures it."},
        "results": [outcome],
        "back-matter": {"resources": [{
            "uuid": catalog_uuid,
            "title": "airready control catalog",
            "description": "The readiness controls airready evaluates (airready controls list), "
                           "with the project's own controls and overrides from airready.yaml.",
            "props": [export.prop("generator", f"airready {version}")],
        }]},
    })}


def poam(result: AuditResult, version: str) -> dict[str, Any]:
    export = _Export(result, version)
    due = export.register_due()
    observations, findings, risks, items = [], [], [], []
    for finding in _gaps(result, waived=False):
        control = result.catalog.controls[finding.control]
        observations.append(export.observation(finding, control))
        findings.append(export.finding(finding, control))
        deadline = due.get((finding.control, finding.target))
        risk: dict[str, Any] = {
            "uuid": export.uid("gap-risk", finding.control, finding.target),
            "title": _line(f"{control.spec.title} ({finding.target})"),
            "description": _line(control.spec.description),
            "statement": export.wording(finding, control),
            "props": [export.prop("severity", finding.severity)],
            "status": "open",
            "remediations": [{"uuid": export.uid("fix", finding.control, finding.target),
                              "lifecycle": "recommendation", "title": _line(
                                  f"Fix {finding.control} on {finding.target}"),
                              "description": control.spec.remediation.text}],
            "related-observations": [{"observation-uuid": export.uid(
                "observation", finding.control, finding.target)}],
        }
        if deadline:
            risk["deadline"] = _end_of(deadline)
        risks.append(risk)
        related = [{"risk-uuid": risk["uuid"]}] + [
            {"risk-uuid": export.uid("register-risk", ref)}
            for ref in export.covering_risks(finding)]
        items.append({
            "uuid": export.uid("poam-item", finding.control, finding.target),
            "title": _line(f"{finding.control} {finding.target}: {control.spec.title}"),
            "description": export.wording(finding, control),
            "props": [export.prop("severity", finding.severity)]
            + ([export.prop("due-date", deadline.isoformat())] if deadline else []),
            "related-findings": [{"finding-uuid": export.uid("finding", finding.control,
                                                             finding.target)}],
            "related-observations": [{"observation-uuid": export.uid(
                "observation", finding.control, finding.target)}],
            "related-risks": related,
            "remarks": "Due: " + (deadline.isoformat() if deadline else
                                  "no date; no open treatment in the risk register covers it"),
        })
    for entity in sorted(result.inventory.of_kind("Risk"), key=lambda r: r.ref):
        if entity.spec.status == "closed":
            continue
        open_ones = export.open_treatments(entity)
        risks.append(export.register_risk(entity))
        hidden = export.confidential(entity.ref)
        for index, treatment in open_ones:
            title = (f"treatment {index + 1} of {entity.ref}" if hidden
                     else _line(treatment.title))
            items.append({
                "uuid": export.uid("treatment-item", entity.ref, str(index)),
                "title": title,
                "description": (f"A treatment of {entity.ref} (risk register), status "
                                f"{treatment.status}"
                                + (f", owner {treatment.owner}" if treatment.owner else "")
                                + "."),
                "props": [export.prop("airready-ref", entity.ref)]
                + ([export.prop("due-date", treatment.due.isoformat())] if treatment.due
                   else []),
                "related-risks": [{"risk-uuid": export.uid("register-risk", entity.ref)}],
                "remarks": "Due: " + (treatment.due.isoformat() if treatment.due
                                      else "no date given in the risk register"),
            })
    if not items:  # a POA&M holds at least one item; say there is nothing to plan
        items.append({"uuid": export.uid("poam-item", "none"),
                      "title": "Nothing to plan",
                      "description": f"No failing control and no open risk-register "
                                     f"treatment as of {result.today.isoformat()}."})
    return {"plan-of-action-and-milestones": _nonempty({
        "uuid": export.uid("poam"),
        "metadata": export.metadata(f"Plan of action and milestones: AI incident readiness of "
                                    f"{export.org_title}"),
        "system-id": {"identifier-type": "https://ietf.org/rfc/rfc4122",
                      "id": export.uid("system")},
        "local-definitions": _nonempty({"components": export.components_list()}),
        "observations": observations,
        "risks": risks,
        "findings": findings,
        "poam-items": items,
    })}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def documents(result: AuditResult, version: str) -> dict[str, str]:
    """File name -> text of both documents."""
    return dict(zip(FILE_NAMES, (dumps(assessment_results(result, version)),
                                 dumps(poam(result, version))), strict=True))

