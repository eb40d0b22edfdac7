"""Where each generated object lives in out/: one resource per file at a fixed path.

out/<cluster>/kustomization.yaml                 what the cluster's Application renders
out/<cluster>/cluster/<kind>-<name>.yaml         namespaces, node classes, node pools
out/<cluster>/<namespace>/<kind>-<name>.yaml     a namespace's shared objects
out/<cluster>/<namespace>/<job>/<kind>.yaml      everything one TrainingJob expands into
out/argocd/...                                   AppProjects, Applications, health checks

This module alone turns a manifest's target into a path.
"""

from __future__ import annotations

from manifestgen.manifest import Manifest

ARGOCD_DIR = "argocd"
KUSTOMIZATION = "kustomization.yaml"


def path_of(manifest: Manifest) -> str:
    """The file under out/ that holds `manifest`."""
    target, kind, name = manifest.target, manifest.kind, manifest.name
    if target.cluster is None:
        return argocd_object(kind, name)
    namespace = manifest.namespace
    if target.owner is not None and namespace is not None:
        return job_object(target.cluster, namespace, target.owner, kind)
    if namespace is not None:
        return f"{target.cluster}/{namespace}/{kind.lower()}-{name}.yaml"
    return cluster_object(target.cluster, kind, name)


def cluster_object(cluster: str, kind: str, name: str) -> str:
    return f"{cluster}/cluster/{kind.lower()}-{name}.yaml"


def job_object(cluster: str, namespace: str, job: str, kind: str) -> str:
    # Named by kind only, so a changed job diffs as a modified file, not a rename.
    return f"{cluster}/{namespace}/{job}/{kind.lower()}.yaml"


def argocd_object(kind: str, name: str) -> str:
    return f"{ARGOCD_DIR}/{kind.lower()}-{name}.yaml"


def top_directory(path: str) -> str:
    return path.split("/", 1)[0]
