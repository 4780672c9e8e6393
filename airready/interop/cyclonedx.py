"""A CycloneDX ML-BOM (JSON, spec 1.5 to 1.7) as inventory entities.

The BOM is first validated against the official schema of its ``specVersion``, as shipped
by cyclonedx-python-lib; a BOM that does not conform is rejected with every schema error
at its line and column.  Then:

- ``machine-learning-model`` components become Models (version, description; purl,
  bom-ref and cpe kept as external ids, so a second import updates them; the strongest
  hash as ``checksum``);
- ``data`` components and the model cards' datasets (inline, or by ``ref`` to a data
  component) become Datasets, with classification and sensitive data as data classes;
- other components, and services (as managed components), become Components;
- suppliers, manufacturers and publishers become Vendors with supplies edges
  (manufacturer -> ``developer``; publisher and supplier -> ``publisher`` for models,
  ``supplier`` otherwise), with ``supplier.contact`` and ``security-contact`` references
  as the vendor's security contact;
- ``dependencies`` become ``depends_on``, ``training_data`` or ``derived_from`` as the two
  ends allow, and ``pedigree.ancestors`` a model's ``base_model`` or a dataset's sources;
- model-card ethical considerations and fairness assessments become Risk entries, with no
  likelihood or impact: a model card names risks, it does not rate them.

Everything else in the BOM is listed in the report with its position: nothing is dropped
without a word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..inventory.fields import split_ref
from ..inventory.problems import InputError, Problem
from .jsonpos import JsonPath, Positions, dotted
from .names import slug, unique
from .outcome import ImportResult
from .vendors import _key as vendor_key
from .writer import Imported, envelope

SUPPORTED = ("1.5", "1.6", "1.7")
MAX_ERRORS = 50
# Strongest first: the checksum kept is the first of these a component has.
HASHES = ("SHA3-512", "SHA-512", "BLAKE2b-512", "SHA3-384", "SHA-384", "BLAKE2b-384",
          "SHA3-256", "SHA-256", "BLAKE2b-256", "BLAKE3", "SHA-1", "MD5")
COMPONENT_TYPES = {"library": "library", "framework": "framework",
                   "container": "container_image", "device": "hardware"}
# What the mapping reads; any other field is reported as having no place in the format.
_COMPONENT_KEYS = {"type", "bom-ref", "name", "group", "version", "description", "supplier",
                   "manufacturer", "publisher", "hashes", "purl", "cpe", "externalReferences",
                   "modelCard", "data", "components", "pedigree"}
_SERVICE_KEYS = {"bom-ref", "name", "group", "version", "description", "provider",
                 "externalReferences", "services"}
_BOM_KEYS = {"bomFormat", "specVersion", "serialNumber", "version", "$schema", "components",
             "services", "dependencies", "metadata"}
OWNER_DEFAULT = "team:unassigned"
_OWNER = re.compile(r"^(team|person):[a-z0-9]([a-z0-9._-]*[a-z0-9])?$")


@dataclass
class _Item:
    """A component or service on its way to becoming an entity."""

    data: dict[str, Any]
    path: JsonPath
    kind: str  # Model, Dataset, Component
    entity: Imported | None = None
    vendors: dict[str, list[str]] = field(default_factory=dict)  # role -> vendor refs


class _Bom:
    def __init__(self, data: dict[str, Any], positions: Positions, shown: str, owner: str):
        self.data = data
        self.positions = positions
        self.shown = shown
        self.owner = owner
        self.items: list[_Item] = []
        self.by_bom_ref: dict[str, _Item] = {}
        self.vendors: dict[str, Imported] = {}
        self.names: dict[str, set[str]] = {}
        self.unplaced: list[str] = []
        self.notes: list[str] = []
        self.datasets: list[Imported] = []
        self.risks: list[Imported] = []
        self.organization_from = ""

    def at(self, path: JsonPath) -> str:
        line, column = self.positions.locate(path)
        return f"{self.shown}:{line}:{column}"

    def unplaced_field(self, path: JsonPath, what: str) -> None:
        self.unplaced.append(f"{self.at(path)}: {dotted(path)} ({what}): no place in the "
                             "airready format, not imported")

    def name(self, kind: str, *candidates: str) -> str:
        taken = self.names.setdefault(kind, set())
        for candidate in candidates:
            name = slug(candidate)
            if name and name not in taken:
                taken.add(name)
                return name
        return unique(slug(candidates[-1]) or kind.lower(), taken)


def import_bom(path: Path, shown: str, owner: str | None = None) -> ImportResult:
    """Read, validate and map one BOM; raises InputError when it cannot be imported."""
    text = _read(path, shown)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(shown, exc.lineno, exc.colno, f"not JSON: {exc.msg}",
                                  code="cyclonedx")]) from None
    if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
        raise InputError([Problem(shown, 1, 1, "not a CycloneDX BOM (bomFormat is not "
                                  "'CycloneDX'); only the JSON form is read", code="cyclonedx")])
    positions = Positions(text)
    version = data.get("specVersion")
    if version not in SUPPORTED:
        line, column = positions.locate(("specVersion",))
        raise InputError([Problem(shown, line, column, f"specVersion {version!r} is not "
                                  f"supported (ML-BOMs are CycloneDX {', '.join(SUPPORTED)})",
                                  code="cyclonedx")])
    errors = schema_errors(text, version, positions, shown)
    if errors:
        raise InputError(errors)
    owner = owner or OWNER_DEFAULT
    if not _OWNER.match(owner):
        raise InputError([Problem("--owner", 1, 1, f"--owner {owner!r}: give a team or a "
                                  "person, e.g. team:ml-platform", code="usage")])
    bom = _Bom(data, positions, shown, owner)
    result = ImportResult(shown, "cyclonedx", [], None)
    _collect(bom)
    for item in bom.items:
        _entity(bom, item)
    for item in bom.items:  # after every entity exists: cards name data components by ref
        if item.kind == "Model":
            _model_card(bom, item)
        _links_between(bom, item)
    _dependencies(bom)
    result.organization = _organization(bom, path)
    _document_fields(bom)
    owner_entity = _owner(owner)
    result.entities = [owner_entity, *bom.vendors.values(), *bom.datasets,
                       *(i.entity for i in bom.items if i.entity is not None), *bom.risks]
    result.facts = {"CycloneDX": version,
                    "components": sum(1 for i in bom.items if "services" not in i.path),
                    "services": sum(1 for i in bom.items if "services" in i.path)}
    if not any(i.kind == "Model" for i in bom.items):
        bom.notes.append("the BOM has no machine-learning-model component: no Model imported")
    if owner == OWNER_DEFAULT:
        bom.notes.insert(0, f"the BOM names no owner: models and datasets are owned by "
                            f"{OWNER_DEFAULT} until you give --owner or edit them")
    result.section("Notes", "What the import decided for you.", bom.notes)
    result.section("Not imported",
                   f"{len(bom.unplaced)} fields of the BOM have no place in the airready "
                   "format.", bom.unplaced)
    return result


def _read(path: Path, shown: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(shown, 1, 1, f"cannot read the file: {exc.strerror}",
                                  code="cyclonedx")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line = before.count(b"\n") + 1
        raise InputError([Problem(shown, line, exc.start - (before.rfind(b"\n") + 1) + 1,
                                  "not UTF-8: a JSON BOM must be", code="cyclonedx")]) from None


def schema_errors(text: str, version: str, positions: Positions, shown: str) -> list[Problem]:
    """Every way the BOM breaks the official schema of its version, at its position."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonValidator

    validator = JsonValidator(SchemaVersion.from_version(version))
    errors = validator.validate_str(text, all_errors=True) or []
    problems = []
    for error in errors:
        detail = error.data
        path = tuple(getattr(detail, "absolute_path", ()))
        line, column = positions.locate(path)
        message = getattr(detail, "message", str(detail))
        problems.append(Problem(shown, line, column, f"{dotted(path)}: {_middle(message)} "
                                f"(CycloneDX {version} schema)", code="cyclonedx"))
    problems.sort()
    if len(problems) > MAX_ERRORS:
        more = len(problems) - MAX_ERRORS
        problems = problems[:MAX_ERRORS] + [Problem(shown, 1, 1, f"... and {more} more schema "
                                                    "errors", code="cyclonedx")]
    return problems


def _middle(text: str) -> str:
    """A schema message with a long quoted value cut in the middle: the reason is at the end
    ("... has non-unique elements")."""
    text = " ".join(text.split())
    return text if len(text) <= 200 else f"{text[:70]} ... {text[-120:]}"


# --- components ------------------------------------------------------------------------------

def _collect(bom: _Bom) -> None:
    metadata = bom.data.get("metadata") or {}
    if isinstance(metadata.get("component"), dict):
        _add(bom, metadata["component"], ("metadata", "component"))
    for index, component in enumerate(bom.data.get("components") or []):
        _add(bom, component, ("components", index))
    for index, service in enumerate(bom.data.get("services") or []):
        _add_service(bom, service, ("services", index))
    # Ancestors (what a model was fine-tuned from) are inline components: an entity each,
    # unless the BOM lists the same component (by bom-ref or purl) at the top.
    for item in list(bom.items):
        for index, ancestor in enumerate((item.data.get("pedigree") or {}).get("ancestors")
                                         or []):
            if isinstance(ancestor, dict) and _same_as(bom, ancestor) is None:
                _add(bom, ancestor, (*item.path, "pedigree", "ancestors", index))


def _same_as(bom: _Bom, data: dict[str, Any]) -> _Item | None:
    for item in bom.items:
        if item.data is data:
            return item
    for key in ("bom-ref", "purl"):
        if data.get(key):
            found = next((i for i in bom.items if i.data.get(key) == data[key]), None)
            if found is not None:
                return found
    return None


def _add(bom: _Bom, data: dict[str, Any], path: JsonPath) -> None:
    kind = {"machine-learning-model": "Model", "data": "Dataset"}.get(data.get("type", ""),
                                                                      "Component")
    item = _Item(data, path, kind)
    bom.items.append(item)
    if data.get("bom-ref"):
        bom.by_bom_ref[data["bom-ref"]] = item
    for index, child in enumerate(data.get("components") or []):
        _add(bom, child, (*path, "components", index))


def _add_service(bom: _Bom, data: dict[str, Any], path: JsonPath) -> None:
    item = _Item(data, path, "Component")
    bom.items.append(item)
    if data.get("bom-ref"):
        bom.by_bom_ref[data["bom-ref"]] = item
    for index, child in enumerate(data.get("services") or []):
        _add_service(bom, child, (*path, "services", index))


def _title(data: dict[str, Any]) -> str:
    return f"{data['group']}/{data['name']}" if data.get("group") else str(data.get("name", ""))


def _entity(bom: _Bom, item: _Item) -> None:
    data, path, kind = item.data, item.path, item.kind
    service = "services" in path
    name = bom.name(kind, data.get("name", ""), f"{data.get('group', '')}-{data.get('name', '')}")
    ids = {k: data[k] for k in ("purl", "bom-ref", "cpe") if isinstance(data.get(k), str)}
    links = _links(bom, data, path)
    metadata: dict[str, Any] = {
        "title": _title(data), "description": data.get("description"),
        "owner": bom.owner if kind in ("Model", "Dataset") else None,
        "links": links, "external_ids": ids}
    item.vendors = _vendors(bom, item)
    checksum = _checksum(bom, data, path)
    spec: dict[str, Any]
    if kind == "Model":
        spec = {"version": data.get("version"), "checksum": checksum,
                "developer": item.vendors.get("manufacturer", []),
                "publisher": _merged(item.vendors.get("publisher", []),
                                     item.vendors.get("supplier", []))}
    elif kind == "Dataset":
        spec = _dataset_spec(bom, item, checksum)
    else:
        component_type = COMPONENT_TYPES.get(data.get("type", ""))
        if data.get("type") and component_type is None and not service:
            bom.notes.append(f"{bom.at((*path, 'type'))}: component type {data['type']!r} has "
                             f"no counterpart: component:{name} is left without a type")
        supplier = _first(item.vendors, "provider", "supplier", "manufacturer")
        spec = {"type": component_type, "version": data.get("version"),
                "supplier": supplier, "checksum": checksum, "managed": True if service else None}
    keys = _SERVICE_KEYS if service else _COMPONENT_KEYS
    for key in data:
        if key not in keys and not (kind == "Dataset" and key == "data"):
            bom.unplaced_field((*path, key), f"{kind.lower()}:{name}")
    if data.get("version") and kind == "Dataset":
        bom.unplaced_field((*path, "version"), f"dataset:{name}: a Dataset has no version")
    key = "|".join(f"{k}={v}" for k, v in sorted(ids.items())) or f"name={_title(data)}"
    item.entity = Imported(kind, name, f"{kind.lower()}|{key}",
                           envelope(kind, name, metadata, spec))


def _first(roles: dict[str, list[str]], *names: str) -> str | None:
    """The first vendor of the first of ``names`` that the component has."""
    return next((roles[n][0] for n in names if roles.get(n)), None)


def _merged(*lists: list[str]) -> list[str]:
    out: list[str] = []
    for values in lists:
        out += [v for v in values if v not in out]
    return out


def _links(bom: _Bom, data: dict[str, Any], path: JsonPath) -> list[dict[str, str]]:
    links = []
    for index, reference in enumerate(data.get("externalReferences") or []):
        if reference.get("type") == "security-contact":
            continue  # the vendor's security contact (below)
        title = reference.get("comment") or reference.get("type", "link")
        links.append({"title": " ".join(str(title).split()), "url": reference["url"]})
        if reference.get("hashes"):
            bom.unplaced_field((*path, "externalReferences", index, "hashes"),
                               "hashes of a linked document")
    return links


def _checksum(bom: _Bom, data: dict[str, Any], path: JsonPath) -> str | None:
    hashes = {h.get("alg"): h.get("content") for h in data.get("hashes") or []}
    for alg in HASHES:
        if hashes.get(alg):
            others = [a for a in hashes if a != alg]
            if others:
                bom.notes.append(f"{bom.at((*path, 'hashes'))}: kept the {alg} hash of "
                                 f"{_title(data)!r}; also given: {', '.join(others)}")
            return f"{alg.lower().replace('sha-', 'sha')}:{hashes[alg]}"
    return None


# --- vendors ---------------------------------------------------------------------------------

def _vendors(bom: _Bom, item: _Item) -> dict[str, list[str]]:
    """The vendor refs of a component by role, making each Vendor once (by its name's key)."""
    data, path = item.data, item.path
    roles: dict[str, list[str]] = {}
    for role in ("supplier", "manufacturer", "provider"):
        entity = data.get(role)
        if isinstance(entity, dict) and entity.get("name"):
            roles.setdefault(role, []).append(_vendor(bom, entity, (*path, role)))
        elif isinstance(entity, dict):
            bom.unplaced_field((*path, role), "an organisation with no name")
    if isinstance(data.get("publisher"), str) and data["publisher"].strip():
        roles.setdefault("publisher", []).append(
            _vendor(bom, {"name": data["publisher"]}, (*path, "publisher")))
    contacts = [(i, r) for i, r in enumerate(data.get("externalReferences") or [])
                if r.get("type") == "security-contact"]
    first = next((refs[0] for role in ("supplier", "provider", "manufacturer", "publisher")
                  for refs in [roles.get(role, [])] if refs), None)
    for index, reference in contacts:
        where = (*path, "externalReferences", index)
        if first is None:
            bom.unplaced_field(where, "a security contact with no supplier to hold it")
            continue
        url = str(reference["url"])
        contact = ({"email": url.removeprefix("mailto:")} if url.startswith("mailto:")
                   else {"url": url})
        _add_contact(bom, first, contact, where, preferred=True)
    return roles


def _vendor(bom: _Bom, entity: dict[str, Any], path: JsonPath) -> str:
    title = " ".join(str(entity["name"]).split())
    key = vendor_key(title) or slug(title)
    vendor = bom.vendors.get(key)
    if vendor is None:
        name = bom.name("Vendor", title)
        vendor = bom.vendors[key] = Imported("Vendor", name, f"vendor|{key}", envelope(
            "Vendor", name, {"title": title}, {}))
    urls = [u for u in entity.get("url") or [] if isinstance(u, str)]
    if urls:
        links = vendor.document["metadata"].setdefault("links", [])
        for url in urls:
            if all(link["url"] != url for link in links):
                links.append({"title": "Website", "url": url})
    for index, contact in enumerate(entity.get("contact") or []):
        found = {k: contact[k] for k in ("email", "phone") if contact.get(k)}
        if found:
            _add_contact(bom, vendor.ref, found, (*path, "contact", index))
    for key_name in entity:
        if key_name not in ("name", "url", "contact", "bom-ref"):
            bom.unplaced_field((*path, key_name), f"{vendor.ref}")
    return vendor.ref


def _add_contact(bom: _Bom, ref: str, contact: dict[str, str], path: JsonPath,
                 preferred: bool = False) -> None:
    """Fill the vendor's security contact; a ``security-contact`` reference (``preferred``)
    wins over a general contact, and every contact left aside is named in the report."""
    vendor = next(v for v in bom.vendors.values() if v.ref == ref)
    spec = vendor.document.setdefault("spec", {})
    current = spec.setdefault("security_contact", {})
    clashing = {k: v for k, v in contact.items() if current.get(k) not in (None, v)}
    if preferred:
        aside = [current[k] for k in clashing]
        current.update(contact)
    else:
        aside = list(clashing.values())
        current.update({k: v for k, v in contact.items() if k not in current})
    if aside:
        bom.notes.append(f"{bom.at(path)}: {ref} has more than one contact; not its security "
                         f"contact: {', '.join(aside)}")


# --- datasets, model cards, risks ------------------------------------------------------------

def _dataset_spec(bom: _Bom, item: _Item, checksum: str | None) -> dict[str, Any]:
    data = item.data
    classes: list[str] = []
    source = None
    for entry in data.get("data") or []:
        classes += _classes(entry)
        source = source or (entry.get("contents") or {}).get("url")
    distribution = next((r["url"] for r in data.get("externalReferences") or []
                         if r.get("type") == "distribution"), None)
    supplier = _first(item.vendors, "supplier", "manufacturer", "publisher")
    for index, entry in enumerate(data.get("data") or []):
        for key in entry:
            if key not in ("type", "name", "contents", "classification", "sensitiveData",
                           "description", "bom-ref"):
                bom.unplaced_field((*item.path, "data", index, key), "a data set's detail")
    return {"source": source or distribution, "supplier": supplier,
            "data_classes": sorted(set(classes)),
            "provenance": {"checksum": checksum} if checksum else None}


def _classes(entry: dict[str, Any]) -> list[str]:
    found = []
    for text in [entry.get("classification"), *(entry.get("sensitiveData") or [])]:
        if isinstance(text, str):
            name = slug(text).replace("-", "_").replace(".", "_")
            if name:
                found.append(name)
    return found


def _model_card(bom: _Bom, item: _Item) -> None:
    assert item.entity is not None
    card = item.data.get("modelCard") or {}
    path = (*item.path, "modelCard")
    model = item.entity
    parameters = card.get("modelParameters") or {}
    training: list[str] = []
    for index, dataset in enumerate(parameters.get("datasets") or []):
        where = (*path, "modelParameters", "datasets", index)
        if "ref" in dataset:
            target = bom.by_bom_ref.get(dataset["ref"])
            if target is None or target.kind != "Dataset":
                bom.notes.append(f"{bom.at(where)}: dataset ref {dataset['ref']!r} names no "
                                 "data component of the BOM: left out")
                continue
            if target.entity is not None:
                training.append(target.entity.ref)
            continue
        training.append(_inline_dataset(bom, model, dataset, where))
    if training:
        model.document.setdefault("spec", {})["training_data"] = training
    for key in parameters:
        if key != "datasets":
            bom.unplaced_field((*path, "modelParameters", key), model.ref)
    for key in card:
        if key not in ("modelParameters", "considerations", "bom-ref"):
            bom.unplaced_field((*path, key), model.ref)
    considerations = card.get("considerations") or {}
    for key in considerations:
        if key not in ("ethicalConsiderations", "fairnessAssessments"):
            bom.unplaced_field((*path, "considerations", key), model.ref)
    for index, risk in enumerate(considerations.get("ethicalConsiderations") or []):
        if risk.get("name"):
            mitigation = risk.get("mitigationStrategy")
            _risk(bom, model, "ethical", str(risk["name"]),
                  f"Mitigation the model card states: {mitigation}" if mitigation else None)
        else:
            bom.unplaced_field((*path, "considerations", "ethicalConsiderations", index),
                               "an ethical consideration with no name")
    for assessment in considerations.get("fairnessAssessments") or []:
        group = assessment.get("groupAtRisk") or "a group at risk"
        lines = [f"{label}: {assessment[k]}" for k, label in (
            ("harms", "Harms"), ("benefits", "Benefits"),
            ("mitigationStrategy", "Mitigation the model card states")) if assessment.get(k)]
        _risk(bom, model, "fairness", f"Fairness: {group}", "\n".join(lines) or None)


def _inline_dataset(bom: _Bom, model: Imported, dataset: dict[str, Any], path: JsonPath
                    ) -> str:
    label = dataset.get("name") or "training data"
    name = bom.name("Dataset", f"{model.name}-{label}")
    contents = dataset.get("contents") or {}
    spec = {"source": contents.get("url"), "data_classes": sorted(set(_classes(dataset)))}
    metadata = {"title": str(label), "description": dataset.get("description"),
                "owner": bom.owner}
    for key in dataset:
        if key not in ("type", "name", "contents", "classification", "sensitiveData",
                       "description", "bom-ref"):
            bom.unplaced_field((*path, key), f"dataset:{name}")
    bom.datasets.append(Imported("Dataset", name, f"dataset|inline|{model.key}|{label}",
                                 envelope("Dataset", name, metadata, spec)))
    return f"dataset:{name}"


def _risk(bom: _Bom, model: Imported, category: str, title: str, description: str | None
          ) -> None:
    name = bom.name("Risk", f"{model.name}-{title}")
    bom.risks.append(Imported("Risk", name, f"risk|{model.key}|{category}|{title}", envelope(
        "Risk", name, {"description": description, "owner": bom.owner},
        {"title": " ".join(title.split()), "models": [model.ref], "category": category,
         "source": "model card"})))


# --- relations -------------------------------------------------------------------------------

def _links_between(bom: _Bom, item: _Item) -> None:
    """``pedigree.ancestors``: what a model was fine-tuned from, what data was derived from."""
    ancestors = (item.data.get("pedigree") or {}).get("ancestors") or []
    for key in item.data.get("pedigree") or {}:
        if key != "ancestors":
            bom.unplaced_field((*item.path, "pedigree", key), f"{item.kind.lower()}")
    for index, ancestor in enumerate(ancestors):
        where = (*item.path, "pedigree", "ancestors", index)
        target = _same_as(bom, ancestor) if isinstance(ancestor, dict) else None
        if target is None or target.entity is None or item.entity is None:
            bom.unplaced_field(where, "an ancestor airready could not read")
            continue
        spec = item.entity.document.setdefault("spec", {})
        if item.kind == target.kind == "Model" and "base_model" not in spec:
            spec["base_model"] = target.entity.ref
        elif item.kind == target.kind == "Dataset":
            spec.setdefault("derived_from", []).append(target.entity.ref)
        else:
            bom.unplaced_field(where, f"{item.entity.ref} descends from {target.entity.ref}")


_RELATION = {("Model", "Model"): "depends_on", ("Model", "Component"): "depends_on",
             ("Model", "Dataset"): "training_data", ("Component", "Component"): "depends_on",
             ("Dataset", "Dataset"): "derived_from"}


def _dependencies(bom: _Bom) -> None:
    for index, entry in enumerate(bom.data.get("dependencies") or []):
        path: JsonPath = ("dependencies", index)
        source = bom.by_bom_ref.get(entry.get("ref", ""))
        if source is None or source.entity is None:
            bom.notes.append(f"{bom.at((*path, 'ref'))}: {entry.get('ref')!r} is not a "
                             "component of this BOM: its dependencies are left out")
            continue
        for position, ref in enumerate(entry.get("dependsOn") or []):
            where = (*path, "dependsOn", position)
            target = bom.by_bom_ref.get(ref)
            if target is None or target.entity is None:
                bom.notes.append(f"{bom.at(where)}: {ref!r} is not a component of this BOM: "
                                 "left out")
                continue
            relation = _RELATION.get((source.kind, target.kind))
            if relation is None:
                bom.unplaced_field(where, f"{source.entity.ref} depends on "
                                   f"{target.entity.ref}: no such relation in the format")
                continue
            spec = source.entity.document.setdefault("spec", {})
            values = spec.setdefault(relation, [])
            if target.entity.ref not in values and target.entity.ref != source.entity.ref:
                values.append(target.entity.ref)
    if bom.data.get("dependencies") and not any(
            e.get("dependsOn") for e in bom.data["dependencies"]):
        bom.notes.append("the BOM's dependencies list nothing that anything depends on")


def _document_fields(bom: _Bom) -> None:
    for key in bom.data:
        if key not in _BOM_KEYS:
            bom.unplaced_field((key,), "about the BOM as a whole")
    for key in bom.data.get("metadata") or {}:
        if key not in ("component", bom.organization_from):
            bom.unplaced_field(("metadata", key), "about the BOM document")


def _owner(owner: str) -> Imported:
    """The owner the models and datasets name, so the references resolve; an existing
    entity of that name is used as it is (nothing of it is overwritten)."""
    prefix, name = split_ref(owner)
    kind = "Team" if prefix == "team" else "Person"
    metadata = {"title": "Owner to assign (imported from a BOM)"} if owner == OWNER_DEFAULT else {}
    return Imported(kind, name, f"owner|{owner}", envelope(kind, name, metadata, {}))


def _organization(bom: _Bom, path: Path) -> Imported:
    metadata = bom.data.get("metadata") or {}
    for key in ("manufacturer", "supplier", "manufacture"):
        entity = metadata.get(key)
        if isinstance(entity, dict) and entity.get("name"):
            title = str(entity["name"])
            bom.organization_from = key  # the name of a new project's Organization
            break
    else:
        title = str((metadata.get("component") or {}).get("name") or path.stem)
    name = slug(title) or "organization"
    return Imported("Organization", name, "organization", envelope(
        "Organization", name, {"title": title}, {}))

