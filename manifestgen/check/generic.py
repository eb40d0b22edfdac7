"""What is checked of a custom resource manifestgen emits when no CRD is configured for it.

Without its CRD, most of a custom resource is the operator's business and its shape
changes from one operator release to the next, so manifestgen keeps no model of it: a
hand-written model per kind grows with every kind and drifts from the CRDs it copies.
Two parts are Kubernetes' own whatever the operator: `metadata`, which the API server
checks for every kind, and the PodTemplateSpecs the operator hands on to create pods.
Both are checked against the bundled Kubernetes schemas; where the pod templates sit
comes from the kind's row in the catalog, so a new kind needs nothing here. The rest of
the object is not checked, and the build says so once (MG402, verify's MG617).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from manifestgen.check.engine import CompiledSchema, to_json_value
from manifestgen.check.kubernetes import OBJECT_META, POD_TEMPLATE_SPEC, KubernetesSchemas
from manifestgen.check.metadata import metadata_problems, name_rule
from manifestgen.check.problems import CheckOutcome, JsonPath, ObjectProblem, sort_problems
from manifestgen.kinds.catalog import BY_GVK, ApiKind, pod_template_paths

GroupVersionKind = tuple[str, str, str]
Checker = Callable[[Mapping[str, Any]], CheckOutcome]

# What the generic check covers, in the words the notes use.
CHECKED_PARTS = "metadata and pod templates only"
# `schema_name` of a generic outcome starts with this; verify counts such resources.
GENERIC_PREFIX = "generic "


def generic_row(gvk: GroupVersionKind) -> ApiKind | None:
    """The catalog row of a kind manifestgen emits, or None: kinds only `verify` knows
    (app "none") keep needing their CRD, as any other custom resource does."""
    row = BY_GVK.get(gvk)
    return row if row is not None and row.app != "none" else None


class GenericChecks:
    """The ObjectMeta and PodTemplateSpec schemas of one Kubernetes version, compiled on
    first use and shared by every kind."""

    def __init__(self, kubernetes: KubernetesSchemas) -> None:
        self._kubernetes = kubernetes
        self._compiled: dict[str, CompiledSchema] = {}

    def checker(self, row: ApiKind) -> Checker:
        name = f"{GENERIC_PREFIX}{row.api_version} {row.kind}"
        rule = name_rule(row.kind, builtin=False)

        def check(obj: Mapping[str, Any]) -> CheckOutcome:
            data = to_json_value(obj)
            found = self._metadata_problems(data)
            for path in pod_template_paths(data, row):
                found += self._schema(POD_TEMPLATE_SPEC).problems(_at(data, path), path)
            found += metadata_problems(data, rule)
            return CheckOutcome(sort_problems(found), "generic", name)

        return check

    def _metadata_problems(self, data: Mapping[str, Any]) -> list[ObjectProblem]:
        # The API server checks the types of a custom resource's metadata as it does for a
        # built-in kind (the strict CRD schemas carry ObjectMeta for the same reason).
        metadata = data.get("metadata")
        if metadata is None:
            return []
        path: JsonPath = ("metadata",)
        return self._schema(OBJECT_META).problems(metadata, path)

    def _schema(self, definition: str) -> CompiledSchema:
        compiled = self._compiled.get(definition)
        if compiled is None:
            compiled = CompiledSchema(self._kubernetes.definition_schema(definition))
            self._compiled[definition] = compiled
        return compiled


def _at(data: Any, path: JsonPath) -> Any:
    for part in path:
        data = data[part]
    return data
