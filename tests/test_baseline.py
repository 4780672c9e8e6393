"""Baselines: record today's gaps, then fail only on new ones."""

from __future__ import annotations

import json

import pytest
from gatekit import (  # builtin_catalog_cache: an autouse fixture
    CRED_CONTROLS,
    GOOD,
    STRIPE,
    builtin_catalog_cache,  # noqa: F401
    check,
    check_json,
    make_project,
    waiver,
)

NEW_KEY = ("---\napiVersion: airready/v1\nkind: Credential\nmetadata: {name: new-key}\n"
           "spec: {rotation_days: 30, last_rotated: 2026-11-20}\n")
BASE = ".airready-baseline.json"


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "proj")


def write_baseline(capsys, project, *args):
    path = project / BASE
    result = check(capsys, project, "--write-baseline", str(path), *args)
    assert result.code == 0, result.text
    return path


def gap_count(capsys, project):
    """The gaps of the base project (the catalog decides how many the empty Organization has)."""
    return sum(f["state"] in ("fail", "error") for f in check_json(capsys, project)["findings"])


def add_new_key(project):
    creds = project / "inventory" / "creds.yaml"
    creds.write_text(creds.read_text() + NEW_KEY)


def test_write_baseline_records_fingerprints_not_lines(project, capsys):
    gaps = [f for f in check_json(capsys, project)["findings"] if f["state"] in ("fail", "error")]
    assert check(capsys, project).code == 1  # gaps above the threshold...
    path = project / BASE
    result = check(capsys, project, "--write-baseline", str(path))
    assert result.code == 0  # ...and writing the baseline still succeeds
    assert f"wrote {len(gaps)} known gap{'' if len(gaps) == 1 else 's'} to {path}" in result.err
    document = json.loads(path.read_text())
    assert document["schema_version"] == 1
    entries = document["entries"]
    assert len(entries) == len(gaps)
    assert {e["fingerprint"] for e in entries} == {g["fingerprint"] for g in gaps}
    for entry in entries:
        assert set(entry) == {"fingerprint", "control", "target", "path", "severity"}
    stripe = next(e for e in entries if (e["control"], e["target"]) == ("AIR-CRED-002", STRIPE))
    assert stripe["path"] == "spec.rotation_days"
    # Written twice, the file is the same (stable order, so diffs stay small).
    text = path.read_text()
    write_baseline(capsys, project)
    assert path.read_text() == text


def test_nothing_new_passes_and_known_gaps_are_shown_apart(project, capsys):
    known = gap_count(capsys, project)
    path = write_baseline(capsys, project)
    result = check(capsys, project, "--baseline", str(path))
    assert result.code == 0, result.text
    head, _, rest = result.out.partition("known gaps recorded in the baseline (")
    assert head.strip() == ""  # no new gap listed above
    assert rest.startswith(f"{known}):")
    assert f"  inventory/creds.yaml:6:18: [medium] AIR-CRED-002 {STRIPE}" in rest
    assert f"baseline {BASE}: 0 new, {known} known, 0 fixed" in result.out
    document = check_json(capsys, project, "--baseline", str(path), expect=0)
    assert document["baseline"] == {"file": BASE, "new": 0, "existing": known, "fixed": []}
    assert document["summary"]["at_or_above_threshold"] == 0
    assert all(f["baselined"] for f in document["findings"] if f["state"] == "fail")


def test_a_new_gap_fails(project, capsys):
    known = gap_count(capsys, project)
    path = write_baseline(capsys, project)
    add_new_key(project)
    result = check(capsys, project, "--baseline", str(path))
    assert result.code == 1
    new, _, listed = result.out.partition(
        f"known gaps recorded in the baseline ({known}):")
    assert new.strip().splitlines() == [
        "inventory/creds.yaml:21:7: [high] AIR-CRED-001 credential:new-key has no revocation "
        "procedure (revocation is not set)"]
    assert "credential:new-key" not in listed
    assert "AIR-CRED-002 credential:stripe-key" in listed
    assert f"baseline {BASE}: 1 new, {known} known, 0 fixed" in result.out
    assert "threshold: high: 1 gap at or above it" in result.out

    document = check_json(capsys, project, "--baseline", str(path), expect=1)
    assert document["baseline"]["new"] == 1 and document["baseline"]["existing"] == known
    new_findings = [f for f in document["findings"] if f.get("baselined") is False]
    assert [(f["control"], f["target"]) for f in new_findings] == [
        ("AIR-CRED-001", "credential:new-key")]


def test_a_fixed_gap_is_reported(project, capsys):
    path = write_baseline(capsys, project, *CRED_CONTROLS)
    creds = project / "inventory" / "creds.yaml"
    creds.write_text(creds.read_text().replace(
        "rotation_days: 365", "rotation_days: 365\n  revocation: https://wiki.example.com/r"))
    result = check(capsys, project, "--baseline", str(path), *CRED_CONTROLS)
    assert result.code == 0
    assert f"baseline {BASE}: 0 new, 2 known, 1 fixed" in result.out
    assert (f"note: fixed since the baseline: AIR-CRED-001 {STRIPE} (spec.revocation); "
            "rewrite the baseline to drop it") in result.out
    document = check_json(capsys, project, "--baseline", str(path), *CRED_CONTROLS)
    assert document["baseline"]["new"] == 0
    assert [(e["control"], e["target"]) for e in document["baseline"]["fixed"]] == [
        ("AIR-CRED-001", STRIPE)]


def test_a_deleted_entity_counts_as_fixed(project, capsys):
    path = write_baseline(capsys, project, *CRED_CONTROLS)
    creds = project / "inventory" / "creds.yaml"
    creds.write_text(creds.read_text().split("---\n")[1])  # only good-key is left
    document = check_json(capsys, project, "--baseline", str(path), *CRED_CONTROLS, expect=0)
    fixed = sorted((e["control"], e["target"]) for e in document["baseline"]["fixed"])
    assert fixed == [("AIR-CRED-001", STRIPE), ("AIR-CRED-002", STRIPE), ("AIR-CRED-003", STRIPE)]


def test_filters_do_not_claim_fixes(project, capsys):
    path = write_baseline(capsys, project)
    for args in (("--control", "AIR-CRED-002"), ("--target", GOOD, *CRED_CONTROLS),
                 ("--phase", "containment")):
        document = check_json(capsys, project, "--baseline", str(path), *args, expect=0)
        assert document["baseline"]["fixed"] == [], args


def test_a_waived_gap_is_not_fixed(project, capsys):
    path = write_baseline(capsys, project, *CRED_CONTROLS)
    (project / "inventory" / "waivers.yaml").write_text(waiver("w", "AIR-CRED-001"))
    document = check_json(capsys, project, "--baseline", str(path), *CRED_CONTROLS, expect=0)
    assert document["baseline"]["fixed"] == []
    assert document["baseline"]["existing"] == 2


def test_moving_yaml_does_not_resurface_gaps(project, capsys):
    known = gap_count(capsys, project)
    path = write_baseline(capsys, project)
    before = {(f["control"], f["target"]): f["line"] for f in check_json(
        capsys, project, "--baseline", str(path))["findings"]}
    creds = project / "inventory" / "creds.yaml"
    stripe_doc, good_doc = creds.read_text().split("---\n")
    # Other order, comments and blank lines above, another file for one of them.
    creds.write_text("# Credentials\n\n" + good_doc + "---\n# the payment key\n\n" + stripe_doc)
    org = project / "inventory" / "org.yaml"
    (project / "inventory" / "moved").mkdir()
    (project / "inventory" / "moved" / "organisation.yml").write_text(
        "# moved here\n\n\n" + org.read_text())
    org.unlink()
    result = check(capsys, project, "--baseline", str(path))
    assert result.code == 0, result.text
    assert f"baseline {BASE}: 0 new, {known} known, 0 fixed" in result.out
    after = {(f["control"], f["target"]): f["line"] for f in check_json(
        capsys, project, "--baseline", str(path))["findings"]}
    assert after[("AIR-CRED-002", STRIPE)] != before[("AIR-CRED-002", STRIPE)]


def test_baseline_from_the_project_file(project, capsys):
    known = gap_count(capsys, project)
    write_baseline(capsys, project)
    add_new_key(project)
    config = project / "airready.yaml"
    config.write_text(config.read_text() + f"baseline: {BASE}\n")
    result = check(capsys, project)
    assert result.code == 1  # only the new gap blocks
    assert f"baseline {BASE}: 1 new, {known} known, 0 fixed" in result.out
    document = check_json(capsys, project)
    assert document["baseline"]["file"] == BASE
    # Rewriting the baseline records every gap, new ones included; then all is known.
    assert check(capsys, project, "--write-baseline", str(project / BASE)).code == 0
    assert check(capsys, project).code == 0
    # A baseline named in airready.yaml that does not exist is an input error.
    config.write_text(config.read_text().replace(BASE, "missing.json"))
    result = check(capsys, project)
    assert result.code == 2
    assert ("airready.yaml:3:11: [error] baseline: 'missing.json' does not exist "
            "(write it with check --write-baseline) (config)") in result.out


@pytest.mark.parametrize(("content", "message"), [
    ('{"schema_version": 1,\n "entries": [}\n', f"{BASE}:2:14: [error] the baseline is not "
                                                 "valid JSON"),
    ("", f"{BASE}:1:1: [error] the baseline is not valid JSON"),
    ("[1, 2]", f"{BASE}:1:1: [error] not an airready baseline"),
    ('"entries"', f"{BASE}:1:1: [error] not an airready baseline"),
    ('{"schema_version": 2, "entries": []}', f"{BASE}:1:1: [error] not an airready baseline"),
    ('{"schema_version": 1, "entries": [{"control": "AIR-CRED-001"}]}',
     f"{BASE}:1:1: [error] not an airready baseline"),
    ('{"schema_version": 1, "entries": {}}', f"{BASE}:1:1: [error] not an airready baseline"),
    (b'{"schema_version": 1,\n"entries": ["\xff"]}', f"{BASE}:2:1: [error] the baseline is "
                                                     "not UTF-8 text"),
])
def test_malformed_baseline_is_an_input_error(project, capsys, content, message):
    path = project / BASE
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    result = check(capsys, project, "--baseline", str(path))
    assert result.code == 2
    assert message in result.out
    assert "internal error" not in result.text and "Traceback" not in result.text


def test_baseline_that_is_a_folder(project, capsys):
    (project / "adir").mkdir()
    result = check(capsys, project, "--baseline", str(project / "adir"))
    assert result.code == 2
    assert "internal error" not in result.text
