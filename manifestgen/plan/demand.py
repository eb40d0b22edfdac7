"""GPU demand and node-pool limits, read from the objects of a tree.

Both sides of a plan are trees (out/ holds no specs), so demand is counted the way the
cluster sees it: every pod template of every training job, times its replicas, times
the GPUs its containers ask for. That is the demand the quota rule of spec/quota.py
counts (most nodes, elastic `maxNodes` included, times GPUs per node; a Suspended job
counts, a Completed one has no object), and a job kept from the previous build counts
with the object it keeps.

A GPU node pool names its type (`gpu-<type>-<capacity type>`), carries the GPU product
label its pods select, and limits the GPU resource (`spec.limits`); a job's pods are
matched to the pool of their product and capacity type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from manifestgen.plan.objects import ClusterObjects, Obj

GPU_PRODUCT_LABEL = "nvidia.com/gpu.product"
CAPACITY_TYPE_LABEL = "karpenter.sh/capacity-type"
# Kubeflow v1 elastic jobs: the Worker replica count can grow to elasticPolicy.maxReplicas.
_ELASTIC_REPLICA_TYPE = "Worker"


@dataclass(frozen=True)
class Pool:
    gpu_type: str
    capacity: str
    product: str
    resource: str
    limit: int


@dataclass
class Capacity:
    """Per GPU type: GPUs the jobs ask for, and each capacity type's pool limit."""

    demand: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    limits: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    resources: dict[str, str] = field(default_factory=dict)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _count(value: Any, default: int = 1) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return default


def _capacity_of(requirements: Any) -> str:
    for requirement in requirements if isinstance(requirements, list) else ():
        requirement = _mapping(requirement)
        values = requirement.get("values")
        if requirement.get("key") == CAPACITY_TYPE_LABEL and isinstance(values, list) and values:
            return str(values[0])
    return ""


def gpu_pool(obj: Obj) -> Pool | None:
    """What a NodePool says about its GPUs; None for a CPU pool."""
    spec = _mapping(obj.spec)
    template = _mapping(spec.get("template"))
    product = _mapping(_mapping(template.get("metadata")).get("labels")).get(GPU_PRODUCT_LABEL)
    limits = {str(k): v for k, v in _mapping(spec.get("limits")).items() if k != "cpu"}
    if product is None or len(limits) != 1:
        return None
    capacity = _capacity_of(_mapping(template.get("spec")).get("requirements"))
    gpu_type = obj.name.removeprefix("gpu-").removesuffix(f"-{capacity}")
    ((resource, limit),) = limits.items()
    return Pool(gpu_type, capacity, str(product), resource, _count(limit, 0))


def pod_specs(
    value: Any, factor: int = 1, elastic: int = 0
) -> Iterator[tuple[Mapping[str, Any], int]]:
    """Each pod spec under a job's spec and how many pods run it: `replicas` and
    `parallelism` multiply on the way down (Kubeflow v1 replica specs, JobSet's replicated
    jobs and their Job templates), and a Kubeflow elastic policy's `maxReplicas` bounds
    the Worker count from above."""
    if isinstance(value, list):
        for item in value:
            yield from pod_specs(item, factor, elastic)
        return
    if not isinstance(value, Mapping):
        return
    if isinstance(value.get("containers"), list):
        yield value, factor
        return
    elastic = _count(_mapping(value.get("elasticPolicy")).get("maxReplicas"), elastic)
    here = factor * _count(value.get("replicas")) * _count(value.get("parallelism"))
    for key, item in value.items():
        if key == _ELASTIC_REPLICA_TYPE and isinstance(item, Mapping):
            grown = factor * max(_count(item.get("replicas")), elastic)
            yield from pod_specs(item.get("template"), grown, elastic)
        elif key != "elasticPolicy":
            yield from pod_specs(item, here, elastic)


def _pod_gpus(pod: Mapping[str, Any], resource: str) -> int:
    total = 0
    for container in pod.get("containers") or ():
        resources = _mapping(_mapping(container).get("resources"))
        limits, requests = _mapping(resources.get("limits")), _mapping(resources.get("requests"))
        total += _count(limits.get(resource, requests.get(resource)), 0)
    return total


def capacity(cluster: ClusterObjects) -> Capacity:
    """The GPU demand and pool limits of one cluster's objects."""
    found = Capacity()
    pools: dict[tuple[str, str], Pool] = {}
    for obj in cluster.node_pools.values():
        pool = gpu_pool(obj)
        if pool is not None:
            found.limits[pool.gpu_type][pool.capacity] = pool.limit
            found.resources[pool.gpu_type] = pool.resource
            pools.setdefault((pool.product, pool.capacity), pool)
    for job in cluster.jobs.values():
        for pod, replicas in pod_specs(job.spec):
            selector = _mapping(pod.get("nodeSelector"))
            key = (str(selector.get(GPU_PRODUCT_LABEL)), str(selector.get(CAPACITY_TYPE_LABEL)))
            if key in pools:
                found.demand[pools[key].gpu_type] += replicas * _pod_gpus(pod, pools[key].resource)
    return found
