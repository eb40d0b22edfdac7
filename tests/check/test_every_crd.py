"""Every upstream CRD: each served version becomes a strict schema that accepts a valid object."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen.check import OutputValidator
from manifestgen.check.crds import declares_fields
from manifestgen.check.legacy import superseded
from manifestgen.check.schemautil import resolve_local_ref
from tests.check.conftest import KUBERNETES_VERSION

# Strings tried, in order, for a required string with a pattern.
_STRING_CANDIDATES = ("example", "1", "10%", "1Gi", "5m", "Never", "@daily", "ami-0", "sg-0")


def minimal_instance(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
    """The smallest value the (strict) schema accepts: required fields only."""
    if "$ref" in schema:
        return minimal_instance(resolve_local_ref(root, schema["$ref"]), root)
    if "enum" in schema:
        return schema["enum"][0]
    declared = schema.get("type")
    kind = declared[0] if isinstance(declared, list) else declared
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {
            name: minimal_instance(properties[name], root) for name in schema.get("required", [])
        }
    if kind == "array":
        return [
            minimal_instance(schema.get("items", {}), root)
            for _ in range(schema.get("minItems", 0))
        ]
    if kind == "string":
        return _minimal_string(schema)
    if kind in ("integer", "number"):
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    return {}


def _minimal_string(schema: Mapping[str, Any]) -> str:
    pattern = schema.get("pattern")
    for candidate in _STRING_CANDIDATES:
        fits = schema.get("minLength", 0) <= len(candidate) <= schema.get("maxLength", 1 << 20)
        if fits and (pattern is None or re.search(pattern, candidate)):
            return candidate
    pytest.fail(f"no candidate string fits {schema}")


def _validator_for(
    all_crds: OutputValidator, crd_file: Path, gvk: tuple[str, str, str]
) -> OutputValidator:
    """`all_crds`, or for a legacy API (which fails next to its replacement's CRDs, with a
    migration hint) a validator of its own CRD file."""
    if not superseded(gvk, all_crds.crd_kinds()):
        return all_crds
    group, version, kind = gvk
    legacy = {"apiVersion": f"{group}/{version}", "kind": kind, "metadata": {"name": "x"}}
    assert [p.rule for p in all_crds.check(legacy).problems] == ["kind"]
    return OutputValidator.create(KUBERNETES_VERSION, [crd_file])


def test_each_served_version_accepts_a_minimal_object(
    all_crds: OutputValidator, crds_dir: Path, crd_file: str
) -> None:
    path = str(crds_dir / crd_file)
    kinds = sorted(gvk for gvk in all_crds.crd_kinds() if all_crds.crd_source(*gvk) == path)
    assert kinds, f"no served version loaded from {crd_file}"
    for group, version, kind in kinds:
        schema = all_crds.strict_crd_schema(group, version, kind)
        assert schema is not None
        obj = minimal_instance(schema, schema)
        obj |= {"apiVersion": f"{group}/{version}", "kind": kind, "metadata": {"name": "example"}}
        outcome = _validator_for(all_crds, crds_dir / crd_file, (group, version, kind)).check(obj)
        assert outcome.source == "crd"
        assert outcome.problems == (), (group, version, kind)
        if not declares_fields(all_crds.raw_crd_schema(group, version, kind) or {}):
            # Katib's Experiment: its CRD describes nothing, its OpenAPI document does.
            assert outcome.schema_name.startswith(f"openapi {version}.{kind} (")
            continue
        assert outcome.schema_name.startswith("crd ")
        assert outcome.schema_name.endswith(f".{group}/{version} ({path})")


def test_every_crd_file_is_found(all_crds: OutputValidator, crds_dir: Path) -> None:
    sources = {all_crds.crd_source(*gvk) for gvk in all_crds.crd_kinds()}
    crd_files = {
        str(path)
        for path in crds_dir.rglob("*.yaml")
        if b"CustomResourceDefinition" in path.read_bytes()
    }
    assert sources == crd_files


def test_unserved_versions_are_not_loaded(all_crds: OutputValidator) -> None:
    # External Secrets v2.9 still lists v1beta1, with `served: false`.
    assert ("external-secrets.io", "v1", "ExternalSecret") in all_crds.crd_kinds()
    assert ("external-secrets.io", "v1beta1", "ExternalSecret") not in all_crds.crd_kinds()
    outcome = all_crds.check(
        {
            "apiVersion": "external-secrets.io/v1beta1",
            "kind": "ExternalSecret",
            "metadata": {"name": "x"},
        }
    )
    assert outcome.source == "none"


def _runtime_examples(crds_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((crds_dir / "kubeflow-trainer" / "runtimes").rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            found.append((path.name, document))
    return found


def test_trainer_runtime_examples_pass(all_crds: OutputValidator, crds_dir: Path) -> None:
    examples = _runtime_examples(crds_dir)
    assert len(examples) == 9
    for name, document in examples:
        outcome = all_crds.check(document)
        assert (outcome.source, outcome.problems) == ("crd", ()), name


def test_runtime_example_with_a_typo_fails(all_crds: OutputValidator, crds_dir: Path) -> None:
    _, runtime = _runtime_examples(crds_dir)[0]
    runtime["spec"]["mlPolicy"]["numNodez"] = 2
    problems = all_crds.check(runtime).problems
    assert [(p.path, p.message) for p in problems] == [
        (("spec", "mlPolicy", "numNodez"), "unknown field 'numNodez' (did you mean 'numNodes'?)")
    ]


def _closed_object_path(
    schema: Mapping[str, Any], obj: Mapping[str, Any]
) -> tuple[str, ...] | None:
    """The root, or else `spec`, if the strict schema closes it to unknown fields."""
    for path in ((), ("spec",)):
        node: Any = schema
        value: Any = obj
        for part in path:
            node = node.get("properties", {}).get(part, {})
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, Mapping) and node.get("additionalProperties") is False:
            return path
    return None


def _required_scalar(
    schema: Mapping[str, Any], obj: Mapping[str, Any]
) -> tuple[tuple[str, ...], Mapping[str, Any]] | None:
    """A required field under `spec` (or the root), to delete."""
    for path in (("spec",), ()):
        if path and path[0] not in obj:
            continue
        node: Any = schema
        for part in path:
            node = node.get("properties", {}).get(part, {})
        for name in node.get("required", []):
            if name not in ("apiVersion", "kind", "metadata"):
                return (*path, name), node.get("properties", {}).get(name, {})
    return None


def _rejection_cases(
    all_crds: OutputValidator, crds_dir: Path, crd_file: str
) -> list[tuple[OutputValidator, dict[str, Any], tuple[str, ...], str]]:
    """(validator, broken object, expected path, "<kind> <expected message start>") for each
    served version."""
    path = str(crds_dir / crd_file)
    cases = []
    for group, version, kind in sorted(
        gvk for gvk in all_crds.crd_kinds() if all_crds.crd_source(*gvk) == path
    ):
        validator = _validator_for(all_crds, crds_dir / crd_file, (group, version, kind))
        schema = all_crds.strict_crd_schema(group, version, kind)
        assert schema is not None
        valid = minimal_instance(schema, schema)
        valid |= {"apiVersion": f"{group}/{version}", "kind": kind, "metadata": {"name": "example"}}
        closed = _closed_object_path(schema, valid)
        if closed is not None:
            broken = json.loads(json.dumps(valid))
            target = broken
            for part in closed:
                target = target[part]
            target["manifestgenTypo"] = 1
            cases.append((validator, broken, (*closed, "manifestgenTypo"), f"{kind} unknown field"))
        wrong_type = json.loads(json.dumps(valid))
        wrong_type["metadata"]["name"] = 7
        cases.append((validator, wrong_type, ("metadata", "name"), f"{kind} must be a string"))
        required = _required_scalar(schema, valid)
        if required is not None:
            field, _ = required
            missing = json.loads(json.dumps(valid))
            parent = missing
            for part in field[:-1]:
                parent = parent[part]
            del parent[field[-1]]
            cases.append((validator, missing, field[:-1], f"{kind} '{field[-1]}' is required"))
    return cases


def test_each_served_version_rejects_typos_wrong_types_and_missing_fields(
    all_crds: OutputValidator, crds_dir: Path, crd_file: str
) -> None:
    cases = _rejection_cases(all_crds, crds_dir, crd_file)
    assert cases
    for validator, broken, path, what in cases:
        message = what.partition(" ")[2]
        problems = validator.check(broken).problems
        assert any(p.path == path and p.message.startswith(message) for p in problems), (
            what,
            [(p.path, p.message) for p in problems],
        )
