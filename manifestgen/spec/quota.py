"""GPU quota across jobs: demand is summed per cluster and GPU type, and the quota is split
between the capacity types' node pools so that their limits together never exceed it.

A job demands its most nodes (elastic `maxNodes` included) times its GPUs per node. Each
pool's limit is its own jobs' demand plus a share of what the quota leaves over, in
proportion to that demand and rounded down; a single pool gets the whole quota.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence

from manifestgen.errors import Diagnostic
from manifestgen.spec.resolve import ResolvedJob

PoolKey = tuple[str, str, str]  # cluster, GPU type, capacity type


def demand(job: ResolvedJob) -> int:
    # A tuning search runs that many trials of the job at once.
    return job.job.spec.concurrent_runs * job.max_nodes * job.gpus_per_node


def _by_cluster_and_type(jobs: Sequence[ResolvedJob]) -> dict[tuple[str, str], list[ResolvedJob]]:
    groups: dict[tuple[str, str], list[ResolvedJob]] = defaultdict(list)
    for job in jobs:
        if job.gpu_type_name is not None:
            groups[(job.cluster_name, job.gpu_type_name)].append(job)
    return groups


def check_total_demand(jobs: Sequence[ResolvedJob]) -> Iterator[Diagnostic]:
    """Jobs that each fit the quota may not fit it together: report at every one of them."""
    for (cluster, gpu), members in sorted(_by_cluster_and_type(jobs).items()):
        quota = members[0].cluster.gpu_quota.get(gpu)
        total = sum(demand(j) for j in members)
        if quota is None or total <= quota or len(members) < 2:
            continue  # a missing quota or one job alone over it is reported per job
        if members[0].cluster.scheduling.kueue:
            continue  # Kueue admits them in turn; the rest wait in their queues
        ordered = sorted(members, key=lambda j: (j.name, j.spec_path))
        parts = ", ".join(f"{j.name} ({demand(j)})" for j in ordered)
        for job in ordered:
            yield Diagnostic(
                "MG226",
                f"cluster {cluster!r} allows {quota} {gpu} GPUs, but its {len(members)} jobs "
                f"together need {total}: {parts}",
                job.source.locate(("spec", "gpu", "type")),
                field="spec.gpu.type",
                hint="use fewer nodes or GPUs, move a job to another cluster, or ask for a "
                "larger quota",
            )


def pool_gpu_limits(
    jobs: Sequence[ResolvedJob],
    extra: Mapping[PoolKey, int] | None = None,
    quotas: Mapping[tuple[str, str], int] | None = None,
) -> dict[PoolKey, int]:
    """The `limits` of every GPU node pool the jobs use; their sum per type <= the quota.

    `extra`: GPUs other workloads (model services) want from pools, with `quotas` of the
    (cluster, GPU type) pairs no job uses."""
    wanted: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    quota = dict(quotas or {})
    for (cluster, gpu), members in _by_cluster_and_type(jobs).items():
        quota[(cluster, gpu)] = members[0].cluster.gpu_quota.get(gpu, 0)
        for job in members:
            wanted[(cluster, gpu)][job.job.spec.capacity_type] += demand(job)
    for (cluster, gpu, capacity), need in (extra or {}).items():
        wanted[(cluster, gpu)][capacity] += need
    limits: dict[PoolKey, int] = {}
    for (cluster, gpu), by_capacity in wanted.items():
        shares = split_quota(quota.get((cluster, gpu), 0), dict(by_capacity))
        limits.update({(cluster, gpu, capacity): share for capacity, share in shares.items()})
    return limits


def split_quota(quota: int, wanted: dict[str, int]) -> dict[str, int]:
    """Each pool's demand plus its proportional share of the spare, rounded down.

    The shares never sum above the quota; when the demand exceeds the quota (a build
    that reports MG226 and writes nothing), the quota itself is shared out.
    """
    total = sum(wanted.values())
    if total == 0:
        return dict.fromkeys(wanted, 0)
    if total > quota:
        return {capacity: quota * need // total for capacity, need in wanted.items()}
    spare = quota - total
    return {capacity: need + spare * need // total for capacity, need in wanted.items()}
