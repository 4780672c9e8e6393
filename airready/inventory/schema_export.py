"""JSON Schemas of the inventory kinds, generated from the pydantic models.

The package ships them (airready/schemas/) so editors can autocomplete without
running airready; tests fail when the shipped copies drift from the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from .kinds import ENTITY_CLASS, KINDS

SHIPPED_DIR = Path(__file__).parent.parent / "schemas"
COMBINED_NAME = "airready.schema.json"
SCHEMA_ID = "https://airready.dev/schemas/v1/"


def combined_schema() -> dict[str, Any]:
    """One schema for any entity document, dispatching on ``kind``."""
    keys, top = models_json_schema([(ENTITY_CLASS[k], "validation") for k in KINDS],
                                   title="airready inventory entity")
    defs = top["$defs"]
    branches = []
    for kind in KINDS:
        ref = keys[(ENTITY_CLASS[kind], "validation")]["$ref"]
        branches.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                         "then": {"$ref": ref}})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID + COMBINED_NAME,
        "title": "airready inventory entity",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata"],
        "properties": {"apiVersion": {"const": "airready/v1"}, "kind": {"enum": list(KINDS)}},
        "allOf": branches,
        "$defs": defs,
    }


def kind_schema(kind: str) -> dict[str, Any]:
    schema = ENTITY_CLASS[kind].model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_ID + f"{kind}.schema.json", **schema}


def all_schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema, for every file that ``airready schema --out`` writes."""
    files = {f"{kind}.schema.json": kind_schema(kind) for kind in KINDS}
    files[COMBINED_NAME] = combined_schema()
    return files


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
