"""GPU demand and node-pool limits, read from the objects of a tree.

Both sides of a plan are trees (out/ holds no specs), so demand is counted the way the
cluster sees it: every pod template of every training job, times its replicas, times
the GPUs its containers ask for. That is the demand the quota rule of spec/quota.py
counts (most nodes, elastic `maxNodes` included, times GPUs per node; a Suspended job
counts, a Completed one has no object), and a job kept from the previous build counts
with the object it keeps.

A GPU node pool names its type (`gpu-<type>-<capacity type>`), carries the GPU product
label its pods select, and limits the GPU resource (`spec.limits`); a job's pods are
matched to the pool of their product, MIG config and capacity type.

A MIG pool limits `nodes` and its pods ask for slices; both are shown in GPUs, as the quota
counts them: nodes times the pool's `instance-gpu-count`, and per pod the GPUs its slices
are cut from (its NodeOverlay says how many slices of each resource a node has).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from manifestgen.plan.objects import ClusterObjects, Obj

GPU_PRODUCT_LABEL = "nvidia.com/gpu.product"
MIG_CONFIG_LABEL = "nvidia.com/mig.config"
GPU_COUNT_KEY = "karpenter.k8s.aws/instance-gpu-count"
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
    mig_config: str = ""
    # MIG pools: slices of each resource on one GPU.
    slices_per_gpu: Mapping[str, int] = field(default_factory=dict)


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


def gpu_pool(obj: Obj, overlay: Obj | None = None) -> Pool | None:
    """What a NodePool says about its GPUs; None for a CPU pool."""
    spec = _mapping(obj.spec)
    template = _mapping(spec.get("template"))
    labels = _mapping(_mapping(template.get("metadata")).get("labels"))
    product = labels.get(GPU_PRODUCT_LABEL)
    limits = {str(k): v for k, v in _mapping(spec.get("limits")).items() if k != "cpu"}
    if product is None or len(limits) != 1:
        return None
    requirements = _mapping(template.get("spec")).get("requirements")
    capacity = _capacity_of(requirements)
    gpu_type = obj.name.removeprefix("gpu-").removesuffix(f"-{capacity}")
    ((resource, limit),) = limits.items()
    mig_config = str(labels.get(MIG_CONFIG_LABEL, ""))
    if not mig_config:
        return Pool(gpu_type, capacity, str(product), resource, _count(limit, 0))
    gpus = _count(_requirement(requirements, GPU_COUNT_KEY), 1) or 1
    slices = {
        str(name): _count(value, 0) // gpus
        for name, value in _mapping(
            _mapping(overlay.spec if overlay else {}).get("capacity")
        ).items()
        if _count(value, 0)
    }
    # Shown in GPUs, like a whole-GPU pool's limit.
    limit_gpus = _count(limit, 0) * gpus
    return Pool(gpu_type, capacity, str(product), "nvidia.com/gpu", limit_gpus, mig_config, slices)


def _requirement(requirements: Any, key: str) -> Any:
    for requirement in requirements if isinstance(requirements, list) else ():
        requirement = _mapping(requirement)
        values = requirement.get("values")
        if requirement.get("key") == key and isinstance(values, list) and values:
            return values[0]
    return None


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


def _pod_gpus(pod: Mapping[str, Any], pool: Pool) -> int:
    total = 0
    for container in pod.get("containers") or ():
        resources = _mapping(_mapping(container).get("resources"))
        limits, requests = _mapping(resources.get("limits")), _mapping(resources.get("requests"))
        if not pool.mig_config:
            total += _count(limits.get(pool.resource, requests.get(pool.resource)), 0)
            continue
        for name, per_gpu in pool.slices_per_gpu.items():
            slices = _count(limits.get(name, requests.get(name)), 0)
            total += -(-slices // per_gpu) if per_gpu else 0
    return total


def capacity(cluster: ClusterObjects) -> Capacity:
    """The GPU demand and pool limits of one cluster's objects."""
    found = Capacity()
    pools: dict[tuple[str, str, str], Pool] = {}
    for obj in cluster.node_pools.values():
        pool = gpu_pool(obj, cluster.node_overlays.get(obj.name))
        if pool is not None:
            found.limits[pool.gpu_type][pool.capacity] = pool.limit
            found.resources[pool.gpu_type] = pool.resource
            pools.setdefault((pool.product, pool.mig_config, pool.capacity), pool)
    for job in cluster.jobs.values():
        for pod, replicas in pod_specs(job.spec):
            selector = _mapping(pod.get("nodeSelector"))
            key = (
                str(selector.get(GPU_PRODUCT_LABEL)),
                str(selector.get(MIG_CONFIG_LABEL, "")),
                str(selector.get(CAPACITY_TYPE_LABEL)),
            )
            if key in pools:
                found.demand[pools[key].gpu_type] += replicas * _pod_gpus(pod, pools[key])
    return found
