"""The CPU node pools: what keeps them to CPU training, on the images' architecture, bounded.

Without a taint, limits and an architecture, a CPU pool would be the cluster's catch-all:
any pending pod could make Karpenter buy nodes for it, without bound, and a cheaper
Graviton node would run x86 images (`exec format error`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from manifestgen.errors import Diagnostic
from manifestgen.expand.labels import POOL_LABEL
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.quantity import parse_quantity
from manifestgen.spec.quota import split_quota
from manifestgen.spec.resolve import ResolvedJob

# Only pods that tolerate this taint (manifestgen's CPU training pods) run on the pool.
CPU_TAINT_KEY = "manifestgen.io/cpu-training"
CPU_TAINT = {"effect": "NoSchedule", "key": CPU_TAINT_KEY, "value": "true"}
CPU_TOLERATION = {"effect": "NoSchedule", "key": CPU_TAINT_KEY, "operator": "Exists"}
# Training images are built for x86-64; arm64 would need images built for it.
CPU_ARCHITECTURE = "amd64"


def cpu_placement(capacity: str) -> dict[str, Any]:
    """What puts a CPU training pod on its CPU pool, and only there."""
    return {
        "nodeSelector": {POOL_LABEL: f"cpu-{capacity}", "kubernetes.io/arch": CPU_ARCHITECTURE},
        "tolerations": [CPU_TOLERATION],
    }


def cpu_requirements() -> list[dict[str, Any]]:
    return [
        {"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["c", "m", "r"]},
        {"key": "karpenter.k8s.aws/instance-generation", "operator": "Gt", "values": ["5"]},
        {"key": "kubernetes.io/arch", "operator": "In", "values": [CPU_ARCHITECTURE]},
        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
    ]


# Helper pods (launchers, parameter servers) must outlive spot reclaims of the workers.
SIDE_POD_CAPACITY = "on-demand"


def cpu_demands(job: ResolvedJob) -> dict[str, Decimal]:
    """vCPUs the job needs from each CPU pool (by capacity type): its nodes when it is a
    CPU job, and its helper pods whatever it trains on."""
    spec = job.job.spec
    runs = spec.concurrent_runs  # parallel trials of a tuning search
    demand: dict[str, Decimal] = {}
    if job.gpu_type is None:
        demand[spec.capacity_type] = runs * job.max_nodes * parse_quantity(spec.resources.cpu)
    for side in spec.side_pods:
        need = runs * side.replicas * parse_quantity(side.cpu)
        demand[SIDE_POD_CAPACITY] = demand.get(SIDE_POD_CAPACITY, Decimal(0)) + need
    return demand


def _cpu_jobs(jobs: Sequence[ResolvedJob], cluster: str) -> list[ResolvedJob]:
    return [j for j in jobs if j.cluster_name == cluster and cpu_demands(j)]


def _demand(job: ResolvedJob) -> Decimal:
    return sum(cpu_demands(job).values(), Decimal(0))


def cpu_limits(platform: Platform, cluster: str, jobs: Sequence[ResolvedJob]) -> dict[str, int]:
    """vCPU limit of each CPU pool in use: the cluster's cpuQuota split between the
    on-demand and spot pools by the rule GPU quotas follow (each pool's demand, in whole
    vCPUs, plus its share of the spare), so the pools together never exceed the quota."""
    demand: dict[str, Decimal] = {}
    for job in _cpu_jobs(jobs, cluster):
        for kind, need in cpu_demands(job).items():
            demand[kind] = demand.get(kind, Decimal(0)) + need
    wanted = {kind: math.ceil(need) for kind, need in demand.items()}
    return split_quota(platform.spec.clusters[cluster].cpu_quota, wanted)


def _cpu_field(job: ResolvedJob) -> tuple[str, ...]:
    """The spec field that asks for the job's CPU-pool vCPUs."""
    if job.gpu_type is None or not job.job.spec.side_pods:
        return ("spec", "resources", "cpu")
    return job.job.spec.side_pods[0].field


def check_cpu_quota(
    platform: Parsed[Platform], cluster: str, jobs: Sequence[ResolvedJob]
) -> list[Diagnostic]:
    """All CPU jobs of a cluster together must fit in its cpuQuota; each is named."""
    members = _cpu_jobs(jobs, cluster)
    quota = platform.model.spec.clusters[cluster].cpu_quota
    total = sum((_demand(j) for j in members), Decimal(0))
    if total <= quota:
        return []
    return [
        Diagnostic(
            "MG240",
            f"CPU jobs on cluster {cluster!r} ask for {total:f} vCPUs together, "
            f"but its cpuQuota is {quota}; this job asks for {_demand(job):f}",
            job.source.locate(_cpu_field(job)),
            field=".".join(_cpu_field(job)),
            hint="the others: "
            + (", ".join(sorted(j.spec_path for j in members if j is not job)) or "-")
            + f"; or raise clusters.{cluster}.cpuQuota",
        )
        for job in members
    ]
