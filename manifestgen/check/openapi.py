"""Schemas from an operator's OpenAPI document, for CRDs that publish none.

Katib's Experiment CRD is `{type: object, x-kubernetes-preserve-unknown-fields: true}`:
the API server accepts anything, and Katib's controller decodes the object into its Go
types, dropping what it does not know, so a typo'd field is silently lost. Katib
publishes its types in an OpenAPI 3 document (`api/openapi-spec/swagger.json`); placed
beside the CRD in a configured location, it is what such a kind is checked against.

A document's schema serves a kind when it carries `x-kubernetes-group-version-kind` for
it, or else when it is the only schema named `<version>.<Kind>` (Katib's naming) in the
documents found. The schema is made strict the way CRD schemas are: an object with
declared properties admits no other field (`additionalProperties: false`), while maps
and `Unstructured` (a trial template) stay open.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manifestgen.check.crds import GroupVersionKind, crd_files
from manifestgen.check.problems import CrdLoadError

_REF_PREFIXES = ("#/components/schemas/", "#/definitions/")
_GVK_KEY = "x-kubernetes-group-version-kind"
# Keywords that carry subschemas; everything else that is kept is a plain assertion.
_KEPT = frozenset({"type", "enum", "required", "minimum", "maximum", "pattern"})


@dataclass(frozen=True)
class OpenApiDocument:
    source: str
    schemas: Mapping[str, Any]


def load_openapi_documents(locations: Sequence[Path]) -> list[OpenApiDocument]:
    """Every OpenAPI 3 (or Swagger 2) JSON document under `locations`, in a stable order."""
    found: list[OpenApiDocument] = []
    for path in crd_files(locations):
        if path.suffix != ".json":
            continue
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError) as error:
            raise CrdLoadError(path, f"cannot read: {error}") from error
        if not isinstance(data, Mapping) or not ({"openapi", "swagger"} & set(data)):
            continue
        schemas = _schemas_of(data)
        if schemas:
            found.append(OpenApiDocument(str(path), schemas))
    return found


def _schemas_of(data: Mapping[str, Any]) -> Mapping[str, Any]:
    components = data.get("components")
    schemas = components.get("schemas") if isinstance(components, Mapping) else None
    if not isinstance(schemas, Mapping):
        schemas = data.get("definitions")
    return schemas if isinstance(schemas, Mapping) else {}


def _declares(schema: Any, gvk: GroupVersionKind) -> bool:
    entries = schema.get(_GVK_KEY) if isinstance(schema, Mapping) else None
    group, version, kind = gvk
    return isinstance(entries, list) and any(
        isinstance(e, Mapping)
        and (e.get("group"), e.get("version"), e.get("kind")) == (group, version, kind)
        for e in entries
    )


def find_schema(documents: Sequence[OpenApiDocument], gvk: GroupVersionKind) -> tuple[
    OpenApiDocument, str
] | None:  # fmt: skip
    """The document and schema name that describe objects of `gvk`, if exactly one does."""
    declared = [(d, n) for d in documents for n, s in d.schemas.items() if _declares(s, gvk)]
    if declared:
        return declared[0] if len(declared) == 1 else None
    _, version, kind = gvk
    named = [(d, n) for d in documents for n in d.schemas if n == f"{version}.{kind}"]
    return named[0] if len(named) == 1 else None


def strict_schema(document: OpenApiDocument, name: str) -> dict[str, Any]:
    """A Draft 2020-12 schema for objects described by `name`, references kept as $defs."""
    wanted = sorted(_reachable(document.schemas, name))
    defs = {n: _strict(document.schemas[n]) for n in wanted}
    return {"$ref": f"#/$defs/{name}", "$defs": defs}


def _ref_name(ref: Any) -> str | None:
    if not isinstance(ref, str):
        return None
    for prefix in _REF_PREFIXES:
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return None


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        name = _ref_name(node.get("$ref"))
        if name is not None:
            yield name
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _reachable(schemas: Mapping[str, Any], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(_refs(schemas[name]))
    return seen


def _strict(node: Any) -> Any:
    """One schema node: subschemas made strict, documentation and formats dropped."""
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {k: v for k, v in node.items() if k in _KEPT}
    ref = _ref_name(node.get("$ref"))
    if ref is not None:
        out["$ref"] = f"#/$defs/{ref}"
    for key in ("allOf", "oneOf", "anyOf"):
        if isinstance(node.get(key), list):
            out[key] = [_strict(item) for item in node[key]]
    if isinstance(node.get("items"), Mapping):
        out["items"] = _strict(node["items"])
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        out["properties"] = {k: _strict(v) for k, v in properties.items()}
    additional = node.get("additionalProperties")
    if isinstance(additional, Mapping):
        out["additionalProperties"] = _strict(additional)
    elif isinstance(additional, bool):
        out["additionalProperties"] = additional
    elif isinstance(properties, Mapping):
        # Declared fields and no word on others: the Go type has exactly these.
        out["additionalProperties"] = False
    return out
