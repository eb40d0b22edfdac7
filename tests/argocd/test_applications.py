"""The clusters' Applications in each `gitops.applications` mode, the root app of apps and
the opt-in resources finalizer, checked against the real CRDs and `kubectl kustomize`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.argocd.support import argocd_objects, sync_options

FINALIZER = "resources-finalizer.argocd.argoproj.io"
CLUSTER_APPS = {"application-manifestgen-train-a.yaml", "application-manifestgen-train-b.yaml"}
ROOT = "application-manifestgen.yaml"
APPSET = "applicationset-manifestgen.yaml"


def _kinds(objects: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: obj["kind"] for name, obj in objects.items()}


def _expand_template(template: Any, element: dict[str, str]) -> Any:
    """What the ApplicationSet controller makes of the template for one element
    (`{{.key}}` only: the generated template uses nothing else)."""
    if isinstance(template, dict):
        return {k: _expand_template(v, element) for k, v in template.items()}
    if isinstance(template, list):
        return [_expand_template(v, element) for v in template]
    if isinstance(template, str):
        return re.sub(r"\{\{\.(\w+)\}\}", lambda m: element[m.group(1)], template)
    return template


def test_per_cluster_mode_is_the_default(tmp_path: Path, crds_dir: Path) -> None:
    objects = argocd_objects(tmp_path, crds_dir)
    apps = {n for n, kind in _kinds(objects).items() if kind == "Application"}
    assert apps == {*CLUSTER_APPS, ROOT}
    assert "ApplicationSet" not in _kinds(objects).values()
    train_b = objects["application-manifestgen-train-b.yaml"]["spec"]
    assert train_b["destination"] == {
        "server": "https://train-b.example.com",
        "namespace": "team-nlp",
    }
    assert train_b["project"] == "training"
    assert train_b["source"]["path"] == "out/train-b"


def test_application_set_makes_the_same_applications_from_per_cluster_data(
    tmp_path: Path, crds_dir: Path
) -> None:
    per_cluster = argocd_objects(tmp_path / "a", crds_dir)
    objects = argocd_objects(tmp_path / "b", crds_dir, applications="applicationSet")
    assert _kinds(objects) == {
        APPSET: "ApplicationSet",
        ROOT: "Application",
        "appproject-training.yaml": "AppProject",
        "configmap-argocd-cm.yaml": "ConfigMap",
    }
    appset = objects[APPSET]
    assert appset["metadata"]["namespace"] == "argocd"
    (generator,) = appset["spec"]["generators"]
    elements = generator["list"]["elements"]
    assert elements == [
        {
            "name": "train-a",
            "namespace": "team-nlp",
            "path": "out/train-a",
            "project": "training",
            "server": "https://kubernetes.default.svc",
        },
        {
            "name": "train-b",
            "namespace": "team-nlp",
            "path": "out/train-b",
            "project": "training",
            "server": "https://train-b.example.com",
        },
    ]
    assert appset["spec"]["goTemplate"] is True
    for element in elements:
        made = _expand_template(appset["spec"]["template"], element)
        expected = per_cluster[f"application-manifestgen-{element['name']}.yaml"]
        assert made["metadata"]["name"] == expected["metadata"]["name"]
        assert made["spec"] == expected["spec"]
    # Server and project are written once per cluster, in the generator, not in the template.
    template = str(appset["spec"]["template"])
    assert "train-b.example.com" not in template
    assert "training" not in template


def test_applications_none_keeps_projects_health_checks_and_root(
    tmp_path: Path, crds_dir: Path
) -> None:
    objects = argocd_objects(tmp_path, crds_dir, applications="none")
    assert _kinds(objects) == {
        ROOT: "Application",
        "appproject-training.yaml": "AppProject",
        "configmap-argocd-cm.yaml": "ConfigMap",
    }


def test_root_application_syncs_out_argocd_itself(tmp_path: Path, crds_dir: Path) -> None:
    objects = argocd_objects(tmp_path, crds_dir, resourcesFinalizer=True, path="deploy/out")
    root = objects[ROOT]
    assert root["metadata"] == {
        "name": "manifestgen",
        "namespace": "argocd",
        "labels": {"app.kubernetes.io/managed-by": "manifestgen"},
        "annotations": root["metadata"]["annotations"],
    }, "the root never carries the resources finalizer"
    assert root["spec"]["source"] == {
        "path": "deploy/out/argocd",
        "repoURL": "https://git.example.com/ml/platform.git",
        "targetRevision": "main",
    }
    assert root["spec"]["destination"] == {
        "namespace": "argocd",
        "server": "https://kubernetes.default.svc",
    }
    assert root["spec"]["project"] == "default"
    assert root["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}


def test_root_application_can_be_left_out_or_put_in_another_project(
    tmp_path: Path, crds_dir: Path
) -> None:
    assert ROOT not in argocd_objects(tmp_path / "a", crds_dir, rootApplication=False)
    objects = argocd_objects(tmp_path / "b", crds_dir, rootProject="platform-admin")
    assert objects[ROOT]["spec"]["project"] == "platform-admin"


@pytest.mark.parametrize("applications", ["perCluster", "applicationSet"])
def test_resources_finalizer_is_opt_in(tmp_path: Path, crds_dir: Path, applications: str) -> None:
    def finalizers(objects: dict[str, dict[str, Any]]) -> list[list[str]]:
        if applications == "applicationSet":
            return [objects[APPSET]["spec"]["template"]["metadata"].get("finalizers", [])]
        return [objects[name]["metadata"].get("finalizers", []) for name in sorted(CLUSTER_APPS)]

    off = argocd_objects(tmp_path / "off", crds_dir, applications=applications)
    on = argocd_objects(
        tmp_path / "on", crds_dir, applications=applications, resourcesFinalizer=True
    )
    assert finalizers(off) == [[]] * len(finalizers(off))
    assert finalizers(on) == [[FINALIZER]] * len(finalizers(on))
    if applications == "applicationSet":
        # Otherwise the controller adds the finalizer to every Application it makes.
        assert off[APPSET]["spec"]["syncPolicy"] == {"preserveResourcesOnDeletion": True}
        assert on[APPSET]["spec"]["syncPolicy"] == {"preserveResourcesOnDeletion": False}


def test_argocd_cm_is_never_pruned_or_deleted(tmp_path: Path, crds_dir: Path) -> None:
    cm = argocd_objects(tmp_path, crds_dir)["configmap-argocd-cm.yaml"]
    assert cm["metadata"]["name"] == "argocd-cm"
    assert sync_options(cm) == {"ServerSideApply=true", "Prune=false", "Delete=false"}
