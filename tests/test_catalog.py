"""The builtin control catalog, and what a project's own malformed controls produce.

The catalog is data that cites outside sources: the checklist it implements, MITRE ATLAS
and the OWASP Top 10 for LLM Applications.  These tests hold every citation to the
source it names, and check that the checklist's preparation phase is fully covered.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from projectkit import ORG, control_yaml, make_project, run
from sharedkit import SHARED, assert_present, shared_text

from airready.rules.catalog import BUILTIN_DIR, FRAMEWORKS, PHASES, SEVERITIES, load_catalog

CHECKLIST = SHARED / "domain" / "ai-incident-response-checklist.txt"
ATLAS = SHARED / "external" / "atlas" / "ATLAS.yaml"

CATALOG, PROBLEMS = load_catalog(None)
CONTROLS = list(CATALOG.controls.values())
PREPARATION_SECTIONS = ("Team Readiness", "Technical Preparation", "Documentation")


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def checklist_items(text: str) -> set[str]:
    """What a control may cite: a checklist step, a table row, or a heading.

    A step is a bullet, named by the words before its em dash ("- Preserve logs — ...");
    the scenario bullets have no dash and are named whole.  A table row is named by its
    first cell.  A heading is any other line that is not prose (no final '.' or ':').
    """
    items: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            items.add(_normal(line[2:].split(" — ")[0]))
        elif line.startswith("|"):
            first = line.strip("|").split("|")[0].strip()
            if first.strip("-"):
                items.add(_normal(first))
        elif not line.endswith((".", ":")):
            items.add(_normal(line))
    return items


def preparation_items(text: str) -> dict[str, list[str]]:
    """The steps under the three preparation headings of Phase 1."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("Phase 2"):
            break
        if line in PREPARATION_SECTIONS:
            current = sections.setdefault(line, [])
        elif current is not None and line.startswith("- ") and " — " in line:
            current.append(line[2:].split(" — ")[0].strip())
    return sections


CHECKLIST_TEXT = shared_text(CHECKLIST)
ITEMS = checklist_items(CHECKLIST_TEXT)
PREPARATION = preparation_items(CHECKLIST_TEXT)


def test_the_checklist_is_beside_the_checkout():
    assert_present(CHECKLIST)


def test_builtin_catalog_loads_without_problems():
    assert PROBLEMS == []
    assert all(c.builtin and c.enabled for c in CONTROLS)


def test_control_ids_follow_the_pattern():
    bad = [c.id for c in CONTROLS if not re.fullmatch(r"AIR-[A-Z]+-\d{3}", c.id)]
    assert bad == []


def test_control_ids_are_unique_across_catalog_files():
    # Read the files directly: the loader would drop a duplicate with a problem.
    ids = [doc["id"] for path in sorted(BUILTIN_DIR.glob("*.yaml"))
           for doc in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader) if doc]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert len(ids) == len(CONTROLS)


def test_phase_and_severity_are_valid():
    assert {c.spec.phase for c in CONTROLS} <= set(PHASES)
    assert {c.severity for c in CONTROLS} <= set(SEVERITIES)


def test_every_phase_of_the_checklist_has_controls():
    assert {c.spec.phase for c in CONTROLS} == set(PHASES)


def test_checklist_parsing_finds_the_items_we_expect():
    # A guard on the parser itself, so the next test cannot pass vacuously.
    for item in ("Identify AI incident response team members", "Preserve logs",
                 "Metrics to Track", "Mean Time to Detect (MTTD)", "Automated monitoring",
                 "Implement data provenance controls"):
        assert _normal(item) in ITEMS, item
    assert _normal("Verify data provenance before retraining") not in ITEMS


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_checklist_item_exists_in_the_checklist(control):
    assert _normal(control.spec.checklist_item) in ITEMS, control.spec.checklist_item


def test_checklist_preparation_phase_has_fourteen_items():
    assert {name: len(items) for name, items in PREPARATION.items()} == {
        "Team Readiness": 5, "Technical Preparation": 6, "Documentation": 3}


@pytest.mark.parametrize("item", [i for items in PREPARATION.values() for i in items])
def test_every_preparation_item_has_a_control(item):
    covering = [c.id for c in CONTROLS if _normal(c.spec.checklist_item) == _normal(item)]
    assert covering, f"no control covers checklist item {item!r}"


@pytest.fixture(scope="module")
def atlas_ids() -> set[str]:
    data = yaml.load(ATLAS.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    matrix = data["matrices"][0]
    return {entry["id"] for entry in (*matrix["techniques"], *matrix["mitigations"])}


def test_mitre_atlas_references_exist(atlas_ids):
    cited = {(c.id, ref) for c in CONTROLS for ref in c.spec.references.get("mitre_atlas", [])}
    assert cited, "no control cites MITRE ATLAS"
    assert sorted(pair for pair in cited if pair[1] not in atlas_ids) == []


def test_owasp_llm_references_are_2025_ids():
    cited = [(c.id, ref) for c in CONTROLS for ref in c.spec.references.get("owasp_llm", [])]
    assert cited, "no control cites the OWASP Top 10 for LLM Applications"
    valid = {f"LLM{n:02d}:2025" for n in range(1, 11)}
    assert [pair for pair in cited if pair[1] not in valid] == []


def test_references_name_known_frameworks_and_are_not_empty():
    for control in CONTROLS:
        assert set(control.spec.references) <= set(FRAMEWORKS), control.id
        assert all(control.spec.references.values()), control.id


# --- a project's own malformed controls: located problems, exit 2 ---------------------------

def _check_with_controls(tmp_path: Path, capsys, controls: dict[str, str],
                         folders: list[str] | None = None):
    files = {"inventory/org.yaml": ORG, **controls}
    config = {"inventory": ["inventory"], "controls": folders or ["controls"]}
    project = make_project(tmp_path, config, files)
    return run(capsys, "check", "--project", project, "--today", "2026-11-25")


def test_unknown_operator_in_a_project_control(tmp_path, capsys):
    bad = control_yaml("ACME-LOG-001", check="{path: spec.logging.inputs, equal: true}")
    result = _check_with_controls(tmp_path, capsys, {"controls/logging.yaml": bad})
    assert result.code == 2
    assert result.out.splitlines() == [
        "controls/logging.yaml:8:43: [error] check.equal: unknown operator(s) equal "
        "(did you mean 'equals'?) (control)"]
    assert result.err == "1 error: the input is invalid\n"


def test_nested_malformed_condition_points_inside_the_check(tmp_path, capsys):
    bad = control_yaml("ACME-LOG-001", check="\n  all:\n    - {path: spec.version, exists: true}"
                                             "\n    - {path: spec.rollback.last_tested, "
                                             "within: soon}")
    result = _check_with_controls(tmp_path, capsys, {"controls/logging.yaml": bad})
    assert result.code == 2
    assert result.out.splitlines() == [
        "controls/logging.yaml:11:49: [error] check.all.1.within: 'soon' is not a duration: "
        "use ISO 8601 (PT1H, PT4H, P3D) or a short form (90d, 4h) (control)"]


def test_bad_id_pattern(tmp_path, capsys):
    result = _check_with_controls(tmp_path, capsys,
                                  {"controls/bad.yaml": control_yaml("acme-1")})
    assert result.code == 2
    [line] = result.out.splitlines()
    assert line.startswith("controls/bad.yaml:1:5: [error] id: "), line
    assert line.endswith(" (control)")


def test_unknown_applies_to_kind_suggests_the_right_one(tmp_path, capsys):
    result = _check_with_controls(tmp_path, capsys,
                                  {"controls/bad.yaml": control_yaml("ACME-INV-001",
                                                                     kind="Modle")})
    assert result.code == 2
    assert result.out.splitlines() == [
        "controls/bad.yaml:7:20: [error] applies_to.kind: unknown kind 'Modle' "
        "(did you mean 'Model'?) (control)"]


def test_unknown_framework(tmp_path, capsys):
    bad = control_yaml("ACME-INV-001", extra="references: {owasp_lm: [LLM01:2025]}\n")
    result = _check_with_controls(tmp_path, capsys, {"controls/bad.yaml": bad})
    assert result.code == 2
    assert result.out.splitlines() == [
        "controls/bad.yaml:11:14: [error] references: unknown framework 'owasp_lm' "
        "(did you mean 'owasp_llm'?) (control)"]


def test_duplicate_id_across_project_folders(tmp_path, capsys):
    result = _check_with_controls(
        tmp_path, capsys,
        {"controls/a.yaml": control_yaml("ACME-INV-001"),
         "more-controls/b.yaml": control_yaml("ACME-INV-001")},
        folders=["controls", "more-controls"])
    assert result.code == 2
    assert result.out.splitlines() == [
        "more-controls/b.yaml:1:5: [error] id: ACME-INV-001 is defined twice "
        "(first in controls/a.yaml:1) (control)"]


def test_duplicate_of_a_builtin_id(tmp_path, capsys):
    result = _check_with_controls(
        tmp_path, capsys, {"controls/mine.yaml": control_yaml("AIR-LOG-001")},
        folders=["builtin", "controls"])
    assert result.code == 2
    [line] = result.out.splitlines()
    assert re.fullmatch(r"controls/mine\.yaml:1:5: \[error\] id: AIR-LOG-001 is defined twice "
                        r"\(first in builtin:technical\.yaml:\d+\) \(control\)", line), line


def test_every_problem_in_a_folder_is_reported_at_once(tmp_path, capsys):
    files = {"controls/a.yaml": control_yaml("ACME-INV-001", kind="Modle"),
             "controls/b.yaml": control_yaml("ACME-INV-002",
                                             check="{path: spec.version, exist: true}")}
    result = _check_with_controls(tmp_path, capsys, files)
    assert result.code == 2
    assert [line.split(": [error]")[0] for line in result.out.splitlines()] == [
        "controls/a.yaml:7:20", "controls/b.yaml:8:36"]
    assert result.err == "2 errors: the input is invalid\n"


def test_a_missing_controls_folder_is_a_config_error(tmp_path, capsys):
    result = _check_with_controls(tmp_path, capsys, {}, folders=["builtin", "controls"])
    assert result.code == 2
    assert result.out.splitlines() == [
        "airready.yaml:5:3: [error] controls: 'controls' does not exist (config)"]


def test_a_control_file_that_is_not_yaml(tmp_path, capsys):
    result = _check_with_controls(tmp_path, capsys, {"controls/bad.yaml": "id: [1\n"})
    assert result.code == 2
    [line] = result.out.splitlines()
    assert line.startswith("controls/bad.yaml:2:1: [error] YAML does not parse: "), line


def test_a_control_missing_its_fields(tmp_path, capsys):
    result = _check_with_controls(tmp_path, capsys,
                                  {"controls/partial.yaml": "id: ACME-X-001\n"})
    assert result.code == 2
    lines = result.out.splitlines()
    assert "controls/partial.yaml:1:1: [error] check: required field 'check' is missing " \
           "(control)" in lines
    assert len(lines) == 9  # every missing field, at once
