"""The JSON Schemas: the shipped copies match the models, and they are sound schemas.

When a test here fails after a change to the format (kinds.py, fields.py), regenerate
the shipped copies with ``airready schema --out airready/schemas`` and commit them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from airready.inventory.kinds import KINDS
from airready.inventory.schema_export import (
    COMBINED_NAME,
    SHIPPED_DIR,
    all_schemas,
    combined_schema,
    dumps,
)
from airready.inventory.yamlsource import load_file, plain

SCHEMAS = all_schemas()
CASES = Path(__file__).parent / "cases"
FIX = "regenerate them: airready schema --out airready/schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_shipped_schema_matches_the_models(name: str) -> None:
    shipped = SHIPPED_DIR / name
    assert shipped.is_file(), f"airready/schemas/{name} is missing: {FIX}"
    assert shipped.read_text(encoding="utf-8") == dumps(SCHEMAS[name]), (
        f"airready/schemas/{name} has drifted from the models: {FIX}")


def test_no_stale_shipped_schemas() -> None:
    shipped = sorted(p.name for p in SHIPPED_DIR.glob("*.json"))
    assert shipped == sorted(SCHEMAS), f"airready/schemas/ holds other files than expected: {FIX}"


def test_one_schema_per_kind_and_the_combined_one() -> None:
    assert sorted(SCHEMAS) == sorted([f"{kind}.schema.json" for kind in KINDS] + [COMBINED_NAME])


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_valid_json_schema(name: str) -> None:
    schema = json.loads(dumps(SCHEMAS[name]))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(name)


VALIDATOR = Draft202012Validator(combined_schema())

MODEL: dict[str, Any] = {
    "apiVersion": "airready/v1",
    "kind": "Model",
    "metadata": {"name": "support-bot", "owner": "team:support-ml",
                 "labels": {"tier": "gold"}},
    "spec": {
        "version": "2.3.0",
        "lifecycle": "production",
        "training_data": ["dataset:tickets"],
        "tools": [{"tool": "tool:search", "permissions": ["read"]}],
        "logging": {"inputs": True, "store": "datastore:ai-logs", "retention_days": 365},
        "rollback": {"last_tested": "2026-09-15", "target_minutes": 15},
    },
}


def errors(document: dict[str, Any]) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(document)]


def test_a_valid_entity_validates() -> None:
    assert errors(MODEL) == []


def test_an_unknown_field_fails() -> None:
    bad = {**MODEL, "spec": {**MODEL["spec"], "rolback": {}}}
    assert any("rolback" in message for message in errors(bad))


@pytest.mark.parametrize(("change", "where"), [
    ({"kind": "Modle"}, "kind"),
    ({"apiVersion": "airready/v2"}, "apiVersion"),
    ({"metadata": {"name": "Support_Bot", "owner": "team:x"}}, "name"),
    ({"metadata": {"name": "bot", "owner": "ada"}}, "owner"),
    ({"spec": {"lifecycle": "prodution"}}, "lifecycle"),
    ({"spec": {"provider": "model:gpt"}}, "provider"),
    ({"spec": {"version": 1.1}}, "version"),
])
def test_invalid_entities_fail(change: dict[str, Any], where: str) -> None:
    bad = {**MODEL, **change}
    found = list(VALIDATOR.iter_errors(bad))
    assert found, change
    assert any(where in json.dumps(list(error.absolute_path)) + error.message
               for error in found for error in [error, *(error.context or [])]), found


def test_missing_envelope_fails() -> None:
    assert errors({"kind": "Model"}) != []
    assert errors({"apiVersion": "airready/v1", "kind": "Model"}) != []


def _documents(group: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for folder in sorted((CASES / group).iterdir()):
        for path in sorted((folder / "inventory").rglob("*.y*ml")):
            docs, problems = load_file(path, path.name)
            found += [(f"{folder.name}/{path.name}", plain(d.data)) for d in docs]
    return found


@pytest.mark.parametrize(("where", "document"), _documents("valid"),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_every_valid_case_document_fits_the_schema(where: str, document: dict[str, Any]) -> None:
    # Editors check files with these schemas: what airready accepts, they must accept too.
    assert errors(document) == []
