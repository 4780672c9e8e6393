"""A bounded fuzz run of the loader and of the check language, with a fixed seed.

Inputs are mutated from real ones (the example's inventory files and the builtin
controls' checks): bytes flipped, cut, repeated, YAML punctuation thrown in; values,
operators and paths of a check swapped.  The loader must never raise (a problem with a
line and a column instead); compiling a check may raise only ``ConditionError``, and
evaluating it only ``EvaluationError``.

CI runs a few hundred cases (seconds).  Before a release, run more:
``AIRREADY_FUZZ_RUNS=20000 AIRREADY_FUZZ_SEED=7 python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from sharedkit import REPO

from airready.audit import load_all
from airready.inventory.config import load_project
from airready.inventory.validate import build_inventory
from airready.inventory.yamlsource import parse_text
from airready.rules.conditions import (
    ConditionError,
    Context,
    EvaluationError,
    Scope,
    compile_condition,
)

RUNS = int(os.environ.get("AIRREADY_FUZZ_RUNS", "2000"))
SEED = int(os.environ.get("AIRREADY_FUZZ_SEED", "20261125"))
YAML_BITS = [b"{", b"}", b"[", b"]", b"&a ", b"*a", b"!!", b"!x ", b"|", b">-", b": ", b"- ",
             b"#", b"'", b'"', b"\t", b"\r", b"\n", b"---\n", b"...\n", b"<<: *a\n", b"? ",
             b"%YAML 1.1\n", b"\xef\xbb\xbf", b"\xff", b"\x00", b"\\u", b"9999-99-99",
             b"1e999", b"0x", b"~", b"@", b"`", b"\xe2\x80\xae", b"  " * 40]


def corpus() -> list[bytes]:
    files = sorted((REPO / "inventory").rglob("*.yaml"))[:30]
    files += sorted((REPO / "tests" / "cases").rglob("*.yaml"))[:30]
    return [path.read_bytes() for path in files]


def mutate(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 6)):
        if not data:
            data = rng.choice(YAML_BITS)
            continue
        at = rng.randrange(len(data))
        choice = rng.random()
        if choice < 0.25:
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
        elif choice < 0.5:
            data = data[:at] + rng.choice(YAML_BITS) + data[at:]
        elif choice < 0.65:
            data = data[:at] + data[at + rng.randint(1, 40):]
        elif choice < 0.8:
            end = min(len(data), at + rng.randint(1, 200))
            data = data[:end] + data[at:end] * rng.randint(1, 20) + data[end:]
        elif choice < 0.9:
            data = data[:at]
        else:
            data = data[:at] + rng.choice(YAML_BITS) * rng.randint(50, 400) + data[at:]
    return data


def test_the_loader_never_raises_on_mutated_input():
    rng = random.Random(SEED)
    seeds = corpus()
    assert seeds
    for run in range(RUNS):
        data = mutate(rng.choice(seeds), rng)
        try:
            docs, problems = parse_text(data, "fuzz.yaml")
            for problem in problems:
                assert problem.line >= 1 and problem.column >= 1, problem
                assert problem.file == "fuzz.yaml"
            build_inventory(docs)  # the schema checks on whatever did parse
        except Exception as exc:  # pragma: no cover - a finding of the fuzz run
            pytest.fail(f"run {run} (seed {SEED}): {type(exc).__name__}: {exc}\n"
                        f"input: {data[:2000]!r}")


VALUES: list[Any] = [None, True, False, 0, -1, 1.5, 10**30, "", "x", "spec.version", "*",
                     "P90D", "9999999999d", "(", "[a-", [], [1, "a"], {}, {"a": 1},
                     dt.date(2026, 1, 1), dt.date(9000, 12, 31), "spec.*.x", "a..b",
                     "spec.timeline.detected + PT1H", {"path": "spec", "exists": True}]
OPERATORS = ["exists", "equals", "not_equals", "in", "not_in", "min", "max", "count_min",
             "count_max", "matches", "within", "older_than", "after_today", "contains",
             "contains_all", "duration_max", "regulatory_on_time", "each", "some", "ref",
             "quantifier", "if_empty", "all", "any", "if", "then", "else", "not", "org",
             "query", "path", "no_later_than"]


def _nodes(value: Any) -> list[tuple[Any, Any]]:
    """(container, key or index) for every place in a check where a value sits."""
    places: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            places.append((value, key))
            places += _nodes(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            places.append((value, index))
            places += _nodes(item)
    return places


def mutate_check(check: Any, rng: random.Random, donors: list[Any]) -> Any:
    check = copy.deepcopy(check)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):  # mostly near misses, which compile
        places = _nodes(check)
        if not places:
            return rng.choice(VALUES)
        container, key = rng.choice(places)
        choice = rng.random()
        if choice < 0.4:
            container[key] = copy.deepcopy(rng.choice(VALUES))
        elif choice < 0.6 and isinstance(container, dict):
            container[rng.choice(OPERATORS)] = container.pop(key)
        elif choice < 0.75:
            container[key] = copy.deepcopy(rng.choice(donors))
        elif choice < 0.85 and isinstance(container, dict):
            container.pop(key)
        elif isinstance(container, dict):
            container[rng.choice(OPERATORS)] = copy.deepcopy(rng.choice(VALUES))
        else:
            container.append(copy.deepcopy(rng.choice(donors)))
    return check


@pytest.fixture(scope="module")
def estate() -> Any:
    return load_all(load_project(REPO, REPO)).inventory


def builtin_checks() -> list[Any]:
    checks = []
    for path in sorted((REPO / "airready" / "catalog").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                checks += [doc[key] for key in ("check",) if key in doc]
                where = (doc.get("applies_to") or {}).get("where")
                if where:
                    checks.append(where)
    return checks


def test_the_check_language_raises_only_its_own_errors(estate):
    rng = random.Random(SEED)
    donors = builtin_checks()
    assert len(donors) > 20
    entities = sorted(estate.entities.values(), key=lambda e: e.ref)
    today = dt.date(2026, 11, 25)
    for run in range(RUNS):
        check = mutate_check(rng.choice(donors), rng, donors)
        try:
            condition = compile_condition(check, ("check",))
        except ConditionError:
            continue
        except Exception as exc:  # pragma: no cover - a finding of the fuzz run
            pytest.fail(f"run {run} (seed {SEED}): compiling {check!r} raised "
                        f"{type(exc).__name__}: {exc}")
        shared: dict[Any, Any] = {}
        for entity in rng.sample(entities, min(8, len(entities))):
            try:
                outcome = condition(Scope(entity, entity.ref, ()),
                                    Context(estate, today, entity.ref, shared))
                assert isinstance(outcome.ok, bool)
                assert isinstance(outcome.evidence, str)
                estate.locate(outcome.ref, outcome.path)
            except EvaluationError:
                continue
            except Exception as exc:  # pragma: no cover - a finding of the fuzz run
                pytest.fail(f"run {run} (seed {SEED}): {check!r} on {entity.ref} raised "
                            f"{type(exc).__name__}: {exc}")


def test_the_corpus_is_real(tmp_path: Path):
    """The fuzz run starts from inputs that load cleanly, so mutations are near misses."""
    clean = [parse_text(data, "seed.yaml") for data in corpus()[:5]]
    assert all(docs and not problems for docs, problems in clean)
