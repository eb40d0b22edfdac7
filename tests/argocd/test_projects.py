"""AppProjects admit only the teams' namespaces on each cluster, by Argo CD's own rules."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from manifestgen.kinds.catalog import lookup
from tests.argocd.support import build, platform_with

TRAIN_A = "https://kubernetes.default.svc"
TRAIN_B = "https://train-b.example.com"


def destination_permitted(project: dict[str, Any], server: str, namespace: str) -> bool:
    """Argo CD's AppProject.isDestinationMatched for allow entries: server and namespace
    both match (a namespace pattern "*" matches anything, the empty one included)."""
    return any(
        fnmatchcase(server, d["server"])
        and (d["namespace"] == "*" or fnmatchcase(namespace, d["namespace"]))
        for d in project["spec"]["destinations"]
    )


def resource_permitted(project: dict[str, Any], server: str, obj: dict[str, Any]) -> bool:
    """Argo CD's validateSyncPermissions: a namespaced object is checked against the kind
    whitelist and the destinations; a cluster-scoped one against the whitelist only (by
    kind and, where an entry names one, by name)."""
    group = obj["apiVersion"].rpartition("/")[0]
    row = lookup(obj["apiVersion"], obj["kind"])
    assert row is not None
    if row.namespaced:
        kinds = project["spec"]["namespaceResourceWhitelist"]
        return {"group": group, "kind": obj["kind"]} in kinds and destination_permitted(
            project, server, obj["metadata"]["namespace"]
        )
    return any(
        entry["group"] == group
        and entry["kind"] == obj["kind"]
        and fnmatchcase(obj["metadata"]["name"], entry.get("name", "*"))
        for entry in project["spec"]["clusterResourceWhitelist"]
    )


def _tree(tmp_path: Path, crds: Path) -> dict[str, Any]:
    tree, diagnostics = build(tmp_path, crds, platform_with())
    assert not [d for d in diagnostics if d.is_error]
    return {
        path: yaml.safe_load(data)
        for path, data in tree.items()
        if not path.endswith("kustomization.yaml")
    }


def test_destinations_list_each_clusters_team_namespaces_only(
    tmp_path: Path, crds_dir: Path
) -> None:
    project = _tree(tmp_path, crds_dir)["argocd/appproject-training.yaml"]
    assert project["spec"]["destinations"] == [
        {"namespace": "team-nlp", "server": TRAIN_A},
        {"namespace": "team-vision", "server": TRAIN_A},
        {"namespace": "team-nlp", "server": TRAIN_B},
    ]
    namespaces = [
        e for e in project["spec"]["clusterResourceWhitelist"] if e["kind"] == "Namespace"
    ]
    assert namespaces == [
        {"group": "", "kind": "Namespace", "name": "team-nlp"},
        {"group": "", "kind": "Namespace", "name": "team-vision"},
    ]


def test_argocd_admits_every_generated_object_and_nothing_of_another_team(
    tmp_path: Path, crds_dir: Path
) -> None:
    objects = _tree(tmp_path, crds_dir)
    project = objects["argocd/appproject-training.yaml"]
    servers = {"train-a": TRAIN_A, "train-b": TRAIN_B}
    for path, obj in objects.items():
        cluster = path.split("/")[0]
        if cluster != "argocd":
            assert resource_permitted(project, servers[cluster], obj), path
    for cluster, server in servers.items():
        destination = objects[f"argocd/application-manifestgen-{cluster}.yaml"]["spec"][
            "destination"
        ]
        assert destination["server"] == server
        assert destination_permitted(project, server, destination.get("namespace", ""))
    # team-vision is not on train-b; nothing may land in Argo CD's or Kubernetes' namespaces.
    job = objects["train-a/team-vision/vision-a/pytorchjob.yaml"]
    assert not resource_permitted(project, TRAIN_B, job)
    for namespace in ("argocd", "kube-system", "default"):
        moved = {**job, "metadata": {**job["metadata"], "namespace": namespace}}
        assert not resource_permitted(project, TRAIN_A, moved), namespace
        other = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        assert not resource_permitted(project, TRAIN_A, other), namespace


def test_a_cluster_no_team_uses_is_a_located_warning(tmp_path: Path, crds_dir: Path) -> None:
    platform = platform_with()
    platform["spec"]["clusters"]["spare"] = {
        **platform["spec"]["clusters"]["train-b"],
        "argocd": {"server": "https://spare.example.com", "project": "training"},
    }
    tree, diagnostics = build(tmp_path, crds_dir, platform)
    (warning,) = [d for d in diagnostics if d.code == "MG250"]
    assert not warning.is_error
    assert warning.field == "spec.clusters.spare"
    assert warning.location.path == "specs/platform.yaml"
    assert warning.location.line > 0
    assert "spare" in warning.message
    project = yaml.safe_load(tree["argocd/appproject-training.yaml"])
    assert not destination_permitted(project, "https://spare.example.com", "team-nlp")


def test_root_application_in_a_generated_project_is_an_error(
    tmp_path: Path, crds_dir: Path
) -> None:
    _, diagnostics = build(tmp_path, crds_dir, platform_with(rootProject="training"))
    (error,) = [d for d in diagnostics if d.code == "MG251"]
    assert error.is_error
    assert error.field == "spec.gitops.rootProject"
    assert error.location.line > 0
    _, diagnostics = build(
        tmp_path / "off", crds_dir, platform_with(rootProject="training", rootApplication=False)
    )
    assert not [d for d in diagnostics if d.code == "MG251"]
