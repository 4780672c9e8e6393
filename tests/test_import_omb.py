"""`airready import omb-inventory`: the federal AI use case inventory, as it really is.

The whole 2025 file is imported and audited once (the issue's acceptance test); small files
written here pin down each mapping and each clean-up case, and a second import into the
same folder shows that hand edits survive.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from projectkit import make_project, run
from sharedkit import EXTERNAL

from airready.interop.omb import COLUMNS

FEDERAL = EXTERNAL / "ai-inventory" / "2025_individually_reported_AI_use_cases.csv"


def csv_file(path: Path, rows: list[dict[str, str]], bom: bool = True) -> Path:
    """The inventory's CSV as agencies publish it: UTF-8 with a byte order mark."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8",
                    newline="")
    return path


def use_case(**values: str) -> dict[str, str]:
    row = {"agency": "DOX", "agency_name": "Department of Examples", "agency_bureau": "DOX/ABC",
           "is_withheld": "No", "development_stage": "Deployed",
           "is_high_impact": "High-impact", "has_pii": "Yes",
           "demographic_features": "[]", "hi_public_consultation": "[]"}
    row.update(values)
    return row


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def model_file(out: Path, name: str) -> Path:
    return out / "inventory" / "models" / f"{name}.yaml"


# --- the real file ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def federal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("federal") / "project"


def test_the_whole_federal_file_imports_validates_and_is_audited(federal, capsys):
    imported = run(capsys, "import", "omb-inventory", FEDERAL, "--out", federal)
    assert imported.code == 0, imported.err
    assert "3611 rows, 3609 use cases, 41 agencies" in imported.out
    assert "3609 Model" in imported.out
    assert "created a new project with organization:us-federal-agencies" in imported.out
    assert "ok: " in imported.err

    assert run(capsys, "validate", "--project", federal).code == 0
    checked = run(capsys, "check", "--project", federal, "--format", "json")
    assert checked.code == 1  # real gaps: nothing in the source says how they log or roll back
    report = json.loads(checked.out)
    failing = {f["target"] for f in report["findings"] if f["state"] == "fail"}
    assert "model:doj-0160" in failing and len(failing) > 3000


def test_the_federal_report_names_every_real_data_problem(federal):
    text = (federal / "import-report-omb-inventory.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (.+)\n\n(.+)$", text, flags=re.MULTILINE))
    assert sections["Use cases with no id"].startswith("705 use cases")
    assert "DOJ DOJ-0160: line 1618 -> model:doj-0160, line 1665 -> model:doj-0160-2" in text
    assert sections["Rows repeated exactly"].startswith("2 rows")
    assert sections["Withheld from public reporting"].startswith("24 use cases")
    assert "vendor:palantir (Palantir): 'Palantir' x" in text
    assert "'Palantir Technologies' x" in text
    assert "'Not available'" in text and "'Contractor teams'" in text
    assert "'Redacted for cybersecurity purposes.'" in text
    assert "Aneesh Technologies, 24X7, Ellumen Inc., Deloitte, NiyamIT" in text


def test_federal_entities_carry_the_source_facts(federal):
    pattern = load(model_file(federal, "doj-0160"))
    assert pattern["metadata"]["title"].startswith("Prisoner Assessment Tool Targeting")
    assert pattern["metadata"]["owner"] == "team:doj-fbop"
    assert pattern["metadata"]["external_ids"] == {"omb_agency": "DOJ", "omb": "DOJ-0160"}
    assert pattern["spec"]["lifecycle"] == "production"
    assert pattern["spec"]["data_classes"] == ["pii"]
    withheld = load(model_file(federal, "nasa-498"))
    assert withheld["metadata"]["confidential"] is True
    team = load(federal / "inventory" / "teams" / "doj-fbop.yaml")
    assert team["spec"] == {"parent": "team:doj"}


def test_a_second_import_of_the_same_file_changes_nothing(federal, capsys):
    before = {p: p.read_bytes() for p in (federal / "inventory").rglob("*.yaml")}
    again = run(capsys, "import", "omb-inventory", FEDERAL, "--out", federal)
    assert again.code == 0, again.err
    assert "written: 0 new, 0 updated, 5254 unchanged" in again.out
    assert {p: p.read_bytes() for p in (federal / "inventory").rglob("*.yaml")} == before


# --- the mapping, case by case ---------------------------------------------------------------

def test_one_use_case_maps_to_model_team_vendor_dataset_and_practices(tmp_path, capsys):
    source = csv_file(tmp_path / "in.csv", [use_case(
        id="DOX-0001", use_case_name="Benefit claim triage", vendor_name="Acme Corp, Globex",
        contact_email="ai@dox.example.gov", data_description="Five years of claim files.",
        link_to_data="https://catalog.data.gov/dataset/claims", problem_solved="Backlog.",
        demographic_features="['c) Age', 'i) Income']",
        hi_testing_conducted="Yes", hi_assessment_completed="In-progress",
        hi_potential_impacts="Wrongful denials.", hi_independent_review="CAIO Review",
        hi_ongoing_monitoring="Yes - Monitoring Established",
        hi_training_established="Training In-progress", hi_failsafe_presence="Not Applicable",
        hi_appeal_process="Appeal Precluded by Law",
        hi_public_consultation="['Usability Testing', 'Public Hearings']")])
    out = tmp_path / "project"
    result = run(capsys, "import", "omb-inventory", source, "--out", out)
    assert result.code == 0, result.err
    model = load(model_file(out, "dox-0001"))
    assert model["metadata"]["owner"] == "team:dox-abc"
    assert {"title": "Point of contact", "url": "mailto:ai@dox.example.gov"} in \
        model["metadata"]["links"]
    assert "Demographic features used: Age; Income" in model["metadata"]["description"]
    spec = model["spec"]
    assert spec["lifecycle"] == "production" and spec["risk_tier"] == "high"
    assert spec["developer"] == ["vendor:acme-corp", "vendor:globex"]
    assert spec["training_data"] == ["dataset:dox-0001-data"]
    assert spec["practices"] == {
        "testing": {"status": "done"},
        "impact_assessment": {"status": "in_progress", "notes": "Wrongful denials."},
        "independent_review": {"status": "done", "by": "Chief AI Officer"},
        "monitoring": {"status": "done"},
        "operator_training": {"status": "in_progress"},
        "fail_safe": {"status": "not_applicable"},
        "appeal": {"status": "not_applicable", "notes": "precluded by law"},
        "consultation": {"status": "done", "notes": "Usability Testing; Public Hearings"},
    }
    dataset = load(out / "inventory" / "datasets" / "dox-0001-data.yaml")
    assert dataset["spec"]["source"] == "https://catalog.data.gov/dataset/claims"
    assert load(out / "inventory" / "teams" / "dox-abc.yaml")["spec"] == {"parent": "team:dox"}
    assert run(capsys, "validate", "--project", out).code == 0


def test_the_file_as_published_bom_newlines_empty_rows_lists(tmp_path, capsys):
    rows = [use_case(id="DOX-1", use_case_name="Line one\nline two", benefits="A\n\nB"),
            {c: "" for c in COLUMNS}, use_case(id="DOX-2", use_case_name="Second")]
    source = csv_file(tmp_path / "in.csv", rows)
    out = tmp_path / "project"
    result = run(capsys, "import", "omb-inventory", source, "--out", out)
    assert result.code == 0, result.err
    assert "1 empty rows skipped" in result.out
    assert load(model_file(out, "dox-1"))["metadata"]["title"] == "Line one line two"
    assert load(model_file(out, "dox-2"))["metadata"]["title"] == "Second"


def test_missing_and_duplicated_ids_get_stable_names_and_are_reported(tmp_path, capsys):
    rows = [use_case(id="", use_case_name="Chat helper", agency_bureau="DOX/ABC"),
            use_case(id="TBD", use_case_name="Chat helper", agency_bureau="DOX/ABC",
                     problem_solved="Other text"),
            use_case(id="DOX-7", use_case_name="First"),
            use_case(id="DOX-7", use_case_name="Second")]
    source = csv_file(tmp_path / "in.csv", rows)
    out = tmp_path / "project"
    result = run(capsys, "import", "omb-inventory", source, "--out", out)
    assert result.code == 0, result.err
    models = sorted(p.stem for p in (out / "inventory" / "models").glob("*.yaml"))
    assert models == ["dox-7", "dox-7-2", "dox-chat-helper", "dox-chat-helper-2"]
    assert "Use cases with no id: 2 use cases" in result.out
    assert "DOX DOX-7: line 4 -> model:dox-7, line 5 -> model:dox-7-2" in result.out
    assert "id: 'TBD' x1 (line 3)" in result.out


def test_vendor_spellings_merge_and_placeholders_make_no_vendor(tmp_path, capsys):
    rows = [use_case(id="DOX-1", vendor_name="Palantir"),
            use_case(id="DOX-2", vendor_name="Palantir Technologies"),
            use_case(id="DOX-3", vendor_name="Palantir"),
            use_case(id="DOX-4", vendor_name="Not available"),
            use_case(id="DOX-5", vendor_name="Contractor teams"),
            use_case(id="DOX-6", vendor_name="AWS; Microsoft / OpenAI"),
            use_case(id="DOX-7", vendor_name="Amazon Web Services (AWS)")]
    out = tmp_path / "project"
    result = run(capsys, "import", "omb-inventory", csv_file(tmp_path / "in.csv", rows),
                 "--out", out)
    assert result.code == 0, result.err
    vendors = sorted(p.stem for p in (out / "inventory" / "vendors").glob("*.yaml"))
    assert vendors == ["amazon-web-services", "microsoft", "openai", "palantir"]
    assert load(model_file(out, "dox-2"))["spec"]["developer"] == ["vendor:palantir"]
    assert "developer" not in load(model_file(out, "dox-4")).get("spec", {})
    assert "'Palantir' x2, 'Palantir Technologies' x1" in result.out
    assert "'Not available' (line 5)" in result.out
    assert "'Contractor teams' (line 6)" in result.out


def test_own_vendor_aliases_file(tmp_path, capsys):
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("aliases:\n  Initech Federal: Initech\n")
    rows = [use_case(id="DOX-1", vendor_name="Initech"),
            use_case(id="DOX-2", vendor_name="Initech Federal")]
    out = tmp_path / "project"
    result = run(capsys, "import", "omb-inventory", csv_file(tmp_path / "in.csv", rows),
                 "--out", out, "--vendor-aliases", aliases)
    assert result.code == 0, result.err
    assert sorted(p.stem for p in (out / "inventory" / "vendors").glob("*.yaml")) == ["initech"]
    aliases.write_text("- not a mapping\n")
    bad = run(capsys, "import", "omb-inventory", csv_file(tmp_path / "in.csv", rows),
              "--out", tmp_path / "other", "--vendor-aliases", aliases)
    assert bad.code == 2 and "--vendor-aliases" in bad.err


def test_withheld_use_cases_are_confidential_and_their_titles_stay_out_of_the_report(
        tmp_path, capsys):
    rows = [use_case(id="DOX-9", use_case_name="Covert thing",
                     is_withheld="Yes \u2013 disclosure is prohibited by law")]
    out = tmp_path / "project"
    result = run(capsys, "import", "omb-inventory", csv_file(tmp_path / "in.csv", rows),
                 "--out", out)
    assert result.code == 0, result.err
    assert load(model_file(out, "dox-9"))["metadata"]["confidential"] is True
    assert "model:dox-9" in result.out and "Covert thing" not in result.out


def test_one_agency_as_its_own_organisation(tmp_path, capsys):
    rows = [use_case(id="DOX-1"), use_case(agency="OTH", agency_name="Other", id="OTH-1")]
    source = csv_file(tmp_path / "in.csv", rows)
    out = tmp_path / "project"
    result = run(capsys, "import", "omb-inventory", source, "--out", out, "--agency", "dox")
    assert result.code == 0, result.err
    org = load(out / "inventory" / "dox.yaml")
    assert org["kind"] == "Organization" and org["metadata"]["title"] == "Department of Examples"
    assert not model_file(out, "oth-1").exists()
    unknown = run(capsys, "import", "omb-inventory", source, "--out", tmp_path / "x",
                  "--agency", "NOPE")
    assert unknown.code == 2
    assert "--agency 'NOPE' is not in" in unknown.err and "DOX, OTH" in unknown.err


# --- importing again: edits survive ----------------------------------------------------------

def test_reimport_updates_untouched_fields_and_keeps_hand_edits(tmp_path, capsys):
    out = tmp_path / "project"
    first = [use_case(id="DOX-1", use_case_name="Triage", development_stage="Pilot",
                      is_high_impact="Not High-impact"),
             use_case(id="DOX-2", use_case_name="Dropped later")]
    source = csv_file(tmp_path / "in.csv", first)
    assert run(capsys, "import", "omb-inventory", source, "--out", out).code == 0
    path = model_file(out, "dox-1")
    text = path.read_text(encoding="utf-8")
    # the owner adds a block the source knows nothing about, and corrects the risk tier
    text = text.replace("risk_tier: low", "risk_tier: medium  # reviewed by the CAIO office")
    text += "  logging: {inputs: true, outputs: true}\n"
    path.write_text(text, encoding="utf-8")
    mine = out / "inventory" / "notes.yaml"
    mine.write_text("# my own file\napiVersion: airready/v1\nkind: Person\n"
                    "metadata: {name: pat}\n")
    second = [use_case(id="DOX-1", use_case_name="Triage v2", development_stage="Deployed",
                       is_high_impact="High-impact")]
    result = run(capsys, "import", "omb-inventory", csv_file(tmp_path / "in.csv", second),
                 "--out", out)
    assert result.code == 0, result.err
    model = load(path)
    assert model["metadata"]["title"] == "Triage v2"  # untouched: the source's new value
    assert model["spec"]["lifecycle"] == "production"
    assert model["spec"]["risk_tier"] == "medium"  # edited and changed: yours kept...
    assert "dox-1 spec.risk_tier: yours 'medium', the source's 'high'" in result.out
    assert model["spec"]["logging"] == {"inputs": True, "outputs": True}
    assert "# reviewed by the CAIO office" in path.read_text(encoding="utf-8")
    assert mine.read_text() == ("# my own file\napiVersion: airready/v1\nkind: Person\n"
                                "metadata: {name: pat}\n")
    assert "No longer in the source" in result.out and "model:dox-2" in result.out
    assert model_file(out, "dox-2").exists()
    # once the clash is reported, the same source leaves your value alone, silently
    again = run(capsys, "import", "omb-inventory", csv_file(tmp_path / "in.csv", second),
                "--out", out)
    assert "Kept your edits" not in again.out
    assert load(path)["spec"]["risk_tier"] == "medium"


def test_reimport_follows_a_renamed_entity_and_respects_a_deletion(tmp_path, capsys):
    out = tmp_path / "project"
    rows = [use_case(id="DOX-1"), use_case(id="DOX-2")]
    source = csv_file(tmp_path / "in.csv", rows)
    assert run(capsys, "import", "omb-inventory", source, "--out", out).code == 0
    model_file(out, "dox-2").unlink()
    moved = out / "inventory" / "mine" / "triage.yaml"
    moved.parent.mkdir()
    moved.write_text(model_file(out, "dox-1").read_text().replace("name: dox-1",
                                                                   "name: triage"))
    model_file(out, "dox-1").unlink()
    renamed = [use_case(id="DOX-1", use_case_name="New title"), use_case(id="DOX-2")]
    result = run(capsys, "import", "omb-inventory", csv_file(tmp_path / "in.csv", renamed),
                 "--out", out)
    assert result.code == 0, result.err
    assert not model_file(out, "dox-1").exists() and not model_file(out, "dox-2").exists()
    assert yaml.safe_load(moved.read_text())["metadata"]["title"] == "New title"
    assert "Deleted by hand: 1 entity" in result.out and "model:dox-2" in result.out
    assert run(capsys, "validate", "--project", out).code == 0


def test_into_an_existing_project_adds_entities_only(tmp_path, capsys):
    project = make_project(tmp_path / "p")
    (project / "inventory" / "federal").mkdir()
    source = csv_file(tmp_path / "in.csv", [use_case(id="DOX-1")])
    result = run(capsys, "import", "omb-inventory", source, "--out",
                 project / "inventory" / "federal")
    assert result.code == 0, result.err
    assert not list((project / "inventory" / "federal").glob("*.yaml"))  # no Organization
    assert (project / "inventory" / "federal" / "models" / "dox-1.yaml").exists()
    assert run(capsys, "validate", "--project", project).code == 0
    outside = run(capsys, "import", "omb-inventory", source, "--out", project / "elsewhere")
    assert outside.code == 2 and "not in its inventory" in outside.err


# --- bad input ---------------------------------------------------------------------------------

def test_a_file_that_is_not_utf8_names_line_and_column(tmp_path, capsys):
    path = tmp_path / "in.csv"
    path.write_bytes(",".join(COLUMNS).encode() + b"\nDOX,Dept,DOX-1,Caf\xe9\n")
    result = run(capsys, "import", "omb-inventory", path, "--out", tmp_path / "p")
    assert result.code == 2
    assert f"{path.as_posix()}:2:19: [error] not UTF-8" in result.out
    assert "Traceback" not in result.err


def test_a_csv_without_the_inventory_columns_is_refused(tmp_path, capsys):
    path = tmp_path / "in.csv"
    path.write_text("name,owner\nbot,alice\n")
    result = run(capsys, "import", "omb-inventory", path, "--out", tmp_path / "p")
    assert result.code == 2
    assert "no column 'agency', 'use_case_name'" in result.out
    assert not (tmp_path / "p").exists()


def test_a_row_with_too_many_fields_is_a_warning_with_its_line(tmp_path, capsys):
    path = csv_file(tmp_path / "in.csv", [use_case(id="DOX-1")])
    path.write_text(path.read_text(encoding="utf-8") + "DOX,Dept,DOX-2," + "x," * 40 + "\r\n",
                    encoding="utf-8")
    result = run(capsys, "import", "omb-inventory", path, "--out", tmp_path / "p")
    assert result.code == 0, result.err
    assert re.search(r"in\.csv:3:1: \[warning\] 4\d fields where the header has 36", result.err)


def test_an_edited_file_keeps_its_own_indentation_and_comments(tmp_path, capsys):
    out = tmp_path / "project"
    source = csv_file(tmp_path / "in.csv", [use_case(id="DOX-1", use_case_name="Old")])
    assert run(capsys, "import", "omb-inventory", source, "--out", out).code == 0
    path = model_file(out, "dox-1")
    document = load(path)
    text = "# kept by hand\n" + yaml.safe_dump(document, sort_keys=False, indent=4)
    text = text.replace("spec:\n", "spec:  # what it runs as\n")
    path.write_text(text, encoding="utf-8")
    source = csv_file(tmp_path / "in.csv", [use_case(id="DOX-1", use_case_name="New")])
    assert run(capsys, "import", "omb-inventory", source, "--out", out).code == 0
    edited = path.read_text(encoding="utf-8")
    assert edited.replace("title: New", "title: Old") == text
