"""Rules of the queue design: what each cluster's queues name, and whether their layers
agree (queue quotas, the cluster's gpuQuota that bounds its NodePools)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from manifestgen.errors import Diagnostic, Severity
from manifestgen.spec.capacity import gpu_instances
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.scheduling import Scheduling, TeamQueue

if TYPE_CHECKING:
    from manifestgen.spec.training import TrainingJob

# The queues Volcano's controller makes at start-up and keeps.
VOLCANO_OWN_QUEUES = frozenset({"default", "root"})


def _queues(cluster: str, *rest: str | int) -> tuple[str | int, ...]:
    return ("spec", "clusters", cluster, "scheduling", "queues", *rest)


def _field(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def check_queue_design(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    for cluster, settings in sorted(platform.model.spec.clusters.items()):
        scheduling = settings.scheduling
        if scheduling.queues and scheduling.system not in ("kueue", "volcano"):
            path = ("spec", "clusters", cluster, "scheduling", "queues")
            yield Diagnostic(
                "MG355",
                f"cluster {cluster!r} has queues but its scheduling system is "
                f"{scheduling.system!r}: they are not generated",
                platform.locate(path),
                field=_field(path),
                severity=Severity.WARNING,
                hint="set scheduling.system: kueue or volcano, or remove the queues",
            )
            continue
        for team, queue in sorted(scheduling.queues.items()):
            yield from _check_queue(platform, cluster, team, queue)
        if scheduling.kueue:
            yield from _check_layers(platform, cluster, scheduling)


def _check_queue(
    platform: Parsed[Platform], cluster: str, team: str, queue: TeamQueue
) -> Iterator[Diagnostic]:
    spec = platform.model.spec
    known = spec.teams.get(team)
    if known is None or cluster not in known.clusters:
        why = "is not a team" if known is None else f"may not run on cluster {cluster!r}"
        yield Diagnostic(
            "MG352",
            f"queue {team!r}: {team!r} {why}",
            platform.locate(_queues(cluster, team)),
            field=_field(_queues(cluster, team)),
            hint="queues are keyed by a team of spec.teams that lists this cluster",
        )
    if spec.clusters[cluster].scheduling.system == "volcano" and team in VOLCANO_OWN_QUEUES:
        yield Diagnostic(
            "MG348",
            f"queue {team!r}: Volcano creates and owns a queue of that name itself; a "
            "generated one would overwrite it, and pruning it would delete it",
            platform.locate(_queues(cluster, team)),
            field=_field(_queues(cluster, team)),
            hint="Volcano queues are named after their team: give the team another name",
        )
    for gpu_type, by_capacity in sorted(queue.gpus.items()):
        path = _queues(cluster, team, "gpus", gpu_type)
        catalog = spec.gpus.get(gpu_type)
        if catalog is None:
            yield Diagnostic(
                "MG353",
                f"queue {team!r} has a quota of GPU type {gpu_type!r}, which is not in spec.gpus",
                platform.locate(path),
                field=_field(path),
                hint=f"GPU types: {', '.join(sorted(spec.gpus)) or 'none'}",
            )
            continue
        if not gpu_instances(spec, catalog):
            yield Diagnostic(
                "MG356",
                f"queue {team!r}: the instances of GPU type {gpu_type!r} are not in the "
                "instance catalog, so the CPU and memory quota its GPUs need cannot be derived",
                platform.locate(path),
                field=_field(path),
                hint="describe the instance type under spec.instanceTypes",
            )
        for capacity, quota in sorted(by_capacity.items()):
            where = (*path, capacity)
            limits = {"borrowingLimit": quota.borrowing_limit, "lendingLimit": quota.lending_limit}
            for key, value in limits.items():
                if value is not None and queue.cohort is None:
                    yield _limit(platform, (*where, key), f"{key} needs a cohort to share with")
            if quota.lending_limit is not None and quota.lending_limit > quota.gpus:
                yield _limit(
                    platform,
                    (*where, "lendingLimit"),
                    f"lendingLimit {quota.lending_limit} is above the {quota.gpus} GPUs the "
                    "queue owns",
                )


def _limit(platform: Parsed[Platform], path: tuple[str | int, ...], message: str) -> Diagnostic:
    return Diagnostic(
        "MG354",
        message,
        platform.locate(path),
        field=_field(path),
        hint="set the queue's cohort, or drop the limit; a lendingLimit is at most gpus",
    )


def _check_layers(
    platform: Parsed[Platform], cluster: str, scheduling: Scheduling
) -> Iterator[Diagnostic]:
    """Queues that promise more GPUs than the NodePools may hold admit jobs whose pods
    then stay Pending: Kueue counts quota, not nodes."""
    settings = platform.model.spec.clusters[cluster]
    promised: dict[str, int] = {}
    for queue in scheduling.queues.values():
        for gpu_type, by_capacity in queue.gpus.items():
            promised[gpu_type] = promised.get(gpu_type, 0) + sum(
                q.gpus for q in by_capacity.values()
            )
    for gpu_type, total in sorted(promised.items()):
        limit = settings.gpu_quota.get(gpu_type)
        if limit is None or total <= limit:
            continue
        path = ("spec", "clusters", cluster, "gpuQuota", gpu_type)
        yield Diagnostic(
            "MG357",
            f"the queues of cluster {cluster!r} hold {total} {gpu_type} GPUs together, but its "
            f"node pools may hold only {limit} (gpuQuota): Kueue would admit jobs whose pods "
            "then wait for nodes that are never bought",
            platform.locate(path),
            field=_field(path),
            severity=Severity.WARNING,
            hint=f"raise gpuQuota.{gpu_type} to {total} or lower the queues' gpus",
        )


def check_priority(job: Parsed[TrainingJob], platform: Platform) -> Iterator[Diagnostic]:
    name = job.model.spec.priority
    levels = platform.spec.priorities.levels
    if name is not None and name not in levels:
        yield Diagnostic(
            "MG358",
            f"unknown priority {name!r}",
            job.locate(("spec", "priority")),
            field="spec.priority",
            hint=f"levels: {', '.join(sorted(levels))}" if levels else "the Platform has none",
        )
