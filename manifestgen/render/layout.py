"""Where each generated object lives in out/: one resource per file at a fixed path.

out/<cluster>/kustomization.yaml                 what the cluster's Application renders
out/<cluster>/cluster/<kind>-<name>.yaml         namespaces, node classes, node pools
out/<cluster>/<namespace>/<job>/<kind>.yaml      everything one TrainingJob expands into
out/argocd/...                                   AppProjects, Applications, health checks
"""

from __future__ import annotations

ARGOCD_DIR = "argocd"
KUSTOMIZATION = "kustomization.yaml"


def cluster_object(cluster: str, kind: str, name: str) -> str:
    return f"{cluster}/cluster/{kind.lower()}-{name}.yaml"


def job_object(cluster: str, namespace: str, job: str, kind: str) -> str:
    # Named by kind only, so a changed job diffs as a modified file, not a rename.
    return f"{cluster}/{namespace}/{job}/{kind.lower()}.yaml"


def argocd_object(kind: str, name: str) -> str:
    return f"{ARGOCD_DIR}/{kind.lower()}-{name}.yaml"


def top_directory(path: str) -> str:
    return path.split("/", 1)[0]
