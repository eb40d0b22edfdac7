"""The Platform's Kubernetes versions: each must be one manifestgen has schemas for."""

from __future__ import annotations

from collections.abc import Iterator

from manifestgen.errors import Diagnostic
from manifestgen.kube_versions import UnsupportedKubernetesVersionError, select_version
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform


def check_kubernetes_versions(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """Clusters whose kubernetesVersion has no bundled schemas, each at its own line."""
    for name, cluster in sorted(platform.model.spec.clusters.items()):
        try:
            select_version(cluster.kubernetes_version)
        except UnsupportedKubernetesVersionError as exc:
            yield Diagnostic(
                "MG406",
                str(exc),
                platform.locate(("spec", "clusters", name, "kubernetesVersion")),
                field=f"spec.clusters.{name}.kubernetesVersion",
                hint="use a version manifestgen has schemas for (those of the "
                "kubernetes-validate package), or upgrade it",
            )
