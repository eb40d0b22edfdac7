"""How CRD schemas are made strict, on a small synthetic CRD that uses every extension."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen.check import OutputValidator

from .support import found

GADGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {
                    "anyOf": [{"type": "integer"}, {"type": "string"}],
                    "x-kubernetes-int-or-string": True,
                    "pattern": "^[0-9]+%?$",
                },
                "note": {"type": "string", "nullable": True},
                "mode": {"type": "string", "enum": ["a", "b"], "nullable": True},
                "empty": {"type": "object"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "halfOpen": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True,
                    "properties": {"known": {"type": "integer"}},
                },
                "embedded": {
                    "type": "object",
                    "x-kubernetes-embedded-resource": True,
                    "properties": {
                        "spec": {"type": "object", "properties": {"x": {"type": "string"}}}
                    },
                },
                "either": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                    "anyOf": [
                        {"required": ["a"], "properties": {"a": {"minLength": 1}}},
                        {"required": ["b"]},
                    ],
                },
                "when": {"type": "string", "format": "date-time"},
                "count": {"type": "integer", "format": "int32"},
                "blob": {"type": "string", "format": "byte"},
            },
            "x-kubernetes-validations": [{"rule": "self.size != 0", "message": "no"}],
        },
    },
}


@pytest.fixture(scope="module")
def gadgets(tmp_path_factory: pytest.TempPathFactory) -> OutputValidator:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Gadget", "plural": "gadgets"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": GADGET_SCHEMA},
                },
                {
                    "name": "v2",
                    "served": True,
                    "storage": False,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "metadata": {
                                    "type": "object",
                                    "properties": {"name": {"type": "string", "maxLength": 5}},
                                }
                            },
                        }
                    },
                },
            ],
        },
    }
    path: Path = tmp_path_factory.mktemp("crds") / "gadgets.yaml"
    path.write_text(yaml.safe_dump(crd))
    return OutputValidator.create("1.33", [path])


def gadget(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Gadget",
        "metadata": {"name": "g"},
        "spec": {"size": 1, **spec},
    }


@pytest.mark.parametrize(
    "spec",
    [
        {"size": "50%"},
        {"note": None, "mode": None},
        {"mode": "a"},
        {"empty": {}},
        {"labels": {"any": "thing"}},
        {"open": {"anything": {"nested": [1]}}},
        {"halfOpen": {"known": 1, "unknown": "fine"}},
        {
            "embedded": {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "x"},
                "spec": {"x": "y"},
            }
        },
        {"either": {"a": "1"}},
        {"either": {"b": "1"}},
        {"when": "2024-05-01T10:00:00Z"},
        # Go/OpenAPI formats are not JSON Schema formats: int32 range, base64 are not judged.
        {"count": 2**40, "blob": "not base64!"},
    ],
)
def test_valid(gadgets: OutputValidator, spec: dict[str, Any]) -> None:
    assert gadgets.check(gadget(**spec)).problems == ()


@pytest.mark.parametrize(
    ("spec", "path", "message"),
    [
        ({"size": 1.5}, ("spec", "size"), "must be an integer or a string (got number 1.5)"),
        ({"size": "x"}, ("spec", "size"), "must match the pattern '^[0-9]+%?$' (got 'x')"),
        ({"mode": "c"}, ("spec", "mode"), "must be one of: a, b, null (got 'c')"),
        ({"empty": {"x": 1}}, ("spec", "empty", "x"), "unknown field 'x'"),
        ({"labels": {"a": 1}}, ("spec", "labels", "a"), "must be a string (got integer 1)"),
        (
            {"halfOpen": {"known": "1"}},
            ("spec", "halfOpen", "known"),
            "must be an integer (got string '1')",
        ),
        (
            {"embedded": {"metadata": {"nam": "x"}}},
            ("spec", "embedded", "metadata", "nam"),
            "unknown field 'nam' (did you mean 'name'?)",
        ),
        ({"embedded": {"spec": {"y": 1}}}, ("spec", "embedded", "spec", "y"), "unknown field 'y'"),
        ({"either": {"c": "1"}}, ("spec", "either", "c"), "unknown field 'c'"),
        ({"when": "yesterday"}, ("spec", "when"), "must be a valid date-time (got 'yesterday')"),
    ],
)
def test_invalid(
    gadgets: OutputValidator, spec: dict[str, Any], path: tuple[Any, ...], message: str
) -> None:
    assert (path, message) in found(gadgets.check(gadget(**spec)))


def test_junctor_branches_are_not_closed(gadgets: OutputValidator) -> None:
    # `either` has an anyOf whose branches mention only one field each: closing them would
    # reject every object. Neither branch matching is still an error.
    problems = found(gadgets.check(gadget(either={})))
    assert problems == [
        (("spec", "either"), "does not match any of the allowed forms (got an object)")
    ]


def test_strict_schema_drops_cel_and_keeps_the_raw_one(gadgets: OutputValidator) -> None:
    strict = gadgets.strict_crd_schema("example.com", "v1", "Gadget")
    raw = gadgets.raw_crd_schema("example.com", "v1", "Gadget")
    assert strict is not None
    assert raw is not None
    assert "x-kubernetes-validations" in raw["properties"]["spec"]
    assert "x-kubernetes-validations" not in strict["properties"]["spec"]
    assert strict["properties"]["spec"]["additionalProperties"] is False


def test_crd_restriction_of_metadata_name_is_kept(gadgets: OutputValidator) -> None:
    obj = {
        "apiVersion": "example.com/v2",
        "kind": "Gadget",
        "metadata": {"name": "toolong", "labels": {"a": "b"}},
    }
    assert found(gadgets.check(obj)) == [
        (("metadata", "name"), "must be at most 5 characters long (got 7)")
    ]
