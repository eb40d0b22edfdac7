"""Rules of `teams.<name>.tenancy` that the schema cannot say: quotas of clusters the team
does not use, GPU resource names nothing advertises, LimitRange defaults over the max."""

from __future__ import annotations

from collections.abc import Iterator

from manifestgen.errors import Diagnostic
from manifestgen.expand.gpu_resources import gpu_resource_name
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform, Team
from manifestgen.spec.quantity import parse_quantity
from manifestgen.spec.tenancy import NamespaceQuota


def check_tenancy(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    for team_name, team in sorted(platform.model.spec.teams.items()):
        if team.tenancy is not None:
            yield from _cluster_quotas(platform, team_name, team)
            yield from _quotas(platform, team_name, team)


def _cluster_quotas(platform: Parsed[Platform], team_name: str, team: Team) -> Iterator[Diagnostic]:
    assert team.tenancy is not None
    for cluster in sorted(team.tenancy.cluster_quotas):
        if cluster in team.clusters:
            continue
        yield Diagnostic(
            "MG371",
            f"team {team_name!r} has a quota for cluster {cluster!r}, which is not one of "
            f"its clusters ({', '.join(team.clusters)})",
            platform.locate(("spec", "teams", team_name, "tenancy", "clusterQuotas", cluster)),
            field=f"spec.teams.{team_name}.tenancy.clusterQuotas.{cluster}",
            hint="name one of the team's clusters, or add the cluster to its clusters",
        )


def _quotas(platform: Parsed[Platform], team_name: str, team: Team) -> Iterator[Diagnostic]:
    assert team.tenancy is not None
    places: list[tuple[tuple[str, ...], NamespaceQuota]] = []
    if team.tenancy.quota is not None:
        places.append((("tenancy", "quota"), team.tenancy.quota))
    places += [
        (("tenancy", "clusterQuotas", c), q) for c, q in sorted(team.tenancy.cluster_quotas.items())
    ]
    advertised = _advertised(platform)
    for part, quota in places:
        base = ("spec", "teams", team_name, *part)
        for name in sorted(quota.gpus):
            if name not in advertised:
                yield Diagnostic(
                    "MG372",
                    f"quota names GPU resource {name!r}, which no GPU type of the catalog "
                    "advertises: it would limit nothing",
                    platform.locate((*base, "gpus", name)),
                    field=".".join((*base, "gpus", name)),
                    hint=f"GPU resource names of the catalog: {', '.join(advertised) or '-'}",
                )
        yield from _defaults_fit(platform, team_name, team, base, quota)


def _advertised(platform: Parsed[Platform]) -> list[str]:
    """Every GPU resource a pod of the catalog's types can ask for (MIG slices included)."""
    names = set()
    for gpu in platform.model.spec.gpus.values():
        profiles = sorted(gpu.mig.devices) if gpu.mig is not None else [None]
        names |= {gpu_resource_name(gpu, profile) for profile in profiles}
    return sorted(names)


def _defaults_fit(
    platform: Parsed[Platform],
    team_name: str,
    team: Team,
    base: tuple[str, ...],
    quota: NamespaceQuota,
) -> Iterator[Diagnostic]:
    assert team.tenancy is not None
    defaults = team.tenancy.container_defaults
    for resource in ("cpu", "memory"):
        most = getattr(quota, resource)
        default = getattr(defaults, resource)
        if most is None or parse_quantity(default) <= parse_quantity(most):
            continue
        yield Diagnostic(
            "MG373",
            f"containerDefaults.{resource} {default} is above the quota's {resource} {most}, "
            "the LimitRange max: the API server refuses such a LimitRange",
            platform.locate(("spec", "teams", team_name, "tenancy", "containerDefaults")),
            field=f"spec.teams.{team_name}.tenancy.containerDefaults.{resource}",
            hint=f"lower the default or raise {'.'.join((*base[1:], resource))}",
        )
