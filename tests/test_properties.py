"""Properties over random valid inventories (Hypothesis), with the builtin catalog.

- No command crashes on a valid inventory: exit 0 or 1, never 2, never a traceback.
- Findings and scores do not depend on the order of files, nor on how the entities are
  split across files; the output of a run is the same every time.
- A failing finding's file:line lies inside the field it names: on the line of that field
  or within its value, or, when the field is absent, within the nearest field written
  above it (the document itself at worst), in the document of that file.

The budget is small and fixed (derandomized, a bounded number of examples), so CI spends
seconds here; ``AIRREADY_PROPERTY_EXAMPLES=500`` runs a longer search before a release.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projectkit import run

EXAMPLES = int(os.environ.get("AIRREADY_PROPERTY_EXAMPLES", "12"))
PROPERTY = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
TODAY = "2026-11-25"
LOGGING_KEYS = ("inputs", "outputs", "timestamps", "session_ids", "user_attribution")
LIFECYCLES = ("production", "pilot", "staging", "experimental", "retired")
DATES = st.dates(min_value=__import__("datetime").date(2024, 1, 1),
                 max_value=__import__("datetime").date(2027, 12, 31))


def entity(kind: str, name: str, spec: dict[str, Any] | None = None,
           owner: str | None = None, **metadata: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, **metadata}
    if owner:
        meta["owner"] = owner
    document: dict[str, Any] = {"apiVersion": "airready/v1", "kind": kind, "metadata": meta}
    if spec is not None:
        document["spec"] = spec
    return document


def subset(draw: Any, items: list[str], most: int = 3) -> list[str]:
    return draw(st.lists(st.sampled_from(items), max_size=most, unique=True)) if items else []


@st.composite
def estates(draw: Any) -> list[dict[str, Any]]:
    """A valid estate: every reference resolves, every required field is there."""
    teams = [f"team-{i}" for i in range(draw(st.integers(1, 3)))]
    people = [f"person-{i}" for i in range(draw(st.integers(0, 3)))]
    datasets = [f"data-{i}" for i in range(draw(st.integers(0, 3)))]
    vendors = [f"vendor-{i}" for i in range(draw(st.integers(0, 2)))]
    tools = [f"tool-{i}" for i in range(draw(st.integers(0, 2)))]
    stores = [f"store-{i}" for i in range(draw(st.integers(0, 2)))]
    creds = [f"cred-{i}" for i in range(draw(st.integers(0, 2)))]
    models = [f"model-{i}" for i in range(draw(st.integers(1, 4)))]
    owner = st.sampled_from([f"team:{t}" for t in teams])

    org_spec: dict[str, Any] = {}
    if people and draw(st.booleans()):
        org_spec["roles"] = {"incident_commander": {"primary": f"person:{people[0]}"}}
    docs = [entity("Organization", "acme", org_spec)]
    for person in people:
        spec = {}
        if draw(st.booleans()):
            spec["email"] = f"{person}@example.com"
        if draw(st.booleans()):
            spec["role_training"] = draw(DATES)
        docs.append(entity("Person", person, spec or None))
    for team in teams:
        members = [f"person:{p}" for p in subset(draw, people)]
        docs.append(entity("Team", team, {"members": members} if members else None))
    for vendor in vendors:
        spec = {}
        if draw(st.booleans()):
            spec["security_contact"] = {"email": f"security@{vendor}.example"}
        if draw(st.booleans()):
            spec["notification_sla"] = draw(st.sampled_from(["72h", "P3D", "PT24H"]))
        docs.append(entity("Vendor", vendor, spec or None))
    for store in stores:
        spec = {"immutable": draw(st.booleans())} if draw(st.booleans()) else None
        docs.append(entity("DataStore", store, spec))
    for dataset in datasets:
        spec = {}
        if vendors and draw(st.booleans()):
            spec["supplier"] = f"vendor:{draw(st.sampled_from(vendors))}"
        earlier = datasets[:datasets.index(dataset)]
        if earlier and draw(st.booleans()):
            spec["derived_from"] = [f"dataset:{d}" for d in subset(draw, earlier, 2)]
        docs.append(entity("Dataset", dataset, spec or None, draw(owner)))
    for tool in tools:
        spec = {"actions": subset(draw, ["read", "send_email", "refund"])}
        docs.append(entity("Tool", tool, spec if spec["actions"] else None, draw(owner)))
    for cred in creds:
        spec = {}
        if tools and draw(st.booleans()):
            spec["grants"] = [f"tool:{t}" for t in subset(draw, tools, 2)]
        if draw(st.booleans()):
            spec["revocation"] = "Revoke in the console, then reissue."
        if draw(st.booleans()):
            spec["last_rotated"] = draw(DATES)
        docs.append(entity("Credential", cred, spec or None))
    for model in models:
        spec: dict[str, Any] = {}
        if draw(st.booleans()):
            spec["version"] = draw(st.sampled_from(["1.0", "2.3.0", "2024-06"]))
        if draw(st.booleans()):
            spec["lifecycle"] = draw(st.sampled_from(LIFECYCLES))
        if draw(st.booleans()):
            spec["risk_tier"] = draw(st.sampled_from(["high", "medium", "low"]))
        if vendors and draw(st.booleans()):
            spec["provider"] = f"vendor:{draw(st.sampled_from(vendors))}"
        if datasets:
            spec["training_data"] = [f"dataset:{d}" for d in subset(draw, datasets)]
        if tools and draw(st.booleans()):
            spec["tools"] = [{"tool": f"tool:{t}",
                              "permissions": subset(draw, ["read", "write"], 2)}
                             for t in subset(draw, tools, 2)]
        if creds:
            spec["credentials"] = [f"credential:{c}" for c in subset(draw, creds, 2)]
        if draw(st.booleans()):
            logging = {key: draw(st.booleans()) for key in subset(draw, list(LOGGING_KEYS), 5)}
            if stores and draw(st.booleans()):
                logging["store"] = f"datastore:{draw(st.sampled_from(stores))}"
            spec["logging"] = logging
        docs.append(entity("Model", model, spec or None, draw(owner)))
    return docs


def write(root: Path, docs: list[dict[str, Any]], groups: list[list[int]]) -> Path:
    """A project whose inventory holds ``docs`` split into files as ``groups`` says."""
    root.mkdir(parents=True)
    (root / "airready.yaml").write_text("inventory: [inventory]\ncontrols: [builtin]\n"
                                        "reports: null\n")
    folder = root / "inventory"
    folder.mkdir()
    for number, group in enumerate(groups):
        text = "---\n".join(yaml.safe_dump(docs[i], sort_keys=False) for i in group)
        (folder / f"part-{number:02d}.yaml").write_text(text)
    return root


def cli(capsys: Any, root: Path, *args: str) -> Any:
    return run(capsys, *args, "--project", root, env={"AIRREADY_TODAY": TODAY})


def without_positions(value: Any) -> Any:
    """Results with where they were written taken out: what must not depend on layout.

    Lists of results are compared as collections: airready lists findings in file and
    line order, as a linter does, and that order follows the layout on purpose.
    """
    if isinstance(value, dict):
        return {k: without_positions(v) for k, v in value.items()
                if k not in ("file", "line", "column")}
    if isinstance(value, list):
        items = [without_positions(v) for v in value]
        if items and all(isinstance(v, dict) for v in items):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True, default=str))
        return items
    return value


def first_difference(got: Any, expected: Any, where: str = "") -> str:
    """Where two results first differ, for the assertion message."""
    if isinstance(got, dict) and isinstance(expected, dict):
        for key in sorted(set(got) | set(expected), key=str):
            if got.get(key) != expected.get(key):
                return first_difference(got.get(key), expected.get(key), f"{where}.{key}")
    if isinstance(got, list | tuple) and isinstance(expected, list | tuple):
        if len(got) != len(expected):
            return f"{where}: {len(got)} items, expected {len(expected)}"
        for index, (a, b) in enumerate(zip(got, expected, strict=True)):
            if a != b:
                return first_difference(a, b, f"{where}[{index}]")
    return f"{where}: {got!r:.500} != {expected!r:.500}"


def results(capsys: Any, root: Path) -> tuple[Any, Any]:
    check = cli(capsys, root, "check", "--format", "json", "--fail-on", "none")
    assert check.code == 0, check.err
    card = cli(capsys, root, "scorecard", "--format", "json")
    assert card.code == 0, card.err
    findings = json.loads(check.out)
    findings.pop("today", None)
    return without_positions(findings), without_positions(json.loads(card.out))


def splits(draw: Any, count: int) -> list[list[int]]:
    order = draw(st.permutations(list(range(count))))
    cuts = sorted(draw(st.lists(st.integers(1, max(count - 1, 1)), max_size=4, unique=True)))
    groups, start = [], 0
    for cut in [*cuts, count]:
        if cut > start:
            groups.append(list(order[start:cut]))
            start = cut
    return groups


@PROPERTY
@given(docs=estates())
def test_no_command_crashes_on_a_valid_inventory(tmp_path_factory, capsys, docs):
    root = write(tmp_path_factory.mktemp("estate") / "p", docs, [list(range(len(docs)))])
    model = next(d["metadata"]["name"] for d in docs if d["kind"] == "Model")
    commands = [("validate",), ("check",), ("check", "--format", "sarif"),
                ("check", "--format", "junit"), ("check", "--format", "github"),
                ("check", "--format", "markdown"), ("scorecard",),
                ("scorecard", "--format", "markdown"), ("runbook", f"model:{model}"),
                ("blast-radius", f"model:{model}"),
                ("blast-radius", "organization:acme", "--reverse"), ("incidents",),
                ("controls", "list")]
    for command in commands:
        result = cli(capsys, root, *command)
        assert result.code in (0, 1), (command, result.out[-3000:], result.err[-3000:])
        assert "Traceback" not in result.err and "internal error" not in result.err


@PROPERTY
@given(docs=estates(), data=st.data())
def test_results_depend_neither_on_file_order_nor_on_the_split(tmp_path_factory, capsys, docs,
                                                              data):
    base = tmp_path_factory.mktemp("split")
    one = write(base / "one", docs, [list(range(len(docs)))])
    each = write(base / "each", docs, [[i] for i in range(len(docs))])
    shuffled = write(base / "shuffled", docs, splits(data.draw, len(docs)))
    expected = results(capsys, one)
    for other in (each, shuffled):
        got = results(capsys, other)
        assert got == expected, first_difference(got, expected)


@PROPERTY
@given(docs=estates())
def test_output_is_the_same_every_run(tmp_path_factory, capsys, docs):
    groups = [list(range(len(docs)))]
    random.Random(len(docs)).shuffle(groups[0])
    root = write(tmp_path_factory.mktemp("again") / "p", docs, groups)
    for command in (("check", "--format", "json"), ("check",), ("scorecard", "--format", "json"),
                    ("check", "--format", "sarif")):
        first, second = cli(capsys, root, *command), cli(capsys, root, *command)
        assert (first.code, first.out) == (second.code, second.out), command


def _spans(root: Path, file: str) -> list[Any]:
    return list(yaml.compose_all((root / file).read_text()))


def _lines(node: Any) -> tuple[int, int]:
    """First and last line (1-based) a node's text occupies."""
    end = node.end_mark
    last = end.line + (1 if end.column > 0 else 0)  # block nodes end at the next line's start
    return node.start_mark.line + 1, max(node.start_mark.line + 1, last)


def _nearest(document: Any, path: list[Any]) -> tuple[Any, Any]:
    """The key and value nodes of the deepest part of ``path`` written in the document."""
    key, node = None, document
    for step in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(step)), None)
            if pair is None:
                break
            key, node = pair
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and (
                step < len(node.value)):
            node = node.value[step]
        else:
            break
    return key, node


@PROPERTY
@given(docs=estates(), data=st.data())
def test_a_failing_finding_points_inside_the_field_it_names(tmp_path_factory, capsys, docs,
                                                           data):
    root = write(tmp_path_factory.mktemp("where") / "p", docs, splits(data.draw, len(docs)))
    check = cli(capsys, root, "check", "--format", "json", "--fail-on", "none")
    for finding in json.loads(check.out)["findings"]:
        if finding["state"] != "fail":
            continue
        line = finding["line"]
        document = next((d for d in _spans(root, finding["file"])
                         if _lines(d)[0] <= line <= _lines(d)[1]), None)
        assert document is not None, finding
        path = [int(p) if p.isdigit() else p for p in (finding["path"] or "").split(".") if p]
        key, node = _nearest(document, path)
        first = (key or node).start_mark.line + 1
        last = _lines(node)[1]
        assert first <= line <= last, (finding, first, last)
        if key is not None and node is not document and len(path) and key.value == path[-1]:
            # the field itself is written: the finding sits on its key's line or in its value
            assert line in (key.start_mark.line + 1, node.start_mark.line + 1) or (
                first <= line <= last), finding
