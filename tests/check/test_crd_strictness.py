"""The important custom resources, checked against their real CRDs made strict.

For each kind: an unknown field, a wrong type and a missing required field are each
reported at the exact path with a readable message.
"""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.check import OutputValidator

from .support import Path, Sample, delete_at, found, set_at

_CONTAINER: Path = ("spec", "pytorchReplicaSpecs", "Worker", "template", "spec", "containers", 0)
_REQUIREMENT: Path = ("spec", "template", "spec", "requirements", 0)
_QUOTA: Path = ("spec", "resourceGroups", 0, "flavors", 0, "resources", 0, "nominalQuota")
_JOBSET_CONTAINER: Path = (
    *("spec", "replicatedJobs", 0, "template", "spec", "template", "spec", "containers", 0),
)

# (kind, field path, new value, problem path, message)
UNKNOWN_FIELDS = [
    (
        "PyTorchJob",
        (*_CONTAINER, "resourcez"),
        {},
        "unknown field 'resourcez' (did you mean 'resources'?)",
    ),
    (
        "TrainJob",
        ("spec", "trainer", "numProcsPerNode"),
        8,
        "unknown field 'numProcsPerNode' (did you mean 'numProcPerNode'?)",
    ),
    (
        "NodePool",
        ("spec", "disruption", "consolidationPolicyy"),
        "WhenEmpty",
        "unknown field 'consolidationPolicyy' (did you mean 'consolidationPolicy'?)",
    ),
    (
        "EC2NodeClass",
        ("spec", "metadataOptions", "httpToken"),
        "required",
        "unknown field 'httpToken' (did you mean 'httpTokens'?)",
    ),
    (
        "Application",
        ("spec", "syncPolicy", "automated", "selfheal"),
        True,
        "unknown field 'selfheal' (did you mean 'selfHeal'?)",
    ),
    (
        "JobSet",
        (*_JOBSET_CONTAINER, "imagePullPolice"),
        "Always",
        "unknown field 'imagePullPolice' (did you mean 'imagePullPolicy'?)",
    ),
    # Kueue v1beta2 renamed `cohort` to `cohortName`.
    (
        "ClusterQueue",
        ("spec", "cohort"),
        "ml",
        "unknown field 'cohort' (did you mean 'cohortName'?)",
    ),
    ("PyTorchJob", ("spec", "zzz"), 1, "unknown field 'zzz'"),
]

# (kind, field path, wrong value, message)
WRONG_TYPES = [
    (
        "PyTorchJob",
        ("spec", "runPolicy", "backoffLimit"),
        "3",
        "must be an integer (got string '3')",
    ),
    # numProcPerNode is an integer since Trainer v2.2: "auto" is rejected.
    (
        "TrainJob",
        ("spec", "trainer", "numProcPerNode"),
        "auto",
        "must be an integer (got string 'auto')",
    ),
    ("NodePool", ("spec", "weight"), "50", "must be an integer (got string '50')"),
    (
        "EC2NodeClass",
        ("spec", "blockDeviceMappings", 0, "ebs", "encrypted"),
        "true",
        "must be a boolean (got string 'true')",
    ),
    (
        "Application",
        ("spec", "syncPolicy", "syncOptions"),
        "Prune=true",
        "must be a list (got string 'Prune=true')",
    ),
    (
        "JobSet",
        ("spec", "replicatedJobs", 0, "replicas"),
        "2",
        "must be an integer (got string '2')",
    ),
    ("ClusterQueue", _QUOTA, True, "must be an integer or a string (got boolean true)"),
    (
        "PyTorchJob",
        ("spec", "pytorchReplicaSpecs", "Worker", "template"),
        [],
        "must be an object (got a list)",
    ),
]

# (kind, field path to delete, problem path, required field)
MISSING_REQUIRED = [
    ("PyTorchJob", ("spec", "pytorchReplicaSpecs"), ("spec",), "pytorchReplicaSpecs"),
    ("TrainJob", ("spec", "runtimeRef"), ("spec",), "runtimeRef"),
    (
        "NodePool",
        ("spec", "template", "spec", "requirements"),
        ("spec", "template", "spec"),
        "requirements",
    ),
    ("EC2NodeClass", ("spec", "amiSelectorTerms"), ("spec",), "amiSelectorTerms"),
    ("Application", ("spec", "destination"), ("spec",), "destination"),
    ("JobSet", ("spec", "replicatedJobs", 0, "name"), ("spec", "replicatedJobs", 0), "name"),
    ("ClusterQueue", _QUOTA, _QUOTA[:-1], "nominalQuota"),
    ("PyTorchJob", (*_CONTAINER, "name"), _CONTAINER, "name"),
]


@pytest.mark.parametrize(("kind", "path", "value", "message"), UNKNOWN_FIELDS)
def test_unknown_field(
    all_crds: OutputValidator, sample: Sample, kind: str, path: Path, value: Any, message: str
) -> None:
    obj = sample(kind)
    set_at(obj, path, value)
    outcome = all_crds.check(obj)
    assert outcome.source == "crd"
    assert found(outcome) == [(path, message)]


@pytest.mark.parametrize(("kind", "path", "value", "message"), WRONG_TYPES)
def test_wrong_type(
    all_crds: OutputValidator, sample: Sample, kind: str, path: Path, value: Any, message: str
) -> None:
    obj = sample(kind)
    set_at(obj, path, value)
    assert found(all_crds.check(obj)) == [(path, message)]


@pytest.mark.parametrize(("kind", "path", "parent", "field"), MISSING_REQUIRED)
def test_missing_required_field(
    all_crds: OutputValidator, sample: Sample, kind: str, path: Path, parent: Path, field: str
) -> None:
    obj = sample(kind)
    delete_at(obj, path)
    assert found(all_crds.check(obj)) == [(parent, f"'{field}' is required")]


def test_enum_message_suggests_the_closest_value(all_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("NodePool")
    set_at(obj, (*_REQUIREMENT, "operator"), "Inn")
    assert found(all_crds.check(obj)) == [
        (
            (*_REQUIREMENT, "operator"),
            "must be one of: Gte, Lte, In, NotIn, Exists, DoesNotExist, Gt, Lt "
            "(got 'Inn'; did you mean 'In'?)",
        )
    ]


def test_quantity_pattern_message(all_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("ClusterQueue")
    set_at(obj, _QUOTA, "lots")
    assert found(all_crds.check(obj)) == [
        (_QUOTA, "must be a quantity such as '500m', '2' or '16Gi' (got 'lots')")
    ]


def test_several_problems_come_back_sorted(all_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("PyTorchJob")
    set_at(obj, ("spec", "runPolicy", "backoffLimit"), "3")
    set_at(obj, ("spec", "aaa"), 1)
    set_at(obj, (*_CONTAINER, "resourcez"), {})
    paths = [problem.path for problem in all_crds.check(obj).problems]
    assert paths == [
        ("spec", "aaa"),
        (*_CONTAINER, "resourcez"),
        ("spec", "runPolicy", "backoffLimit"),
    ]


def test_preserve_unknown_fields_allows_anything_below(
    all_crds: OutputValidator, sample: Sample
) -> None:
    # Application.spec.source.helm.valuesObject is x-kubernetes-preserve-unknown-fields.
    obj = sample("Application")
    set_at(obj, ("spec", "source", "helm"), {"valuesObject": {"anything": {"goes": [1, "two"]}}})
    assert all_crds.check(obj).problems == ()
    # ... but the known fields around it stay closed.
    set_at(obj, ("spec", "source", "helm", "valueFilez"), [])
    assert found(all_crds.check(obj)) == [
        (
            ("spec", "source", "helm", "valueFilez"),
            "unknown field 'valueFilez' (did you mean 'valueFiles'?)",
        )
    ]


def test_schemaless_crd_is_checked_against_the_operators_openapi_document(
    all_crds: OutputValidator,
) -> None:
    # Katib's Experiment CRD is only `x-kubernetes-preserve-unknown-fields: true`; Katib's
    # OpenAPI document beside it (katib/openapi/swagger.json) describes the fields.
    obj = {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": "hpo"},
        "spec": {"objective": {"type": "maximize"}, "anything": [1, 2]},
    }
    assert found(all_crds.check(obj)) == [
        (("spec", "anything"), "unknown field 'anything'"),
    ]


def test_root_metadata_is_checked_as_object_meta(all_crds: OutputValidator, sample: Sample) -> None:
    # CRDs declare only `metadata: {type: object}`; the API server still validates ObjectMeta.
    obj = sample("TrainJob")
    set_at(obj, ("metadata", "labelz"), {"a": "b"})
    set_at(obj, ("metadata", "annotations"), {"count": 3})
    assert found(all_crds.check(obj)) == [
        (("metadata", "annotations", "count"), "must be a string (got integer 3)"),
        (("metadata", "labelz"), "unknown field 'labelz' (did you mean 'labels'?)"),
    ]


def test_embedded_template_metadata_is_closed(all_crds: OutputValidator, sample: Sample) -> None:
    # The PyTorchJob CRD declares name/namespace/labels/annotations/finalizers for pod
    # template metadata; anything else would be pruned by the API server.
    obj = sample("PyTorchJob")
    template_metadata = ("spec", "pytorchReplicaSpecs", "Master", "template", "metadata")
    set_at(obj, (*template_metadata, "generateName"), "x-")
    assert found(all_crds.check(obj)) == [
        ((*template_metadata, "generateName"), "unknown field 'generateName'")
    ]
