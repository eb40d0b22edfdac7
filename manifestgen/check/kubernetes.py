"""The Kubernetes JSON schemas that the `kubernetes-validate` package ships as data.

We read the strict variants (`v<X.Y>.0-local-strict/`, `additionalProperties: false`
everywhere) and turn each kind into one self-contained schema: every `$ref` into the
1.4 MB `_definitions.json` is copied into the schema's own `$defs`, so compiling a kind
needs no registry and touches only the definitions that kind reaches.

The package itself is never imported: importing it pulls in the pure-Python jsonschema
stack, which a cold `verify` cannot afford. We only locate its data directory.

Every run needs the same few kinds, and building them (the definitions file parsed, each
reachable definition rewritten) costs more than the rest of a small validate. With a
`KindSchemaCache`, each built schema is kept between runs under a key made of the kind
file's bytes, the definitions file's bytes and this module's code: any change to one of
them is a miss, and the store verifies every entry it reads.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from manifestgen.check import schemautil
from manifestgen.check.schemautil import map_schema
from manifestgen.kube_versions import KubeVersion as KubeVersion
from manifestgen.kube_versions import (
    UnsupportedKubernetesVersionError as UnsupportedKubernetesVersionError,
)
from manifestgen.kube_versions import bundled_versions as bundled_versions
from manifestgen.kube_versions import data_root
from manifestgen.kube_versions import select_version as select_version
from manifestgen.kube_versions import supported_versions as supported_versions

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
POD_TEMPLATE_SPEC = "io.k8s.api.core.v1.PodTemplateSpec"

# Formats we enforce. Others are Go/OpenAPI-specific (int32, int64, byte, double,
# int-or-string) or mean something else in JSON Schema ("duration"): checking them
# with JSON Schema semantics would fail objects the API server accepts.
CHECKED_FORMATS = frozenset({"date-time"})

_ANNOTATION_KEYS = frozenset({"description", "default", "$schema", "$id", "example"})


@runtime_checkable
class KindSchemaCache(Protocol):
    """Where self-contained kind schemas may be kept between runs."""

    def get_kind_schema(self, key: str) -> dict[str, Any] | None:
        """The schema stored under `key`, if any."""

    def put_kind_schema(self, key: str, schema: dict[str, Any]) -> None:
        """Store `schema` under `key`."""


@functools.cache
def _code_digest() -> str:
    """The code that turns the bundled files into self-contained schemas."""
    code = hashlib.sha256()
    for module in (Path(__file__), Path(schemautil.__file__)):
        code.update(module.name.encode() + b"\0" + module.read_bytes())
    return code.hexdigest()


def is_builtin_group(group: str) -> bool:
    """Whether Kubernetes itself could serve `group` (core, `apps`, `*.k8s.io`, ...)."""
    return "." not in group or group.endswith(".k8s.io")


class KubernetesSchemas:
    """Self-contained JSON schemas of one bundled Kubernetes version, built on demand."""

    def __init__(self, version: KubeVersion, cache: KindSchemaCache | None = None) -> None:
        self.version = version
        self._cache = cache
        self.label = f"{version[0]}.{version[1]}"
        self._dir = data_root() / f"v{version[0]}.{version[1]}.0-local-strict"
        # name -> (prepared definition, names of the definitions it references)
        self._prepared: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}

    @functools.cached_property
    def _definitions_bytes(self) -> bytes:
        return (self._dir / "_definitions.json").read_bytes()

    @functools.cached_property
    def _definitions(self) -> Mapping[str, Any]:
        document = json.loads(self._definitions_bytes)
        defs: Mapping[str, Any] = document["$defs"]
        return defs

    @functools.cached_property
    def _bundle_digest(self) -> str:
        """What every built schema depends on besides its own file."""
        bundle = hashlib.sha256(_code_digest().encode())
        bundle.update(self._definitions_bytes)
        return bundle.hexdigest()

    def _built(
        self, name: str, source: bytes, build: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """`build()`, or what the cache holds for the same name, source and bundle."""
        if self._cache is None:
            return build()
        digest = hashlib.sha256(source).hexdigest()
        key = f"kubernetes-{self.label}/{name}/{digest}/{self._bundle_digest}"
        schema = self._cache.get_kind_schema(key)
        if schema is None:
            schema = build()
            self._cache.put_kind_schema(key, schema)
        return schema

    def kind_schema(self, group: str, version: str, kind: str) -> tuple[str, dict[str, Any]] | None:
        """(file stem, self-contained schema) for a built-in kind, or None if not bundled."""
        prefix = f"-{group.split('.')[0]}" if group else ""
        # The names come from the checked object: keep them from walking the file system.
        if not is_builtin_group(group) or not f"{kind}{prefix}{version}".replace("-", "").isalnum():
            return None
        stem = f"{kind.lower()}{prefix}-{version}"
        path = self._dir / f"{stem}.json"
        if not path.is_file():
            return None
        source = path.read_bytes()
        raw = json.loads(source)
        served = raw.get("x-kubernetes-group-version-kind") or []
        # File names drop the group's domain (rbac.authorization.k8s.io -> rbac), so the
        # declared group-version-kind decides: a CRD group such as batch.volcano.sh must
        # not borrow the schema of batch/v1.
        if {"group": group, "version": version, "kind": kind} not in served:
            return None
        return stem, self._built(stem, source, lambda: self._self_contained(raw))

    def definition_schema(self, name: str) -> dict[str, Any]:
        """A self-contained schema for one named definition, e.g. `POD_TEMPLATE_SPEC`."""
        return self._built(
            "definition", name.encode(), lambda: self._self_contained({"$ref": f"#/$defs/{name}"})
        )

    def definitions_for(self, name: str) -> dict[str, Any]:
        """The prepared definitions `name` needs (itself included), to merge into `$defs`."""
        defs: dict[str, Any] = self.definition_schema(name)["$defs"]
        return defs

    def _self_contained(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        needed: list[str] = []
        root: dict[str, Any] = map_schema(raw, _Rewriter(needed))
        defs: dict[str, Any] = {}
        while needed:
            name = needed.pop()
            if name not in defs:
                defs[name] = self._prepared_definition(name, needed)
        root["$defs"] = dict(sorted(defs.items()))
        return root

    def _prepared_definition(self, name: str, needed: list[str]) -> dict[str, Any]:
        cached = self._prepared.get(name)
        if cached is None:
            refs: list[str] = []
            cached = (
                map_schema(self._definitions[name], _Rewriter(refs)),
                tuple(sorted(set(refs))),
            )
            self._prepared[name] = cached
        needed.extend(cached[1])
        return cached[0]


class _Rewriter:
    """Normalise one schema node: local `$ref`s, no annotations, JSON Schema types."""

    def __init__(self, refs: list[str]) -> None:
        self.refs = refs

    def __call__(self, node: dict[str, Any], pointer: str) -> dict[str, Any]:
        out = {
            key: value
            for key, value in node.items()
            if key not in _ANNOTATION_KEYS and not key.startswith("x-kubernetes-")
        }
        ref = out.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            out["$ref"] = f"#/$defs/{name}"
            self.refs.append(name)
        if out.get("format") not in CHECKED_FORMATS:
            out.pop("format", None)
        return _merge_type_only_one_of(out)


def _merge_type_only_one_of(node: dict[str, Any]) -> dict[str, Any]:
    # IntOrString and Quantity are `oneOf: [{type: [string, null]}, {type: [integer, null]}]`.
    # As a oneOf, null matches both branches and fails, and errors read "not valid under
    # any of the given schemas"; a plain type union says the same thing better.
    branches = node.get("oneOf")
    if "type" in node or not isinstance(branches, list) or not branches:
        return node
    if not all(isinstance(b, Mapping) and set(b) == {"type"} for b in branches):
        return node
    types: list[str] = []
    for branch in branches:
        declared = branch["type"]
        for name in declared if isinstance(declared, list) else [declared]:
            if name not in types:
                types.append(name)
    merged = {key: value for key, value in node.items() if key != "oneOf"}
    merged["type"] = types
    return merged
