"""Rules on `spec.gitops`: what Argo CD would refuse in the Applications manifestgen writes."""

from __future__ import annotations

from collections.abc import Iterator

from manifestgen.errors import Diagnostic, Severity
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform


def check_teamless_clusters(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """An AppProject lists only team namespaces as destinations, and Argo CD checks an
    Application's own destination against them: a cluster no team uses has none."""
    spec = platform.model.spec
    used = {cluster for team in spec.teams.values() for cluster in team.clusters}
    for name in sorted(set(spec.clusters) - used):
        yield Diagnostic(
            "MG250",
            f"no team uses cluster {name!r}: its AppProject lists no namespace on it, so "
            "Argo CD refuses any Application of its project that deploys there",
            platform.locate(("spec", "clusters", name), key=True),
            field=f"spec.clusters.{name}",
            severity=Severity.WARNING,
            hint=f"add {name!r} to a team's clusters, or remove the cluster",
        )


def check_root_project(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """The root Application syncs AppProjects, Applications and argocd-cm; a project
    manifestgen generates admits only training kinds, and it would not exist yet."""
    spec = platform.model.spec
    if not spec.gitops.root_application:
        return
    generated = {cluster.argocd.project for cluster in spec.clusters.values()}
    if spec.gitops.root_project in generated:
        yield Diagnostic(
            "MG251",
            f"rootProject {spec.gitops.root_project!r} is a project manifestgen generates for "
            "clusters: it admits only training kinds and does not exist before the root "
            "Application syncs it",
            platform.locate(("spec", "gitops", "rootProject")),
            field="spec.gitops.rootProject",
            hint="use Argo CD's 'default' project or one created by hand",
        )


def check_gitops(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    yield from check_teamless_clusters(platform)
    yield from check_root_project(platform)
