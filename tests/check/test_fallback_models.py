"""The fallback models: custom resources manifestgen emits, checked without their CRD."""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.check import OutputValidator

from .support import Path, Sample, delete_at, found, set_at

MODEL_KINDS = ["PyTorchJob", "NodePool", "EC2NodeClass", "Application", "AppProject"]
_TEMPLATE: Path = ("spec", "pytorchReplicaSpecs", "Worker", "template")
_CONTAINER: Path = (*_TEMPLATE, "spec", "containers", 0)


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_valid_object_passes_the_model(no_crds: OutputValidator, sample: Sample, kind: str) -> None:
    outcome = no_crds.check(sample(kind))
    assert (outcome.source, outcome.problems) == ("model", ())
    assert outcome.schema_name.startswith("model ")
    assert outcome.schema_name.endswith(f" {kind}")


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_the_same_object_passes_the_upstream_crd(
    all_crds: OutputValidator, sample: Sample, kind: str
) -> None:
    # The models must never be stricter than the API server on what the generator emits.
    outcome = all_crds.check(sample(kind))
    assert (outcome.source, outcome.problems) == ("crd", ())


def test_model_kinds_are_exactly_the_five() -> None:
    assert OutputValidator.create("1.33").model_kinds() == frozenset(
        {
            ("kubeflow.org", "v1", "PyTorchJob"),
            ("karpenter.sh", "v1", "NodePool"),
            ("karpenter.k8s.aws", "v1", "EC2NodeClass"),
            ("argoproj.io", "v1alpha1", "Application"),
            ("argoproj.io", "v1alpha1", "AppProject"),
        }
    )


# (kind, path, value, message): the same mistake, the same report, with or without the CRD.
SAME_AS_CRD = [
    (
        "PyTorchJob",
        ("spec", "runPolicy", "backoffLimit"),
        "3",
        "must be an integer (got string '3')",
    ),
    (
        "PyTorchJob",
        ("spec", "elasticPolicy", "maxRestartz"),
        3,
        "unknown field 'maxRestartz' (did you mean 'maxRestarts'?)",
    ),
    ("NodePool", ("spec", "weight"), "50", "must be an integer (got string '50')"),
    ("NodePool", ("spec", "weight"), 101, "must be <= 100 (got 101)"),
    (
        "NodePool",
        ("spec", "template", "spec", "requirements", 0, "operator"),
        "Inn",
        "must be one of: In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte (got 'Inn'; did you mean 'In'?)",
    ),
    (
        "NodePool",
        ("spec", "disruption", "consolidateAfter"),
        "10 minutes",
        "must match the pattern '^(([0-9]+(s|m|h))+|Never)$' (got '10 minutes')",
    ),
    (
        "EC2NodeClass",
        ("spec", "metadataOptions", "httpToken"),
        "required",
        "unknown field 'httpToken' (did you mean 'httpTokens'?)",
    ),
    (
        "EC2NodeClass",
        ("spec", "blockDeviceMappings", 0, "ebs", "encrypted"),
        "true",
        "must be a boolean (got string 'true')",
    ),
    (
        "Application",
        ("spec", "syncPolicy", "automated", "selfheal"),
        True,
        "unknown field 'selfheal' (did you mean 'selfHeal'?)",
    ),
    (
        "AppProject",
        ("spec", "sourceRepos"),
        "https://github.com/example/ml-platform.git",
        "must be a list (got string 'https://github.com/example/ml-platform.git')",
    ),
    (
        "PyTorchJob",
        (*_CONTAINER, "resourcez"),
        {},
        "unknown field 'resourcez' (did you mean 'resources'?)",
    ),
    ("PyTorchJob", (*_CONTAINER, "image"), 3, "must be a string (got integer 3)"),
]


@pytest.mark.parametrize(("kind", "path", "value", "message"), SAME_AS_CRD)
def test_model_reports_like_the_crd(
    no_crds: OutputValidator,
    all_crds: OutputValidator,
    sample: Sample,
    kind: str,
    path: Path,
    value: Any,
    message: str,
) -> None:
    obj = sample(kind)
    set_at(obj, path, value)
    assert found(no_crds.check(obj)) == [(path, message)]
    crd_problems = found(all_crds.check(obj))
    assert [p for p, _ in crd_problems] == [path]


def test_model_problems_carry_the_model_rule(no_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("PyTorchJob")
    set_at(obj, ("spec", "runPolicy", "backoffLimit"), "3")
    set_at(obj, (*_CONTAINER, "resourcez"), {})
    rules = {p.path: p.rule for p in no_crds.check(obj).problems}
    assert rules == {
        ("spec", "runPolicy", "backoffLimit"): "model",
        (*_CONTAINER, "resourcez"): "schema",
    }


@pytest.mark.parametrize(
    ("kind", "path", "parent", "field"),
    [
        ("PyTorchJob", ("spec", "pytorchReplicaSpecs"), ("spec",), "pytorchReplicaSpecs"),
        (
            "NodePool",
            ("spec", "template", "spec", "nodeClassRef"),
            ("spec", "template", "spec"),
            "nodeClassRef",
        ),
        ("EC2NodeClass", ("spec", "subnetSelectorTerms"), ("spec",), "subnetSelectorTerms"),
        ("Application", ("spec", "project"), ("spec",), "project"),
        ("PyTorchJob", (*_CONTAINER, "name"), _CONTAINER, "name"),
    ],
)
def test_missing_required_field(
    no_crds: OutputValidator, sample: Sample, kind: str, path: Path, parent: Path, field: str
) -> None:
    obj = sample(kind)
    delete_at(obj, path)
    assert found(no_crds.check(obj)) == [(parent, f"'{field}' is required")]


def test_bad_pod_template_field_path_is_relative_to_the_object(
    no_crds: OutputValidator, sample: Sample
) -> None:
    obj = sample("PyTorchJob")
    set_at(obj, (*_TEMPLATE, "spec", "restartPolicy"), 1)
    set_at(obj, (*_TEMPLATE, "spec", "volumes", 0, "emptyDir", "sizeLimit"), [])
    assert found(no_crds.check(obj)) == [
        ((*_TEMPLATE, "spec", "restartPolicy"), "must be a string (got integer 1)"),
        (
            (*_TEMPLATE, "spec", "volumes", 0, "emptyDir", "sizeLimit"),
            "must be a number or a string (got a list)",
        ),
    ]


def test_replica_type_must_be_master_or_worker(no_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("PyTorchJob")
    obj["spec"]["pytorchReplicaSpecs"]["Chief"] = obj["spec"]["pytorchReplicaSpecs"].pop("Master")
    assert found(no_crds.check(obj)) == [
        (
            ("spec", "pytorchReplicaSpecs", "Chief"),
            "key must be one of: Master, Worker (got 'Chief')",
        )
    ]


def test_model_only_rules(no_crds: OutputValidator, sample: Sample) -> None:
    node_class = sample("EC2NodeClass")
    node_class["spec"]["instanceProfile"] = "KarpenterNodeInstanceProfile"
    assert found(no_crds.check(node_class)) == [
        (("spec",), "must specify exactly one of 'role' or 'instanceProfile'")
    ]
    node_class = sample("EC2NodeClass")
    node_class["spec"]["amiSelectorTerms"] = [{}]
    assert found(no_crds.check(node_class)) == [
        (
            ("spec", "amiSelectorTerms", 0),
            "must set at least one of: alias, id, name, owner, ssmParameter, tags",
        )
    ]
    application = sample("Application")
    application["spec"]["destination"]["name"] = "in-cluster"
    assert found(no_crds.check(application)) == [
        (("spec", "destination"), "must set exactly one of 'server' or 'name'")
    ]


def test_quantities(no_crds: OutputValidator, sample: Sample) -> None:
    node_pool = sample("NodePool")
    node_pool["spec"]["limits"] = {"cpu": "1k", "memory": 1.5, "nvidia.com/gpu": "lots", "x": True}
    assert found(no_crds.check(node_pool)) == [
        (
            ("spec", "limits", "nvidia.com/gpu"),
            "must be a quantity such as '500m', '2' or '16Gi' (got 'lots')",
        ),
        (
            ("spec", "limits", "x"),
            "must be a quantity such as '500m', '2' or '16Gi' (got boolean true)",
        ),
    ]


def test_no_coercion(no_crds: OutputValidator, sample: Sample) -> None:
    # "4" is not 4 and "true" is not true, as for the API server.
    obj = sample("PyTorchJob")
    obj["spec"]["pytorchReplicaSpecs"]["Worker"]["replicas"] = "4"
    obj["spec"]["runPolicy"]["suspend"] = "true"
    obj["spec"]["nprocPerNode"] = 8
    assert found(no_crds.check(obj)) == [
        (("spec", "nprocPerNode"), "must be a string (got integer 8)"),
        (
            ("spec", "pytorchReplicaSpecs", "Worker", "replicas"),
            "must be an integer (got string '4')",
        ),
        (("spec", "runPolicy", "suspend"), "must be a boolean (got string 'true')"),
    ]


def test_wrong_api_version_literal_is_unreachable_but_kind_routes(no_crds: OutputValidator) -> None:
    # Routing is by (group, version, kind): another version of a modelled group is not checked.
    obj = {"apiVersion": "karpenter.sh/v1beta1", "kind": "NodePool", "metadata": {"name": "x"}}
    assert no_crds.check(obj).source == "none"


def test_crd_takes_precedence_over_the_model(all_crds: OutputValidator, sample: Sample) -> None:
    assert all_crds.check(sample("PyTorchJob")).source == "crd"


def test_a_template_of_the_wrong_type_is_reported_once(
    no_crds: OutputValidator, sample: Sample
) -> None:
    obj = sample("PyTorchJob")
    set_at(obj, _TEMPLATE, [])
    assert [(p.path, p.message, p.rule) for p in no_crds.check(obj).problems] == [
        (_TEMPLATE, "must be an object (got a list)", "model")
    ]


def test_the_validator_knows_every_model_kind_without_importing_them() -> None:
    from manifestgen.check.models import MODEL_KINDS
    from manifestgen.check.validator import MODEL_GVKS

    assert frozenset(MODEL_KINDS) == MODEL_GVKS
