"""Built-in kinds: strict Kubernetes schemas bundled with kubernetes-validate."""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.check import OutputValidator, UnsupportedKubernetesVersionError
from manifestgen.check.kubernetes import bundled_versions, select_version

from .support import Path, Sample, found, set_at

BUILTINS = ["Namespace", "ServiceAccount", "ConfigMap", "PersistentVolumeClaim", "NetworkPolicy"]


@pytest.mark.parametrize("kind", BUILTINS)
def test_valid_builtin_passes(no_crds: OutputValidator, sample: Sample, kind: str) -> None:
    outcome = no_crds.check(sample(kind))
    assert (outcome.source, outcome.problems) == ("kubernetes", ())
    assert outcome.schema_name.startswith("kubernetes 1.33 ")


def test_schema_name_names_the_bundled_file(no_crds: OutputValidator, sample: Sample) -> None:
    assert (
        no_crds.check(sample("NetworkPolicy")).schema_name
        == "kubernetes 1.33 networkpolicy-networking-v1"
    )
    assert no_crds.check(sample("Namespace")).schema_name == "kubernetes 1.33 namespace-v1"


# (kind, path, value, message)
BROKEN = [
    ("ConfigMap", ("dataa",), {}, "unknown field 'dataa' (did you mean 'data'?)"),
    ("ConfigMap", ("data", "config.yaml"), 10, "must be a string (got integer 10)"),
    (
        "PersistentVolumeClaim",
        ("spec", "accessMode"),
        ["ReadWriteOnce"],
        "unknown field 'accessMode' (did you mean 'accessModes'?)",
    ),
    (
        "PersistentVolumeClaim",
        ("spec", "resources", "requests", "storage"),
        True,
        "must be a number or a string (got boolean true)",
    ),
    (
        "NetworkPolicy",
        ("spec", "ingress", 0, "ports", 0, "port"),
        1.5,
        "must be an integer or a string (got number 1.5)",
    ),
    (
        "NetworkPolicy",
        ("spec", "ingress", 0, "ports", 0, "portt"),
        80,
        "unknown field 'portt' (did you mean 'port'?)",
    ),
    (
        "ServiceAccount",
        ("automountServiceAccountToken",),
        "no",
        "must be a boolean (got string 'no')",
    ),
]


@pytest.mark.parametrize(("kind", "path", "value", "message"), BROKEN)
def test_broken_builtin_is_reported_at_its_path(
    no_crds: OutputValidator, sample: Sample, kind: str, path: Path, value: Any, message: str
) -> None:
    obj = sample(kind)
    set_at(obj, path, value)
    assert found(no_crds.check(obj)) == [(path, message)]


def test_builtin_nested_wrong_type(no_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("Namespace")
    obj["spec"] = {"finalizers": "kubernetes"}
    assert found(no_crds.check(obj)) == [
        (("spec", "finalizers"), "must be a list (got string 'kubernetes')")
    ]


def test_builtin_missing_required(no_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("NetworkPolicy")
    del obj["spec"]["podSelector"]
    assert found(no_crds.check(obj)) == [(("spec",), "'podSelector' is required")]


def test_builtin_group_with_full_domain(no_crds: OutputValidator) -> None:
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": "trainer", "namespace": "train"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
    }
    assert no_crds.check(role).source == "kubernetes"
    assert no_crds.check(role).problems == ()


def test_a_crd_group_does_not_borrow_a_builtin_schema(no_crds: OutputValidator) -> None:
    # batch.volcano.sh/v1alpha1 Job must not be checked against batch/v1 Job, nor
    # networking.example.com against networking.k8s.io.
    volcano = {"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job", "metadata": {"name": "x"}}
    other = {
        "apiVersion": "networking.example.com/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "x"},
    }
    assert no_crds.check(volcano).source == "none"
    assert no_crds.check(other).source == "none"


def test_unknown_kind_is_not_checked(no_crds: OutputValidator) -> None:
    outcome = no_crds.check({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"x": 1}})
    assert (outcome.source, outcome.problems, outcome.schema_name) == ("none", (), "")


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"kind": "ConfigMap"}, [((), "'apiVersion' is required")]),
        ({"apiVersion": "v1"}, [((), "'kind' is required")]),
        (
            {"apiVersion": "a/b/c", "kind": "X"},
            [(("apiVersion",), "must be 'group/version' or 'version' (got 'a/b/c')")],
        ),
    ],
)
def test_objects_without_a_type(
    no_crds: OutputValidator, obj: dict[str, Any], expected: list[Any]
) -> None:
    outcome = no_crds.check(obj)
    assert outcome.source == "none"
    assert found(outcome) == expected


def test_version_selection() -> None:
    assert select_version("1.33") == (1, 33)
    assert select_version("v1.33.4") == (1, 33)
    newest = bundled_versions()[-1]
    assert select_version(f"{newest[0]}.{newest[1]}") == newest
    for unknown in ("1.99", f"{newest[0]}.{newest[1] + 1}", "1.2"):
        with pytest.raises(UnsupportedKubernetesVersionError, match=r"supported: 1\.25, 1\.26"):
            select_version(unknown)
    with pytest.raises(UnsupportedKubernetesVersionError):
        select_version("latest")


def test_validator_reports_the_version_in_use() -> None:
    assert OutputValidator.create("1.33.2").kubernetes_version == "1.33"


def test_field_added_in_a_later_version_depends_on_the_target() -> None:
    # Pod-level `resources` is in the 1.34 PodSpec schema but not in 1.33 (KEP-2837 beta).
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "containers": [{"name": "c", "image": "i"}],
            "resources": {"limits": {"cpu": "1"}},
        },
    }
    old, new = OutputValidator.create("1.31").check(pod), OutputValidator.create("1.34").check(pod)
    assert [p.path for p in old.problems] == [("spec", "resources")]
    assert new.problems == ()


def test_yaml_only_values_are_converted_like_the_api_server(no_crds: OutputValidator) -> None:
    # PyYAML reads `2024-01-01` as a date and `1: x` with an integer key.
    import datetime as dt

    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "dates"},
        "data": {"released": dt.date(2024, 1, 1), 1: "one"},
    }
    assert no_crds.check(config_map).problems == ()


def test_objects_loaded_by_ruamel_are_checked(no_crds: OutputValidator) -> None:
    import io

    from ruamel.yaml import YAML

    document = YAML().load(
        io.StringIO(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n"
            "spec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1.5e3}}\n"
            "  volumeMode: 0o17\n"
        )
    )
    assert found(no_crds.check(document)) == [
        (("spec", "volumeMode"), "must be a string (got integer 15)")
    ]
