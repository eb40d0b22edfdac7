"""The exported schemas as editors read them: described, free of noise, and in agreement
with what `manifestgen` itself accepts."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from manifestgen.source.loader import load_source
from manifestgen.spec.parse import SPEC_KINDS, parse_document
from manifestgen.spec.platform import Platform
from manifestgen.spec.repo_schema import REPO_SCHEMA_FILE, repo_schema
from manifestgen.spec.schema_export import schema_for
from tests.support import REPO_ROOT

EXAMPLE_JOB = REPO_ROOT / "specs" / "jobs" / "resnet-pretrain.yaml"
EXAMPLE_PLATFORM = REPO_ROOT / "specs" / "platform.yaml"


def _plain(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text())
    assert isinstance(data, dict)
    return data


def _platform_model(path: Path) -> Platform:
    return Platform.model_validate(_plain(path))


def _schemas() -> dict[str, dict[str, Any]]:
    found = {kind: schema_for(kind) for kind in SPEC_KINDS}
    found[REPO_SCHEMA_FILE] = repo_schema(_platform_model(EXAMPLE_PLATFORM))
    return found


def _nodes(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, f"{path}/{index}")


@pytest.mark.parametrize("name", sorted(_schemas()))
def test_every_property_has_a_description(name: str) -> None:
    schema = _schemas()[name]
    undescribed = [
        f"{path}/properties/{field}"
        for path, node in _nodes(schema)
        for field, prop in (node.get("properties") or {}).items()
        # The `oneOf`/`if` branches restate fields to constrain them; the fields
        # themselves are described where they are defined.
        if "description" not in prop and not _in_branch(path)
    ]
    assert undescribed == []


def _in_branch(path: str) -> bool:
    return any(f"/{word}/" in f"{path}/" for word in ("oneOf", "allOf", "if", "then"))


@pytest.mark.parametrize("name", sorted(_schemas()))
def test_no_generated_titles_and_no_null(name: str) -> None:
    text = json.dumps(_schemas()[name])
    assert '"title"' not in text
    assert '{"type": "null"}' not in text
    assert '"default": null' not in text
    for path, node in _nodes(_schemas()[name]):
        if "patternProperties" in node:
            assert node.get("additionalProperties") is False, path


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    *parents, last = path.split(".")
    node = changed
    for part in parents:
        node = node[part]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return changed


_DELETE = object()
# (path, value, whether manifestgen accepts it): the schema must say the same.
JOB_CASES = [
    ("spec.resources.memory", "12XB", False),
    ("spec.resources.memory", "-1Gi", False),
    ("spec.resources.memory", -1, False),
    ("spec.resources.memory", True, False),
    ("spec.resources.memory", 64, True),
    ("spec.resources.memory", "1.5Gi", True),
    ("spec.resources.cpu", 0.5, True),
    ("spec.resources.cpu", "500m", True),
    ("spec.sharedMemory", None, False),
    ("spec.checkpoints", None, False),
    ("spec.sharedMemory", _DELETE, True),
    ("spec.env", {"1BAD": "x"}, False),
    ("spec.env", {"BAD-NAME": "x"}, False),
    ("spec.env", {"GOOD_1": "x"}, True),
    ("spec.env", {"GOOD": 1}, False),
    ("spec.hyperparameters", {"bad key": 1}, False),
    ("spec.hyperparameters", {"lr": 0.1, "name": "x", "on": True, "n": 3}, True),
    ("spec.hyperparameters", {"lr": None}, False),
    ("spec.hyperparameters", {"lr": [1]}, False),
    ("spec.nodes", 0, False),
    ("spec.nodes", 1001, False),
    ("spec.nodes", "4", False),
    ("spec.capacityType", "reserved", False),
    ("spec.shm", 1, False),
    ("spec.image", "has space:1", False),
    ("spec.team", "Research", False),
    ("spec.team", "a" * 64, False),
    ("spec.egress", [{"cidr": "10.0.0.0/8", "ports": [0]}], False),
    ("spec.egress", [{"cidr": "10.0.0.0/8", "ports": [443]}], True),
    ("spec.runPolicy", {"backoffLimit": 101}, False),
    ("spec.runPolicy", {"cleanPodPolicy": "All"}, True),
]
_TYPES = {"instanceTypes": ["p5.48xlarge"], "instanceFamilies": ["p5"]}
PLATFORM_CASES = [
    ("spec.gpus.h100-80gb.instanceFamilies", ["p5"], False),  # both
    ("spec.gpus.h100-80gb.instanceTypes", _DELETE, False),  # neither
    ("spec.gpus.h100-80gb", {"product": "NVIDIA-H100-80GB-HBM3", "gpusPerNode": 8}, False),
    ("spec.gpus.h100-80gb.instanceTypes", [], False),
    (
        "spec.gpus.h100-80gb",
        {"product": "P", "gpusPerNode": 8, **_TYPES, "instanceTypes": []},
        True,
    ),
    ("spec.gpus.h100-80gb", {"product": "P", "gpusPerNode": 8, "instanceFamilies": ["p5"]}, True),
    ("spec.clusters.prod-use1.gpuQuota", {"Bad_Name": 1}, False),
    ("spec.defaults", {"sharedMemoryFraction": 1}, False),
    ("spec.nodeOverhead", {"evictionMemory": "100MB"}, False),
    ("spec.nodeOverhead", {"evictionMemory": "100M"}, True),
]


def _loader_accepts(data: dict[str, Any]) -> bool:
    # JSON is YAML: the document goes through the same loader and models as a spec file.
    (document,), problems = load_source("spec.yaml", json.dumps(data, indent=2))
    assert problems == ()
    parsed, diagnostics = parse_document(document)
    return parsed is not None and not diagnostics


def _schema_accepts(kind: str, data: dict[str, Any]) -> bool:
    return Draft202012Validator(schema_for(kind)).is_valid(data)


@pytest.mark.parametrize(("path", "value", "accepted"), JOB_CASES, ids=lambda v: repr(v)[:30])
def test_job_schema_agrees_with_the_loader(path: str, value: Any, accepted: bool) -> None:
    data = _set(_plain(EXAMPLE_JOB), path, value)
    assert _loader_accepts(data) is accepted
    assert _schema_accepts("TrainingJob", data) is accepted


@pytest.mark.parametrize(("path", "value", "accepted"), PLATFORM_CASES, ids=lambda v: repr(v)[:30])
def test_platform_schema_agrees_with_the_loader(path: str, value: Any, accepted: bool) -> None:
    data = _set(_plain(EXAMPLE_PLATFORM), path, value)
    assert _loader_accepts(data) is accepted
    assert _schema_accepts("Platform", data) is accepted


def test_examples_are_valid_against_every_schema() -> None:
    for path in sorted((REPO_ROOT / "specs").rglob("*.yaml")):
        data = _plain(path)
        assert _schema_accepts(str(data["kind"]), data), path
        if data["kind"] == "TrainingJob":
            assert Draft202012Validator(_schemas()[REPO_SCHEMA_FILE]).is_valid(data), path
