"""The generic check: a custom resource manifestgen emits, without its CRD, has its metadata
and pod templates checked against the bundled Kubernetes schemas, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.check import OutputValidator
from manifestgen.check.generic import GenericChecks
from manifestgen.check.kubernetes import KubernetesSchemas, is_builtin_group, select_version
from manifestgen.kinds.catalog import KINDS, ApiKind

from .support import Path, Sample, found, set_at

EMITTED_CUSTOM = [r for r in KINDS if r.app != "none" and not is_builtin_group(r.group)]
VERIFY_ONLY = [r for r in KINDS if r.app == "none"]
_TEMPLATE: Path = ("spec", "pytorchReplicaSpecs", "Worker", "template")
_CONTAINER: Path = (*_TEMPLATE, "spec", "containers", 0)


def _ids(rows: list[ApiKind]) -> list[str]:
    return [f"{r.api_version}/{r.kind}" for r in rows]


def _bare(row: ApiKind) -> dict[str, Any]:
    return {"apiVersion": row.api_version, "kind": row.kind, "metadata": {"name": "x"}}


@pytest.mark.parametrize("row", EMITTED_CUSTOM, ids=_ids(EMITTED_CUSTOM))
def test_every_emitted_custom_kind_gets_the_generic_check(
    no_crds: OutputValidator, row: ApiKind
) -> None:
    outcome = no_crds.check(_bare(row))
    assert (outcome.source, outcome.problems) == ("generic", ())
    assert outcome.schema_name == f"generic {row.api_version} {row.kind}"


@pytest.mark.parametrize("row", VERIFY_ONLY, ids=_ids(VERIFY_ONLY))
def test_kinds_manifestgen_does_not_emit_still_need_their_crd(
    no_crds: OutputValidator, row: ApiKind
) -> None:
    assert no_crds.check(_bare(row)).source == "none"


@pytest.mark.parametrize("kind", ["PyTorchJob", "NodePool", "EC2NodeClass", "Application"])
def test_samples_pass_both_ways(
    no_crds: OutputValidator, all_crds: OutputValidator, sample: Sample, kind: str
) -> None:
    without, with_crd = no_crds.check(sample(kind)), all_crds.check(sample(kind))
    assert (without.source, without.problems) == ("generic", ())
    assert (with_crd.source, with_crd.problems) == ("crd", ())


# (path, value, message): mistakes in a pod template, the same report with or without CRD.
TEMPLATE_MISTAKES = [
    ((*_CONTAINER, "resourcez"), {}, "unknown field 'resourcez' (did you mean 'resources'?)"),
    ((*_CONTAINER, "image"), 3, "must be a string (got integer 3)"),
    ((*_TEMPLATE, "spec", "restartPolicy"), 1, "must be a string (got integer 1)"),
    (
        (*_TEMPLATE, "spec", "volumes", 0, "emptyDir", "sizeLimit"),
        [],
        "must be a number or a string (got a list)",
    ),
    (("metadata", "labels"), ["a"], "must be an object (got a list)"),
    (("metadata", "namespacez"), "x", "unknown field 'namespacez' (did you mean 'namespace'?)"),
]


@pytest.mark.parametrize(("path", "value", "message"), TEMPLATE_MISTAKES)
def test_metadata_and_pod_templates_are_checked_without_the_crd(
    no_crds: OutputValidator,
    all_crds: OutputValidator,
    sample: Sample,
    path: Path,
    value: Any,
    message: str,
) -> None:
    obj = sample("PyTorchJob")
    set_at(obj, path, value)
    assert found(no_crds.check(obj)) == [(path, message)]
    assert [p for p, _ in found(all_crds.check(obj))] == [path]


# Outside metadata and the pod templates: only the CRD knows these are wrong.
OUTSIDE_MISTAKES = [
    ("PyTorchJob", ("spec", "runPolicy", "backoffLimit"), "3"),
    ("PyTorchJob", ("spec", "elasticPolicy", "maxRestartz"), 3),
    ("PyTorchJob", ("spec", "pytorchReplicaSpecs", "Worker", "replicas"), "4"),
    ("NodePool", ("spec", "weight"), 101),
    ("EC2NodeClass", ("spec", "metadataOptions", "httpToken"), "required"),
    ("Application", ("spec", "syncPolicy", "automated", "selfheal"), True),
]


@pytest.mark.parametrize(("kind", "path", "value"), OUTSIDE_MISTAKES)
def test_the_rest_of_the_object_is_left_to_the_crd(
    no_crds: OutputValidator,
    all_crds: OutputValidator,
    sample: Sample,
    kind: str,
    path: Path,
    value: Any,
) -> None:
    obj = sample(kind)
    set_at(obj, path, value)
    outcome = no_crds.check(obj)
    assert (outcome.source, outcome.problems) == ("generic", ())
    assert [p for p, _ in found(all_crds.check(obj))] == [path]


def test_a_template_of_the_wrong_type_is_reported_once(
    no_crds: OutputValidator, sample: Sample
) -> None:
    obj = sample("PyTorchJob")
    set_at(obj, _TEMPLATE, [])
    assert [(p.path, p.message, p.rule) for p in no_crds.check(obj).problems] == [
        (_TEMPLATE, "must be an object (got a list)", "schema")
    ]


def test_metadata_rules_of_the_api_server_apply(no_crds: OutputValidator, sample: Sample) -> None:
    obj = sample("NodePool")
    obj["metadata"]["name"] = "GPU_pool"
    assert [(p.path, p.rule) for p in no_crds.check(obj).problems] == [
        (("metadata", "name"), "metadata")
    ]


WITH_TEMPLATES = [r for r in KINDS if r.pod_templates]


@pytest.mark.parametrize("row", WITH_TEMPLATES, ids=_ids(WITH_TEMPLATES))
def test_pod_templates_are_found_where_the_catalog_says(row: ApiKind) -> None:
    # Every row with pod templates, emitted yet or not: where they are comes from the
    # catalog alone, so a new kind needs no code in check/ to have its templates checked.
    checks = GenericChecks(KubernetesSchemas(select_version("1.33")))
    obj = _bare(row)
    templates = [tuple("x" if p == "*" else p for p in pattern) for pattern in row.pod_templates]
    for template in templates:
        node: dict[str, Any] = obj
        for part in template[:-1]:
            node = node.setdefault(part, {})
        node[template[-1]] = {"spec": {"containerz": []}}
    problems = {(p.path, p.message.split(" (")[0]) for p in checks.checker(row)(obj).problems}
    assert problems == {
        problem
        for t in templates
        for problem in (
            ((*t, "spec"), "'containers' is required"),
            ((*t, "spec", "containerz"), "unknown field 'containerz'"),
        )
    }
