"""The serving stage: resolve each ModelService after the jobs it may serve from, check it,
and expand it; its GPU demand joins the jobs' in the cluster's node pools and quota, and
its predictor pods join the jobs' pods in the team's namespace quota."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from manifestgen.errors import Diagnostic
from manifestgen.expand.tenancy_quota import ServiceUsage, service_has_quota, service_usage
from manifestgen.manifest import Manifest
from manifestgen.serving.expand import expand_service
from manifestgen.serving.resolve import ResolvedService, resolve_service
from manifestgen.serving.rules import SERVICE_RULES, check_quota, unique_services
from manifestgen.serving.spec import ModelService
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.quota import PoolKey
from manifestgen.spec.resolve import ResolvedJob


def resolve_services(
    services: Sequence[Parsed[ModelService]],
    platform: Platform,
    jobs: Sequence[ResolvedJob],
    running: Sequence[ResolvedJob],
) -> tuple[list[ResolvedService], list[Diagnostic]]:
    """The services that passed every check, and every service's diagnostics."""
    diagnostics: list[Diagnostic] = []
    candidates: list[ResolvedService] = []
    for parsed in sorted(services, key=lambda s: (s.document.path, s.document.index)):
        resolved, problems = resolve_service(platform, parsed, jobs)
        problems += [d for rule in SERVICE_RULES for d in rule(resolved)] if resolved else []
        diagnostics += problems
        if resolved is not None and not any(d.is_error for d in problems):
            candidates.append(resolved)
    kept, clashes = unique_services(candidates, jobs)
    diagnostics += clashes
    quota = list(check_quota(kept, running))
    diagnostics += quota
    return ([] if quota else kept), diagnostics


def served_gpus(services: Sequence[ResolvedService]) -> dict[PoolKey, int]:
    """GPUs each (cluster, GPU type, capacity type) pool must hold for the services."""
    wanted: dict[PoolKey, int] = defaultdict(int)
    for service in services:
        if service.gpu_type_name is not None:
            wanted[(service.cluster_name, service.gpu_type_name, service.capacity_type)] += (
                service.gpu_demand
            )
    return dict(wanted)


def expand_services(
    services: Sequence[ResolvedService], only: frozenset[str] | None
) -> list[Manifest]:
    return [
        m
        for service in services
        if only is None or service.spec_path in only
        for m in expand_service(service)
    ]


def served_usage(services: Sequence[ResolvedService]) -> list[ServiceUsage]:
    """What every service's objects ask of its team's namespace quota, where it has one:
    all services, even those `only` leaves unexpanded, since the quota sums them all."""
    return [
        service_usage(service, expand_service(service))
        for service in services
        if service_has_quota(service)
    ]
