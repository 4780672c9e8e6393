"""Text from the inventory (and a project's own controls) is untrusted in every output.

For terminals (``runbook``, ``blast-radius``, ``check`` text, ``--format github``, the
scorecard, incidents, controls, problems): no control character, escape sequence or
bidirectional mark arrives raw, and no value spans two lines, so none can forge a finding,
a workflow command or a screen.  For Markdown a pull request shows: no HTML or links, and
no bare address or @mention that GitHub would link or notify.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from projectkit import make_project, run

TODAY = "2026-11-25"
# YAML's double-quoted escapes put control characters into values (the file itself may
# hold none): an ESC sequence that clears the screen, a title-setting OSC, a bidi override.
HOSTILE = r"x\e[2J\e]0;pwned\a\u202Eevil\u202C\nFORGED: [critical] AIR-X-001 all clear"
MENTION = "ping @octocat and @acme/security, see https://evil.example/steal and www.evil.example"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e"
                 "\u2066-\u2069]")

FILES = {
    "inventory/org.yaml": f"""\
apiVersion: airready/v1
kind: Organization
metadata: {{name: acme}}
spec:
  roles:
    incident_commander: {{primary: person:ada}}
---
apiVersion: airready/v1
kind: Person
metadata: {{name: ada}}
spec: {{email: ada@example.com, phone: "{HOSTILE}"}}
---
apiVersion: airready/v1
kind: Team
metadata: {{name: ml}}
spec: {{members: [person:ada]}}
""",
    "inventory/bot.yaml": f"""\
apiVersion: airready/v1
kind: Model
metadata: {{name: bot, owner: team:ml, title: "Bot {HOSTILE}"}}
spec:
  version: "{HOSTILE}"
  lifecycle: production
  risk_tier: high
  provider: vendor:llm-co
  credentials: [credential:api-key]
  training_data: [dataset:chats]
---
apiVersion: airready/v1
kind: Dataset
metadata: {{name: chats, owner: team:ml}}
---
apiVersion: airready/v1
kind: Credential
metadata: {{name: api-key, owner: team:ml}}
spec: {{issuer: vendor:llm-co, revocation: "{HOSTILE} {MENTION}"}}
---
apiVersion: airready/v1
kind: Vendor
metadata: {{name: llm-co, owner: team:ml}}
spec:
  security_contact: {{email: "sec@llm.example", url: "https://llm.example/{HOSTILE}"}}
  incident_reporting: "{MENTION} {HOSTILE}"
""",
    "controls/own.yaml": """\
id: OWN-VER-001
title: "Version is pinned @octocat \\e[31m <b>bold</b>"
description: |
  Why it matters, see https://evil.example/why and ping @security-team.

  A second paragraph with <script>alert(1)</script> and [a link](https://evil.example).
phase: preparation
checklist_item: Maintain model inventory
severity: high
applies_to: {kind: Model}
check: {path: spec.version, matches: "^[0-9.]+$"}
failure: "has the version {value}"
remediation:
  text: "Pin it, ask @octocat at www.evil.example"
  example: |
    spec:
      version: "1.2.3"   # ``` a fence inside
""",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("escaping") / "proj"
    return make_project(root, {"inventory": ["inventory"], "controls": ["builtin", "controls"]},
                        FILES)


def cli(capsys, project: Path, *args: str):
    result = run(capsys, *args, "--project", project, env={"AIRREADY_TODAY": TODAY})
    assert result.code in (0, 1), result.out + result.err
    return result.out


def assert_terminal_safe(text: str) -> None:
    raw = RAW.findall(text)
    assert not raw, f"raw control characters in the output: {raw!r}"
    for line in text.splitlines():
        assert not line.startswith("FORGED"), line
        # escaped as text, or encoded as a workflow command's data (%0A)
        assert "FORGED" not in line or "\\nFORGED" in line or "%0AFORGED" in line, line


TERMINAL = [("runbook", "model:bot"), ("blast-radius", "credential:api-key"),
            ("blast-radius", "vendor:llm-co"), ("check",), ("check", "--format", "github"),
            ("scorecard",), ("controls", "show", "OWN-VER-001"), ("controls", "list")]


@pytest.mark.parametrize("command", TERMINAL, ids=" ".join)
def test_terminal_output_carries_no_raw_control_character(project, capsys, command):
    out = cli(capsys, project, *command)
    assert_terminal_safe(out)


def test_the_hostile_values_do_reach_the_outputs_escaped(project, capsys):
    runbook = cli(capsys, project, "runbook", "model:bot")
    assert "\\x1b[2J" in runbook and "\\u202e" in runbook and "\\nFORGED" in runbook
    blast = cli(capsys, project, "blast-radius", "credential:api-key")
    assert "\\x1b]0;pwned\\x07" in blast
    github = cli(capsys, project, "check", "--format", "github")
    assert "\\x1b[2J" in github
    assert all(line.startswith(("::", "airready: ")) for line in github.splitlines())


MARKDOWN = [("runbook", "model:bot"), ("blast-radius", "credential:api-key"),
            ("blast-radius", "vendor:llm-co"), ("check",), ("scorecard",),
            ("controls", "show", "OWN-VER-001"), ("controls", "list")]


def _bare(text: str) -> list[str]:
    """@mentions and web addresses outside code spans."""
    outside = re.sub(r"`[^`]*`", "", text)
    return re.findall(r"(?<![\w@./+-])@[A-Za-z0-9][\w/-]*|https?://\S+|\bwww\.\S+", outside)


@pytest.mark.parametrize("command", MARKDOWN, ids=" ".join)
def test_markdown_neutralises_mentions_and_bare_urls(project, capsys, command):
    args = (*command, "--format", "markdown")
    out = cli(capsys, project, *args)
    assert not _bare(out), _bare(out)
    assert not re.search(r"(?<!\\)<(script|b)>", out)
    assert not RAW.findall(out.replace("\n", ""))


def test_controls_show_markdown_escapes_the_control_text(project, capsys):
    out = cli(capsys, project, "controls", "show", "OWN-VER-001", "--format", "markdown")
    assert out.startswith("# OWN-VER-001: Version is pinned `@octocat`")
    assert "\\<b\\>bold\\</b\\>" in out
    assert "\\[a link\\](`https://evil.example`)" in out
    assert "`@security-team`" in out
    assert "\n\nA second paragraph" in out  # paragraphs stay paragraphs
    fence = re.search(r"^(`{3,})yaml$", out, re.MULTILINE)
    assert fence and len(fence.group(1)) > 3  # longer than the ``` inside the example


def test_mentions_and_urls_in_check_markdown_are_code(project, capsys):
    out = cli(capsys, project, "check", "--format", "markdown")
    assert "AIR-" in out or "OWN-" in out
    assert not _bare(out)


def test_validate_problems_keep_file_names_to_one_line(tmp_path, capsys):
    root = make_project(tmp_path, files={
        "inventory/org.yaml": "apiVersion: airready/v1\nkind: Organization\n"
                              "metadata: {name: acme}\nspec: {}\n",
        "inventory/evil\x1b[2J\nFORGED.yaml": "kind: Nope\n"})
    result = run(capsys, "validate", "--project", root)
    assert result.code == 2
    assert_terminal_safe(result.out + result.err)
    assert "inventory/evil\\x1b[2J\\nFORGED.yaml:1:7: [error]" in result.out
