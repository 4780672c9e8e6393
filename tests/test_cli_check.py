"""``airready check`` and ``airready controls`` as a user meets them: output and exit codes.

The project below uses its own controls only, so the expected output does not move
when the builtin catalog grows.  It has, at known lines:

* a critical gap (ACME-LOG-001) and a high one (ACME-LOG-002) on model:support-bot, a
  medium date-based gap (ACME-RB-001) on model:fraud-scorer, a low one (ACME-VEN-001)
  through the vendor model:support-bot relies on, and an ``error`` (ACME-ERR-001);
* a control no entity matches (ACME-CRED-001: no Credential at all) and one whose scope
  excludes every model (ACME-DOC-002); a control disabled in airready.yaml (ACME-DOC-001).

The golden file is rewritten with ``AIRREADY_REGEN=1 pytest tests/test_cli_check.py``;
review the diff before keeping it.
"""

from __future__ import annotations

import json
import os
import pty
import re
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from projectkit import control_yaml, environment, make_project, run

from airready.cli import main
from airready.rules.catalog import SEVERITY_RANK, load_catalog

TODAY = "2026-11-25"
GOLDEN = Path(__file__).parent / "golden"

CONFIG = """\
inventory: [inventory]
controls: [controls]
fail_on: high
overrides:
  ACME-DOC-001: {enabled: false, reason: architecture lives in the wiki}
"""

ORG = """\
apiVersion: airready/v1
kind: Organization
metadata: {name: acme}
spec:
  roles:
    incident_commander: {primary: person:ada}
---
apiVersion: airready/v1
kind: Person
metadata: {name: ada}
spec: {email: ada@example.com}
---
apiVersion: airready/v1
kind: Team
metadata: {name: ml}
"""

SUPPORT_BOT = """\
apiVersion: airready/v1
kind: Model
metadata: {name: support-bot, owner: team:ml}
spec:
  lifecycle: production
  provider: vendor:llmco
  logging:
    inputs: true
    outputs: false
    user_attribution: false
    retention_days: 30
  rollback:
    last_tested: 2026-10-01
"""

FRAUD = """\
apiVersion: airready/v1
kind: Model
metadata: {name: fraud-scorer, owner: team:ml}
spec:
  lifecycle: staging
  logging: {inputs: true, outputs: true, user_attribution: true}
  rollback:
    last_tested: 2026-01-15
"""

VENDORS = """\
apiVersion: airready/v1
kind: Vendor
metadata: {name: llmco}
spec:
  services: [chat API]
"""

CONTROLS = "---\n".join([
    control_yaml("ACME-LOG-001", severity="critical", title="Inputs and outputs are logged",
                 failure="does not log every input and output",
                 where="{path: spec.lifecycle, equals: production}",
                 check="{all: [{path: spec.logging.inputs, equals: true}, "
                       "{path: spec.logging.outputs, equals: true}]}"),
    control_yaml("ACME-LOG-002", title="Requests are attributed to users",
                 failure="logs no user attribution",
                 where="{path: spec.lifecycle, in: [production, staging]}",
                 check="{path: spec.logging.user_attribution, equals: true}"),
    control_yaml("ACME-RB-001", severity="medium", title="Rollback was tested lately",
                 failure="has not tested its rollback lately", phase="containment",
                 check="{path: spec.rollback.last_tested, within: P90D}"),
    control_yaml("ACME-VEN-001", severity="low", title="The vendor has a security contact",
                 failure="relies on a vendor with no security contact",
                 where="{path: spec.provider, exists: true}",
                 check="{path: spec.provider, ref: {path: spec.security_contact.email, "
                       "exists: true}}"),
    control_yaml("ACME-ORG-001", kind="Organization", title="The incident roles are assigned",
                 failure="has not assigned every incident role",
                 check="{path: spec.roles, contains_all: [incident_commander]}"),
    control_yaml("ACME-ERR-001", severity="low", title="A check that cannot be evaluated",
                 failure="cannot be checked", phase="investigation",
                 where="{path: spec.logging.retention_days, exists: true}",
                 check="{path: spec.logging.retention_days, ref: {path: spec.x, exists: true}}"),
    control_yaml("ACME-CRED-001", kind="Credential", severity="medium",
                 title="Credentials rotate", failure="does not rotate",
                 check="{path: spec.rotation_days, max: 90}"),
    control_yaml("ACME-DOC-001", severity="medium", title="Architecture is documented",
                 failure="has no architecture document",
                 check="{path: spec.architecture.doc, exists: true}"),
    control_yaml("ACME-DOC-002", severity="medium", title="Retired models are archived",
                 failure="is not archived", where="{path: spec.lifecycle, equals: retired}",
                 check="{path: spec.architecture.doc, exists: true}"),
])

FILES = {
    "inventory/org.yaml": ORG,
    "inventory/models/support-bot.yaml": SUPPORT_BOT,
    "inventory/models/fraud.yaml": FRAUD,
    "inventory/vendors.yaml": VENDORS,
    "controls/acme.yaml": CONTROLS,
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", CONFIG, FILES)


def check(capsys, project: Path, *args: str, env: dict[str, str] | None = None,
          today: str | None = TODAY):
    dated = ("--today", today) if today else ()
    return run(capsys, "check", "--project", project, *dated, *args, env=env)


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("AIRREADY_REGEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} is missing: run with AIRREADY_REGEN=1 and review it"
    assert text == path.read_text()


# --- text output ------------------------------------------------------------------------------

def test_text_output_matches_the_golden_file(project, capsys):
    result = check(capsys, project)
    assert result.code == 1
    assert result.err == ""
    assert_golden("check_small.txt", result.out)


def test_findings_are_sorted_by_severity_then_file(project, capsys):
    lines = check(capsys, project).out.split("\n\n")[0].splitlines()
    keys = []
    for line in lines:
        match = re.match(r"(\S+):(\d+):(\d+): (?:\[error\] )?\[(\w+)\] ", line)
        assert match, line
        file, row, column, severity = match.groups()
        keys.append((SEVERITY_RANK[severity], file, int(row), int(column)))
    assert len(keys) == 5
    assert keys == sorted(keys)
    assert [k[0] for k in keys] == [0, 1, 2, 3, 3]


def test_the_summary_lines(project, capsys):
    summary = check(capsys, project).out.split("\n\n")[1].splitlines()
    assert summary == [
        "8 controls, 13 results: 3 pass, 4 fail, 5 not applicable, 0 waived, 1 error",
        "gaps by severity: critical 1, high 1, medium 1, low 2",
        "by phase: preparation 2 pass / 3 gap, containment 1 pass / 1 gap, "
        "investigation 0 pass / 1 gap",
        # Controls that matched nothing: one line, the reasons with -v.
        "note: 2 controls checked nothing (ACME-CRED-001, ACME-DOC-002): nothing in the "
        "inventory is in their scope (-v says why)",
        "note: ACME-DOC-001 is disabled in airready.yaml: architecture lives in the wiki",
        "threshold: high: 2 gaps at or above it",
    ]
    verbose = check(capsys, project, "-v").out
    assert "note: ACME-CRED-001 checked nothing: no Credential in the inventory" in verbose
    assert ("note: ACME-DOC-002 checked nothing: none of the 2 Model entities is in its scope"
            in verbose)
    # --target narrows the audit on purpose: no note for the controls it left without targets.
    targeted = check(capsys, project, "--target", "model:support-bot").out
    assert "checked nothing" not in targeted


def test_an_error_state_is_labelled_and_counts_as_a_gap(project, capsys):
    out = check(capsys, project).out
    assert ("inventory/models/support-bot.yaml:1:1: [error] [low] ACME-ERR-001 "
            "model:support-bot: the check could not be evaluated: logging.retention_days "
            "holds 30, not a reference") in out.splitlines()


def test_a_clean_run_starts_with_the_summary(project, capsys):
    out = check(capsys, project, "--control", "ACME-ORG-001").out
    assert out.startswith("1 control, 1 result: 1 pass")


# --- exit codes -------------------------------------------------------------------------------

@pytest.mark.parametrize(("fail_on", "code"), [
    ("critical", 1), ("high", 1), ("medium", 1), ("low", 1), ("none", 0)])
def test_exit_code_for_every_threshold_with_a_critical_gap(project, capsys, fail_on, code):
    result = check(capsys, project, "--fail-on", fail_on)
    assert result.code == code
    if fail_on == "none":
        assert result.out.splitlines()[-1] == "threshold: none (the check never fails)"


@pytest.mark.parametrize(("fail_on", "code"), [
    ("critical", 0), ("high", 0), ("medium", 1), ("low", 1), ("none", 0)])
def test_exit_code_for_every_threshold_with_a_medium_gap(project, capsys, fail_on, code):
    result = check(capsys, project, "--control", "ACME-RB-001", "--fail-on", fail_on)
    assert result.code == code
    blocking = 1 if code else 0
    if fail_on != "none":
        assert result.out.splitlines()[-1] == (
            f"threshold: {fail_on}: {blocking} gap{'' if blocking == 1 else 's'} at or above it")


@pytest.mark.parametrize(("fail_on", "code"), [("critical", 0), ("medium", 1)])
def test_fail_on_defaults_to_airready_yaml(tmp_path, capsys, fail_on, code):
    root = make_project(tmp_path, CONFIG.replace("fail_on: high", f"fail_on: {fail_on}"), FILES)
    result = check(capsys, root, "--control", "ACME-RB-001")
    assert result.code == code
    assert result.out.splitlines()[-1].startswith(f"threshold: {fail_on}: ")


def test_fail_on_option_overrides_airready_yaml(tmp_path, capsys):
    root = make_project(tmp_path, CONFIG.replace("fail_on: high", "fail_on: critical"), FILES)
    assert check(capsys, root, "--control", "ACME-RB-001", "--fail-on", "medium").code == 1


def test_unknown_fail_on_is_a_usage_error(project, capsys):
    result = check(capsys, project, "--fail-on", "severe")
    assert result.code == 2
    assert "Invalid value for '--fail-on': 'severe' is not one of" in result.err


def test_invalid_input_is_exit_2_without_a_traceback(tmp_path, capsys):
    files = {**FILES, "inventory/models/fraud.yaml": FRAUD.replace("staging", "stagin")}
    result = check(capsys, make_project(tmp_path, CONFIG, files))
    assert result.code == 2
    assert result.out.splitlines() == [
        "inventory/models/fraud.yaml:5:14: [error] spec.lifecycle: 'stagin' is not one of "
        "production, pilot, staging, experimental, retired (did you mean 'staging'?) (schema)"]
    assert "Traceback" not in result.out + result.err


# --- the audit date ---------------------------------------------------------------------------

RB_SUPPORT = ("inventory/models/support-bot.yaml:13:18: [medium] ACME-RB-001 model:support-bot "
              "has not tested its rollback lately (rollback.last_tested is 2026-10-01, older "
              "than 90 days)")


def test_today_option_changes_date_based_results(project, capsys):
    assert RB_SUPPORT not in check(capsys, project).out.splitlines()
    assert RB_SUPPORT in check(capsys, project, today="2027-01-15").out.splitlines()


def test_airready_today_environment_variable(project, capsys):
    later = check(capsys, project, env={"AIRREADY_TODAY": "2027-01-15"}, today=None)
    assert RB_SUPPORT in later.out.splitlines()
    now = check(capsys, project, env={"AIRREADY_TODAY": TODAY}, today=None)
    assert RB_SUPPORT not in now.out.splitlines()


def test_today_option_wins_over_the_environment(project, capsys):
    result = check(capsys, project, env={"AIRREADY_TODAY": "2027-01-15"})
    assert RB_SUPPORT not in result.out.splitlines()
    data = json.loads(check(capsys, project, "--format", "json",
                            env={"AIRREADY_TODAY": "2027-01-15"}).out)
    assert data["today"] == TODAY


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "25/11/2026"])
def test_invalid_today_is_exit_2(project, capsys, bad):
    result = check(capsys, project, today=bad)
    assert result.code == 2
    assert result.out == ""
    assert result.err == (f"airready: error: --today: {bad!r} is not a date (YYYY-MM-DD)\n"
                          "1 error: the input is invalid\n")


def test_invalid_airready_today_is_exit_2(project, capsys):
    result = check(capsys, project, env={"AIRREADY_TODAY": "soon"}, today=None)
    assert result.code == 2
    assert "AIRREADY_TODAY: 'soon' is not a date (YYYY-MM-DD)" in result.err


# --- JSON -------------------------------------------------------------------------------------

@pytest.fixture
def report(project, capsys) -> dict:
    result = check(capsys, project, "--format", "json")
    assert result.code == 1
    return json.loads(result.out)


def test_json_schema_version_and_shape(report):
    assert report["schema_version"] == 1
    assert report["today"] == TODAY
    assert report["threshold"] == "high"
    assert report["summary"] == {**report["summary"], "pass": 3, "fail": 4,
                                 "not_applicable": 5, "waived": 0, "error": 1}


def test_json_has_every_control_and_target_exactly_once(project, report):
    seen = Counter((f["control"], f["target"]) for f in report["findings"])
    assert set(seen.values()) == {1}
    expected = {
        ("ACME-LOG-001", "model:support-bot"), ("ACME-LOG-001", "model:fraud-scorer"),
        ("ACME-LOG-002", "model:support-bot"), ("ACME-LOG-002", "model:fraud-scorer"),
        ("ACME-RB-001", "model:support-bot"), ("ACME-RB-001", "model:fraud-scorer"),
        ("ACME-VEN-001", "model:support-bot"), ("ACME-VEN-001", "model:fraud-scorer"),
        ("ACME-ORG-001", "organization:acme"),
        ("ACME-ERR-001", "model:support-bot"), ("ACME-ERR-001", "model:fraud-scorer"),
        ("ACME-DOC-002", "model:support-bot"), ("ACME-DOC-002", "model:fraud-scorer"),
    }
    assert set(seen) == expected
    # Passes are included; the summary counts exactly what is listed.
    states = Counter(f["state"] for f in report["findings"])
    assert {s: report["summary"][s] for s in states} == dict(states)


def test_json_every_control_of_the_catalog_times_its_kind(project, report):
    """Independent of the fixture's details: controls x entities of their kind."""
    from airready.audit import load_all
    from airready.inventory.config import load_project

    loaded = load_all(load_project(project, project))
    expected = Counter()
    for control in loaded.catalog.enabled():
        for entity in loaded.inventory.of_kind(control.kind):
            expected[(control.id, entity.ref)] += 1
    assert Counter((f["control"], f["target"]) for f in report["findings"]) == expected


def test_json_findings_fields(project, report):
    states = {"pass", "fail", "not_applicable", "waived", "error"}
    for finding in report["findings"]:
        assert finding["state"] in states
        assert not Path(finding["file"]).is_absolute()
        assert (project / finding["file"]).is_file(), finding["file"]
        assert type(finding["line"]) is int and finding["line"] >= 1
        assert type(finding["column"]) is int and finding["column"] >= 1
        for key in ("control", "target", "severity", "path", "message", "remediation"):
            assert isinstance(finding[key], str), key


def test_json_failing_finding_in_full(report):
    [finding] = [f for f in report["findings"]
                 if (f["control"], f["target"]) == ("ACME-LOG-002", "model:support-bot")]
    assert finding == {**finding, "state": "fail", "severity": "high",
                       "file": "inventory/models/support-bot.yaml", "line": 10, "column": 23,
                       "path": "spec.logging.user_attribution",
                       "message": "model:support-bot logs no user attribution "
                                  "(logging.user_attribution is false, expected true)",
                       "remediation": "Fix it."}


def test_json_evidence_in_another_entity(report):
    [finding] = [f for f in report["findings"]
                 if (f["control"], f["target"]) == ("ACME-VEN-001", "model:support-bot")]
    assert (finding["file"], finding["line"], finding["column"], finding["evidence_ref"]) == (
        "inventory/vendors.yaml", 5, 3, "vendor:llmco")
    assert finding["message"] == ("model:support-bot relies on a vendor with no security "
                                  "contact (vendor:llmco: security_contact is not set)")


def test_json_controls_unmatched_and_disabled(report):
    assert report["controls"]["unmatched"] == ["ACME-CRED-001", "ACME-DOC-002"]
    assert report["controls"]["disabled"] == [
        {"id": "ACME-DOC-001", "reason": "architecture lives in the wiki"}]
    assert "ACME-DOC-001" not in report["controls"]["evaluated"]
    assert len(report["controls"]["evaluated"]) == 8


def test_json_files_are_relative_when_run_from_elsewhere(project, capsys, tmp_path,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = json.loads(check(capsys, Path("proj"), "--format", "json").out)
    assert {f["file"] for f in data["findings"]} == {
        "inventory/org.yaml", "inventory/models/support-bot.yaml",
        "inventory/models/fraud.yaml", "inventory/vendors.yaml"}


# --- colour and files -------------------------------------------------------------------------

def on_a_terminal(project: Path, env: dict[str, str]) -> tuple[int, str]:
    """``check`` in-process with standard output on a real pseudo-terminal."""
    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # keeps the terminal's small buffer from filling up
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # closed
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    saved = sys.stdout
    sys.stdout = open(follower, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        with environment(env):
            try:
                main(["check", "--project", str(project), "--today", TODAY])
            except SystemExit as exc:
                code = exc.code
    finally:
        assert sys.stdout.isatty()
        sys.stdout.close()
        sys.stdout = saved
    reader.join(timeout=10)
    os.close(leader)
    assert isinstance(code, int)
    return code, b"".join(chunks).decode().replace("\r\n", "\n")


def test_colour_on_a_terminal_unless_no_color(project):
    code, coloured = on_a_terminal(project, {})
    assert code == 1
    code, plain = on_a_terminal(project, {"NO_COLOR": "1"})
    assert code == 1
    assert "\x1b[35m\x1b[1m[critical]\x1b[0m ACME-LOG-001" in coloured  # magenta, bold
    assert re.search(r"\x1b\[31m(\x1b\[22m)?\[high\]\x1b\[0m ACME-LOG-002", coloured)  # red
    assert "\x1b" not in plain
    assert plain == (GOLDEN / "check_small.txt").read_text()


def test_no_colour_when_not_a_terminal(project, capsys):
    result = check(capsys, project)
    assert not sys.stdout.isatty()
    assert "\x1b" not in result.out + result.err


def test_output_writes_the_file(project, capsys, tmp_path):
    target = tmp_path / "out" / "check.txt"
    target.parent.mkdir()
    result = check(capsys, project, "--output", target)
    assert result.code == 1
    assert result.out == ""
    assert target.read_text() == (GOLDEN / "check_small.txt").read_text()


def test_several_formats_and_outputs(project, capsys, tmp_path):
    result = check(capsys, project, "--format", "json", "--output", tmp_path / "r.json",
                   "--format", "text")
    assert result.code == 1
    assert json.loads((tmp_path / "r.json").read_text())["schema_version"] == 1
    assert result.out == (GOLDEN / "check_small.txt").read_text()


def test_more_outputs_than_formats_is_a_usage_error(project, capsys, tmp_path):
    result = check(capsys, project, "--output", tmp_path / "a", "--output", tmp_path / "b")
    assert result.code == 2
    assert "give one --output per --format" in result.err


# --- controls list / show ---------------------------------------------------------------------

def test_controls_list_text(project, capsys):
    result = run(capsys, "controls", "list", "--project", project)
    assert result.code == 0
    assert_golden("controls_list.txt", result.out)
    lines = result.out.splitlines()
    assert lines[-1] == "9 controls"
    assert [line.split()[0] for line in lines[:-1]] == sorted(line.split()[0]
                                                             for line in lines[:-1])
    assert lines[lines.index(next(x for x in lines if x.startswith("ACME-DOC-001")))].endswith(
        "Architecture is documented  [disabled]")


def test_controls_list_json(project, capsys):
    result = run(capsys, "controls", "list", "--project", project, "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["schema_version"] == 1
    first = data["controls"][0]
    assert first == {"id": "ACME-CRED-001", "title": "Credentials rotate",
                     "phase": "preparation", "severity": "medium", "applies_to": "Credential",
                     "checklist_item": "Maintain model inventory", "enabled": True,
                     "source": "controls/acme.yaml"}
    assert [c["id"] for c in data["controls"] if not c["enabled"]] == ["ACME-DOC-001"]


def test_controls_list_markdown(project, capsys):
    result = run(capsys, "controls", "list", "--project", project, "--format", "markdown")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:3] == [
        "| id | severity | phase | applies to | title |",
        "|---|---|---|---|---|",
        "| ACME-CRED-001 | medium | preparation | Credential | Credentials rotate |"]
    assert "| ACME-DOC-001 | medium | preparation | Model | Architecture is documented "\
           "(disabled) |" in lines
    assert len(lines) == 2 + 9


def test_controls_list_builtin_outside_a_project(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(capsys, "controls", "list", "--format", "json")
    assert result.code == 0
    catalog, _ = load_catalog(None)
    ids = [c["id"] for c in json.loads(result.out)["controls"]]
    assert ids == list(catalog.controls) and ids
    assert all(c["source"] == "builtin" for c in json.loads(result.out)["controls"])


def test_controls_show_text(project, capsys):
    result = run(capsys, "controls", "show", "ACME-LOG-002", "--project", project)
    assert result.code == 0
    assert result.out == (
        "ACME-LOG-002: Requests are attributed to users\n"
        "\n"
        "severity: high    phase: preparation    applies to: Model\n"
        "checklist item: Maintain model inventory\n"
        "\n"
        "Why it matters\n"
        "\n"
        "Why it matters.\n"
        "\n"
        "Remediation\n"
        "\n"
        "Fix it.\n")


def test_controls_show_text_disabled(project, capsys):
    result = run(capsys, "controls", "show", "ACME-DOC-001", "--project", project)
    assert "disabled: architecture lives in the wiki" in result.out.splitlines()


def test_controls_show_json(project, capsys):
    result = run(capsys, "controls", "show", "ACME-VEN-001", "--project", project,
                 "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["schema_version"] == 1
    control = data["control"]
    assert (control["id"], control["severity"], control["applies_to"]) == (
        "ACME-VEN-001", "low", "Model")
    assert control["selector"] == {"path": "spec.provider", "exists": True}
    assert control["check"] == {"path": "spec.provider",
                                "ref": {"path": "spec.security_contact.email", "exists": True}}
    assert control["failure"] == "relies on a vendor with no security contact"
    assert control["remediation"] == {"text": "Fix it."}


def test_controls_show_builtin_with_references(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(capsys, "controls", "show", "AIR-LOG-001")
    assert result.code == 0
    assert result.out.startswith("AIR-LOG-001: Model inputs and outputs are logged\n")
    assert "- MITRE ATLAS: AML.M0024" in result.out.splitlines()


def test_controls_show_unknown_id(project, capsys):
    result = run(capsys, "controls", "show", "ACME-LOG-02", "--project", project)
    assert result.code == 2
    assert result.out == ""
    assert "Error: unknown control 'ACME-LOG-02' (did you mean 'ACME-LOG-002'?)" in result.err


def test_check_unknown_control_filter(project, capsys):
    result = check(capsys, project, "--control", "ACME-LOG-02")
    assert result.code == 2
    assert "--control 'ACME-LOG-02' matches no control (did you mean 'ACME-LOG-002'?)" in (
        result.err)
