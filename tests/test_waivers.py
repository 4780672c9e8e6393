"""Waivers: accepted gaps with a justification, an approver and an end date."""

from __future__ import annotations

from gatekit import (  # builtin_catalog_cache: an autouse fixture
    CRED_CONTROLS,
    GOOD,
    STRIPE,
    builtin_catalog_cache,  # noqa: F401
    check,
    check_json,
    findings_by_key,
    line_of,
    make_project,
    text_at,
    waiver,
)

NEW_KEY = ("---\napiVersion: airready/v1\nkind: Credential\nmetadata: {name: new-key}\n"
           "spec: {rotation_days: 30, last_rotated: 2026-11-20}\n")
NEW = "credential:new-key"
REVOCATION = ("--control", "AIR-CRED-001")


def waived_project(tmp_path, *docs: str, config: str | None = None):
    files = {"inventory/waivers.yaml": "---\n".join(docs)} if docs else {}
    if config is not None:
        files["airready.yaml"] = config
    return make_project(tmp_path, files)


def test_waiver_suppresses_the_gap_and_the_gate(tmp_path, capsys):
    bare = make_project(tmp_path / "bare")
    assert check(capsys, bare, *REVOCATION).code == 1

    project = waived_project(tmp_path / "waived", waiver(
        "stripe-revocation", "AIR-CRED-001", justification="Vault migration in January"))
    result = check(capsys, project, *REVOCATION)
    assert result.code == 0, result.text
    assert "AIR-CRED-001" not in result.out.split("\n\n")[0]  # not listed among the gaps

    document = check_json(capsys, project, *CRED_CONTROLS, expect=0)
    found = findings_by_key(document)
    stripe = found[("AIR-CRED-001", STRIPE)]
    assert stripe["state"] == "waived"
    assert stripe["waiver"] == {"ref": "waiver:stripe-revocation",
                                "justification": "Vault migration in January",
                                "approved_by": "person:ada", "expires": "2027-01-31"}
    assert "baselined" not in stripe  # a waived finding is not a gap
    assert found[("AIR-CRED-002", STRIPE)]["state"] == "fail"  # other controls: untouched
    assert found[("AIR-CRED-001", GOOD)]["state"] == "pass"
    assert document["summary"]["waived"] == 1
    assert document["waivers"] == {"applied": {"waiver:stripe-revocation": [STRIPE]},
                                   "expired": [], "unused": []}
    # Not even the strictest threshold counts it.
    assert check(capsys, project, *REVOCATION, "--fail-on", "low").code == 0


def test_waived_findings_show_with_verbose(tmp_path, capsys):
    project = waived_project(tmp_path, waiver("stripe-revocation", "AIR-CRED-001",
                                              justification="Vault migration in January"))
    quiet = check(capsys, project, *REVOCATION)
    assert "waived by" not in quiet.out
    assert "1 waived" in quiet.out
    loud = check(capsys, project, *REVOCATION, "-v")
    assert "waived (1):" in loud.out
    assert (f"[high] AIR-CRED-001 {STRIPE} has no revocation procedure (revocation is not set)"
            " [waived by waiver:stripe-revocation until 2027-01-31: Vault migration in "
            "January]") in loud.out


def test_waiver_targets_all_and_lists(tmp_path, capsys):
    project = waived_project(tmp_path / "all", waiver("every-key", "AIR-CRED-001", targets="all"))
    creds = project / "inventory" / "creds.yaml"
    creds.write_text(creds.read_text() + NEW_KEY)
    document = check_json(capsys, project, *REVOCATION, expect=0)
    states = {f["target"]: f["state"] for f in document["findings"]}
    assert states == {STRIPE: "waived", NEW: "waived", GOOD: "pass"}
    assert sorted(document["waivers"]["applied"]["waiver:every-key"]) == sorted([STRIPE, NEW])

    listed = waived_project(tmp_path / "list", waiver("one-key", "AIR-CRED-001"))
    creds = listed / "inventory" / "creds.yaml"
    creds.write_text(creds.read_text() + NEW_KEY)
    document = check_json(capsys, listed, *REVOCATION, expect=1)
    states = {f["target"]: f["state"] for f in document["findings"]}
    assert states == {STRIPE: "waived", NEW: "fail", GOOD: "pass"}


def test_expired_waiver_stops_waiving(tmp_path, capsys, monkeypatch):
    project = waived_project(tmp_path, waiver("stripe-revocation", "AIR-CRED-001",
                                              expires="2027-01-31"))
    args = ("--control", "AIR-CRED-001", "--control", "AIR-WVR-001")
    assert check(capsys, project, *args).code == 0

    later = check(capsys, project, *args, "--format", "json", today="2027-02-01")
    assert later.code == 1
    document = later.json()
    found = findings_by_key(document)
    assert found[("AIR-CRED-001", STRIPE)]["state"] == "fail"
    assert "waiver" not in found[("AIR-CRED-001", STRIPE)]
    wvr = found[("AIR-WVR-001", "waiver:stripe-revocation")]
    assert wvr["state"] == "fail"
    assert wvr["file"] == "inventory/waivers.yaml"
    assert wvr["line"] == line_of(project / "inventory" / "waivers.yaml", "expires:")
    assert document["waivers"]["expired"] == ["waiver:stripe-revocation"]
    assert document["waivers"]["unused"] == []

    text = check(capsys, project, *args, today="2027-02-01").out
    assert "note: waiver:stripe-revocation expired on 2027-01-31" in text
    assert "AIR-WVR-001 waiver:stripe-revocation has expired" in text

    # The date can come from the environment too.
    monkeypatch.setenv("AIRREADY_TODAY", "2027-02-01")
    assert check(capsys, project, *args, today=None).code == 1
    monkeypatch.setenv("AIRREADY_TODAY", "2026-11-25")
    assert check(capsys, project, *args, today=None).code == 0
    # --today wins over the environment.
    assert check(capsys, project, *args, today="2027-03-01").code == 1


def test_waiver_on_its_expiry_day_agrees_with_air_wvr_001(tmp_path, capsys):
    project = waived_project(tmp_path, waiver("stripe-revocation", "AIR-CRED-001",
                                              expires="2027-01-31"))
    args = ("--control", "AIR-CRED-001", "--control", "AIR-WVR-001")
    eve = findings_by_key(check_json(capsys, project, *args, "--today", "2027-01-30"))
    assert eve[("AIR-WVR-001", "waiver:stripe-revocation")]["state"] == "pass"
    assert eve[("AIR-CRED-001", STRIPE)]["state"] == "waived"
    day = check(capsys, project, *args, "--format", "json", today="2027-01-31").json()
    found = findings_by_key(day)
    # AIR-WVR-001 says the waiver "has expired" today, so it waives nothing today.
    assert found[("AIR-WVR-001", "waiver:stripe-revocation")]["state"] == "fail"
    assert found[("AIR-CRED-001", STRIPE)]["state"] == "fail"
    assert day["waivers"]["expired"] == ["waiver:stripe-revocation"]


def test_unused_waiver_is_reported(tmp_path, capsys):
    project = waived_project(tmp_path, waiver("good-key-rotation", "AIR-CRED-002",
                                              targets=f"[{GOOD}]"))
    result = check(capsys, project, *CRED_CONTROLS)
    assert ("note: waiver:good-key-rotation waives nothing: no failing AIR-CRED-002 result "
            "matches its targets (delete it?)") in result.out
    document = check_json(capsys, project, *CRED_CONTROLS)
    assert document["waivers"]["unused"] == ["waiver:good-key-rotation"]
    assert document["waivers"]["applied"] == {}
    assert check(capsys, project, "--format", "markdown", *CRED_CONTROLS).out.count(
        "waiver:good-key-rotation waives nothing") == 1


def test_waiver_outside_the_filters_is_not_called_unused(tmp_path, capsys):
    project = waived_project(tmp_path, waiver("stripe-revocation", "AIR-CRED-001"))
    # The run never looked at AIR-CRED-001, or never at the waived target.
    for args in (("--control", "AIR-CRED-002"), ("--phase", "preparation"),
                 ("--target", GOOD, *REVOCATION)):
        document = check_json(capsys, project, *args)
        assert document["waivers"]["unused"] == [], args
        assert "waives nothing" not in check(capsys, project, *args).out


def test_waiver_longer_than_the_maximum_is_invalid(tmp_path, capsys):
    project = waived_project(tmp_path, waiver("forever", "AIR-CRED-001",
                                              approved_on="2026-11-01", expires="2027-06-01"))
    result = check(capsys, project, *REVOCATION)
    assert result.code == 2
    file = project / "inventory" / "waivers.yaml"
    line = line_of(file, "expires:")
    column = len("  expires: ") + 1
    assert text_at(file, line, column) == "2027-06-01"
    assert (f"inventory/waivers.yaml:{line}:{column}: [error] spec.expires: the waiver runs "
            "212 days from 2026-11-01, longer than the maximum of 180") in result.out
    assert "Traceback" not in result.text


def test_waiver_length_counts_from_today_without_approval_date(tmp_path, capsys):
    ok = waived_project(tmp_path / "ok", waiver("w", "AIR-CRED-001", approved_on=None,
                                                expires="2027-05-24"))  # 180 days
    assert check(capsys, ok, *REVOCATION).code == 0
    long = waived_project(tmp_path / "long", waiver("w", "AIR-CRED-001", approved_on=None,
                                                    expires="2027-05-25"))  # 181 days
    result = check(capsys, long, *REVOCATION)
    assert result.code == 2
    assert "the waiver runs 181 days from 2026-11-25" in result.out


def test_custom_max_waiver_days(tmp_path, capsys):
    strict = "inventory: [inventory]\ncontrols: [builtin]\nmax_waiver_days: 30\n"
    project = waived_project(tmp_path / "strict", waiver("w", "AIR-CRED-001",
                                                         expires="2026-12-15"), config=strict)
    result = check(capsys, project, *REVOCATION)
    assert result.code == 2
    assert "the waiver runs 44 days from 2026-11-01, longer than the maximum of 30" in result.out

    lax = "inventory: [inventory]\ncontrols: [builtin]\nmax_waiver_days: 400\n"
    project = waived_project(tmp_path / "lax", waiver("w", "AIR-CRED-001",
                                                      expires="2027-10-01"), config=lax)
    assert check(capsys, project, *REVOCATION).code == 0


def test_waiver_for_an_unknown_control_is_invalid(tmp_path, capsys):
    project = waived_project(tmp_path, waiver("typo", "AIR-CERD-001"))
    result = check(capsys, project)
    assert result.code == 2
    line = line_of(project / "inventory" / "waivers.yaml", "control:")
    assert (f"inventory/waivers.yaml:{line}:12: [error] spec.control: unknown control "
            "'AIR-CERD-001' (did you mean 'AIR-CRED-001'?)") in result.out


def test_waiver_files_named_in_the_project_are_loaded(tmp_path, capsys):
    config = ("inventory: [inventory]\ncontrols: [builtin]\n"
              "waivers: [accepted/waivers.yaml]\n")
    files = {"accepted/waivers.yaml": waiver("stripe-revocation", "AIR-CRED-001")}
    unlisted = make_project(tmp_path / "unlisted", files)
    assert check(capsys, unlisted, *REVOCATION).code == 1  # not named: not loaded

    files["airready.yaml"] = config
    listed = make_project(tmp_path / "listed", files)
    document = check_json(capsys, listed, *REVOCATION, expect=0)
    stripe = findings_by_key(document)[("AIR-CRED-001", STRIPE)]
    assert stripe["state"] == "waived"
    assert stripe["waiver"]["ref"] == "waiver:stripe-revocation"

    missing = make_project(tmp_path / "missing", {"airready.yaml": config})
    result = check(capsys, missing, *REVOCATION)
    assert result.code == 2
    assert "airready.yaml:3:" in result.out and "accepted/waivers.yaml" in result.out


def test_waiver_that_can_never_match_is_unused(tmp_path, capsys):
    config = ("inventory: [inventory]\ncontrols: [builtin]\n"
              "overrides:\n  AIR-CRED-002: {enabled: false, reason: rotation is automatic}\n")
    project = waived_project(
        tmp_path, waiver("disabled", "AIR-CRED-002"),
        waiver("wrong-kind", "AIR-CRED-001", targets="[person:ada]"), config=config)
    document = check_json(capsys, project, *REVOCATION)
    assert sorted(document["waivers"]["unused"]) == ["waiver:disabled", "waiver:wrong-kind"]
