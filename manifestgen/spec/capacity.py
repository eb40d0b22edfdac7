"""The capacity model: which catalog instances a GPU type means, and what a node of each
offers a pod once the node has kept its share (allocatable).

Allocatable follows Karpenter's own arithmetic, so a pod manifestgen accepts is one
Karpenter will find a node for:

    cpu    = vCPUs - kube-reserved cpu - systemReserved cpu - DaemonSet cpu
    memory = memory x (1 - VM overhead) - kube-reserved memory - systemReserved memory
             - eviction threshold - DaemonSet memory

with the EKS kube-reserved formulas: cpu is 6% of the first core, 1% of the second, 0.5% of
the third and fourth and 0.25% of every further core; memory is 255Mi + 11Mi per pod the
instance can run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from manifestgen.spec.catalog.instances import BUILTIN_INSTANCE_TYPES, InstanceType, family
from manifestgen.spec.platform import GpuType, NodeOverhead, PlatformSpec
from manifestgen.spec.quantity import parse_quantity

MIB = 2**20


def instance_catalog(platform: PlatformSpec) -> Mapping[str, InstanceType]:
    """The built-in catalog with the Platform's entries added or put in place."""
    return {**BUILTIN_INSTANCE_TYPES, **platform.instance_types}


def matches(gpu_type: GpuType, instance: InstanceType) -> bool:
    """The instance carries this GPU type: same count per node and, where known, product."""
    same_product = instance.gpu_product is None or instance.gpu_product == gpu_type.product
    return instance.gpus == gpu_type.gpus_per_node and same_product


def gpu_instances(
    platform: PlatformSpec, gpu_type: GpuType
) -> tuple[tuple[str, InstanceType], ...]:
    """The catalog instances a GPU type's pool may launch, sorted by name.

    Listed instance types are taken as written (the Platform rules report a mismatch);
    a family means its members that match the GPU type, so `p4` with an 80 GB A100
    means p4de and never p4d.
    """
    catalog = instance_catalog(platform)
    if gpu_type.instance_types:
        return tuple((n, catalog[n]) for n in sorted(gpu_type.instance_types) if n in catalog)
    families = set(gpu_type.instance_families)
    return tuple(
        (name, instance)
        for name, instance in sorted(catalog.items())
        if family(name) in families and matches(gpu_type, instance)
    )


@dataclass(frozen=True, order=True)
class Allocatable:
    """What a pod can request on one node: CPU in millicores, memory in MiB."""

    millicpu: int
    memory_mib: int

    def cpus(self) -> str:
        """CPUs for messages, rounded down to a tenth: `94.6`."""
        return f"{self.millicpu // 100 / 10:g}"

    def gib(self) -> str:
        return f"{self.memory_mib // 1024} GiB"


def kube_reserved_millicpu(cpus: int) -> int:
    """The EKS formula, in millicores (exact for whole cores: 2.5 m per core above four)."""
    tiers = ((1, 60.0), (1, 10.0), (2, 5.0))
    reserved, left = 0.0, cpus
    for count, per_core in tiers:
        used = min(left, count)
        reserved += used * per_core
        left -= used
    return int(reserved + left * 2.5)


def kube_reserved_memory_mib(max_pods: int) -> int:
    return 255 + 11 * max_pods


def allocatable(instance: InstanceType, overhead: NodeOverhead) -> Allocatable:
    total_mib = int(parse_quantity(instance.memory)) // MIB
    vm_overhead = math.ceil(total_mib * overhead.vm_memory_overhead_percent)
    memory = (
        total_mib
        - vm_overhead
        - kube_reserved_memory_mib(instance.max_pods)
        - _mib(overhead.system_reserved_memory)
        - _mib(overhead.eviction_memory)
        - _mib(overhead.daemonset_memory)
    )
    cpu = (
        instance.cpu * 1000
        - kube_reserved_millicpu(instance.cpu)
        - _milli(overhead.system_reserved_cpu)
        - _milli(overhead.daemonset_cpu)
    )
    return Allocatable(max(cpu, 0), max(memory, 0))


def _mib(quantity: str) -> int:
    return math.ceil(parse_quantity(quantity) / MIB)


def _milli(quantity: str) -> int:
    return math.ceil(parse_quantity(quantity) * 1000)


def milli(quantity: str) -> Decimal:
    """A CPU quantity in millicores."""
    return parse_quantity(quantity) * 1000


def mib(quantity: str) -> Decimal:
    """A memory quantity in MiB."""
    return parse_quantity(quantity) / MIB
