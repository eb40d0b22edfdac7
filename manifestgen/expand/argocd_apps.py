"""The Applications that sync out/: per cluster, one for the Platform's part and one per
team, or two ApplicationSets that make the same ones, and the root.

A cluster's platform Application (`manifestgen-<cluster>`, in the cluster's AppProject)
syncs out/<cluster>/cluster: cluster-scoped objects and what the Platform puts in each
namespace. Each team's (`manifestgen-<cluster>-<team>`, in the team's AppProject, see
argocd.py) syncs out/<cluster>/<namespace>: what the team's specs produce. The namespace
is the Platform's: a team Application never creates it (`CreateNamespace=false`) and, until
the platform Application has, fails and retries with back-off. No sync wave orders the
Applications: a wave would make the root wait on each platform Application's health,
and one degraded node pool would then hold back every team's change.

`gitops.applications` picks how the Applications are made (a table, below); the root
app-of-apps that syncs out/argocd itself is generated beside them unless
`gitops.rootApplication` is false.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from manifestgen.expand.argocd_ignore import with_kueue_ignores
from manifestgen.expand.labels import MANAGED_BY, metadata, provenance
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.render import layout
from manifestgen.render.layout import ARGOCD_DIR, KUSTOMIZATION
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import GitOps, Platform, PlatformSpec

ARGOCD = Target(cluster=None)
ROOT_NAME = "manifestgen"  # never clashes with manifestgen-<cluster>: clusters have names
APPLICATION_SET_NAME = "manifestgen"
TEAM_APPLICATION_SET_NAME = "manifestgen-teams"
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"
# Where Argo CD itself runs, as every Argo CD install knows it.
IN_CLUSTER = "https://kubernetes.default.svc"
# Explicit, though it is Argo CD's default: the namespace and its guardrails come only
# from the platform Application.
NO_NAMESPACE_CREATION = "CreateNamespace=false"


def application_name(cluster: str) -> str:
    return f"manifestgen-{cluster}"


def team_application_name(cluster: str, team: str) -> str:
    return f"manifestgen-{cluster}-{team}"


def team_project_name(project: str, team: str) -> str:
    return f"{project}-{team}"


def cluster_namespaces(spec: PlatformSpec, cluster: str) -> list[str]:
    """The team namespaces on a cluster: all its Applications may deploy namespaced objects to."""
    return sorted({t.namespace for t in spec.teams.values() if cluster in t.clusters})


def cluster_teams(spec: PlatformSpec, cluster: str) -> list[str]:
    return sorted(name for name, team in spec.teams.items() if cluster in team.clusters)


def application_directories(spec: PlatformSpec) -> list[str]:
    """out/'s Application directories: argocd, and per cluster its platform part and each
    team namespace's directory."""
    namespaces = {cluster: cluster_namespaces(spec, cluster) for cluster in spec.clusters}
    return list(layout.application_directories(namespaces))


def _sync_policy(options: Iterable[str]) -> dict[str, Any]:
    policy: dict[str, Any] = {
        # prune removes the old job when a changed spec renames it.
        "automated": {"prune": True, "selfHeal": True},
        "retry": {
            "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"},
            "limit": 5,
        },
    }
    if options:
        policy["syncOptions"] = sorted(options)
    return policy


def _app_spec(
    gitops: GitOps,
    destination: dict[str, str],
    project: str,
    path: str,
    sync_options: Iterable[str] = (),
) -> Any:
    return {
        "destination": destination,
        "project": project,
        "source": {
            # A plain directory: Argo CD parses each file, where a kustomize build of a
            # large directory costs tens of CPU seconds. It applies every manifest file
            # there, so a file manifestgen did not write is an error (MG506).
            "directory": {"exclude": KUSTOMIZATION, "recurse": True},
            "path": path,
            "repoURL": gitops.repo_url,
            "targetRevision": gitops.target_revision,
        },
        "syncPolicy": _sync_policy(sync_options),
    }


def _with_finalizer(meta: dict[str, Any], gitops: GitOps) -> dict[str, Any]:
    # Opt-in: with it, deleting an Application deletes the workloads it deployed.
    if gitops.resources_finalizer:
        meta["finalizers"] = [RESOURCES_FINALIZER]
    return meta


def cluster_destination(spec: PlatformSpec, cluster: str) -> dict[str, str]:
    """Server and default namespace of a cluster's Application. Every namespaced object
    names its own namespace; the default only has to be one the AppProject lists, or
    Argo CD refuses the Application (a cluster without teams has none: MG250)."""
    destination = {"server": spec.clusters[cluster].argocd.server}
    namespaces = cluster_namespaces(spec, cluster)
    if namespaces:
        destination["namespace"] = namespaces[0]
    return destination


def application(platform: Parsed[Platform], cluster_name: str) -> Manifest:
    spec = platform.model.spec
    cluster = spec.clusters[cluster_name]
    part = ("spec", "clusters", cluster_name, "argocd")
    meta = metadata(
        application_name(cluster_name),
        namespace=spec.gitops.argocd_namespace,
        annotations=provenance(platform.document.path, cluster.argocd.model_dump(mode="json")),
    )
    obj = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": _with_finalizer(meta, spec.gitops),
        "spec": _app_spec(
            spec.gitops,
            cluster_destination(spec, cluster_name),
            cluster.argocd.project,
            f"{spec.gitops.path}/{layout.platform_directory(cluster_name)}",
        ),
    }
    return Manifest(obj, Origin(platform.document, part), ARGOCD)


TEAM_ELEMENT_KEYS = ("cluster", "namespace", "path", "project", "server", "team")


def _team_element(spec: PlatformSpec, cluster: str, team: str) -> dict[str, str]:
    """What one team's Application on one cluster is made of (the ApplicationSet's
    generator element, and the Application's own fields)."""
    namespace = spec.teams[team].namespace
    return {
        "cluster": cluster,
        "namespace": namespace,
        "path": f"{spec.gitops.path}/{layout.team_directory(cluster, namespace)}",
        "project": team_project_name(spec.clusters[cluster].argocd.project, team),
        "server": spec.clusters[cluster].argocd.server,
        "team": team,
    }


def _team_app_spec(
    spec: PlatformSpec, element: Mapping[str, str], clusters: Iterable[str]
) -> dict[str, Any]:
    app = _app_spec(
        spec.gitops,
        {"namespace": element["namespace"], "server": element["server"]},
        element["project"],
        element["path"],
        [NO_NAMESPACE_CREATION],
    )
    return with_kueue_ignores(app, spec, clusters)


def team_application(platform: Parsed[Platform], cluster: str, team: str) -> Manifest:
    spec = platform.model.spec
    element = _team_element(spec, cluster, team)
    meta = metadata(
        team_application_name(cluster, team),
        namespace=spec.gitops.argocd_namespace,
        annotations=provenance(platform.document.path, element),
    )
    obj = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": _with_finalizer(meta, spec.gitops),
        "spec": _team_app_spec(spec, element, [cluster]),
    }
    return Manifest(obj, Origin(platform.document, ("spec", "teams", team)), ARGOCD)


def per_cluster(platform: Parsed[Platform]) -> list[Manifest]:
    spec = platform.model.spec
    return [
        app
        for cluster in sorted(spec.clusters)
        for app in (
            application(platform, cluster),
            *(team_application(platform, cluster, t) for t in cluster_teams(spec, cluster)),
        )
    ]


def _element(spec: PlatformSpec, cluster: str) -> dict[str, str]:
    destination = cluster_destination(spec, cluster)
    return {
        "name": cluster,
        "namespace": destination.get("namespace", ""),
        "path": f"{spec.gitops.path}/{layout.platform_directory(cluster)}",
        "project": spec.clusters[cluster].argocd.project,
        "server": destination["server"],
    }


def _application_set(
    platform: Parsed[Platform],
    name: str,
    elements: list[dict[str, str]],
    template_name: str,
    template_spec: dict[str, Any],
) -> Manifest:
    gitops = platform.model.spec.gitops
    template_meta = _with_finalizer({"name": template_name, "labels": dict(MANAGED_BY)}, gitops)
    obj = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": metadata(
            name,
            namespace=gitops.argocd_namespace,
            annotations=provenance(platform.document.path, elements),
        ),
        "spec": {
            "generators": [{"list": {"elements": elements}}],
            "goTemplate": True,
            # A key missing from an element is an error, not an empty string.
            "goTemplateOptions": ["missingkey=error"],
            # Without this the controller adds the resources finalizer to every Application
            # it makes, so deleting the ApplicationSet would delete every job.
            "syncPolicy": {"preserveResourcesOnDeletion": not gitops.resources_finalizer},
            "template": {"metadata": template_meta, "spec": template_spec},
        },
    }
    return Manifest(obj, Origin(platform.document, ("spec", "gitops")), ARGOCD)


def application_set(platform: Parsed[Platform]) -> list[Manifest]:
    """Two ApplicationSets whose list generators carry each Application's server, project
    and path, so they are written once, in the Platform, and not in a template each: one
    element per cluster for the platform Applications, one per (cluster, team) for the
    teams'. They make the same Applications as perCluster."""
    spec = platform.model.spec
    placeholders = {key: f"{{{{.{key}}}}}" for key in TEAM_ELEMENT_KEYS}
    team_elements = [
        _team_element(spec, cluster, team)
        for cluster in sorted(spec.clusters)
        for team in cluster_teams(spec, cluster)
    ]
    sets = [
        _application_set(
            platform,
            APPLICATION_SET_NAME,
            [_element(spec, name) for name in sorted(spec.clusters)],
            application_name("{{.name}}"),
            _app_spec(
                spec.gitops,
                {"namespace": "{{.namespace}}", "server": "{{.server}}"},
                "{{.project}}",
                "{{.path}}",
            ),
        )
    ]
    if team_elements:
        sets.append(
            _application_set(
                platform,
                TEAM_APPLICATION_SET_NAME,
                team_elements,
                team_application_name("{{.cluster}}", "{{.team}}"),
                _team_app_spec(spec, placeholders, spec.clusters),
            )
        )
    return sets


def no_applications(platform: Parsed[Platform]) -> list[Manifest]:
    """The clusters' Applications are managed elsewhere."""
    return []


APPLICATION_MODES: Mapping[str, Callable[[Parsed[Platform]], list[Manifest]]] = {
    "perCluster": per_cluster,
    "applicationSet": application_set,
    "none": no_applications,
}


def root_application(platform: Parsed[Platform]) -> Manifest:
    """The app of apps: it syncs out/argocd, itself included, so AppProjects, the clusters'
    Applications and health checks follow Git after it is applied once by hand. It never
    carries the resources finalizer: deleting it must not delete every cluster's jobs."""
    gitops = platform.model.spec.gitops
    obj = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": metadata(
            ROOT_NAME,
            namespace=gitops.argocd_namespace,
            annotations=provenance(platform.document.path, gitops.model_dump(mode="json")),
        ),
        "spec": _app_spec(
            gitops,
            {"namespace": gitops.argocd_namespace, "server": IN_CLUSTER},
            gitops.root_project,
            f"{gitops.path}/{ARGOCD_DIR}",
        ),
    }
    return Manifest(obj, Origin(platform.document, ("spec", "gitops")), ARGOCD)
