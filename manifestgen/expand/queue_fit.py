"""Whether Kueue can ever admit a job: it admits a workload whole or not at all, so a job
that needs more of a flavor than its queue owns plus all it may borrow waits for ever."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from decimal import Decimal

from manifestgen.errors import Diagnostic
from manifestgen.expand.kueue import (
    CPU_RESOURCES,
    MIB,
    admissible_limit,
    job_requests,
    local_queue_name,
    queued,
    scheduling_of,
)
from manifestgen.expand.pod import EFA_RESOURCE
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.resolve import ResolvedJob


def check_queue_fit(
    platform: Parsed[Platform],
    cluster: str,
    jobs: Sequence[ResolvedJob],
    only: Collection[str] | None = None,
) -> Iterator[Diagnostic]:
    """Each queued job of `cluster` (of the spec files `only`, when given) against its queue."""
    spec = platform.model.spec
    scheduling = scheduling_of(spec, cluster)
    for job in jobs:
        if only is not None and job.spec_path not in only:
            continue
        if job.cluster_name != cluster or not queued(job):
            continue
        if job.team_name not in scheduling.queues:
            yield Diagnostic(
                "MG351",
                f"team {job.team_name!r} has no queue on cluster {cluster!r}, which runs "
                "Kueue: the job would wait in a LocalQueue that does not exist",
                job.source.locate(("spec", "team")),
                field="spec.team",
                hint=f"add spec.clusters.{cluster}.scheduling.queues.{job.team_name} to the "
                "Platform",
            )
            continue
        yield from _never_admitted(job)


def _never_admitted(job: ResolvedJob) -> Iterator[Diagnostic]:
    spec = job.platform.spec
    for flavor, amounts in sorted(job_requests(job).items()):
        for resource, need in sorted(amounts.items(), key=gpus_first):
            own, borrow = admissible_limit(spec, job.cluster_name, job.team_name, flavor, resource)
            if need <= own + borrow:
                continue
            queue = local_queue_name(job.team_name)
            yield Diagnostic(
                "MG350",
                f"the job can never be admitted: its pods need {show(resource, need)} "
                f"{resource} of flavor {flavor!r} together, but queue {queue!r} owns "
                f"{show(resource, own)} and may borrow {show(resource, borrow)} from its "
                "cohort",
                job.source.locate(field_of(job, resource)),
                field=".".join(field_of(job, resource)),
                hint="use fewer or smaller nodes, or raise the team's quota of this flavor",
            )
            break  # one resource per flavor says enough


def gpus_first(item: tuple[str, Decimal]) -> tuple[bool, str]:
    """Sort key of (resource, amount): GPUs before the node resources that follow them."""
    return (item[0] in (*CPU_RESOURCES, EFA_RESOURCE), item[0])


def field_of(job: ResolvedJob, resource: str) -> tuple[str, ...]:
    """The spec field a job sets that amount of `resource` with."""
    if resource in CPU_RESOURCES:
        return ("spec", "resources", resource)
    return ("spec", "nodes")


def show(resource: str, value: Decimal) -> str:
    if resource == "memory":
        return f"{int(value) // (1024 * MIB)}Gi"
    return f"{value.normalize():f}"
