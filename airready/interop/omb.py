"""The US federal agency AI use case inventory (2025 format, OMB) as inventory entities.

Each use case becomes a Model owned by its bureau's Team (under its agency's Team), with
its stage as lifecycle, the high-impact designation as risk tier, PII as a data class, its
vendors as Vendors (developer edges), a described training data set as a Dataset and the
high-impact practice columns as ``spec.practices``.  docs/interop.md has the whole mapping.

The published file is read as it is: UTF-8 with a byte order mark, line breaks inside
quoted fields, Python-list-like strings ("['c) Age']"), empty rows, and the real-data
problems the clean-up report lists: use cases with no id or a duplicated one, vendors in
several spellings or several to a cell, placeholders where a value should be, and use
cases withheld from public reporting (imported as confidential entities).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..inventory.problems import InputError, Problem
from .names import slug, unique
from .outcome import ImportResult
from .vendors import VendorIndex, read_cell
from .writer import Imported, envelope

COLUMNS = (
    "agency", "agency_name", "id", "use_case_name", "agency_bureau", "contact_email",
    "is_withheld", "development_stage", "is_high_impact", "HI_justification", "topic_area",
    "classification", "problem_solved", "benefits", "system_outputs", "operational_date",
    "contracting_usage", "vendor_name", "have_ato", "system_name_ato", "data_description",
    "link_to_data", "has_pii", "pia_url", "demographic_features", "has_custom_code",
    "code_url", "hi_testing_conducted", "hi_assessment_completed", "hi_potential_impacts",
    "hi_independent_review", "hi_ongoing_monitoring", "hi_training_established",
    "hi_failsafe_presence", "hi_appeal_process", "hi_public_consultation",
)
REQUIRED = ("agency", "use_case_name")
LIFECYCLE = {"pre-deployment": "staging", "pilot": "pilot", "deployed": "production",
             "retired": "retired"}
RISK_TIER = {"high-impact": "high", "presumed high-impact, but not high-impact": "medium",
             "not high-impact": "low"}
# The practice columns: the practice they report, and how each answer reads.
_DONE, _WIP, _WAIVED, _NA, _NOT = "done", "in_progress", "waived", "not_applicable", "not_done"
PRACTICES: dict[str, tuple[str, dict[str, tuple[str, str | None]]]] = {
    "hi_testing_conducted": ("testing", {
        "yes": (_DONE, None), "in-progress": (_WIP, None), "caio waived": (_WAIVED, None),
        "no": (_NOT, None)}),
    "hi_assessment_completed": ("impact_assessment", {
        "yes": (_DONE, None), "in-progress": (_WIP, None), "caio waived": (_WAIVED, None),
        "no": (_NOT, None)}),
    "hi_independent_review": ("independent_review", {
        "internal independent review": (_DONE, "internal independent review"),
        "oversight board review": (_DONE, "oversight board"),
        "caio review": (_DONE, "Chief AI Officer"),
        "in-progress": (_WIP, None), "caio waived": (_WAIVED, None), "no": (_NOT, None)}),
    "hi_ongoing_monitoring": ("monitoring", {
        "yes - monitoring established": (_DONE, None), "in-progress": (_WIP, None),
        "caio waived": (_WAIVED, None), "no": (_NOT, None)}),
    "hi_training_established": ("operator_training", {
        "training established": (_DONE, None), "training in-progress": (_WIP, None),
        "caio waived": (_WAIVED, None), "no": (_NOT, None)}),
    "hi_failsafe_presence": ("fail_safe", {
        "yes": (_DONE, None), "not applicable": (_NA, None), "in-progress": (_WIP, None),
        "caio waived": (_WAIVED, None), "no": (_NOT, None)}),
    "hi_appeal_process": ("appeal", {
        "appeal process established": (_DONE, None), "not applicable": (_NA, None),
        "appeal process in-progress": (_WIP, None),
        "appeal precluded by law": (_NA, "precluded by law"),
        "caio waived": (_WAIVED, None), "no": (_NOT, None)}),
}
CONSULTATION_COLUMN = "hi_public_consultation"
WITHHELD = "yes"  # "Yes - Disclosure Risk", "Yes - Prohibited by Law"
# A data description shared word for word by more rows than this is agency boilerplate
# ("the case owner relied on ... governance practices"), not a description of a data set.
SHARED_DATA_LIMIT = 5
# Whole values that stand for no value (compared in lower case, without end punctuation).
PLACEHOLDERS = frozenset({
    "not available", "not applicable", "n/a", "na", "none", "no", "yes", "unknown", "unkown",
    "tbd", "to be determined", "redacted", "redacted for cybersecurity purposes",
    "not publicly available", "not yet available", "not required", "pending",
    "contractor teams", "see above", "-", "--",
})
_URL = re.compile(r"https?://[^\s,;<>\"')\]]+", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Row:
    line: int  # where the record starts in the file
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


# --- reading the file ------------------------------------------------------------------------

def read_rows(path: Path, shown: str) -> tuple[list[Row], list[Problem], int]:
    """Records with their line numbers, warnings, and how many empty rows were skipped.

    Raises InputError when the file cannot be read as the inventory at all.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(shown, 1, 1, f"cannot read the file: {exc.strerror}",
                                  code="csv")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise InputError([Problem(shown, line, column,
                                  f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as "
                                  "UTF-8 CSV", code="csv")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError([Problem(shown, 1, 1, f"not a CSV file: {exc}", code="csv")]) from None
    if header is None:
        raise InputError([Problem(shown, 1, 1, "the file is empty", code="csv")])
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError([Problem(shown, 1, 1, "not the 2025 AI use case inventory: no column "
                                  + ", ".join(repr(c) for c in missing)
                                  + " (see data_dictionary.json)", code="csv")])
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        problems.append(Problem(shown, 1, 1, "columns not in the 2025 format are not imported: "
                                + ", ".join(repr(h) for h in unknown), "warning", "csv"))
    rows: list[Row] = []
    empty = 0
    last = reader.line_num
    while True:
        try:
            record = next(reader, None)
        except csv.Error as exc:
            raise InputError([Problem(shown, reader.line_num, 1, f"unreadable CSV: {exc}",
                                      code="csv")]) from None
        if record is None:
            break
        start, last = last + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            empty += 1
            continue
        if len(record) != len(header):
            problems.append(Problem(shown, start, 1,
                                    f"{len(record)} fields where the header has {len(header)}: "
                                    "the row is read as far as it goes", "warning", "csv"))
        values = {name: cell.strip() for name, cell in zip(header, record, strict=False)}
        rows.append(Row(start, values))
    return rows, problems, empty


def list_cell(text: str) -> list[str]:
    """``"['b) Sex', 'c) Age']"`` -> ``['b) Sex', 'c) Age']``; plain text -> one item."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = None
        if isinstance(value, list):
            return [" ".join(str(v).split()) for v in value if str(v).strip()]
    return [text] if text else []


def is_placeholder(text: str) -> bool:
    return " ".join(text.split()).strip(" .;:").lower() in PLACEHOLDERS


def _answer(text: str) -> str:
    """An answer made comparable: dashes and spaces unified, list labels ("a) ") dropped."""
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"^[a-z]\)\s*", "", text.strip(), flags=re.IGNORECASE)
    return " ".join(text.split()).lower()


# --- building the entities -------------------------------------------------------------------

class _Build:
    """One pass over the rows; collects the report as it goes."""

    def __init__(self, rows: list[Row], shown: str, aliases: dict[str, str]):
        self.rows = rows
        self.shown = shown
        self.vendors = VendorIndex(aliases)
        self.placeholders: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.odd: list[str] = []
        self.not_vendors: dict[str, list[int]] = defaultdict(list)
        self.split_cells: list[str] = []
        self.teams: dict[str, Imported] = {}
        self.team_of: dict[tuple[str, str], str] = {}
        self.boilerplate: list[str] = []
        self.team_names: set[str] = set()

    def at(self, row: Row) -> str:
        return f"{self.shown}:{row.line}"

    def placeholder(self, row: Row, column: str, value: str) -> None:
        self.placeholders[(column, value)].append(row.line)

    def text(self, row: Row, column: str) -> str | None:
        """A free-text value, or None when empty or a placeholder (which is counted)."""
        value = row.get(column)
        if not value:
            return None
        if is_placeholder(value):
            self.placeholder(row, column, value)
            return None
        return value

    def urls(self, row: Row, column: str) -> list[str]:
        value = row.get(column)
        found = _URL.findall(value)
        if value and not found:
            self.placeholder(row, column, value)
        return [u.rstrip(".") for u in found]

    # teams: agency > bureau > office, as the Bureau/Component column spells it
    def owner(self, row: Row) -> str:
        agency, bureau = row.get("agency"), row.get("agency_bureau")
        cached = self.team_of.get((agency, bureau))
        if cached:
            return cached
        agency_team = self._team(agency, row.get("agency_name") or agency, (), None)
        parent = agency_team
        levels = _bureau_levels(bureau, agency, row.get("agency_name"))
        for depth in range(len(levels)):
            parent = self._team(agency, levels[depth], tuple(levels[:depth + 1]), parent)
        self.team_of[(agency, bureau)] = parent
        return parent

    def _team(self, agency: str, title: str, path: tuple[str, ...], parent: str | None) -> str:
        key = "team|" + agency + "|" + "|".join(path)
        if key not in self.teams:
            name = unique(slug("-".join([agency, *path])) or slug(agency) or "agency",
                          self.team_names)
            spec = {"parent": parent} if parent else {}
            self.teams[key] = Imported("Team", name, key, envelope(
                "Team", name, {"title": title, "external_ids": {"omb_agency": agency}}, spec))
        return self.teams[key].ref


def _bureau_levels(bureau: str, agency: str, agency_name: str) -> list[str]:
    """``"HHS/AHRQ/CQuIPS"`` under HHS -> ``["AHRQ", "CQuIPS"]``; ``"Department of Justice /
    DEA"`` -> ``["DEA"]``; the agency's own name alone -> ``[]``."""
    own = {_answer(agency), _answer(agency_name)}
    pieces = [p.strip() for p in bureau.split("/")]
    if len(pieces) > 1 and all(0 < len(p.split()) <= 4 for p in pieces):
        levels = [p for p in pieces if _answer(p) not in own]
    else:
        levels = [bureau.strip()] if bureau.strip() and _answer(bureau) not in own else []
    return [level for level in levels if slug(level)]


def build(rows: list[Row], shown: str, agency: str | None = None,
          aliases: dict[str, str] | None = None) -> ImportResult:
    """Entities and the clean-up report for ``rows`` (one agency's, when ``agency`` is given)."""
    if agency is not None:
        known = sorted({r.get("agency") for r in rows if r.get("agency")})
        wanted = next((a for a in known if a.casefold() == agency.casefold()), None)
        if wanted is None:
            raise InputError([Problem("--agency", 1, 1, f"--agency {agency!r} is not in "
                                      f"{shown}; its agencies: {', '.join(known)}",
                                      code="usage")])
        rows = [r for r in rows if r.get("agency") == wanted]
        agency = wanted
    work = _Build(rows, shown, aliases or {})
    result = ImportResult(shown, "omb-inventory", [], None)
    kept, duplicates = _drop_exact_duplicates(rows, work)
    for row in kept:  # every vendor spelling first: names must not depend on row order
        for name in read_cell(row.get("vendor_name")).names:
            work.vendors.add(name)
    keys, names, id_notes = _model_keys(kept, work)
    datasets = _datasets(kept, work, names)
    models: list[Imported] = []
    withheld: list[str] = []
    public_other: list[str] = []
    for row in kept:
        model = _model(row, work, keys[id(row)], names[id(row)], datasets.get(id(row)))
        models.append(model)
        answer = _answer(row.get("is_withheld"))
        if answer.startswith(WITHHELD):
            withheld.append(f"{work.at(row)}: {model.ref} ({row.get('id') or 'no id'}): "
                            f"{row.get('is_withheld')}; marked confidential")
        elif answer == "other":
            public_other.append(f"{work.at(row)}: {model.ref}: 'Other'")
    vendors = [Imported("Vendor", v.name, f"vendor|{v.key}", envelope(
        "Vendor", v.name, {"title": v.title}, {})) for v in work.vendors.vendors().values()]
    result.entities = [*work.teams.values(), *vendors, *datasets_entities(datasets), *models]
    result.organization = _organization(agency, rows)
    _report(result, work, id_notes, duplicates, withheld, public_other)
    result.facts = {"rows": len(rows), "use cases": len(kept),
                    "agencies": len({r.get("agency") for r in kept})}
    return result


def _drop_exact_duplicates(rows: list[Row], work: _Build) -> tuple[list[Row], list[str]]:
    seen: dict[tuple[str, ...], Row] = {}
    kept: list[Row] = []
    notes: list[str] = []
    for row in rows:
        signature = tuple(row.values.get(c, "") for c in COLUMNS)
        first = seen.get(signature)
        if first is not None:
            notes.append(f"{work.at(row)}: the same as line {first.line} in every column "
                         f"({row.get('agency')} {row.get('id') or 'no id'}): imported once")
            continue
        seen[signature] = row
        kept.append(row)
    return kept, notes


def _model_keys(rows: list[Row], work: _Build
                ) -> tuple[dict[int, str], dict[int, str], dict[str, list[str]]]:
    """Each row's import key and proposed name, and what the report says about ids.

    A usable id (not empty, not "TBD") names the model and keys it; the same id twice in one
    agency, or no id, falls back to the agency, bureau and title, numbered in file order.
    """
    ids = Counter((r.get("agency"), r.get("id")) for r in rows if _usable_id(r.get("id")))
    keys: dict[int, str] = {}
    names: dict[int, str] = {}
    taken: set[str] = set()
    counts: Counter[str] = Counter()
    notes: dict[str, list[str]] = {"missing": [], "duplicated": []}
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        agency, given = row.get("agency"), row.get("id")
        if _usable_id(given):
            base_key = f"model|{agency}|id|{given}"
            name = slug(given) if slug(given).startswith(slug(agency) + "-") else slug(
                f"{agency}-{given}")
        else:
            if given:
                work.placeholder(row, "id", given)
            title = " ".join(row.get("use_case_name").split()).casefold()
            base_key = f"model|{agency}|{row.get('agency_bureau')}|{title}"
            name = slug(f"{agency}-{row.get('use_case_name')}") or slug(f"{agency}-use-case")
        counts[base_key] += 1
        key = base_key if counts[base_key] == 1 else f"{base_key}|#{counts[base_key]}"
        if counts[base_key] > 1:
            name = f"{name}-{counts[base_key]}"
        keys[id(row)] = key
        names[id(row)] = unique(name, taken)
        shown_title = "" if _withheld(row) else f" {row.get('use_case_name')!r}"
        if not _usable_id(given):
            notes["missing"].append(f"{work.at(row)}: {agency}{shown_title} -> "
                                    f"model:{names[id(row)]}")
        elif ids[(agency, given)] > 1:
            groups[f"{agency} {given}"].append(f"line {row.line} -> model:{names[id(row)]}")
    notes["duplicated"] = [f"{group}: " + ", ".join(lines) for group, lines in groups.items()]
    return keys, names, notes


def _usable_id(value: str) -> bool:
    return bool(value) and not is_placeholder(value)


def _withheld(row: Row) -> bool:
    return _answer(row.get("is_withheld")).startswith(WITHHELD)


@dataclass
class _Dataset:
    entity: Imported


def _datasets(rows: list[Row], work: _Build, names: dict[int, str]) -> dict[int, _Dataset]:
    """A Dataset for each data description (shared by the use cases that give the same one)."""
    by_text: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        text = work.text(row, "data_description")
        if text:
            by_text[(row.get("agency"), " ".join(text.split()))].append(row)
    found: dict[int, _Dataset] = {}
    taken: set[str] = set()
    for (agency, text), users in sorted(by_text.items()):
        if len(users) > SHARED_DATA_LIMIT:
            work.boilerplate.append(
                f"{agency}: {len(users)} use cases give {_short(text)!r}: no data set made")
            continue
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        first = min(users, key=lambda r: names[id(r)])
        base = f"{names[id(first)]}-data" if len(users) == 1 else slug(f"{agency}-data-{digest}")
        name = unique(base, taken)
        owners = {work.owner(r) for r in users}
        owner = owners.pop() if len(owners) == 1 else work.owner(
            Row(0, {"agency": agency, "agency_name": first.get("agency_name")}))
        sources = [u for r in users for u in _URL.findall(r.get("link_to_data"))]
        confidential = any(_withheld(r) for r in users)
        title = (f"Data of {first.get('use_case_name')}" if len(users) == 1
                 else f"Data shared by {len(users)} {agency} use cases")
        metadata = {"title": title, "description": text, "owner": owner,
                    "confidential": confidential or None}
        entity = Imported("Dataset", name, f"dataset|{agency}|{digest}", envelope(
            "Dataset", name, metadata, {"source": sources[0] if sources else None}))
        for row in users:
            found[id(row)] = _Dataset(entity)
    return found


def datasets_entities(datasets: dict[int, _Dataset]) -> list[Imported]:
    unique_entities: dict[str, Imported] = {}
    for item in datasets.values():
        unique_entities.setdefault(item.entity.key, item.entity)
    return sorted(unique_entities.values(), key=lambda e: e.name)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _model(row: Row, work: _Build, key: str, name: str, dataset: _Dataset | None) -> Imported:
    title = row.get("use_case_name") or f"Untitled use case (line {row.line})"
    labels = {
        "omb_agency": row.get("agency"),
        "omb_topic": work.text(row, "topic_area"),
        "omb_classification": work.text(row, "classification"),
        "omb_stage": row.get("development_stage"),
        "omb_high_impact": row.get("is_high_impact"),
        "omb_contracting": row.get("contracting_usage"),
        "omb_ato": row.get("have_ato"),
        "omb_ato_system": work.text(row, "system_name_ato"),
        "omb_custom_code": row.get("has_custom_code"),
        "omb_operational_date": work.text(row, "operational_date"),
        "omb_withheld": row.get("is_withheld"),
    }
    links = _links(row, work)
    external_ids = {"omb_agency": row.get("agency")}
    if _usable_id(row.get("id")):
        external_ids["omb"] = row.get("id")
    metadata: dict[str, Any] = {
        "title": " ".join(title.split()),
        "description": _description(row, work),
        "owner": work.owner(row),
        "labels": {k: " ".join(v.split()) for k, v in labels.items() if v},
        "links": links,
        "external_ids": external_ids,
        "confidential": True if _withheld(row) else None,
    }
    developers: list[str] = []
    reading = read_cell(row.get("vendor_name"))
    for part in reading.not_vendors:
        work.not_vendors[part].append(row.line)
    for spelling in reading.names:
        ref = f"vendor:{work.vendors.of(spelling).name}"
        if ref not in developers:
            developers.append(ref)
    if reading.split:
        cell = _short(" ".join(row.get("vendor_name").split()))
        work.split_cells.append(f"{work.at(row)}: {cell!r} -> {', '.join(developers)}")
    stage = _answer(row.get("development_stage"))
    tier = _answer(row.get("is_high_impact"))
    for column, value, table in (("development_stage", stage, LIFECYCLE),
                                 ("is_high_impact", tier, RISK_TIER)):
        if value and value not in table:
            work.odd.append(f"{work.at(row)}: {column} {row.get(column)!r} not understood: "
                            "left unset")
    spec = {
        "lifecycle": LIFECYCLE.get(stage),
        "risk_tier": RISK_TIER.get(tier),
        "developer": developers,
        "data_classes": ["pii"] if _answer(row.get("has_pii")) == "yes" else [],
        "training_data": [dataset.entity.ref] if dataset else [],
        "practices": _practices(row, work),
    }
    return Imported("Model", name, key, envelope("Model", name, metadata, spec))


def _links(row: Row, work: _Build) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    contact = row.get("contact_email")
    if contact:
        if _EMAIL.match(contact):
            links.append({"title": "Point of contact", "url": f"mailto:{contact}"})
        elif _URL.match(contact):
            links.append({"title": "Point of contact", "url": contact})
        else:
            work.placeholder(row, "contact_email", contact)
    for column, title in (("pia_url", "Privacy impact assessment"), ("code_url", "Source code"),
                          ("link_to_data", "Data catalog entry")):
        links += [{"title": title, "url": url} for url in work.urls(row, column)]
    return links


def _description(row: Row, work: _Build) -> str | None:
    parts = []
    for column, label in (("problem_solved", "Purpose"), ("benefits", "Benefits"),
                          ("system_outputs", "Outputs"),
                          ("HI_justification", "Not high-impact because")):
        text = work.text(row, column)
        if text:
            parts.append(f"{label}: {' '.join(text.split())}")
    features = [f for f in list_cell(row.get("demographic_features"))
                if not _answer(f).startswith(("none of the above", "not applicable"))]
    if features:
        parts.append("Demographic features used: " + "; ".join(
            re.sub(r"^[a-z]\)\s*", "", f) for f in features))
    return "\n".join(parts) or None


def _practices(row: Row, work: _Build) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for column, (practice, answers) in PRACTICES.items():
        raw = row.get(column)
        if not raw:
            continue
        answer = _answer(raw)
        status = answers.get(answer)
        if status is None:
            status = _guess(answer)
            work.odd.append(f"{work.at(row)}: {column} {_short(raw)!r} is not one of the "
                            "answers the data dictionary lists: read as "
                            + (status[0] if status else "nothing (left unset)"))
            if status is None:
                continue
        entry: dict[str, Any] = {"status": status[0]}
        if status[1]:
            entry["by" if status[0] == _DONE else "notes"] = status[1]
        if practice == "impact_assessment" and work.text(row, "hi_potential_impacts"):
            entry["notes"] = " ".join(row.get("hi_potential_impacts").split())
        found[practice] = entry
    steps = list_cell(row.get(CONSULTATION_COLUMN))
    if steps:
        given = {_answer(s) for s in steps}
        if given <= {"in-progress"}:
            found["consultation"] = {"status": _WIP}
        elif given <= {"caio waived"}:
            found["consultation"] = {"status": _WAIVED}
        else:
            found["consultation"] = {"status": _DONE, "notes": "; ".join(
                re.sub(r"^[a-z]\)\s*", "", " ".join(s.split())) for s in steps
                if _answer(s) not in ("in-progress", "caio waived"))}
    return found


def _guess(answer: str) -> tuple[str, str | None] | None:
    """Answers typed in the wrong column's words: the plain yes, no or in-progress in them."""
    if "in-progress" in answer or "in progress" in answer or "in-progess" in answer:
        return (_WIP, None)
    if answer.startswith("yes"):
        return (_DONE, None)
    if answer.startswith("no"):
        return (_NOT, None)
    return None


def _organization(agency: str | None, rows: list[Row]) -> Imported:
    if agency is not None:
        title = next((r.get("agency_name") for r in rows if r.get("agency_name")), agency)
        name = slug(agency) or "agency"
    else:
        title, name = "US federal agencies (2025 AI use case inventory)", "us-federal-agencies"
    return Imported("Organization", name, "organization", envelope(
        "Organization", name, {"title": title}, {}))


def _lines(numbers: Iterable[int], limit: int = 8) -> str:
    numbers = sorted(numbers)
    shown = ", ".join(str(n) for n in numbers[:limit])
    more = len(numbers) - limit
    return f"line {shown}" if len(numbers) == 1 else (
        f"lines {shown}" + (f" and {more} more" if more > 0 else ""))


def _report(result: ImportResult, work: _Build, ids: dict[str, list[str]],
            duplicates: list[str], withheld: list[str], public_other: list[str]) -> None:
    merged = [v for v in work.vendors.vendors().values() if len(v.spellings) > 1]
    result.section(
        "Vendor aliases merged",
        f"{len(merged)} vendors were written in more than one way; each is one Vendor "
        "(add spellings with --vendor-aliases).",
        [f"vendor:{v.name} ({v.title}): " + ", ".join(
            f"{s!r} x{n}" for s, n in v.spellings.most_common()) for v in merged])
    result.section(
        "Cells naming several vendors",
        f"{len(work.split_cells)} vendor cells were split into several vendors.",
        work.split_cells)
    result.section(
        "Vendor cells that name no vendor",
        f"{sum(len(v) for v in work.not_vendors.values())} parts of vendor cells are "
        "placeholders, in-house or open-source work, contract numbers or web addresses: "
        "no Vendor was made for them.",
        [f"{text!r} ({_lines(lines)})" for text, lines in sorted(
            work.not_vendors.items(), key=lambda kv: (-len(kv[1]), kv[0]))])
    result.section(
        "Placeholders",
        f"{sum(len(v) for v in work.placeholders.values())} values stand for no value "
        "(\"Not available\", \"Redacted for cybersecurity purposes\"...): left out.",
        [f"{column}: {_short(value)!r} x{len(lines)} ({_lines(lines)})"
         for (column, value), lines in sorted(work.placeholders.items(),
                                              key=lambda kv: (kv[0][0], -len(kv[1])))])
    result.section(
        "Use cases with no id",
        f"{len(ids['missing'])} use cases have no usable id: each is named from its agency "
        "and title, and found again on the next import by its agency, bureau and title "
        "(numbered in file order when those repeat). Ask the agency for ids.",
        ids["missing"])
    result.section(
        "Duplicated ids",
        f"{len(ids['duplicated'])} ids are given to more than one use case of the same "
        "agency: each use case is imported, numbered in file order.",
        ids["duplicated"])
    result.section("Rows repeated exactly",
                   f"{len(duplicates)} rows repeat an earlier row in every column.", duplicates)
    result.section(
        "Withheld from public reporting",
        f"{len(withheld)} use cases are withheld from public reporting: imported as "
        "confidential (kept off the site and out of OSCAL exports).", withheld)
    result.section(
        "Withholding answered 'Other'",
        f"{len(public_other)} use cases answer 'Other' to the withholding question: imported "
        "as public; mark them confidential by hand if they are not.", public_other)
    result.section(
        "Data descriptions shared by many use cases",
        f"Text given word for word by more than {SHARED_DATA_LIMIT} use cases of an agency is "
        "taken for boilerplate, not for one data set they all train on: no Dataset was made "
        "(write one by hand where they do share it).",
        work.boilerplate)
    result.section("Answers not understood",
                   f"{len(work.odd)} answers are not among the data dictionary's choices.",
                   work.odd)
