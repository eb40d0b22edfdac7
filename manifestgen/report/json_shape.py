"""The one JSON document every command writes with `--format json`, and its JSON Schema.

`build`, `check`, `validate` and `verify` share the envelope and the diagnostic entry;
only `summary` (and verify's `resources`) differ by command. `schemaVersion` changes
only when a field is removed or changes meaning; new fields may appear within a version.
The schema is committed as schemas/output.schema.json and tests validate real output
against it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from manifestgen.errors import Diagnostic, Severity

SCHEMA_VERSION = 1
SCHEMA_FILE = "output.schema.json"


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    loc = d.location
    return {
        "code": d.code,
        "severity": d.severity.value,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "field": d.field,
        "message": d.message,
        "hint": d.hint,
        "related": [
            {
                "path": r.location.path,
                "line": r.location.line,
                "column": r.location.column,
                "message": r.message,
            }
            for r in d.related
        ],
    }


def severity_counts(diagnostics: Iterable[Diagnostic]) -> dict[str, int]:
    found = [d.severity for d in diagnostics]
    return {
        "errors": found.count(Severity.ERROR),
        "warnings": found.count(Severity.WARNING),
        "notes": found.count(Severity.NOTE),
    }


def render_document(
    command: str,
    diagnostics: tuple[Diagnostic, ...],
    summary: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The document: `ok` is true when no diagnostic is an error."""
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "command": command,
        "ok": not any(d.is_error for d in diagnostics),
        "diagnostics": [diagnostic_json(d) for d in diagnostics],
        "summary": {**severity_counts(diagnostics), **summary},
        **(extra or {}),
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _integer(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "description": description}


def _strings(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description}


_LOCATION = {
    "path": {
        "type": "string",
        "description": "File as the caller names it ('' for the whole run).",
    },
    "line": _integer("1-based line; 0 when the whole file is meant or it is unknown."),
    "column": _integer("1-based column; 0 with line 0."),
}
_DIAGNOSTIC = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "pattern": "^MG[0-9]{3}$", "description": "Stable code."},
        "severity": {"enum": [s.value for s in Severity]},
        **_LOCATION,
        "field": {"type": "string", "description": "Field path ('' when none)."},
        "message": {"type": "string", "minLength": 1},
        "hint": {"type": "string", "description": "How to fix it ('' when none)."},
        "related": {
            "type": "array",
            "description": "Related locations, e.g. the generated file or the object.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path", "line", "column", "message"],
                "properties": {**_LOCATION, "message": {"type": "string"}},
            },
        },
    },
}
_KIND_COUNTS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["resources", "valid", "invalid", "skipped"],
    "properties": {
        key: _integer(f"{key} resources") for key in ("resources", "valid", "invalid", "skipped")
    },
}
_SUMMARY_PROPERTIES: dict[str, Any] = {
    "errors": _integer("Diagnostics of severity error."),
    "warnings": _integer("Diagnostics of severity warning."),
    "notes": _integer("Diagnostics of severity note."),
    "specFiles": _integer("build/check/validate: spec files read."),
    "objects": _integer("build/check/validate: objects generated."),
    "files": _integer("Files generated (build/check/validate) or read (verify)."),
    "written": _strings("build: files written under out/."),
    "removed": _strings("build: files removed from out/."),
    "kubernetesVersion": {"type": "string", "description": "verify: schemas used."},
    "crds": _strings("verify: CRD locations, in priority order."),
    "fileErrors": _integer("verify: files that could not be read."),
    "total": _KIND_COUNTS,
    "kinds": {"type": "object", "additionalProperties": _KIND_COUNTS},
}
_BUILD_SUMMARY = ["specFiles", "objects", "files", "written", "removed"]
_VERIFY_SUMMARY = ["kubernetesVersion", "crds", "files", "fileErrors", "total", "kinds"]
_RESOURCE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "path": {"type": "string"},
        "document": {"type": "integer", "minimum": 1, "description": "1-based document."},
        "item": {"type": ["integer", "null"], "description": "Index in a List's items."},
        "line": _integer("Line where the object starts (known for objects with findings)."),
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "name": {"type": "string"},
        "status": {"enum": ["valid", "invalid", "skipped"]},
        "schema": {"type": "string", "description": "What it was checked against."},
        "notes": _strings("Why it was skipped; checks that were not made."),
    },
}


# Every field of an entry is always present (empty when it does not apply).
for _entry in (_DIAGNOSTIC, _RESOURCE):
    _entry["required"] = list(_entry["properties"])  # type: ignore[call-overload]
# The diagnostic entry, for documents of other shapes (the plan's) that share it.
DIAGNOSTIC_SCHEMA = _DIAGNOSTIC


def _summary_requiring(keys: list[str]) -> dict[str, Any]:
    return {"properties": {"summary": {"required": keys}}}


OUTPUT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_FILE,
    "title": "manifestgen --format json",
    "description": "What build, check, validate and verify write with --format json.",
    "type": "object",
    "additionalProperties": False,
    "required": ["schemaVersion", "command", "ok", "diagnostics", "summary"],
    "properties": {
        "schemaVersion": {"const": SCHEMA_VERSION},
        "command": {"enum": ["build", "check", "validate", "verify"]},
        "ok": {"type": "boolean", "description": "True when no diagnostic is an error."},
        "diagnostics": {"type": "array", "items": _DIAGNOSTIC},
        "summary": {
            "type": "object",
            "additionalProperties": False,
            "required": ["errors", "warnings", "notes"],
            "properties": _SUMMARY_PROPERTIES,
        },
        "resources": {
            "type": "array",
            "items": _RESOURCE,
            "description": "verify: every object and its verdict, in input order.",
        },
    },
    "if": {"properties": {"command": {"const": "verify"}}},
    "then": {"required": ["resources"], **_summary_requiring(_VERIFY_SUMMARY)},
    "else": {"not": {"required": ["resources"]}, **_summary_requiring(_BUILD_SUMMARY)},
}


def output_schema_bytes() -> bytes:
    return (json.dumps(OUTPUT_SCHEMA, indent=2, sort_keys=True) + "\n").encode()
