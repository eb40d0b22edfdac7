"""JSON Schema for each spec kind, generated from the models (never written by hand)."""

from __future__ import annotations

import json
from typing import Any

from manifestgen.spec.json_schema import tidy
from manifestgen.spec.parse import SPEC_KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_file_name(kind: str) -> str:
    return f"{kind.lower()}.schema.json"


def schema_for(kind: str) -> dict[str, Any]:
    model = SPEC_KINDS[kind]
    schema = tidy(model.model_json_schema(by_alias=True, mode="validation"))
    return {"$schema": SCHEMA_DIALECT, "$id": schema_file_name(kind), **schema}


def schema_files() -> dict[str, bytes]:
    """File name → canonical JSON bytes, for `schemas/`: the spec kinds, and the shape
    of `--format json` output."""
    from manifestgen.plan.json_doc import PLAN_SCHEMA_FILE, plan_schema_bytes
    from manifestgen.report.json_shape import SCHEMA_FILE, output_schema_bytes

    return {
        **{
            schema_file_name(kind): (
                json.dumps(schema_for(kind), indent=2, sort_keys=True) + "\n"
            ).encode()
            for kind in sorted(SPEC_KINDS)
        },
        SCHEMA_FILE: output_schema_bytes(),
        PLAN_SCHEMA_FILE: plan_schema_bytes(),
    }
