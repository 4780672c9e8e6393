"""Checklist traceability: the shipped mapping against the checklist text, and `coverage`.

The checklist lives outside the package (../shared/domain); the mapping in the package
names each of its items by a short heading only.  These tests parse the checklist and hold
the mapping to it item by item, so a new bullet, row or step cannot be forgotten, and a
control cannot cite an item the checklist does not have.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from projectkit import make_project, run
from sharedkit import SHARED, assert_present, shared_text

from airready.readiness.coverage import (
    FIGURES,
    PAGES,
    PHASE_TITLES,
    build_coverage,
    mapping,
    normal,
)
from airready.rules.catalog import load_catalog

CHECKLIST = SHARED / "domain" / "ai-incident-response-checklist.txt"
REPO = Path(__file__).resolve().parent.parent
PHASES = {"1": "preparation", "2": "detection", "3": "containment", "4": "investigation",
          "5": "remediation", "6": "post_incident"}
TABLE_HEADS = {"Detection Source", "Attack Category", "Metric"}

CATALOG, PROBLEMS = load_catalog(None)
assert PROBLEMS == []


def checklist_items(text: str) -> list[tuple[str, str, str]]:
    """(phase, section, item) for every item of the checklist, in order.

    A step is named by the words before its dash; a table row by its first cell; a
    scenario step by the whole step; a first-hour line by its minute range.
    """
    items = []
    phase, section = None, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if match := re.match(r"Phase (\d): ", line):
            phase, section = PHASES[match[1]], None
        elif line == "AI-Specific Incident Scenarios":
            phase, section = "scenarios", None
        elif line.startswith("Scenario: "):
            section = line.removeprefix("Scenario: ")
        elif line.startswith("Quick Reference: "):
            phase, section = "first_hour", line.removeprefix("Quick Reference: ")
        elif phase is None:
            continue  # the title and the introduction
        elif line.startswith("- "):
            body = line[2:]
            if phase == "first_hour":
                key = body.split(":")[0]
            elif phase == "scenarios":
                key = body
            else:
                key = body.split(" — ")[0]
            items.append((phase, section, key))
        elif line.startswith("|"):
            first = line.strip("|").split("|")[0].strip()
            if first.strip("-") and first not in TABLE_HEADS:
                items.append((phase, section, first))
        elif not line.endswith((".", ":")):
            section = line
    return items


TEXT = shared_text(CHECKLIST)
ITEMS = checklist_items(TEXT)
SECTIONS = {normal(section) for _, section, _ in ITEMS}
MAPPED = [(e.phase, e.section, e.item) for e in mapping()]


def test_the_checklist_is_beside_the_checkout():
    assert_present(CHECKLIST)


def test_the_parser_finds_every_kind_of_item():
    # A guard on the parser, so the comparison below cannot pass on too few items.
    counts = {phase: sum(p == phase for p, _, _ in ITEMS) for phase in PHASE_TITLES}
    assert counts == {"preparation": 14, "detection": 16, "containment": 11,
                      "investigation": 18, "remediation": 14, "post_incident": 15,
                      "scenarios": 18, "first_hour": 6}
    assert ("detection", "Initial Detection Signals", "External notification") in ITEMS
    assert ("investigation", "Attack Vector Analysis", "Model theft/extraction") in ITEMS
    assert ("post_incident", "Metrics to Track", "Evidence quality") in ITEMS
    assert ("scenarios", "Model Supply Chain Compromise", "Deploy verified alternatives") in ITEMS
    assert ("first_hour", "First 60 Minutes", "Minute 45-60") in ITEMS


def test_every_checklist_item_has_an_entry_in_order():
    missing = [item for item in ITEMS if item not in MAPPED]
    stale = [item for item in MAPPED if item not in ITEMS]
    assert missing == [], f"checklist items with no coverage entry: {missing}"
    assert stale == [], f"coverage entries for items the checklist does not have: {stale}"
    assert MAPPED == ITEMS  # the same order, so the report reads like the checklist


def test_a_new_bullet_would_be_caught():
    grown = TEXT.replace("- Preserve logs — ", "- Hash the evidence — keep digests.\n"
                                               "- Preserve logs — ")
    assert ("detection", "Evidence Preservation", "Hash the evidence") not in MAPPED
    assert ("detection", "Evidence Preservation", "Hash the evidence") in checklist_items(grown)


def test_every_named_control_figure_and_page_exists():
    for entry in mapping():
        unknown = [c for c in entry.controls if c not in CATALOG.controls]
        assert unknown == [], (entry.item, unknown)
        assert set(entry.figures) <= set(FIGURES), entry.item
        assert set(entry.pages) <= set(PAGES), entry.item


def test_every_control_cites_a_checklist_heading():
    headings = {normal(item) for _, _, item in ITEMS} | SECTIONS
    wrong = [(c.id, c.spec.checklist_item) for c in CATALOG.controls.values()
             if normal(c.spec.checklist_item) not in headings]
    assert wrong == []


def test_a_control_is_listed_under_the_item_it_cites():
    entries = {normal(e.item): e for e in mapping()}
    for control in CATALOG.controls.values():
        cited = normal(control.spec.checklist_item)
        if cited in entries:  # a section heading ("Metrics to Track") has no entry of its own
            assert control.id in entries[cited].controls, (control.id, cited)
    listed = {c for e in mapping() for c in e.controls}
    assert set(CATALOG.controls) <= listed, set(CATALOG.controls) - listed


def test_statuses_say_what_is_missing():
    for entry in mapping():
        if entry.status == "covered":
            assert entry.missing is None, entry.item
            assert entry.controls or entry.figures, entry.item
        else:
            assert entry.missing, entry.item
        if entry.status == "uncovered":
            assert not entry.controls, entry.item


def test_the_mapping_copies_no_sentence_of_the_checklist():
    shipped = (REPO / "airready" / "data" / "coverage.yaml").read_text(encoding="utf-8")
    shipped = normal(shipped.replace(">-\n", " "))
    for line in TEXT.splitlines():
        if " — " in line:
            sentence = normal(line.split(" — ", 1)[1])
            assert sentence[:40] not in shipped, sentence


def test_at_most_a_tenth_is_uncovered():
    coverage = build_coverage(CATALOG)
    assert len(coverage.items) == len(ITEMS)
    assert coverage.uncovered_share <= 0.10


# --- the command ------------------------------------------------------------------------

def test_json_shape_on_the_example(capsys):
    done = run(capsys, "coverage", "--project", REPO, "--format", "json")
    assert done.code == 0, done.err
    data = json.loads(done.out)
    assert data["schema_version"] == 1
    assert len(data["items"]) == len(ITEMS)
    for item in data["items"]:
        assert {"phase", "text", "status", "covered_by"} <= set(item)
        assert item["status"] in ("covered", "partial", "uncovered")
    first = data["items"][0]
    assert first["phase"] == "preparation"
    assert first["text"] == "Identify AI incident response team members"
    assert {"type": "control", "id": "AIR-TEAM-001",
            "title": CATALOG.controls["AIR-TEAM-001"].spec.title} in first["covered_by"]
    logging = next(i for i in data["items"] if i["text"] == "Implement comprehensive logging")
    assert "HL-LOG-001" in [c["id"] for c in logging["covered_by"]]  # the project's own control
    assert data["summary"]["uncovered"] / data["summary"]["items"] <= 0.10


def test_text_and_markdown_name_items_status_and_gaps(capsys):
    text = run(capsys, "coverage", "--project", REPO).out
    assert "[partial]   Patch dependencies" in text
    assert "missing: Component versions and digests" in text
    assert re.search(r"^112 checklist items: \d+ covered, \d+ partial, \d+ uncovered",
                     text.splitlines()[-1])
    markdown = run(capsys, "coverage", "--project", REPO, "--format", "markdown").out
    assert markdown.startswith("# Checklist coverage\n")
    assert "## Post-incident review" in markdown
    assert "| Evidence Preservation | Save adversarial inputs | covered | AIR-EVD-002; " \
           "incidents: evidence |" in markdown


def test_a_control_disabled_in_the_project_no_longer_covers(tmp_path, capsys):
    config = ("inventory: [inventory]\ncontrols: [builtin]\noverrides:\n"
              "  AIR-REV-004: {enabled: false, reason: we share nothing outside}\n"
              "  AIR-ATK-001: {enabled: false, reason: in the SOC's own report}\n")
    project = make_project(tmp_path, config)
    data = json.loads(run(capsys, "coverage", "--project", project, "--format", "json").out)
    items = {i["text"]: i for i in data["items"]}
    share = items["Share findings appropriately"]
    assert share["status"] == "uncovered"
    assert share["notes"] == ["AIR-REV-004 is disabled in airready.yaml (we share nothing "
                              "outside)"]
    lateral = items["Check for lateral movement"]  # the blast radius still answers part of it
    assert lateral["status"] == "partial"
    assert [c["id"] for c in lateral["covered_by"]] == ["blast-radius"]


def test_a_project_control_citing_an_uncovered_item_makes_it_partial(tmp_path, capsys):
    control = (
        "id: ACME-EVD-001\ntitle: Recordings are kept\ndescription: Why.\nphase: detection\n"
        "checklist_item: Screenshot or record anomalous behavior\nseverity: low\n"
        "applies_to: {kind: Incident}\ncheck: {path: spec.evidence, count_min: 1}\n"
        "failure: keeps no recording\nremediation: {text: Keep one.}\n")
    project = make_project(tmp_path, "inventory: [inventory]\ncontrols: [builtin, controls]\n",
                           {"controls/acme.yaml": control})
    data = json.loads(run(capsys, "coverage", "--project", project, "--format", "json").out)
    item = next(i for i in data["items"] if i["text"] == "Screenshot or record anomalous behavior")
    assert item["status"] == "partial"
    assert [c["id"] for c in item["covered_by"]] == ["ACME-EVD-001"]


def test_without_a_project_the_builtin_catalog_is_used(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = run(capsys, "coverage", "--format", "json")
    assert done.code == 0
    assert len(json.loads(done.out)["items"]) == len(ITEMS)


def test_an_unknown_format_is_refused(capsys):
    assert run(capsys, "coverage", "--format", "xml").code == 2

