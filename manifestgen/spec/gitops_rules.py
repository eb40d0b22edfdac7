"""Rules on `spec.gitops`: what Argo CD would refuse in the Applications manifestgen writes."""

from __future__ import annotations

from collections.abc import Iterator

from manifestgen.errors import Diagnostic, JsonPath, Severity
from manifestgen.expand.argocd_apps import (
    application_name,
    cluster_teams,
    team_application_name,
    team_project_name,
)
from manifestgen.render.layout import PLATFORM_DIR
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform, PlatformSpec


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
    generated = {cluster.argocd.project for cluster in spec.clusters.values()} | {
        team_project_name(cluster.argocd.project, team)
        for name, cluster in spec.clusters.items()
        for team in cluster_teams(spec, name)
    }
    if spec.gitops.root_project in generated:
        yield Diagnostic(
            "MG251",
            f"rootProject {spec.gitops.root_project!r} is a project manifestgen generates for "
            "clusters or teams: it admits only training kinds and does not exist before the "
            "root Application syncs it",
            platform.locate(("spec", "gitops", "rootProject")),
            field="spec.gitops.rootProject",
            hint="use Argo CD's 'default' project or one created by hand",
        )


# What each generated Argo CD name is made of: (kind, name, the Platform field it is
# derived from).
_Named = tuple[str, str, JsonPath]


def _argocd_names(spec: PlatformSpec) -> Iterator[_Named]:
    """Every Application and AppProject name the Platform generates for clusters and
    teams (the root's cannot meet them: MG251), in spec order."""
    for name, cluster in sorted(spec.clusters.items()):
        yield "Application", application_name(name), ("spec", "clusters", name)
        yield "AppProject", cluster.argocd.project, ("spec", "clusters", name, "argocd", "project")
    for name, cluster in sorted(spec.clusters.items()):
        for team in cluster_teams(spec, name):
            where = ("spec", "teams", team)
            yield "Application", team_application_name(name, team), where
            yield "AppProject", team_project_name(cluster.argocd.project, team), where


def check_argocd_names(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """A team's Application is `manifestgen-<cluster>-<team>` and its project
    `<project>-<team>`: a cluster or project whose name holds a dash can meet another's
    (clusters `a` and `a-b` with a team `b`). Argo CD would keep one object of the two, so
    one Application would sync the other's directory or a team would get the Platform's
    project. Several clusters naming one project is sharing, not a clash."""
    seen: dict[tuple[str, str], JsonPath] = {}
    for kind, name, where in _argocd_names(platform.model.spec):
        first = seen.setdefault((kind, name), where)
        if first == where or (kind == "AppProject" and _both_platform(first, where)):
            continue
        yield Diagnostic(
            "MG621",
            f"the {kind} {name!r} generated for {'.'.join(map(str, where))} is also the one "
            f"generated for {'.'.join(map(str, first))}: Argo CD keeps only one of them",
            platform.locate(where, key=True),
            field=".".join(map(str, where)),
            hint="rename the team, cluster or project so the generated names differ",
        )


def _both_platform(first: JsonPath, second: JsonPath) -> bool:
    return first[:2] == second[:2] == ("spec", "clusters")


def check_platform_directory(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """out/<cluster>/cluster holds the Platform's objects; a team namespace of that name
    would put the team's directory, and its Application, on top of them."""
    for name, team in sorted(platform.model.spec.teams.items()):
        if team.namespace == PLATFORM_DIR:
            yield Diagnostic(
                "MG622",
                f"namespace {PLATFORM_DIR!r} is the name of the Platform's directory in "
                f"out/<cluster>/: team {name!r}'s Application would sync the Platform's objects",
                platform.locate(("spec", "teams", name, "namespace")),
                field=f"spec.teams.{name}.namespace",
                hint=f"give the team another namespace, e.g. ml-{name}",
            )


def check_gitops(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    yield from check_teamless_clusters(platform)
    yield from check_root_project(platform)
    yield from check_argocd_names(platform)
    yield from check_platform_directory(platform)
