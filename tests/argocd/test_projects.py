"""AppProjects admit only the teams' namespaces on each cluster, by Argo CD's own rules, and
each team's project only its own namespace and none of the Platform's guardrail kinds."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from manifestgen.kinds.catalog import KINDS, ApiKind, lookup
from tests.argocd.support import build, platform_with
from tests.support import REPO_ROOT

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
    whitelist and blacklist and the destinations; a cluster-scoped one against the
    whitelist only (by kind and, where an entry names one, by name; an empty list admits
    nothing)."""
    group = obj["apiVersion"].rpartition("/")[0]
    row = lookup(obj["apiVersion"], obj["kind"])
    assert row is not None
    if row.namespaced:
        kind = {"group": group, "kind": obj["kind"]}
        return (
            kind in project["spec"]["namespaceResourceWhitelist"]
            and kind not in project["spec"].get("namespaceResourceBlacklist", [])
            and destination_permitted(project, server, obj["metadata"]["namespace"])
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


def _committed_tree() -> dict[str, Any]:
    out = REPO_ROOT / "out"
    return {
        path.relative_to(out).as_posix(): yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(out.rglob("*.yaml"))
        if path.name != "kustomization.yaml"
    }


def _reads(app: dict[str, Any], gitops_path: str, path: str) -> bool:
    """Whether an Application's directory source applies the file at `path` (relative to
    out/), as Argo CD's repo-server decides: under its path, in a subdirectory only with
    `recurse`, and not matching `exclude` (a glob on the path relative to its own)."""
    source = app["spec"]["source"]
    directory = source["directory"]
    root = source["path"].removeprefix(gitops_path + "/")
    if not path.startswith(root + "/"):
        return False
    relative = path[len(root) + 1 :]
    if "/" in relative and not directory.get("recurse"):
        return False
    return "exclude" not in directory or not fnmatchcase(relative, directory["exclude"])


def _applications(objects: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        obj["metadata"]["name"]: obj
        for path, obj in objects.items()
        if path.startswith("argocd/") and obj["kind"] == "Application"
    }


def _projects(objects: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        obj["metadata"]["name"]: obj
        for path, obj in objects.items()
        if path.startswith("argocd/") and obj["kind"] == "AppProject"
    }


def _every_file_has_one_application(objects: dict[str, Any], gitops_path: str) -> None:
    apps = _applications(objects)
    projects = _projects(objects)
    for path, obj in objects.items():
        readers = [name for name, app in apps.items() if _reads(app, gitops_path, path)]
        if path.startswith("argocd/"):
            assert readers == ["manifestgen"], path
            continue
        assert len(readers) == 1, (path, readers)
        app = apps[readers[0]]["spec"]
        project = projects[app["project"]]
        assert resource_permitted(project, app["destination"]["server"], obj), path


def _probe(row: ApiKind, namespace: str) -> dict[str, Any]:
    meta = {"name": "probe", "namespace": namespace} if row.namespaced else {"name": namespace}
    return {"apiVersion": row.api_version, "kind": row.kind, "metadata": meta}


def _team_projects_admit_nothing_of_others(objects: dict[str, Any]) -> int:
    """Every team Application's project against every other namespace of the tree, every
    kind only the Platform writes and every cluster-scoped kind (a probe object of each,
    in the team's own namespace); returns how many team projects it checked."""
    projects = _projects(objects)
    team_apps = [a for a in _applications(objects).values() if a["spec"]["project"] != "default"]
    team_apps = [
        a
        for a in team_apps
        if projects[a["spec"]["project"]]["spec"]["clusterResourceWhitelist"] == []
    ]
    namespaces = {o["metadata"]["name"] for o in objects.values() if o["kind"] == "Namespace"}
    namespaces |= {o["metadata"].get("namespace") for o in objects.values()} - {None}
    refused = [
        r for r in KINDS if r.app == "cluster" and (r.owner == "platform" or not r.namespaced)
    ]
    assert {r.kind for r in refused} >= {"ResourceQuota", "LimitRange", "Role", "RoleBinding"}
    for app in team_apps:
        project = projects[app["spec"]["project"]]
        own = app["spec"]["destination"]["namespace"]
        assert {d["namespace"] for d in project["spec"]["destinations"]} == {own}
        for server in {d["server"] for d in project["spec"]["destinations"]}:
            for other in sorted(namespaces - {own}):
                for row in KINDS:
                    if row.namespaced and row.app == "cluster":
                        assert not resource_permitted(project, server, _probe(row, other)), (
                            own,
                            other,
                            row.kind,
                        )
            for row in refused:
                assert not resource_permitted(project, server, _probe(row, own)), (own, row.kind)
    return len({a["spec"]["project"] for a in team_apps})


def test_every_file_belongs_to_exactly_one_application_that_may_deploy_it(
    tmp_path: Path, crds_dir: Path
) -> None:
    _every_file_has_one_application(_tree(tmp_path, crds_dir), "out")
    _every_file_has_one_application(_committed_tree(), "out")


def test_no_team_project_admits_another_teams_namespace_or_a_guardrail(
    tmp_path: Path, crds_dir: Path
) -> None:
    assert _team_projects_admit_nothing_of_others(_tree(tmp_path, crds_dir)) == 2
    assert _team_projects_admit_nothing_of_others(_committed_tree()) == 2


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


def test_argocd_admits_no_job_outside_its_teams_namespace_and_cluster(
    tmp_path: Path, crds_dir: Path
) -> None:
    objects = _tree(tmp_path, crds_dir)
    project = objects["argocd/appproject-training-vision.yaml"]
    servers = {"train-a": TRAIN_A, "train-b": TRAIN_B}
    for cluster, server in servers.items():
        destination = objects[f"argocd/application-manifestgen-{cluster}.yaml"]["spec"][
            "destination"
        ]
        assert destination["server"] == server
        platform_project = objects["argocd/appproject-training.yaml"]
        assert destination_permitted(platform_project, server, destination.get("namespace", ""))
    # team-vision is not on train-b; nothing may land in Argo CD's or Kubernetes' namespaces.
    job = objects["train-a/team-vision/vision-a/pytorchjob.yaml"]
    assert resource_permitted(project, TRAIN_A, job)
    assert not resource_permitted(project, TRAIN_B, job)
    for namespace in ("argocd", "kube-system", "default"):
        moved = {**job, "metadata": {**job["metadata"], "namespace": namespace}}
        assert not resource_permitted(project, TRAIN_A, moved), namespace
        other = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        assert not resource_permitted(project, TRAIN_A, other), namespace
    # The platform project deploys no job: a job in its directory would be refused.
    assert not resource_permitted(objects["argocd/appproject-training.yaml"], TRAIN_A, job)


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


def test_team_and_cluster_names_that_meet_in_an_argocd_name_are_an_error(
    tmp_path: Path, crds_dir: Path
) -> None:
    # Cluster `train-a-nlp` is named like team nlp's Application on cluster train-a.
    platform = platform_with()
    platform["spec"]["clusters"]["train-a-nlp"] = {
        **platform["spec"]["clusters"]["train-b"],
        "argocd": {"server": "https://spare.example.com", "project": "training-nlp"},
    }
    platform["spec"]["teams"]["nlp"]["clusters"].append("train-a-nlp")
    _, diagnostics = build(tmp_path, crds_dir, platform)
    clashes = sorted((d.field, d.message) for d in diagnostics if d.code == "MG621")
    assert [field for field, _ in clashes] == ["spec.teams.nlp", "spec.teams.nlp"]
    assert "Application 'manifestgen-train-a-nlp'" in clashes[0][1] + clashes[1][1]
    assert "AppProject 'training-nlp'" in clashes[0][1] + clashes[1][1]
    assert all(d.is_error and d.location.line > 0 for d in diagnostics if d.code == "MG621")


def test_a_team_namespace_named_like_the_platform_directory_is_an_error(
    tmp_path: Path, crds_dir: Path
) -> None:
    platform = platform_with()
    platform["spec"]["teams"]["vision"]["namespace"] = "cluster"
    _, diagnostics = build(tmp_path, crds_dir, platform)
    (error,) = [d for d in diagnostics if d.code == "MG622"]
    assert error.is_error
    assert error.field == "spec.teams.vision.namespace"
    assert error.location.line > 0
