"""``check --format github`` (workflow commands) and ``--format markdown`` (the summary)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from gatekit import (  # builtin_catalog_cache: an autouse fixture
    CRED_CONTROLS,
    CREDS,
    builtin_catalog_cache,  # noqa: F401
    check,
    check_json,
    git_init,
    make_project,
    waiver,
)

from airready.report import github, markdown
from airready.report.context import ReportContext
from airready.rules.baseline import BaselineReport
from airready.rules.findings import AuditResult, Finding
from airready.rules.waivers import WaiverReport

STRIPE_ANNOTATIONS = [
    "::error file=inventory/creds.yaml,line=6,col=3,title=AIR-CRED-001 [high]::"
    "credential:stripe-key has no revocation procedure (revocation is not set) "
    "Fix: Document how to revoke and reissue the credential.",
    "::warning file=inventory/creds.yaml,line=6,col=18,title=AIR-CRED-002 [medium]::"
    "credential:stripe-key rotates too rarely (rotation_days is 365, expected at most 90) "
    "Fix: Set a rotation period of 90 days or less.",
    "::warning file=inventory/creds.yaml,line=7,col=17,title=AIR-CRED-003 [medium]::"
    "credential:stripe-key is overdue for rotation (last_rotated is 2026-01-01, older than "
    "90 days) Fix: Rotate the credential and record the date.",
]
HOSTILE = "<script>alert(1)</script> | [x](javascript:alert(1)) ![i](http://e.vil/p.png) *b*"


def hostile_component(checksum: str) -> str:
    """A Component whose checksum (echoed in AIR-SUP-001's message) is ``checksum``."""
    return ('apiVersion: airready/v1\nkind: Component\nmetadata: {name: vllm}\n'
            f'spec: {{version: "1", supplier: vendor:v, checksum: {checksum}}}\n---\n'
            'apiVersion: airready/v1\nkind: Vendor\nmetadata: {name: v}\n'
            'spec: {incident_reporting: x, notification_sla: P3D}\n')


def annotations(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("::")]


# --- GitHub workflow commands ----------------------------------------------------------------

def test_github_annotations_are_exact(tmp_path, capsys):
    project = make_project(tmp_path)
    result = check(capsys, project, "--format", "github", *CRED_CONTROLS)
    assert result.code == 1
    assert annotations(result.out) == STRIPE_ANNOTATIONS
    assert result.out.splitlines()[-1] == (
        "airready: 3 failing, 0 errors, 0 waived, 1 at or above high")


def test_github_levels_follow_severity(tmp_path, capsys):
    project = make_project(tmp_path)
    result = check(capsys, project, "--format", "github", "--control", "AIR-TEAM-002",
                   "--control", "AIR-TEAM-001", "--control", "AIR-MET-001",
                   "--control", "AIR-POST-001")
    commands = [line.split(" ", 1)[0] for line in annotations(result.out)]
    # Sorted by severity: critical, high, medium, low.
    assert commands == ["::error", "::error", "::warning", "::notice"]
    assert ",title=AIR-POST-001 [low]::" in annotations(result.out)[-1]


def test_github_paths_are_repository_relative(tmp_path, capsys):
    git_init(tmp_path)
    project = make_project(tmp_path / "sub")
    result = check(capsys, project, "--format", "github", *CRED_CONTROLS)
    assert annotations(result.out) == [
        line.replace("file=inventory/", "file=sub/inventory/") for line in STRIPE_ANNOTATIONS]


def test_github_escapes_properties_and_data(tmp_path, capsys):
    # A file name with ',' ':' and '%', and a message with '%', a newline and a CR.
    project = make_project(tmp_path, {
        "inventory/pay,ments:v2%.yaml": CREDS,
        "inventory/comp.yaml": hostile_component('"50% done\\nline two\\r::error::forged"'),
    }, drop=("inventory/creds.yaml",))
    result = check(capsys, project, "--format", "github", "--control", "AIR-CRED-001",
                   "--control", "AIR-SUP-001")
    lines = annotations(result.out)
    assert lines[0] == (
        "::error file=inventory/pay%2Cments%3Av2%25.yaml,line=6,col=3,title=AIR-CRED-001 "
        "[high]::credential:stripe-key has no revocation procedure (revocation is not set) "
        "Fix: Document how to revoke and reissue the credential.")
    sup = lines[1]
    assert sup.startswith("::warning file=inventory/comp.yaml,line=4,col=")
    assert "checksum is 50%25 done%0Aline two%0D::error::forged, expected" in sup
    # Nothing from the inventory starts a line of its own: no forged workflow command.
    assert len(result.out.splitlines()) == 3


def test_github_annotation_escaping_unit():
    finding = Finding(control="AIR-X-001", target="model:a", state="fail", severity="low",
                      file="dir,1/a:b%.yaml", line=3, column=5, path="spec.x",
                      message="100%\r\nsure: yes, really", remediation="Fix, then: test",
                      phase="preparation")
    ctx = _context([finding])
    assert github.annotation(finding, ctx) == (
        "::notice file=dir%2C1/a%3Ab%25.yaml,line=3,col=5,title=AIR-X-001 [low]::"
        "100%25%0D%0Asure: yes, really Fix: Fix, then: test")
    finding.state = "error"  # an unevaluable check is an error whatever its severity
    assert github.annotation(finding, ctx).startswith("::error file=")


def test_github_leaves_out_waived_and_baselined(tmp_path, capsys):
    project = make_project(tmp_path, {"inventory/waivers.yaml": waiver("w", "AIR-CRED-001")})
    baseline = tmp_path / "base.json"
    assert check(capsys, project, "--write-baseline", str(baseline), "--control",
                 "AIR-CRED-002").code == 0
    result = check(capsys, project, "--format", "github", "--baseline", str(baseline),
                   *CRED_CONTROLS)
    assert annotations(result.out) == [STRIPE_ANNOTATIONS[2]]
    assert "0 errors, 1 waived" in result.out


# --- Markdown summary ------------------------------------------------------------------------

def test_markdown_summary_counts_and_worst_gaps(tmp_path, capsys):
    project = make_project(tmp_path)
    document = check_json(capsys, project)
    summary = document["summary"]
    result = check(capsys, project, "--format", "markdown")
    assert result.code == 1
    text = result.out
    assert text.startswith("## airready: readiness check fails at threshold **high**")
    assert (f"| {summary['pass']} | {summary['fail']} | {summary['error']} | "
            f"{summary['waived']} | {summary['not_applicable']} |") in text
    by_severity = summary["gaps_by_severity"]
    assert ("Gaps by severity: " + ", ".join(f"{s} {n}" for s, n in by_severity.items())) in text
    gaps = [f for f in document["findings"] if f["state"] in ("fail", "error")]
    assert len(gaps) > markdown.WORST
    assert f"### Gaps to fix first ({markdown.WORST} of {len(gaps)})" in text
    rows = [line for line in text.splitlines() if re.match(r"\| (critical|high|medium|low) \|",
                                                            line)]
    assert len(rows) == markdown.WORST
    # Ranked like check --summary: an organisation-wide critical gap comes first.
    assert rows[0].startswith("| critical | AIR-TEAM-002 | organization:acme | (no owner) | "
                              "inventory/org.yaml:4 |")


def test_markdown_passes_and_lists_waivers(tmp_path, capsys):
    project = make_project(tmp_path, {"inventory/waivers.yaml": "---\n".join([
        waiver("stripe-revocation", "AIR-CRED-001"),
        waiver("old", "AIR-CRED-002", expires="2026-11-01", approved_on="2026-10-01"),
        waiver("useless", "AIR-CRED-003", targets="[credential:good-key]"),
    ])})
    result = check(capsys, project, "--format", "markdown", *CRED_CONTROLS)
    assert result.code == 0
    text = result.out
    assert text.startswith("## airready: readiness check passes at threshold **high**")
    assert "### Waived (1)" in text
    assert ("| high | AIR-CRED-001 | credential:stripe-key | waiver:stripe-revocation | "
            "2027-01-31 | Vault migration lands in January. |") in text
    assert "- waiver:old expired on 2026-11-01" in text
    assert "- waiver:useless waives nothing" in text


def test_markdown_baseline_new_and_fixed(tmp_path, capsys):
    project = make_project(tmp_path)
    baseline = tmp_path / "base.json"
    assert check(capsys, project, "--write-baseline", str(baseline), *CRED_CONTROLS).code == 0
    creds = project / "inventory" / "creds.yaml"
    creds.write_text(creds.read_text().replace(
        "rotation_days: 365", "rotation_days: 365\n  revocation: https://wiki.example.com/r")
        + "---\napiVersion: airready/v1\nkind: Credential\nmetadata: {name: new-key}\n"
          "spec: {rotation_days: 30, last_rotated: 2026-11-20}\n")
    result = check(capsys, project, "--format", "markdown", "--baseline", str(baseline),
                   *CRED_CONTROLS)
    assert result.code == 1
    text = result.out
    assert "### Against the baseline" in text
    assert "1 new, 2 known, 1 fixed." in text
    assert "- new: AIR-CRED-001 credential:new-key (credential:new-key has no revocation" in text
    assert "- fixed: AIR-CRED-001 credential:stripe-key" in text
    # Known gaps are not listed among the gaps to fix.
    assert "### Gaps to fix first (1 of 1)" in text


def test_markdown_escapes_inventory_text(tmp_path, capsys):
    project = make_project(tmp_path, {
        "inventory/comp.yaml": hostile_component('"' + HOSTILE + '\\nnext | line"'),
        "inventory/waivers.yaml": waiver("w", "AIR-CRED-001", justification=HOSTILE + "\n|x|"),
    })
    result = check(capsys, project, "--format", "markdown", "--control", "AIR-SUP-001",
                   *CRED_CONTROLS)
    text = result.out
    assert not re.search(r"(?<!\\)[<>]", text)  # no raw HTML at all
    assert "](" not in text.replace("\\](", "")  # no live link or image
    assert "\\<script\\>alert(1)\\</script\\>" in text
    assert "\\[x\\](javascript:alert(1))" in text and "\\*b\\*" in text
    # Every table row stays one row: the number of cells is fixed by the header.
    for line in text.splitlines():
        if line.startswith("| medium | AIR-SUP-001"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 7
        if line.startswith("| high | AIR-CRED-001"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 7


@pytest.mark.parametrize(("raw", "escaped"), [
    ("<script>alert('x')</script>", "\\<script\\>alert('x')\\</script\\>"),
    ("a | b", "a \\| b"),
    ("[click](https://e.vil)", "\\[click\\](`https://e.vil`)"),  # no bare link either
    ("![img](x.png)", "!\\[img\\](x.png)"),
    ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
    ("back\\slash", "back\\\\slash"),
    ("line one\nline two\r\n\tthree", "line one line two three"),
    ("bell\x07 and \x1b[31mred", "bell and [31mred".replace("[", "\\[")),
])
def test_markdown_escape(raw, escaped):
    assert markdown.escape(raw) == escaped


def _context(findings: list[Finding], baseline: BaselineReport | None = None) -> ReportContext:
    from airready.inventory.model import Inventory
    from airready.rules.catalog import load_catalog

    catalog, _ = load_catalog(None)
    result = AuditResult(Inventory(), catalog, dt.date(2026, 11, 25), findings=findings)
    return ReportContext(result, "high", WaiverReport(), baseline)


def test_markdown_escapes_baseline_entries_unit():
    finding = Finding(control="AIR-X-001", target="model:a", state="fail", severity="high",
                      file="inventory/a.yaml", line=1, column=1, path="spec.x",
                      message="<img src=x onerror=alert(1)>", remediation="r",
                      phase="preparation")
    base = BaselineReport("base.json", new=[finding],
                          fixed=[{"control": "AIR-X-002", "target": "<b>model:gone</b>"}])
    text = markdown.render(_context([finding], base))
    assert not re.search(r"(?<!\\)[<>]", text)
    assert "- new: AIR-X-001 model:a (\\<img src=x onerror=alert(1)\\>)" in text
    assert "- fixed: AIR-X-002 \\<b\\>model:gone\\</b\\>" in text
