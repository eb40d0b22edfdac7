"""Turn a CRD version's `openAPIV3Schema` into a strict JSON Schema (draft 2020-12).

The API server prunes fields a structural schema does not declare, so a typo in a custom
resource silently disappears in production. Here we close every object that the API
server would prune (`additionalProperties: false`), keep the ones it would keep open
(`x-kubernetes-preserve-unknown-fields`), and translate the Kubernetes extensions into
plain JSON Schema so that jsonschema-rs can compile the result.

CEL rules (`x-kubernetes-validations`) are dropped here: `check/cel.py` evaluates them
against the raw schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from manifestgen.check.kubernetes import CHECKED_FORMATS, OBJECT_META
from manifestgen.check.patterns import translate_re2
from manifestgen.check.schemautil import keywords_on_path, map_schema

# Bump when the prepared form changes: it is part of the key of any persistent cache.
PREPARE_VERSION = "1"

_DROPPED = frozenset({"description", "default", "example", "externalDocs", "title"})
_JUNCTORS = frozenset({"allOf", "anyOf", "oneOf", "not"})


@dataclass(frozen=True)
class PreparedSchema:
    """A strict, self-contained schema and what happened to the CRD's regex patterns."""

    schema: Mapping[str, Any]
    translated_patterns: tuple[str, ...] = ()
    skipped_patterns: tuple[str, ...] = ()


def strict_crd_schema(
    raw: Mapping[str, Any],
    *,
    label: str,
    object_meta_defs: Mapping[str, Any],
    pattern_supported: Callable[[str], bool],
) -> PreparedSchema:
    """Prepare one CRD version's schema for compilation.

    `label` names the CRD version in pattern reports ("<crd name>/<version>"),
    `object_meta_defs` are the Kubernetes definitions ObjectMeta needs (the root
    `metadata` is validated as the API server would), and `pattern_supported` tells
    whether the validation engine compiles a (translated) pattern.
    """
    rewrite = _Strictifier(label, pattern_supported)
    root: dict[str, Any] = map_schema(raw, rewrite)
    root["properties"] = _with_resource_fields(root.get("properties"))
    root["$defs"] = {**object_meta_defs, **root.get("$defs", {})}
    return PreparedSchema(root, tuple(rewrite.translated), tuple(rewrite.skipped))


class _Strictifier:
    def __init__(self, label: str, pattern_supported: Callable[[str], bool]) -> None:
        self.label = label
        self.pattern_supported = pattern_supported
        self.translated: list[str] = []
        self.skipped: list[str] = []

    def __call__(self, node: dict[str, Any], pointer: str) -> dict[str, Any]:
        flags = {key: node.get(key) is True for key in node if key.startswith("x-kubernetes-")}
        nullable = node.get("nullable") is True
        out = {key: value for key, value in node.items() if _kept(key, value)}
        if flags.get("x-kubernetes-int-or-string"):
            _int_or_string(out)
        if nullable:
            _nullable(out)
        if "pattern" in out:
            self._pattern(out, pointer)
        if flags.get("x-kubernetes-embedded-resource"):
            out["properties"] = _with_resource_fields(out.get("properties"))
        if not flags.get("x-kubernetes-preserve-unknown-fields") and _closable(out, pointer):
            out["additionalProperties"] = False
        return out

    def _pattern(self, node: dict[str, Any], pointer: str) -> None:
        original = node["pattern"]
        if not isinstance(original, str):
            del node["pattern"]
            return
        translated = translate_re2(original)
        if translated is None or not self.pattern_supported(translated):
            # Keep the rest of the schema: one unchecked pattern beats an unusable CRD.
            del node["pattern"]
            self.skipped.append(f"{self.label}: {pointer or '/'}: {original}")
        elif translated != original:
            node["pattern"] = translated
            self.translated.append(f"{self.label}: {pointer or '/'}: {original} -> {translated}")


def _with_resource_fields(properties: Any) -> dict[str, Any]:
    # The API server validates `metadata` of a resource (the root, or an embedded one) as
    # ObjectMeta whatever the CRD declares; CRDs usually say only `type: object`. The one
    # thing a CRD may add is a restriction of `name` / `generateName`, which we keep.
    fields = dict(properties) if isinstance(properties, Mapping) else {}
    fields.setdefault("apiVersion", {"type": "string"})
    fields.setdefault("kind", {"type": "string"})
    metadata: dict[str, Any] = {"$ref": f"#/$defs/{OBJECT_META}"}
    declared = fields.get("metadata")
    declared_fields = declared.get("properties") if isinstance(declared, Mapping) else None
    if isinstance(declared_fields, Mapping):
        limits = {k: v for k, v in declared_fields.items() if k in ("name", "generateName")}
        if limits:
            metadata["properties"] = limits
    fields["metadata"] = metadata
    return fields


def _kept(key: str, value: Any) -> bool:
    if key in _DROPPED or key == "nullable" or key.startswith("x-kubernetes-"):
        return False
    return key != "format" or value in CHECKED_FORMATS


def _closable(node: Mapping[str, Any], pointer: str) -> bool:
    # Objects the API server would prune: they declare properties, or are typed `object`
    # with nothing else (only an empty object survives pruning). Branches of anyOf/allOf/
    # oneOf/not only add constraints to the object they belong to, so closing them would
    # reject that object's other fields.
    if "additionalProperties" in node:
        return False
    declared = node.get("type")
    typed_object = declared == "object" or (isinstance(declared, list) and "object" in declared)
    if "properties" not in node and not typed_object:
        return False
    return not _JUNCTORS.intersection(keywords_on_path(pointer))


def _int_or_string(node: dict[str, Any]) -> None:
    branches = node.get("anyOf")
    if isinstance(branches, list) and all(
        isinstance(b, Mapping) and set(b) <= {"type"} for b in branches
    ):
        del node["anyOf"]
    node["type"] = ["integer", "string"]


def _nullable(node: dict[str, Any]) -> None:
    declared = node.get("type")
    if isinstance(declared, str):
        node["type"] = [declared, "null"]
    elif isinstance(declared, list) and "null" not in declared:
        node["type"] = [*declared, "null"]
    enum = node.get("enum")
    if isinstance(enum, list) and None not in enum:
        node["enum"] = [*enum, None]
