"""Every update rule of an upstream CRD that manifestgen generates objects of is accounted for:
either the kind's objects are renamed on every change (jobs), or the field is in the table of
immutable fields compared with the previous build, or manifestgen never sets it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from manifestgen.expand.runtimes import API_VERSION as RUNTIME_API_VERSION
from manifestgen.expand.runtimes import KIND as RUNTIME_KIND
from manifestgen.history.immutable import IMMUTABLE_FIELDS
from manifestgen.workloads import WORKLOADS
from tests.support import REPO_ROOT

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TOPOLOGY = "flavors never name a topology (topologyName), which these rules guard"

# Update rules on fields manifestgen never writes: (kind, schema path, rule) and why.
NEVER_SET = {
    ("NodePool", ("spec",), "has(self.replicas) == has(oldSelf.replicas)"): (
        "static NodePools (spec.replicas) are never generated"
    ),
    (
        "ResourceFlavor",
        ("spec",),
        "!has(oldSelf.topologyName) || (has(self.nodeLabels) == has(oldSelf.nodeLabels) && (!has(self.nodeLabels) || self.nodeLabels == oldSelf.nodeLabels))",
    ): _TOPOLOGY,
    (
        "ResourceFlavor",
        ("spec",),
        "!has(oldSelf.topologyName) || (has(self.tolerations) == has(oldSelf.tolerations) && (!has(self.tolerations) || self.tolerations == oldSelf.tolerations))",
    ): _TOPOLOGY,
    (
        "ResourceFlavor",
        ("spec",),
        "!has(oldSelf.topologyName) || (has(self.topologyName) && self.topologyName == oldSelf.topologyName)",
    ): _TOPOLOGY,
}


def _rules(
    schema: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str]]:
    for rule in schema.get("x-kubernetes-validations", ()):
        if "oldSelf" in rule.get("rule", ""):
            yield path, rule["rule"]
    for name, child in (schema.get("properties") or {}).items():
        yield from _rules(child, (*path, name))
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _rules(schema[key], path)


def _generated_kinds() -> set[tuple[str, str]]:
    """(apiVersion, kind) of everything the example repository builds."""
    kinds = set()
    for path in (REPO_ROOT / "out").rglob("*.yaml"):
        obj = yaml.load(path.read_text(), Loader=_Loader)
        if obj.get("kind") != "Kustomization":
            kinds.add((obj["apiVersion"], obj["kind"]))
    return kinds


def _schemas(crds_dir: Path, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    kinds = {kind for _, kind in wanted}
    for path in sorted(crds_dir.rglob("*.yaml")):
        text = path.read_text()
        # Parse only the files that can define a wanted kind: the CRDs are 17 MB.
        if not any(f"kind: {kind}\n" in text for kind in kinds):
            continue
        for doc in yaml.load_all(text, Loader=_Loader):
            if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                if key in wanted:
                    found.setdefault(key, version["schema"]["openAPIV3Schema"])
    return found


def _covered(kind: str, path: tuple[str, ...], rule: str) -> bool:
    if (kind, path, rule) in NEVER_SET:
        return True
    for row in IMMUTABLE_FIELDS:
        if row.kind != kind:
            continue
        if row.path == path:
            return True  # a rule on the field itself (self == oldSelf)
        # A rule on the parent object guarding one of its fields: self.group == oldSelf.group
        if row.path[:-1] == path and f"self.{row.path[-1]}" in rule:
            return True
    return False


def test_every_update_rule_of_a_generated_kind_is_accounted_for(crds_dir: Path) -> None:
    generated = _generated_kinds()
    job_kinds = {(w.kind.api_version, w.kind.kind) for w in WORKLOADS.values()}
    # Runtimes are named after their content (expand/runtimes.py): renamed on every change too.
    renamed = job_kinds | {(RUNTIME_API_VERSION, RUNTIME_KIND)}
    schemas = _schemas(crds_dir, generated - renamed)  # jobs are renamed on every change
    seen = []
    for (_, kind), schema in sorted(schemas.items()):
        for path, rule in _rules(schema):
            seen.append((kind, path, rule))
            assert _covered(kind, path, rule), (
                f"{kind} {'.'.join(path)}: update rule {rule!r} is not compared with out/"
            )
    nodeclassref = ("spec", "template", "spec", "nodeClassRef")
    assert ("NodePool", nodeclassref, "self.group == oldSelf.group") in seen
