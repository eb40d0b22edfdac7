"""Volcano's Queue objects for a cluster, and whether a job fits its team's queue.

Each team with a queue on a Volcano cluster gets a cluster-scoped Queue named after it,
which its jobs' PodGroups name. Volcano has no flavors: a queue holds amounts of each
resource, so the team's quotas of every GPU type and capacity type add up. `deserved`
is what the team owns (the capacity plugin reclaims it for the team from queues that
borrowed it); `capability`, the hard limit, adds what it may borrow from its cohort,
the same bound Kueue would admit a job within.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from manifestgen.errors import Diagnostic, Severity
from manifestgen.expand.kueue import (
    Amounts,
    _object,
    _quantity,
    _queues_part,
    admissible_limit,
    job_requests,
    scheduling_of,
    team_quotas,
)
from manifestgen.expand.queue_fit import field_of, gpus_first, show
from manifestgen.manifest import Manifest
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform, PlatformSpec
from manifestgen.spec.resolve import ResolvedJob

VOLCANO_SCHEDULING = "scheduling.volcano.sh/v1beta1"


def volcano_queue(job: ResolvedJob) -> str | None:
    """The Volcano Queue the job's PodGroup names: its team's, where the cluster runs
    Volcano and the team has one (else Volcano's `default` queue takes it)."""
    scheduling = job.cluster.scheduling
    if scheduling.system != "volcano" or job.team_name not in scheduling.queues:
        return None
    return queue_name(job.team_name)


def queue_name(team: str) -> str:
    return team


def _flavors(spec: PlatformSpec, cluster: str) -> list[str]:
    """Every flavor some queue of the cluster holds: a team may borrow one it owns none of."""
    queues = scheduling_of(spec, cluster).queues.values()
    return sorted({flavor for q in queues for flavor in team_quotas(spec, q)})


def queue_amounts(spec: PlatformSpec, cluster: str, team: str) -> tuple[Amounts, Amounts]:
    """What the team's Volcano queue owns (deserved) and may hold at most (capability),
    by resource, over every flavor."""
    deserved: Amounts = {}
    capability: Amounts = {}
    for flavor in _flavors(spec, cluster):
        resources = {
            r
            for q in scheduling_of(spec, cluster).queues.values()
            for r in team_quotas(spec, q).get(flavor, {})
        }
        for resource in sorted(resources):
            own, borrow = admissible_limit(spec, cluster, team, flavor, resource)
            deserved[resource] = deserved.get(resource, Decimal(0)) + own
            capability[resource] = capability.get(resource, Decimal(0)) + own + borrow
    return deserved, capability


def _resource_list(amounts: Mapping[str, Decimal]) -> dict[str, str]:
    return {r: _quantity(r, v) for r, v in sorted(amounts.items())}


def volcano_queues(platform: Parsed[Platform], cluster: str) -> Iterator[Manifest]:
    spec = platform.model.spec
    for team, queue in sorted(scheduling_of(spec, cluster).queues.items()):
        deserved, capability = queue_amounts(spec, cluster, team)
        body: dict[str, Any] = {
            "capability": _resource_list(capability),
            "deserved": _resource_list(deserved),
            # Whether other queues may take back what this one borrowed from them.
            "reclaimable": queue.preemption.reclaim_within_cohort != "Never",
            "weight": 1,
        }
        yield _object(
            platform,
            cluster,
            VOLCANO_SCHEDULING,
            "Queue",
            queue_name(team),
            _queues_part(cluster, team),
            {"spec": body},
        )


def check_volcano_fit(
    platform: Parsed[Platform],
    cluster: str,
    jobs: Sequence[ResolvedJob],
    only: Collection[str] | None = None,
) -> Iterator[Diagnostic]:
    """Each job of `cluster` (of the spec files `only`, when given) against its Volcano
    queue: a gang bigger than the queue's capability is never enqueued, Volcano keeps its
    PodGroup Pending for ever."""
    spec = platform.model.spec
    scheduling = scheduling_of(spec, cluster)
    if scheduling.system != "volcano" or not scheduling.queues:
        return
    for job in jobs:
        if job.cluster_name != cluster or (only is not None and job.spec_path not in only):
            continue
        if job.team_name not in scheduling.queues:
            yield Diagnostic(
                "MG347",
                f"team {job.team_name!r} has no queue on cluster {cluster!r}, which has "
                "Volcano queues: the job goes to Volcano's default queue, outside every "
                "team's quota",
                job.source.locate(("spec", "team")),
                field="spec.team",
                severity=Severity.WARNING,
                hint=f"add spec.clusters.{cluster}.scheduling.queues.{job.team_name} to the "
                "Platform",
            )
            continue
        yield from _too_big(job, queue_amounts(spec, cluster, job.team_name)[1])


def _too_big(job: ResolvedJob, capability: Amounts) -> Iterator[Diagnostic]:
    needs: Amounts = {}
    for amounts in job_requests(job).values():
        for resource, value in amounts.items():
            needs[resource] = needs.get(resource, Decimal(0)) + value
    for resource, need in sorted(needs.items(), key=gpus_first):
        limit = capability.get(resource, Decimal(0))
        if need <= limit:
            continue
        field = field_of(job, resource)
        yield Diagnostic(
            "MG346",
            f"the job's gang is never enqueued: its pods need {show(resource, need)} "
            f"{resource} together, but Volcano queue {queue_name(job.team_name)!r} may hold "
            f"at most {show(resource, limit)}",
            job.source.locate(field),
            field=".".join(field),
            hint="use fewer or smaller nodes, or raise the team's queue quota",
        )
        return  # the first resource short says enough
