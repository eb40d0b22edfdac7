"""Kueue's objects for a cluster, and what queues a job: flavors, queues, priorities.

A ResourceFlavor per GPU type and capacity type (and per CPU capacity type) has exactly
the node labels the pods already select and the taints their NodePool puts on its
nodes. Kueue then picks for each pod set the one flavor its pods fit (other flavors'
taints are not tolerated, their labels differ), and what it injects into the pod
templates at admission (the flavor's labels) is already there: Argo CD sees no diff.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from manifestgen.expand.cpu_pool import CPU_TAINT, SIDE_POD_CAPACITY, cpu_placement
from manifestgen.expand.gpu_resources import (
    gpu_resource_name,
    node_labels,
    slice_resources,
    taint_key,
)
from manifestgen.expand.labels import SYNC_OPTIONS, SYNC_WAVE, metadata, provenance
from manifestgen.expand.pod import CAPACITY_TYPE_LABEL, EFA_RESOURCE
from manifestgen.kinds.catalog import KUEUE_GROUP, wave
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.spec.capacity import allocatable, gpu_instances
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import GpuType, Platform, PlatformSpec
from manifestgen.spec.quantity import parse_quantity
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.scheduling import Scheduling, TeamQueue

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"
MIB = 2**20
CPU_RESOURCES = ("cpu", "memory")
# Kueue's own objects and the PriorityClasses may be applied before Kueue's CRDs exist.
_SKIP_DRY_RUN = {SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"}


def scheduling_of(spec: PlatformSpec, cluster: str) -> Scheduling:
    return spec.clusters[cluster].scheduling


def flavor_name(gpu_type: str | None, capacity: str) -> str:
    """The same name as the flavor's NodePool (expand/cluster.py pool_name)."""
    return f"gpu-{gpu_type}-{capacity}" if gpu_type else f"cpu-{capacity}"


def queued(job: ResolvedJob) -> bool:
    """Whether Kueue admits the job: its cluster runs Kueue and its kind can be suspended."""
    from manifestgen.workloads import workload_of

    return job.cluster.scheduling.kueue and workload_of(job).kind.suspend is not None


def local_queue_name(team: str) -> str:
    """The LocalQueue is named after its ClusterQueue: `spec.clusterQueue` is immutable,
    so pointing it elsewhere must be a new LocalQueue, which a new name makes."""
    return cluster_queue_name(team)


def cluster_queue_name(team: str) -> str:
    return team


def queue_labels(job: ResolvedJob) -> dict[str, str]:
    """Labels that put the training object in its team's queue at its priority."""
    if not queued(job):
        return {}
    labels = {QUEUE_LABEL: local_queue_name(job.team_name)}
    priority = job.priority
    if priority is not None:
        labels[PRIORITY_LABEL] = priority
    return labels


# --- what a job asks of each flavor, and what a queue holds -----------------------------

Amounts = dict[str, Decimal]


def job_requests(job: ResolvedJob) -> dict[str, Amounts]:
    """Resources the job's pods request together, by flavor: Kueue admits all or none."""
    spec = job.job.spec
    requests: dict[str, Amounts] = {}
    per_pod: Amounts = {
        "cpu": parse_quantity(spec.resources.cpu),
        "memory": parse_quantity(spec.resources.memory),
    }
    if job.gpu_type is not None and spec.gpu is not None:
        resource = gpu_resource_name(job.gpu_type, spec.gpu.mig_profile)
        per_pod[resource] = Decimal(spec.gpu.per_node)
        if job.efa_per_node:
            per_pod[EFA_RESOURCE] = Decimal(job.efa_per_node)
    _add(requests, flavor_name(job.gpu_type_name, spec.capacity_type), per_pod, job.max_nodes)
    for side in spec.side_pods:
        side_pod = {"cpu": parse_quantity(side.cpu), "memory": parse_quantity(side.memory)}
        _add(requests, flavor_name(None, SIDE_POD_CAPACITY), side_pod, side.replicas)
    return requests


def _add(requests: dict[str, Amounts], flavor: str, per_pod: Amounts, count: int) -> None:
    amounts = requests.setdefault(flavor, {})
    for resource, value in per_pod.items():
        amounts[resource] = amounts.get(resource, Decimal(0)) + value * count


@dataclass(frozen=True)
class Quota:
    nominal: Decimal
    borrowing_limit: Decimal | None = None
    lending_limit: Decimal | None = None


@dataclass(frozen=True)
class PerNode:
    """What one node of a GPU type holds, for the quotas that follow from its GPUs."""

    gpus: int
    millicpu: int
    memory_mib: int
    efa: int


class QuotaError(ValueError):
    """A GPU type whose instances are unknown: its CPU and memory quota cannot be derived."""


def per_node(spec: PlatformSpec, gpu_type_name: str) -> PerNode:
    gpu_type = spec.gpus[gpu_type_name]
    offers = [allocatable(i, spec.node_overhead) for _, i in gpu_instances(spec, gpu_type)]
    if not offers:
        raise QuotaError(gpu_type_name)
    return PerNode(
        gpus=gpu_type.gpus_per_node,
        millicpu=max(o.millicpu for o in offers),
        memory_mib=max(o.memory_mib for o in offers),
        efa=gpu_type.efa_per_node,
    )


def _nodes(gpus: int, node: PerNode) -> int:
    return -(-gpus // node.gpus)


def gpu_units(gpu_type: GpuType) -> dict[str, int]:
    """What one GPU of the type counts as in a queue, by resource: itself, or its slices."""
    if gpu_type.mig is None:
        return {gpu_type.resource_name: 1}
    return slice_resources(gpu_type)


def _node_amounts(spec: PlatformSpec, gpu_type: str, gpus: int) -> Amounts:
    node = per_node(spec, gpu_type)
    nodes = _nodes(gpus, node)
    amounts: Amounts = {
        "cpu": Decimal(nodes * node.millicpu) / 1000,
        "memory": Decimal(nodes * node.memory_mib * MIB),
    }
    # A MIG type's quota is in whole GPUs, as its gpuQuota; Kueue counts the slices
    # those GPUs are cut into, under the resource names the pods ask for.
    for resource, per_gpu in gpu_units(spec.gpus[gpu_type]).items():
        amounts[resource] = Decimal(gpus * per_gpu)
    if node.efa:
        amounts[EFA_RESOURCE] = Decimal(nodes * node.efa)
    return amounts


def _limit_amounts(spec: PlatformSpec, gpu_type: str, gpus: int | None) -> Amounts:
    return {} if gpus is None else _node_amounts(spec, gpu_type, gpus)


def team_quotas(spec: PlatformSpec, queue: TeamQueue) -> dict[str, dict[str, Quota]]:
    """The queue's quotas by flavor and resource, derived from its GPUs and CPU pods."""
    quotas: dict[str, dict[str, Quota]] = {}
    for gpu_type, by_capacity in queue.gpus.items():
        for capacity, gpu in by_capacity.items():
            nominal = _node_amounts(spec, gpu_type, gpu.gpus)
            borrow = _limit_amounts(spec, gpu_type, gpu.borrowing_limit)
            lend = _limit_amounts(spec, gpu_type, gpu.lending_limit)
            quotas[flavor_name(gpu_type, capacity)] = {
                r: Quota(v, borrow.get(r), lend.get(r)) for r, v in nominal.items()
            }
    for capacity, cpu in queue.cpus.items():
        quotas[flavor_name(None, capacity)] = {
            "cpu": Quota(Decimal(cpu.cpu)),
            "memory": Quota(parse_quantity(cpu.memory)),
        }
    return quotas


def admissible_limit(
    spec: PlatformSpec, cluster: str, team: str, flavor: str, resource: str
) -> tuple[Decimal, Decimal]:
    """The most of `resource` on `flavor` a workload of `team` can ever be admitted with:
    the team's nominal quota, and what it may borrow from the rest of its cohort."""
    scheduling = scheduling_of(spec, cluster)
    queue = scheduling.queues.get(team)
    if queue is None:
        return Decimal(0), Decimal(0)
    own = team_quotas(spec, queue).get(flavor, {}).get(resource, Quota(Decimal(0)))
    if queue.cohort is None:
        return own.nominal, Decimal(0)
    lendable = Decimal(0)
    for other_team, other in scheduling.queues.items():
        if other_team == team or other.cohort != queue.cohort:
            continue
        theirs = team_quotas(spec, other).get(flavor, {}).get(resource)
        if theirs is not None:
            lent = theirs.nominal if theirs.lending_limit is None else theirs.lending_limit
            lendable += lent
    borrow = lendable if own.borrowing_limit is None else min(own.borrowing_limit, lendable)
    return own.nominal, borrow


# --- the objects ------------------------------------------------------------------------


def _quantity(resource: str, value: Decimal) -> str:
    if resource == "memory":
        return f"{int(value) // MIB}Mi"
    if value == value.to_integral_value():
        return str(int(value))
    return f"{int(value * 1000)}m"


def _covered(spec: PlatformSpec, scheduling: Scheduling) -> list[str]:
    resources = set(CPU_RESOURCES)
    for queue in scheduling.queues.values():
        for gpu_type in queue.gpus:
            resources.update(gpu_units(spec.gpus[gpu_type]))
            if spec.gpus[gpu_type].efa_per_node:
                resources.add(EFA_RESOURCE)
    return sorted(resources)


def _flavor_keys(scheduling: Scheduling) -> dict[str, tuple[str | None, str]]:
    """Every flavor the cluster's queues name: its GPU type (None: CPU) and capacity."""
    keys: dict[str, tuple[str | None, str]] = {}
    for queue in scheduling.queues.values():
        for gpu_type, by_capacity in queue.gpus.items():
            keys |= {flavor_name(gpu_type, c): (gpu_type, c) for c in by_capacity}
        keys |= {flavor_name(None, c): (None, c) for c in queue.cpus}
    return dict(sorted(keys.items()))


def _flavor_placement(spec: PlatformSpec, gpu_type_name: str | None, capacity: str) -> Any:
    """Node labels the flavor's pods select and taints its NodePool sets, exactly."""
    if gpu_type_name is None:
        labels = {CAPACITY_TYPE_LABEL: capacity, **cpu_placement(capacity)["nodeSelector"]}
        return {"nodeLabels": dict(sorted(labels.items())), "nodeTaints": [dict(CPU_TAINT)]}
    gpu_type = spec.gpus[gpu_type_name]
    labels = {CAPACITY_TYPE_LABEL: capacity, **node_labels(gpu_type)}
    taint = {"effect": "NoSchedule", "key": taint_key(gpu_type), "value": "true"}
    return {"nodeLabels": dict(sorted(labels.items())), "nodeTaints": [taint]}


def _object(
    platform: Parsed[Platform],
    cluster: str,
    api_version: str,
    kind: str,
    name: str,
    part: tuple[str, ...],
    body: Mapping[str, Any],
    namespace: str | None = None,
) -> Manifest:
    content = _subtree(platform.document.data, part)
    annotations = {
        **provenance(platform.document.path, content),
        SYNC_WAVE: wave(api_version, kind),
        **_SKIP_DRY_RUN,
    }
    obj = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": metadata(name, namespace=namespace, annotations=annotations),
        **body,
    }
    return Manifest(obj, Origin(platform.document, part), Target(cluster))


def _subtree(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        data = data.get(part, {}) if isinstance(data, dict) else {}
    return data


def _queues_part(cluster: str, *rest: str) -> tuple[str, ...]:
    return ("spec", "clusters", cluster, "scheduling", "queues", *rest)


def resource_flavors(platform: Parsed[Platform], cluster: str) -> Iterator[Manifest]:
    spec = platform.model.spec
    scheduling = scheduling_of(spec, cluster)
    api_version = f"{KUEUE_GROUP}/{scheduling.kueue_api_version}"
    for flavor, (gpu_type, capacity) in _flavor_keys(scheduling).items():
        body = {"spec": _flavor_placement(spec, gpu_type, capacity)}
        part = _queues_part(cluster)
        yield _object(platform, cluster, api_version, "ResourceFlavor", flavor, part, body)


def _resources(quotas: Mapping[str, Quota], covered: list[str]) -> list[dict[str, Any]]:
    result = []
    for resource in covered:
        quota = quotas.get(resource, Quota(Decimal(0)))
        entry: dict[str, Any] = {
            "name": resource,
            "nominalQuota": _quantity(resource, quota.nominal),
        }
        if quota.borrowing_limit is not None:
            entry["borrowingLimit"] = _quantity(resource, quota.borrowing_limit)
        if quota.lending_limit is not None:
            entry["lendingLimit"] = _quantity(resource, quota.lending_limit)
        result.append(entry)
    return result


def cluster_queue_spec(
    spec: PlatformSpec, scheduling: Scheduling, team: str, queue: TeamQueue
) -> dict[str, Any]:
    """Every queue of a cluster lists every flavor (nominal 0 where the team has none),
    so a team can borrow a flavor it owns none of from its cohort."""
    covered = _covered(spec, scheduling)
    quotas = team_quotas(spec, queue)
    flavors = [
        {"name": flavor, "resources": _resources(quotas.get(flavor, {}), covered)}
        for flavor in _flavor_keys(scheduling)
    ]
    namespace = spec.teams[team].namespace
    body: dict[str, Any] = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
        "preemption": {
            "reclaimWithinCohort": queue.preemption.reclaim_within_cohort,
            "withinClusterQueue": queue.preemption.within_cluster_queue,
        },
        "resourceGroups": [{"coveredResources": covered, "flavors": flavors}],
    }
    if queue.cohort is not None:
        # v1beta2 renamed the field.
        key = "cohort" if scheduling.kueue_api_version == "v1beta1" else "cohortName"
        body[key] = queue.cohort
    return dict(sorted(body.items()))


def cluster_queues(platform: Parsed[Platform], cluster: str) -> Iterator[Manifest]:
    spec = platform.model.spec
    scheduling = scheduling_of(spec, cluster)
    api_version = f"{KUEUE_GROUP}/{scheduling.kueue_api_version}"
    for team, queue in sorted(scheduling.queues.items()):
        body = {"spec": cluster_queue_spec(spec, scheduling, team, queue)}
        part = _queues_part(cluster, team)
        name = cluster_queue_name(team)
        yield _object(platform, cluster, api_version, "ClusterQueue", name, part, body)


def local_queues(platform: Parsed[Platform], cluster: str) -> Iterator[Manifest]:
    spec = platform.model.spec
    scheduling = scheduling_of(spec, cluster)
    api_version = f"{KUEUE_GROUP}/{scheduling.kueue_api_version}"
    for team in sorted(scheduling.queues):
        body = {"spec": {"clusterQueue": cluster_queue_name(team)}}
        yield _object(
            platform,
            cluster,
            api_version,
            "LocalQueue",
            local_queue_name(team),
            _queues_part(cluster, team),
            body,
            namespace=spec.teams[team].namespace,
        )


def priority_classes(platform: Parsed[Platform], cluster: str) -> Iterator[Manifest]:
    """A PriorityClass per level (pods' priorityClassName: kube-scheduler preemption) and,
    under Kueue, a WorkloadPriorityClass (the order Kueue admits and preempts in)."""
    spec = platform.model.spec
    scheduling = scheduling_of(spec, cluster)
    for name, level in sorted(spec.priorities.levels.items()):
        part = ("spec", "priorities", "levels", name)
        body: dict[str, Any] = {"value": level.value}
        if level.description:
            body["description"] = level.description
        pod_body = {**body, "globalDefault": False, "preemptionPolicy": "PreemptLowerPriority"}
        yield _object(
            platform, cluster, "scheduling.k8s.io/v1", "PriorityClass", name, part, pod_body
        )
        if scheduling.kueue:
            api_version = f"{KUEUE_GROUP}/{scheduling.kueue_api_version}"
            yield _object(platform, cluster, api_version, "WorkloadPriorityClass", name, part, body)


def expand_scheduling(platform: Parsed[Platform], cluster: str) -> list[Manifest]:
    """The cluster's priorities and, under Kueue, its flavors and queues."""
    manifests = list(priority_classes(platform, cluster))
    if scheduling_of(platform.model.spec, cluster).kueue:
        manifests += resource_flavors(platform, cluster)
        manifests += cluster_queues(platform, cluster)
        manifests += local_queues(platform, cluster)
    return manifests
