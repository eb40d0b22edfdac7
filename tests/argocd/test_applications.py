"""The clusters' and teams' Applications in each `gitops.applications` mode, the root app
of apps and the opt-in resources finalizer, checked against the real CRDs and `kubectl
kustomize`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.argocd.support import argocd_objects, sync_options

FINALIZER = "resources-finalizer.argocd.argoproj.io"
CLUSTER_APPS = {"application-manifestgen-train-a.yaml", "application-manifestgen-train-b.yaml"}
TEAM_APPS = {
    "application-manifestgen-train-a-nlp.yaml",
    "application-manifestgen-train-a-vision.yaml",
    "application-manifestgen-train-b-nlp.yaml",
}
ROOT = "application-manifestgen.yaml"
APPSET = "applicationset-manifestgen.yaml"
TEAM_APPSET = "applicationset-manifestgen-teams.yaml"
PROJECTS = {
    "appproject-training.yaml": "AppProject",
    "appproject-training-nlp.yaml": "AppProject",
    "appproject-training-vision.yaml": "AppProject",
}
# Every Application reads a plain directory, never its kustomization.yaml.
DIRECTORY = {"exclude": "kustomization.yaml", "recurse": True}


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
    assert apps == {*CLUSTER_APPS, *TEAM_APPS, ROOT}
    assert "ApplicationSet" not in _kinds(objects).values()
    train_b = objects["application-manifestgen-train-b.yaml"]["spec"]
    assert train_b["destination"] == {
        "server": "https://train-b.example.com",
        "namespace": "team-nlp",
    }
    assert train_b["project"] == "training"
    assert train_b["source"]["path"] == "out/train-b/cluster"
    assert train_b["source"]["directory"] == DIRECTORY
    assert "syncOptions" not in train_b["syncPolicy"]


def test_each_team_gets_an_application_per_cluster_in_its_own_project(
    tmp_path: Path, crds_dir: Path
) -> None:
    objects = argocd_objects(tmp_path, crds_dir)
    nlp_b = objects["application-manifestgen-train-b-nlp.yaml"]
    assert nlp_b["metadata"]["name"] == "manifestgen-train-b-nlp"
    spec = nlp_b["spec"]
    assert spec["destination"] == {"namespace": "team-nlp", "server": "https://train-b.example.com"}
    assert spec["project"] == "training-nlp"
    assert spec["source"]["path"] == "out/train-b/team-nlp"
    assert spec["source"]["directory"] == DIRECTORY
    # The namespace is the platform Application's: the team's waits (retrying) for it.
    assert spec["syncPolicy"]["syncOptions"] == ["CreateNamespace=false"]
    assert spec["syncPolicy"]["retry"]["limit"] > 0
    vision = objects["application-manifestgen-train-a-vision.yaml"]["spec"]
    assert vision["project"] == "training-vision"
    assert vision["source"]["path"] == "out/train-a/team-vision"


def test_application_set_makes_the_same_applications_from_per_cluster_data(
    tmp_path: Path, crds_dir: Path
) -> None:
    per_cluster = argocd_objects(tmp_path / "a", crds_dir)
    objects = argocd_objects(tmp_path / "b", crds_dir, applications="applicationSet")
    assert _kinds(objects) == {
        APPSET: "ApplicationSet",
        TEAM_APPSET: "ApplicationSet",
        ROOT: "Application",
        **PROJECTS,
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
            "path": "out/train-a/cluster",
            "project": "training",
            "server": "https://kubernetes.default.svc",
        },
        {
            "name": "train-b",
            "namespace": "team-nlp",
            "path": "out/train-b/cluster",
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
    teams = objects[TEAM_APPSET]
    assert teams["spec"]["goTemplateOptions"] == ["missingkey=error"]
    (generator,) = teams["spec"]["generators"]
    elements = generator["list"]["elements"]
    assert [(e["cluster"], e["team"]) for e in elements] == [
        ("train-a", "nlp"),
        ("train-a", "vision"),
        ("train-b", "nlp"),
    ]
    assert teams["spec"]["template"]["spec"]["project"] == "{{.project}}"
    for element in elements:
        made = _expand_template(teams["spec"]["template"], element)
        name = f"application-manifestgen-{element['cluster']}-{element['team']}.yaml"
        assert made["metadata"]["name"] == per_cluster[name]["metadata"]["name"]
        assert made["spec"] == per_cluster[name]["spec"]


def test_applications_none_keeps_projects_health_checks_and_root(
    tmp_path: Path, crds_dir: Path
) -> None:
    objects = argocd_objects(tmp_path, crds_dir, applications="none")
    assert _kinds(objects) == {
        ROOT: "Application",
        **PROJECTS,
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
        "directory": DIRECTORY,
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
            return [
                objects[name]["spec"]["template"]["metadata"].get("finalizers", [])
                for name in (APPSET, TEAM_APPSET)
            ]
        apps = sorted(CLUSTER_APPS | TEAM_APPS)
        return [objects[name]["metadata"].get("finalizers", []) for name in apps]

    off = argocd_objects(tmp_path / "off", crds_dir, applications=applications)
    on = argocd_objects(
        tmp_path / "on", crds_dir, applications=applications, resourcesFinalizer=True
    )
    assert finalizers(off) == [[]] * len(finalizers(off))
    assert finalizers(on) == [[FINALIZER]] * len(finalizers(on))
    if applications == "applicationSet":
        # Otherwise the controller adds the finalizer to every Application it makes.
        for name in (APPSET, TEAM_APPSET):
            assert off[name]["spec"]["syncPolicy"] == {"preserveResourcesOnDeletion": True}
            assert on[name]["spec"]["syncPolicy"] == {"preserveResourcesOnDeletion": False}


def test_argocd_cm_is_never_pruned_or_deleted(tmp_path: Path, crds_dir: Path) -> None:
    cm = argocd_objects(tmp_path, crds_dir)["configmap-argocd-cm.yaml"]
    assert cm["metadata"]["name"] == "argocd-cm"
    assert sync_options(cm) == {"ServerSideApply=true", "Prune=false", "Delete=false"}
