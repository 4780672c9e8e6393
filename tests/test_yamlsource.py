"""The YAML loader: data, positions, and every rejection with its message and place."""

from __future__ import annotations

import datetime as dt
import gc
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from airready.inventory.problems import Problem
from airready.inventory.yamlsource import (
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    SourceDoc,
    find_yaml_files,
    load_file,
    parse_text,
    plain,
)


def parse(text: str | bytes) -> tuple[list[SourceDoc], list[Problem]]:
    if isinstance(text, str):
        text = textwrap.dedent(text)
    return parse_text(text, "f.yaml")


def one_doc(text: str) -> SourceDoc:
    docs, problems = parse(text)
    assert problems == []
    assert len(docs) == 1
    return docs[0]


def only_problem(text: str | bytes) -> tuple[int, int, str]:
    """(line, column, message) of the one problem ``text`` has."""
    _, problems = parse(text)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.file == "f.yaml"
    assert problem.code == "yaml"
    assert problem.level == "error"
    return problem.line, problem.column, problem.message


# --- data -----------------------------------------------------------------------------------

def test_plain_data_with_yaml_types() -> None:
    doc = one_doc("""\
        text: hello
        quoted: "1.10"
        number: 1.10
        count: 7
        yes_bool: yes
        on_bool: On
        no_bool: NO
        date: 2026-01-01
        stamp: 2026-11-02T09:14:00Z
        nothing: ~
        empty:
        items: [a, 'b']
    """)
    assert doc.data == {
        "text": "hello", "quoted": "1.10", "number": 1.1, "count": 7, "yes_bool": True,
        "on_bool": True, "no_bool": False, "date": dt.date(2026, 1, 1),
        "stamp": dt.datetime(2026, 11, 2, 9, 14, tzinfo=dt.UTC), "nothing": None,
        "empty": None, "items": ["a", "b"],
    }


def test_same_scalar_quoted_and_plain_stay_apart() -> None:
    # The resolver memo is keyed on the text and on whether it was plain.
    doc = one_doc("a: 'true'\nb: true\nc: 'true'\nd: true\n")
    assert doc.data == {"a": "true", "b": True, "c": "true", "d": True}


def test_non_text_keys_are_kept_as_yaml_typed_them() -> None:
    doc = one_doc("on: x\n2: y\n2026-01-01: z\n'off': w\n")
    assert doc.data == {True: "x", 2: "y", dt.date(2026, 1, 1): "z", "off": "w"}


def test_multiple_documents_and_empty_ones() -> None:
    docs, problems = parse("""\
        # leading comment
        ---
        a: 1
        ---
        ---
        b: 2
        ...
        ---
        c: 3
        ---
    """)
    assert problems == []
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}, {"c": 3}]
    assert [d.line for d in docs] == [3, 6, 9]
    assert [d.index for d in docs] == [1, 2, 3]
    assert all(d.file == "f.yaml" for d in docs)


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n", "---\n...\n"])
def test_files_without_documents(text: str) -> None:
    assert parse(text) == ([], [])


def test_byte_order_mark_is_skipped() -> None:
    docs, problems = parse("\ufeffkind: Person\nname: ada\n".encode())
    assert problems == []
    assert docs[0].data == {"kind": "Person", "name": "ada"}
    assert docs[0].locate(("kind",), key=True) == (1, 1)
    assert docs[0].locate(("name",)) == (2, 7)


def test_windows_line_endings() -> None:
    doc = one_doc("a: 1\r\nb:\r\n  c: x\r\n")
    assert doc.data == {"a": 1, "b": {"c": "x"}}
    assert doc.locate(("b", "c")) == (3, 6)


def test_merge_keys() -> None:
    doc = one_doc("""\
        base: &base {a: 1, b: 2, c: 3}
        other: &other {c: 30, d: 40}
        merged:
          b: 20
          <<: [*base, *other]
        single:
          <<: *other
          e: 5
    """)
    # Explicit keys win over merged ones, wherever the merge key is; earlier sources win.
    assert doc.data["merged"] == {"a": 1, "b": 20, "c": 3, "d": 40}
    assert doc.data["single"] == {"c": 30, "d": 40, "e": 5}
    # A merged value is found where it is written: in the anchored mapping.
    assert doc.locate(("merged", "a")) == (1, 17)
    assert doc.locate(("merged", "b")) == (4, 6)
    assert doc.locate(("merged", "d")) == (2, 26)
    assert doc.locate(("single", "c"), key=True) == (2, 16)


def test_aliases_share_what_they_repeat() -> None:
    doc = one_doc("a: &x [1, 2]\nb: *x\n")
    assert doc.data == {"a": [1, 2], "b": [1, 2]}


# --- positions ------------------------------------------------------------------------------

POSITIONS = """\
apiVersion: airready/v1
kind: Model
metadata:
  name: support-bot
  labels: {tier: gold}
spec:
  training_data:
    - dataset:tickets
    - dataset:faq
  tools:
    - tool: tool:search
      permissions: [read, write]
"""


@pytest.mark.parametrize(("path", "key", "where"), [
    ((), False, (1, 1)),
    (("kind",), False, (2, 7)),
    (("kind",), True, (2, 1)),
    (("metadata", "name"), False, (4, 9)),
    (("metadata", "name"), True, (4, 3)),
    (("metadata", "labels", "tier"), False, (5, 18)),
    (("metadata", "labels", "tier"), True, (5, 12)),
    (("spec", "training_data"), False, (8, 5)),
    (("spec", "training_data"), True, (7, 3)),
    (("spec", "training_data", 1), False, (9, 7)),
    (("spec", "tools", 0, "tool"), False, (11, 13)),
    (("spec", "tools", 0, "permissions", 1), False, (12, 27)),
    (("spec", "tools", 0, "permissions", 1), True, (12, 27)),  # an item has no key
    # A path that runs out gives the deepest place that exists: where to add the field.
    (("metadata", "owner"), False, (4, 3)),
    (("spec", "logging", "inputs"), False, (7, 3)),
    (("spec", "training_data", 5), False, (8, 5)),
    (("kind", "deeper"), False, (2, 7)),
    (("spec", "tools", "not-an-index"), False, (11, 5)),
])
def test_locate(path: tuple[str | int, ...], key: bool, where: tuple[int, int]) -> None:
    assert one_doc(POSITIONS).locate(path, key=key) == where


def test_written_forms_of_values_and_keys_yaml_retyped() -> None:
    """Messages quote a retyped scalar as it was written; the node tree is not kept."""
    doc = one_doc("spec:\n  version: 2.30\n  on: yes\n  quoted: '1.5'\n  name: x\n"
                  "  when: 2026-01-01\n  list: [1, true, text]\n  !!int '7': seven\n"
                  "  empty:\n")
    assert doc.plain_text(("spec", "version")) == "2.30"
    assert doc.plain_text(("spec", True)) == "yes"
    assert doc.plain_text(("spec", True), key=True) == "on"
    assert doc.key_text(("spec", True)) == "on"
    assert doc.plain_text(("spec", "when")) == "2026-01-01"
    assert doc.plain_text(("spec", "list", 1)) == "true"
    assert doc.plain_text(("spec", "quoted")) is None  # quoted: YAML kept it as text
    assert doc.plain_text(("spec", "name")) is None  # text
    assert doc.plain_text(("spec", "list")) is None  # a list
    assert doc.plain_text(("spec", "missing")) is None
    assert doc.plain_text(("spec", "empty")) is None  # null
    assert doc.key_text(("spec", 7)) == "7"  # a key written quoted with a tag
    assert doc.plain_text(("spec", 7), key=True) is None  # ... is not plain
    assert doc.key_text(("spec", "name")) is None  # a text key needs no quoting
    assert not hasattr(doc, "node")


def test_locate_keys_yaml_retyped() -> None:
    doc = one_doc("labels:\n  on: call\n  2: two\n  '2': text\n  2026-01-01: day\n")
    assert doc.locate(("labels", True), key=True) == (2, 3)
    assert doc.locate(("labels", 2)) == (3, 6)
    assert doc.locate(("labels", "2")) == (4, 8)
    assert doc.locate(("labels", dt.date(2026, 1, 1))) == (5, 15)
    assert doc.locate(("labels", "on")) == (2, 3)  # no such key: the text on is the key True


def test_positions_after_multibyte_text() -> None:
    # Columns count characters, not bytes.
    doc = one_doc("title: Ren\u00e9 \u00e9t\u00e9\nname: x\nlist: [\u00e9\u00e9, b]\n")
    assert doc.locate(("list", 1)) == (3, 12)


# --- what is rejected -------------------------------------------------------------------------

def test_duplicate_key() -> None:
    assert only_problem("a: 1\nb:\n  c: 1\n  c: 2\n") == (
        4, 3, "duplicate key 'c' (first defined at line 3, column 3)")


def test_duplicate_key_that_yaml_retyped() -> None:
    assert only_problem("on: 1\nyes: 2\n") == (
        2, 1, "duplicate key 'yes' (first defined at line 1, column 1 as 'on'; YAML reads "
              "both as True)")


def test_syntax_error_names_the_unclosed_collection() -> None:
    assert only_problem("a: [1, 2\nb: 3\n") == (
        2, 2, "YAML does not parse: did not find expected ',' or ']' "
              "(in the flow sequence that starts at line 1, column 4)")


def test_unclosed_quote() -> None:
    assert only_problem('a: "abc\n') == (
        2, 1, "YAML does not parse: found unexpected end of stream "
              "(in the quoted scalar that starts at line 1, column 4)")


def test_colon_in_a_plain_value() -> None:
    assert only_problem("a: b: c\n") == (
        1, 5, "YAML does not parse: a ':' here starts a mapping where none can start: check "
              "the indentation, or quote a value that contains ': '")


def test_reserved_indicator() -> None:
    assert only_problem("a: @home\n") == (
        1, 4, "YAML does not parse: '@' cannot start a value: quote the value")


@pytest.mark.parametrize("text", ["a:\n\tb: 1\n", "a: 1\n\tb: 2\n", "a:\n  - x\n\t- y\n"])
def test_tab_indentation(text: str) -> None:
    line, column, message = only_problem(text)
    assert message == "a tab character here: YAML is indented with spaces, never tabs"
    assert column == 1
    assert text.splitlines()[line - 1].startswith("\t")


def test_tab_inside_a_value_is_fine() -> None:
    assert one_doc("a: b\tc\n").data == {"a": "b\tc"}


def test_billion_laughs() -> None:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    line, column, message = only_problem("\n".join(levels) + "\n")
    assert time.perf_counter() - started < 2
    assert message == (f"aliases expand this document beyond {MAX_ALIAS_EXPANSION:,} repeated "
                       "values (an alias bomb?)")
    # At the alias that goes over: the first *e (about 75,000 repeated values so far).
    assert (line, column) == (6, 8)


def test_aliases_below_the_bound_are_fine() -> None:
    text = "a: &a [" + ", ".join(["x"] * 100) + "]\nb: [" + ", ".join(["*a"] * 100) + "]\n"
    assert len(one_doc(text).data["b"]) == 100


@pytest.mark.parametrize(("text", "where"), [
    ("a: &a\n  b: *a\n", (2, 6)),
    ("a: &a\n  b: [1, 2, *a]\n", (2, 13)),
    ("a: &a\n  - 1\n  # *not-this\n  - *a\n", (4, 5)),
    ("a: &a [1, &b [2, *b]]\n", (1, 18)),
    ("a: &a\n  <<: *a\n", (2, 7)),
])
def test_recursive_alias(text: str, where: tuple[int, int]) -> None:
    line, column, message = only_problem(text)
    assert message.endswith("refers to a list or mapping that contains it (a recursive alias)")
    assert (line, column) == where


def test_recursive_alias_names_the_alias() -> None:
    assert only_problem("m: &meta\n  self: *meta\n")[2] == (
        "the alias *meta refers to a list or mapping that contains it (a recursive alias)")


def test_alias_items_before_the_bad_one_are_skipped() -> None:
    # Items that are aliases carry the marks of their anchor: the alias is found by counting.
    assert only_problem("x: &x [1]\na: &a [*x, *x, *a]\n")[:2] == (2, 16)


def test_undefined_alias() -> None:
    assert only_problem("a: 1\nb: *nope\n") == (
        2, 4, "the alias *nope has no anchor &nope before it (an anchor must come first, "
              "in the same document)")


def test_anchors_do_not_cross_documents() -> None:
    docs, problems = parse("a: &x 1\n---\nb: *x\n")
    assert [d.data for d in docs] == [{"a": 1}]
    assert [(p.line, p.column) for p in problems] == [(3, 4)]


def test_duplicate_anchor() -> None:
    assert only_problem("a: &x 1\nb: &x 2\n") == (
        2, 4, "the anchor &x is defined twice in this document (first at line 1, column 4): "
              "rename one")


@pytest.mark.parametrize(("text", "where", "tag"), [
    ("a: !include other.yaml\n", (1, 4), "!include"),
    ("a: !!binary aGVsbG8=\n", (1, 4), "tag:yaml.org,2002:binary"),
    ("a: !!set {x, y}\n", (1, 4), "tag:yaml.org,2002:set"),
    ("a: !!omap [x: 1]\n", (1, 4), "tag:yaml.org,2002:omap"),
    ("a:\n  - !!python/object:os.system ls\n", (2, 5), "tag:yaml.org,2002:python/object:os.system"),
    ("a: !custom\n  b: 1\n", (1, 4), "!custom"),
])
def test_unknown_tags(text: str, where: tuple[int, int], tag: str) -> None:
    line, column, message = only_problem(text)
    assert message == (f"unsupported tag {tag!r}: airready reads plain YAML: text, numbers, "
                       "booleans, dates, lists and mappings")
    assert (line, column) == where


def test_standard_tags_are_read() -> None:
    doc = one_doc("a: !!str 1.10\nb: !!int '7'\nc: !!float 1\nd: !!bool 'yes'\ne: !!null ''\n"
                  "f: !!map {x: 1}\ng: !!seq [1]\n")
    assert doc.data == {"a": "1.10", "b": 7, "c": 1.0, "d": True, "e": None, "f": {"x": 1},
                        "g": [1]}


@pytest.mark.parametrize(("text", "message"), [
    ("a: !!int abc\n", "'abc' is not a valid whole number"),
    ("a: !!float abc\n", "'abc' is not a valid number"),
    ("a: !!bool maybe\n", "'maybe' is not a valid boolean"),
    ("a: !!timestamp soon\n", "'soon' is not a valid date or timestamp"),
])
def test_standard_tags_with_wrong_values(text: str, message: str) -> None:
    assert only_problem(text) == (1, 4, message)


@pytest.mark.parametrize(("text", "message"), [
    ("d: 2026-02-30\n", "2026-02-30 is not a real date (day is out of range for month); "
                        "quote it if it is meant as text"),
    ("d: 2026-13-01\n", "2026-13-01 is not a real date (month must be in 1..12); "
                        "quote it if it is meant as text"),
    ("d: 2026-11-02T25:00:00Z\n", "2026-11-02T25:00:00Z is not a real date (hour must be in "
                                  "0..23); quote it if it is meant as text"),
])
def test_impossible_dates(text: str, message: str) -> None:
    assert only_problem(text) == (1, 4, message)


def test_impossible_date_as_text_is_fine() -> None:
    assert one_doc("d: '2026-02-30'\n").data == {"d": "2026-02-30"}


def test_key_that_is_a_collection() -> None:
    assert only_problem("? [a, b]\n: 1\n") == (
        1, 3, "a mapping key must be a plain value, not a list or mapping")


@pytest.mark.parametrize("value", ["1", "[1, 2]", "[{a: 1}, 2]"])
def test_merge_key_needs_mappings(value: str) -> None:
    line, column, message = only_problem(f"a:\n  <<: {value}\n")
    assert message == "a merge key (<<) takes a mapping or a list of mappings"
    assert (line, column) == (2, 7)


def test_document_that_is_a_list() -> None:
    assert only_problem("- a\n- b\n") == (
        1, 1, "a document must be a mapping (apiVersion, kind, metadata, spec), not a list")


def test_document_that_is_a_value() -> None:
    assert only_problem("a: 1\n---\njust some text\n") == (
        3, 1, "a document must be a mapping (apiVersion, kind, metadata, spec), not the single "
              "value 'just some text'")


def test_what_a_document_should_hold_is_configurable() -> None:
    _, problems = parse_text("- x\n", "airready.yaml", keys="inventory, controls, ...")
    assert problems[0].message == "a document must be a mapping (inventory, controls, ...), " \
                                  "not a list"


def test_long_single_value_is_shortened() -> None:
    message = only_problem("x" * 100 + "\n")[2]
    assert message.endswith("not the single value '" + "x" * 37 + "...'")


def test_control_character() -> None:
    assert only_problem("a: 1\nb: x\x07y\n") == (
        2, 5, "the file holds the control character U+0007, which YAML does not allow")


def test_control_character_after_multibyte_text() -> None:
    assert only_problem("a: \u00e9\u00e9\x00\n")[:2] == (1, 6)


# --- nesting --------------------------------------------------------------------------------

def nested_lists(levels: int) -> str:
    """A document whose deepest list is nested ``levels`` collections deep (the document's
    own mapping is the first)."""
    inner = levels - 1
    return "a: " + "[" * inner + "]" * inner + "\n"


def test_nesting_up_to_the_bound_is_fine() -> None:
    doc = one_doc(nested_lists(MAX_DEPTH))
    depth, value = 1, doc.data["a"]
    while value:
        depth, value = depth + 1, value[0]
    assert depth == MAX_DEPTH - 1


def test_nesting_one_deeper_is_rejected() -> None:
    message = f"nesting is deeper than {MAX_DEPTH} levels of lists and mappings"
    assert only_problem(nested_lists(MAX_DEPTH + 1)) == (1, 4 + MAX_DEPTH - 1, message)


def test_deep_block_nesting_is_rejected() -> None:
    line, column, message = only_problem("a:\n" + "  " + "- " * 500 + "x\n")
    assert (line, column) == (2, 3 + 2 * (MAX_DEPTH - 1))
    assert message.startswith("nesting is deeper")


def test_deep_indentation_is_rejected() -> None:
    text = "".join("  " * level + f"k{level}:\n" for level in range(100)) + "  " * 100 + "x\n"
    line, column, _ = only_problem(text)
    assert (line, column) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)


def test_nesting_through_aliases_is_bounded() -> None:
    text = "a0: &a0 [1]\n"
    for level in range(1, 5):
        text += f"a{level}: &a{level} " + "[" * 20 + f"*a{level - 1}" + "]" * 20 + "\n"
    # a3 nests 61 deep; under 20 lists and the document, that is 82.
    assert only_problem(text) == (
        5, 29, f"nesting is deeper than {MAX_DEPTH} levels of lists and mappings "
               "(through the alias *a3)")


def test_huge_nesting_does_not_crash_the_interpreter() -> None:
    # libyaml's composer recurses in C once per level: 20,000 levels used to exhaust the C
    # stack (a segmentation fault, not an exception).  In a child process, so that a
    # regression fails this test instead of killing the test run.  Newer libyaml releases
    # stop deep nesting in the parser with their own message and column; what the user must
    # get is the same either way: no crash, no document, one problem on line 1 about nesting.
    code = (
        "import json\n"
        "from airready.inventory.yamlsource import parse_text\n"
        "docs, problems = parse_text('a: ' + '[' * 300000 + ']' * 300000, 'f.yaml')\n"
        "print(json.dumps([len(docs), [(p.file, p.line, p.column, p.message) "
        "for p in problems]]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    documents, problems = json.loads(result.stdout)
    assert documents == 0
    assert len(problems) == 1
    file, line, column, message = problems[0]
    assert (file, line) == ("f.yaml", 1)
    assert 1 <= column <= 300003
    assert "nesting" in message


# --- recovering after a broken document -----------------------------------------------------

def test_documents_after_a_broken_one_are_still_read() -> None:
    docs, problems = parse("""\
        a: 1
        ---
        b: [1, 2
        c: 3
        ---
        d: 4
        ---
        e: {f: 1, f: 2}
        ---
        g: &g [*g]
        ---
        h: 5
    """)
    assert [d.data for d in docs] == [{"a": 1}, {"d": 4}, {"h": 5}]
    assert [d.line for d in docs] == [1, 6, 12]
    assert docs[2].locate(("h",)) == (12, 4)
    assert [(p.line, p.column) for p in problems] == [(4, 2), (8, 11), (10, 8)]


def test_broken_documents_each_reported() -> None:
    docs, problems = parse("a: [\n---\nb: {\n---\nc: '\n---\nd: 1\n")
    assert [d.data for d in docs] == [{"d": 1}]
    assert [p.line for p in problems] == [2, 4, 6]


def test_control_character_in_a_later_document() -> None:
    # libyaml refuses the character while reading ahead, before composing "a: 1".
    docs, problems = parse("a: 1\n---\nb: [\n---\nb: \x01\n---\nc: 3\n")
    assert [d.data for d in docs] == [{"a": 1}, {"c": 3}]
    assert [(p.line, p.column) for p in problems] == [(4, 1), (5, 4)]


def test_deep_document_then_more() -> None:
    docs, problems = parse(nested_lists(200) + "---\nb: 1\n")
    assert [d.data for d in docs] == [{"b": 1}]
    assert [p.line for p in problems] == [1]


# --- files ----------------------------------------------------------------------------------

def test_load_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n---\nb: 2\n", encoding="utf-8")
    docs, problems = load_file(path, "shown/a.yaml")
    assert problems == []
    assert [d.file for d in docs] == ["shown/a.yaml", "shown/a.yaml"]


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n", encoding="utf-8")
    assert load_file(path, "big.yaml", max_bytes=1024) == ([], [Problem(
        "big.yaml", 1, 1, "the file is 2,004 bytes, over the limit of 1,024 (max_file_bytes in "
        "airready.yaml)", code="yaml")])
    assert load_file(path, "big.yaml", max_bytes=2004)[1] == []


def test_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nname: \u00e9t\u00e9 Ren".encode() + b"\xe9\n")
    assert load_file(path, "latin1.yaml") == ([], [Problem(
        "latin1.yaml", 2, 14, "the file is not UTF-8: byte 0xe9 is not valid here (save the "
        "file as UTF-8)", code="yaml")])


def test_file_utf16(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("a: 1\n".encode("utf-16"))
    assert load_file(path, "utf16.yaml")[1] == [
        Problem("utf16.yaml", 1, 1, "the file is UTF-16: save it as UTF-8", code="yaml")]


def test_file_that_cannot_be_read(tmp_path: Path) -> None:
    docs, problems = load_file(tmp_path / "missing.yaml", "missing.yaml")
    assert docs == []
    assert [(p.line, p.column, p.message) for p in problems] == [
        (1, 1, "cannot read the file: No such file or directory")]


def test_find_yaml_files(tmp_path: Path) -> None:
    for name in ["b.yaml", "a.yml", "sub/c.yaml", "sub/deeper/d.yml", "notes.txt", "e.YAML.bak"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "dir.yaml").mkdir()
    found = [p.relative_to(tmp_path).as_posix() for p in find_yaml_files(tmp_path)]
    assert found == ["a.yml", "b.yaml", "sub/c.yaml", "sub/deeper/d.yml"]
    assert list(find_yaml_files(tmp_path / "notes.txt")) == [tmp_path / "notes.txt"]
    skip = frozenset({(tmp_path / "b.yaml").resolve()})
    assert [p.name for p in find_yaml_files(tmp_path, skip)] == ["a.yml", "c.yaml", "d.yml"]


def test_find_yaml_files_leaves_hidden_ones_out(tmp_path: Path) -> None:
    for name in [".github/workflows/ci.yml", ".hidden.yaml", "sub/.cache/x.yaml", "ok.yaml"]:
        path = tmp_path / "root" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a: 1\n", encoding="utf-8")
    assert [p.name for p in find_yaml_files(tmp_path / "root")] == ["ok.yaml"]
    # A hidden folder named on purpose is read.
    assert [p.name for p in find_yaml_files(tmp_path / "root" / ".github")] == ["ci.yml"]


def test_plain() -> None:
    value = {"d": dt.date(2026, 1, 1), 1: [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]}
    assert plain(value) == {"d": "2026-01-01", "1": ["2026-01-01T00:00:00+00:00"]}


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_left_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        parse("a: 1\n")
        assert gc.isenabled() is enabled
        parse("a: [\n")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def _rglob_files(root: Path, skip: frozenset[Path] = frozenset()) -> list[Path]:
    """What find_yaml_files gave when it was written with pathlib: the reference."""
    skip_names = {s.name for s in skip}
    return sorted(p for p in root.rglob("*")
                  if p.suffix in (".yaml", ".yml") and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts)
                  and (p.name not in skip_names or p.resolve() not in skip))


def test_find_yaml_files_finds_what_rglob_finds_in_the_same_order(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for name in ["a/b.yaml", "a-b.yaml", "a/c/d.yml", "a.b/e.yaml", "x.yaml.txt", "y.yml",
                 ".hidden/f.yaml", "g/.h.yaml", "Z.yaml", "z/a.yaml", "elsewhere/i.yaml"]:
        path = (tmp_path / name) if name.startswith("elsewhere") else root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a: 1\n", encoding="utf-8")
    (root / "dir.yml").mkdir()
    (root / "file-link.yaml").symlink_to(root / "y.yml")
    # Linked folders and broken links are no longer passed over: test_discovery.py.
    found = list(find_yaml_files(root))
    assert found == _rglob_files(root)
    assert [p.relative_to(root).as_posix() for p in found] == [
        "Z.yaml", "a/b.yaml", "a/c/d.yml", "a-b.yaml", "a.b/e.yaml", "file-link.yaml",
        "y.yml", "z/a.yaml"]
    skip = frozenset({(root / "y.yml").resolve()})
    assert list(find_yaml_files(root, skip)) == _rglob_files(root, skip)
    assert list(find_yaml_files(tmp_path / "nowhere")) == []
