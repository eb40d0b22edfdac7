"""The Applications that sync out/: one per cluster, or one ApplicationSet, and the root.

`gitops.applications` picks how the clusters' Applications are made (a table, below);
the root app-of-apps that syncs out/argocd itself is generated beside them unless
`gitops.rootApplication` is false.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from manifestgen.expand.argocd_ignore import with_kueue_ignores
from manifestgen.expand.labels import MANAGED_BY, metadata, provenance
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.render.layout import ARGOCD_DIR
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import GitOps, Platform, PlatformSpec

ARGOCD = Target(cluster=None)
ROOT_NAME = "manifestgen"  # never clashes with manifestgen-<cluster>: clusters have names
APPLICATION_SET_NAME = "manifestgen"
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"
# Where Argo CD itself runs, as every Argo CD install knows it.
IN_CLUSTER = "https://kubernetes.default.svc"


def application_name(cluster: str) -> str:
    return f"manifestgen-{cluster}"


def cluster_namespaces(spec: PlatformSpec, cluster: str) -> list[str]:
    """The team namespaces on a cluster: all its Application may deploy namespaced objects to."""
    return sorted({t.namespace for t in spec.teams.values() if cluster in t.clusters})


def _sync_policy() -> dict[str, Any]:
    return {
        # prune removes the old job when a changed spec renames it.
        "automated": {"prune": True, "selfHeal": True},
        "retry": {
            "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"},
            "limit": 5,
        },
    }


def _app_spec(gitops: GitOps, destination: dict[str, str], project: str, path: str) -> Any:
    return {
        "destination": destination,
        "project": project,
        "source": {
            "path": path,
            "repoURL": gitops.repo_url,
            "targetRevision": gitops.target_revision,
        },
        "syncPolicy": _sync_policy(),
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
        "spec": with_kueue_ignores(
            _app_spec(
                spec.gitops,
                cluster_destination(spec, cluster_name),
                cluster.argocd.project,
                f"{spec.gitops.path}/{cluster_name}",
            ),
            spec,
            [cluster_name],
        ),
    }
    return Manifest(obj, Origin(platform.document, part), ARGOCD)


def per_cluster(platform: Parsed[Platform]) -> list[Manifest]:
    return [application(platform, name) for name in sorted(platform.model.spec.clusters)]


def _element(spec: PlatformSpec, cluster: str) -> dict[str, str]:
    destination = cluster_destination(spec, cluster)
    return {
        "name": cluster,
        "namespace": destination.get("namespace", ""),
        "path": f"{spec.gitops.path}/{cluster}",
        "project": spec.clusters[cluster].argocd.project,
        "server": destination["server"],
    }


def application_set(platform: Parsed[Platform]) -> list[Manifest]:
    """One ApplicationSet whose list generator carries each cluster's server, project and
    path, so they are written once, in the Platform, and not in a template per cluster."""
    spec = platform.model.spec
    gitops = spec.gitops
    elements = [_element(spec, name) for name in sorted(spec.clusters)]
    template_meta = _with_finalizer(
        {"name": application_name("{{.name}}"), "labels": dict(MANAGED_BY)}, gitops
    )
    destination = {"namespace": "{{.namespace}}", "server": "{{.server}}"}
    obj = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": metadata(
            APPLICATION_SET_NAME,
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
            "template": {
                "metadata": template_meta,
                "spec": with_kueue_ignores(
                    _app_spec(gitops, destination, "{{.project}}", "{{.path}}"), spec, spec.clusters
                ),
            },
        },
    }
    return [Manifest(obj, Origin(platform.document, ("spec", "gitops")), ARGOCD)]


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
