"""The spec reference in the README, rendered from the JSON Schema so it cannot drift."""

from __future__ import annotations

from typing import Any

from manifestgen.spec.parse import SPEC_KINDS
from manifestgen.spec.schema_export import schema_for
from manifestgen.spec.training import TrainingJobSpec
from manifestgen.workloads import WORKLOADS

BEGIN = "<!-- BEGIN GENERATED SPEC REFERENCE (manifestgen schema --reference) -->"
END = "<!-- END GENERATED SPEC REFERENCE -->"


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        return _ref_name(prop["$ref"])
    if "anyOf" in prop or "oneOf" in prop:
        members = prop.get("anyOf", prop.get("oneOf", []))
        return " or ".join(_type(p, defs) for p in members if p.get("type") != "null")
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}), defs)}"
    if kind == "object" and isinstance(prop.get("additionalProperties"), dict):
        return f"map of {_type(prop['additionalProperties'], defs)}"
    if kind == "object" and prop.get("patternProperties"):
        (value,) = prop["patternProperties"].values()
        return f"map of name → {_type(value, defs)}"
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def _ref_name(ref: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    return f"[{name}](#{name.lower()})"


def _constraints(prop: dict[str, Any]) -> str:
    parts = []
    for key, label in (
        ("minimum", "≥"),
        ("maximum", "≤"),
        ("exclusiveMinimum", ">"),
        ("exclusiveMaximum", "<"),
        ("minLength", "min length "),
        ("maxLength", "max length "),
        ("minItems", "min items "),
    ):
        if key in prop:
            parts.append(f"{label}{prop[key]}")
    return ", ".join(parts)


def _table(title: str, schema: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    lines = [f"#### `{title}`", ""]
    if schema.get("description"):
        lines += [" ".join(schema["description"].split()), ""]
    lines += ["| field | type | required | default | description |", "|---|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        inner = next((p for p in prop.get("anyOf", []) if p.get("type") != "null"), prop)
        default = (
            f"`{prop['default']}`" if "default" in prop and prop["default"] not in ({}, []) else ""
        )
        description = " ".join(str(prop.get("description", "")).split())
        limits = _constraints(inner)
        if limits:
            description = f"{description} ({limits})" if description else limits
        lines.append(
            f"| `{name}` | {_type(prop, defs)} | {'yes' if name in required else ''} "
            f"| {default} | {description} |"
        )
    return [*lines, ""]


def _shared_fields() -> set[str]:
    """The YAML names of the fields every workload's spec has (framework aside)."""
    return {
        info.alias or name
        for name, info in TrainingJobSpec.model_fields.items()
        if name != "framework"
    }


def _part(schema: dict[str, Any], fields: set[str], keep: bool) -> dict[str, Any]:
    properties = {k: v for k, v in schema.get("properties", {}).items() if (k in fields) == keep}
    required = [r for r in schema.get("required", []) if r in properties]
    return {"properties": properties, "required": required}


def _workload_tables(defs: dict[str, Any]) -> tuple[list[str], set[str]]:
    """The fields all workloads share, once, then each workload's own fields."""
    variants = [w.spec_model.__name__ for w in WORKLOADS.values()]
    shared = _shared_fields()
    first = defs[variants[0]]
    lines = _table("TrainingJobSpec", _part(first, shared, keep=True), defs)
    lines[2:2] = [
        "Fields every `framework` takes; each framework's own fields follow.",
        "",
    ]
    for workload in sorted(WORKLOADS.values(), key=lambda w: w.framework):
        name = workload.spec_model.__name__
        own = {**_part(defs[name], shared, keep=False), "description": workload.summary}
        lines += _table(name, own, defs)
    return lines, set(variants)


def render_reference() -> str:
    lines = [BEGIN, ""]
    shown: set[str] = set()
    for kind in SPEC_KINDS:
        schema = schema_for(kind)
        defs = schema.get("$defs", {})
        lines += [f"### {kind}", ""]
        lines += _table(kind, schema, defs)
        if kind == "TrainingJob":
            tables, done = _workload_tables(defs)
            lines += tables
            shown |= done
        for name in sorted(set(defs) - shown):  # shared parts (Metadata) appear once
            lines += _table(name, defs[name], defs)
        shown |= set(defs)
    return "\n".join([*lines, END])
