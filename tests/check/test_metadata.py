"""API-server-style metadata checks: names, namespaces, labels, annotations."""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.check import OutputValidator
from manifestgen.check.metadata import (
    dns1035_label,
    dns1123_label,
    dns1123_subdomain,
    label_value,
    path_segment_name,
    qualified_name,
)

from .support import Sample


def metadata_problems(validator: OutputValidator, obj: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(p.path, p.message) for p in validator.check(obj).problems if p.rule == "metadata"]


@pytest.mark.parametrize("kind", ["ConfigMap", "PyTorchJob", "NodePool"])
def test_bad_name_is_reported_for_every_source(
    all_crds: OutputValidator, no_crds: OutputValidator, sample: Sample, kind: str
) -> None:
    obj = sample(kind)
    obj["metadata"]["name"] = "My_Job"
    expected = [
        (
            ("metadata", "name"),
            "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', "
            "starting and ending with a letter or digit (got 'My_Job')",
        )
    ]
    assert metadata_problems(all_crds, obj) == expected
    assert metadata_problems(no_crds, obj) == expected


def test_metadata_problems_carry_the_metadata_rule(
    no_crds: OutputValidator, sample: Sample
) -> None:
    obj = sample("ConfigMap")
    obj["metadata"]["name"] = "-bad"
    assert [p.rule for p in no_crds.check(obj).problems] == ["metadata"]


def test_name_rules_per_kind(no_crds: OutputValidator) -> None:
    def name_problem(api_version: str, kind: str, name: str) -> list[tuple[Any, str]]:
        obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}
        return metadata_problems(no_crds, obj)

    # A dot is fine in most names, not in a Namespace (a DNS label) nor a Service (DNS-1035).
    assert name_problem("v1", "ConfigMap", "a.b") == []
    assert name_problem("v1", "Namespace", "a.b") != []
    assert name_problem("v1", "Service", "1abc") != []
    assert name_problem("v1", "ConfigMap", "1abc") == []
    # RBAC names are path segments: capitals and colons are fine.
    assert name_problem("rbac.authorization.k8s.io/v1", "ClusterRole", "system:Admin") == []
    assert name_problem("rbac.authorization.k8s.io/v1", "ClusterRole", "a/b") != []


def test_name_is_required_unless_generate_name(no_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("ConfigMap")
    del obj["metadata"]["name"]
    assert metadata_problems(no_crds, obj) == [(("metadata",), "'name' is required")]
    obj["metadata"]["generateName"] = "resnet-"
    assert metadata_problems(no_crds, obj) == []
    obj["metadata"]["generateName"] = "Resnet-"
    assert [path for path, _ in metadata_problems(no_crds, obj)] == [("metadata", "generateName")]
    del obj["metadata"]
    assert metadata_problems(no_crds, obj) == [((), "'metadata' is required")]


def test_namespace_must_be_a_label(no_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("ConfigMap")
    obj["metadata"]["namespace"] = "team.ml"
    assert [path for path, _ in metadata_problems(no_crds, obj)] == [("metadata", "namespace")]


def test_bad_label_key_and_value(no_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("ConfigMap")
    obj["metadata"]["labels"] = {"bad key": "ok", "ok": "x" * 64, "good/key": ""}
    assert metadata_problems(no_crds, obj) == [
        (
            ("metadata", "labels", "bad key"),
            "key name must be letters, digits, '-', '_' and '.', starting and ending with a "
            "letter or digit, after an optional 'prefix/' (got 'bad key')",
        ),
        (("metadata", "labels", "ok"), "label value must be at most 63 characters (got 64)"),
    ]


@pytest.mark.parametrize("validator_name", ["all_crds", "no_crds"])
def test_null_annotation_value(
    request: pytest.FixtureRequest, sample: Sample, validator_name: str
) -> None:
    validator: OutputValidator = request.getfixturevalue(validator_name)
    obj = sample("PyTorchJob")
    obj["metadata"]["annotations"] = {"note": None}
    assert [(p.path, p.message) for p in validator.check(obj).problems] == [
        (("metadata", "annotations", "note"), "annotation value must be a string (got null)")
    ]


def test_non_string_annotation_value_is_a_schema_problem(
    no_crds: OutputValidator, sample: Sample
) -> None:
    obj = sample("ConfigMap")
    obj["metadata"]["annotations"] = {"replicas": 3}
    assert [(p.path, p.message, p.rule) for p in no_crds.check(obj).problems] == [
        (("metadata", "annotations", "replicas"), "must be a string (got integer 3)", "schema")
    ]


def test_annotations_total_size(no_crds: OutputValidator, sample: Sample) -> None:
    # Large CRDs applied client-side hit this limit (last-applied-configuration).
    obj = sample("ConfigMap")
    obj["metadata"]["annotations"] = {"big": "x" * (256 * 1024)}
    assert metadata_problems(no_crds, obj) == [
        (("metadata", "annotations"), "annotations must total at most 262144 bytes (got 262147)")
    ]


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (dns1123_label, ["a", "a-1", "1a", "a" * 63], ["", "A", "a.b", "-a", "a-", "a" * 64]),
        (dns1035_label, ["a", "a-1", "a" * 63], ["1a", "A", "a.b", "a-", "a" * 64]),
        (
            dns1123_subdomain,
            ["a", "a.b", "a-1.b-2", ("a" * 63 + ".") * 3 + "a" * 61],
            ["", "a..b", ".a", "a_b", "A", ("a" * 63 + ".") * 3 + "a" * 62],
        ),
        (
            qualified_name,
            ["a", "A_b.c-d", "example.com/name", "kubernetes.io/metadata.name", "a" * 63],
            ["", "/a", "a/", "a/b/c", "Example.com/a", "-a", "a" * 64, "example.com/" + "a" * 64],
        ),
        (label_value, ["", "a", "A-b_c.d", "a" * 63], ["-a", "a b", "a" * 64]),
        (path_segment_name, ["a", "system:admin", "A"], [".", "..", "a/b", "a%b"]),
    ],
)
def test_name_rules(rule: Any, good: list[str], bad: list[str]) -> None:
    assert [value for value in good if rule(value) is not None] == []
    assert [value for value in bad if rule(value) is None] == []
