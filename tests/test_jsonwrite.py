"""The fast JSON writer writes what json.dumps(indent=2) writes, byte for byte; check's JSON
gains a controls table and --gaps-only, and its other keys stay as they were."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airready.cli import main
from airready.report import jsonwrite
from airready.report.jsonwrite import Rows

REPO = Path(__file__).resolve().parent.parent

# Text with what the two encoders treat differently: accents, DEL, control characters,
# line separators, characters outside the basic plane, quotes and backslashes.
texts = st.text(alphabet=st.sampled_from(
    list("ab:-/\\\"' é\x7f\x00\x1f\n\t\u2028\u00ff\u0100\uffff😀𝄞")) | st.characters(
    blacklist_categories=("Cs",)), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | texts
rows = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    texts, inner, max_size=4), max_leaves=12)
plain = st.recursive(scalars | st.floats(allow_nan=False), lambda inner: st.lists(
    inner, max_size=3) | st.dictionaries(texts, inner, max_size=3), max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.dictionaries(texts, rows, max_size=5) | st.lists(rows, max_size=4),
                max_size=7),
       plain, st.integers(min_value=0, max_value=3))
def test_streamed_rows_come_out_as_json_dumps_writes_them(items: list, other: object,
                                                          depth: int) -> None:
    document: object = {"before": other, "rows": Rows(items), "after": [other]}
    expected_data: object = {"before": other, "rows": items, "after": [other]}
    for _ in range(depth):  # the list as deep as SARIF's runs[0].results, and deeper
        document = [{"nested": document}]
        expected_data = [{"nested": expected_data}]
    expected = json.dumps(expected_data, indent=2) + "\n"
    assert jsonwrite.dumps(_fresh(document)) == expected
    stream = io.BytesIO()
    jsonwrite.write(_fresh(document), stream)
    assert stream.getvalue() == expected.encode("ascii")


def _fresh(document: object) -> object:
    """The same document with its Rows iterators unread (each may be read once)."""
    if isinstance(document, Rows):
        return Rows(iter(list(document.items)))
    if isinstance(document, dict):
        return {k: _fresh(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_fresh(v) for v in document]
    return document


def test_more_rows_than_one_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonwrite, "SLICE", 3)
    items = [{"n": i, "t": "é" * (i % 2)} for i in range(10)]
    assert jsonwrite.dumps({"a": Rows(items)}) == json.dumps({"a": items}, indent=2) + "\n"
    assert jsonwrite.dumps({"a": Rows([])}) == json.dumps({"a": []}, indent=2) + "\n"


def test_a_float_in_rows_is_refused_not_written_differently() -> None:
    with pytest.raises(TypeError, match="float"):
        jsonwrite.dumps(Rows([{"score": 1e-05}]))


def _check_json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    with pytest.raises(SystemExit):
        main(["check", "--project", str(REPO), "--today", "2026-11-25", "--format", "json",
              *extra])
    return json.loads(capsys.readouterr().out)


def test_check_json_has_a_controls_table(capsys: pytest.CaptureFixture[str]) -> None:
    document = _check_json(capsys)
    table = document["controls"]["table"]
    assert list(table) == document["controls"]["evaluated"]
    for finding in document["findings"]:
        row = table[finding["control"]]
        assert (row["severity"], row["phase"], row["remediation"]) == (
            finding["severity"], finding["phase"], finding["remediation"])
    assert "gaps_only" not in document


def test_gaps_only_lists_fail_and_error_results_and_counts_everything(
        capsys: pytest.CaptureFixture[str]) -> None:
    full = _check_json(capsys)
    gaps = _check_json(capsys, "--gaps-only")
    assert gaps["gaps_only"] is True
    assert gaps["summary"] == full["summary"]
    expected = [f for f in full["findings"] if f["state"] in ("fail", "error")]
    assert gaps["findings"] == expected and expected
    assert {f["state"] for f in full["findings"]} > {"fail", "pass"}


def test_gaps_only_without_json_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--project", str(REPO), "--gaps-only"])
    assert exit_info.value.code == 2
    assert "--gaps-only" in capsys.readouterr().err


def test_json_and_sarif_files_are_written_whole(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out_json, out_sarif = tmp_path / "a.json", tmp_path / "a.sarif"
    with pytest.raises(SystemExit):
        main(["check", "--project", str(REPO), "--today", "2026-11-25", "--format", "json",
              "--output", str(out_json), "--format", "sarif", "--output", str(out_sarif)])
    assert capsys.readouterr().out == ""
    assert json.loads(out_json.read_text("ascii"))["schema_version"] == 1
    assert json.loads(out_sarif.read_text("ascii"))["version"] == "2.1.0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.sarif"]  # no temp
    before = out_json.stat().st_mtime_ns
    with pytest.raises(SystemExit):  # the same content again: the file is left alone
        main(["check", "--project", str(REPO), "--today", "2026-11-25", "--format", "json",
              "--output", str(out_json)])
    assert out_json.stat().st_mtime_ns == before


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["critical", "high", "medium", "low", "odd"]),
                          st.sampled_from(["a.yaml", "b.yaml"]), st.integers(1, 3),
                          st.integers(1, 2), st.sampled_from(["C-1", "C-2"]),
                          st.sampled_from(["model:a", "model:b"])), max_size=40))
def test_findings_sort_as_sort_key_sorts_them(rows: list[tuple]) -> None:
    from airready.rules.findings import Finding, sort_findings

    findings = [Finding(control, target, "fail", severity, file, line, column, "",
                        message=str(i), remediation="", phase="")  # type: ignore[arg-type]
                for i, (severity, file, line, column, control, target) in enumerate(rows)]
    assert [f.message for f in sort_findings(findings)] == [
        f.message for f in sorted(findings, key=Finding.sort_key)]
