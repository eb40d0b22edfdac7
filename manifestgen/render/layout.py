"""Where each generated object lives in out/: one resource per file at a fixed path.

out/<cluster>/cluster/                           the cluster's platform Application
  kustomization.yaml
  <kind>-<name>.yaml                             namespaces, node classes, node pools, queues
  <namespace>/<kind>-<name>.yaml                 what the Platform puts in a namespace: its
                                                 quota, limits, Role, `default` account, queue
out/<cluster>/<namespace>/                       the team's Application on the cluster
  kustomization.yaml
  <job>/<kind>.yaml                              everything one job or service expands into
out/argocd/...                                   AppProjects, Applications, health checks

Each directory directly under out/<cluster>/ (and out/argocd) is exactly what one Argo CD
Application reads, so who may change an object is who may change its directory: the
Platform's objects never sit in a team's directory. An object belongs to the team side when
a team's spec produced it (its target has an owner, the job or service), else to the
Platform's; the kind catalog says which side may hold each kind, and `path_of` refuses an
object on a side its kind's row does not allow. The platform part keeps the name `cluster`
that it had when it held only cluster-scoped objects, so those paths did not move; a team
namespace may not be called `cluster` (MG622).

This module alone turns a manifest's target into a path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from manifestgen.kinds.catalog import lookup
from manifestgen.manifest import Manifest

ARGOCD_DIR = "argocd"
PLATFORM_DIR = "cluster"
KUSTOMIZATION = "kustomization.yaml"


def path_of(manifest: Manifest) -> str:
    """The file under out/ that holds `manifest`."""
    target, kind, name = manifest.target, manifest.kind, manifest.name
    if target.cluster is None:
        return argocd_object(kind, name)
    namespace = manifest.namespace
    _check_side(manifest, team=target.owner is not None)
    if target.owner is not None and namespace is not None:
        return job_object(target.cluster, namespace, target.owner, kind)
    if namespace is not None:
        return namespace_object(target.cluster, namespace, kind, name)
    return cluster_object(target.cluster, kind, name)


def _check_side(manifest: Manifest, *, team: bool) -> None:
    row = lookup(str(manifest.obj["apiVersion"]), manifest.kind)
    if row is None:
        return  # a kind the catalog does not know is refused by the output check
    allowed = row.owner == "both" or row.owner == ("team" if team else "platform")
    if not allowed or (team and not row.namespaced):
        side = "a team's" if team else "the Platform's"
        raise ValueError(
            f"{manifest.kind} {manifest.name} is generated for {side} Application, but its "
            f"catalog row says owner={row.owner!r}: fix the row in kinds/catalog.py"
        )


def platform_directory(cluster: str) -> str:
    return f"{cluster}/{PLATFORM_DIR}"


def team_directory(cluster: str, namespace: str) -> str:
    return f"{cluster}/{namespace}"


def cluster_object(cluster: str, kind: str, name: str) -> str:
    return f"{platform_directory(cluster)}/{kind.lower()}-{name}.yaml"


def namespace_object(cluster: str, namespace: str, kind: str, name: str) -> str:
    return f"{platform_directory(cluster)}/{namespace}/{kind.lower()}-{name}.yaml"


def job_object(cluster: str, namespace: str, job: str, kind: str) -> str:
    # Named by kind only, so a changed job diffs as a modified file, not a rename.
    return f"{team_directory(cluster, namespace)}/{job}/{kind.lower()}.yaml"


def argocd_object(kind: str, name: str) -> str:
    return f"{ARGOCD_DIR}/{kind.lower()}-{name}.yaml"


def application_directory(path: str) -> str:
    """The directory of the one Application that deploys the file at `path`."""
    parts = path.split("/")
    return ARGOCD_DIR if parts[0] == ARGOCD_DIR else "/".join(parts[:2])


def application_directories(namespaces: Mapping[str, Iterable[str]]) -> Iterator[str]:
    """Every Application's directory, given each cluster's team namespaces: they exist
    even when empty (a team with no job yet), or Argo CD reports the path missing."""
    yield ARGOCD_DIR
    for cluster, names in sorted(namespaces.items()):
        yield platform_directory(cluster)
        yield from (team_directory(cluster, namespace) for namespace in sorted(names))
