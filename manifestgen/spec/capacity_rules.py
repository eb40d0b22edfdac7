"""Rules of the capacity model: the GPU catalog against the instance catalog, and
whether a job's pod fits on the nodes its GPU type can launch."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from manifestgen.errors import Diagnostic
from manifestgen.spec.capacity import (
    allocatable,
    gpu_instances,
    instance_catalog,
    matches,
    mib,
    milli,
)
from manifestgen.spec.catalog.instances import InstanceType, family
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import GpuType, Platform
from manifestgen.spec.resolve import ResolvedJob

_ADD_HINT = "describe it under spec.instanceTypes (cpu, memory, maxPods, gpus, gpuProduct...)"


def check_gpu_catalog(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """Each GPU type must name instances the catalog knows, carrying that GPU."""
    for name, gpu_type in sorted(platform.model.spec.gpus.items()):
        yield from _check_types(platform, name, gpu_type)
        yield from _check_families(platform, name, gpu_type)
        yield from _check_efa(platform, name, gpu_type)


def _check_types(platform: Parsed[Platform], name: str, gpu_type: GpuType) -> Iterator[Diagnostic]:
    catalog = instance_catalog(platform.model.spec)
    for index, type_name in enumerate(gpu_type.instance_types):
        path = ("spec", "gpus", name, "instanceTypes", index)
        field = f"spec.gpus.{name}.instanceTypes[{index}]"
        instance = catalog.get(type_name)
        if instance is None:
            yield _unknown(platform, path, field, f"instance type {type_name!r}", catalog)
            continue
        problem = _mismatch(gpu_type, instance)
        if problem:
            yield Diagnostic(
                "MG271",
                f"{type_name} {problem}, but GPU type {name!r} says "
                f"{gpu_type.gpus_per_node} x {gpu_type.product}",
                platform.locate(path),
                field=field,
                hint="fix gpusPerNode or product, or list instance types that carry this GPU",
            )


def _check_families(
    platform: Parsed[Platform], name: str, gpu_type: GpuType
) -> Iterator[Diagnostic]:
    catalog = instance_catalog(platform.model.spec)
    for index, family_name in enumerate(gpu_type.instance_families):
        path = ("spec", "gpus", name, "instanceFamilies", index)
        field = f"spec.gpus.{name}.instanceFamilies[{index}]"
        members = {n: i for n, i in catalog.items() if family(n) == family_name}
        if not members:
            families = {family(n) for n in catalog}
            yield _unknown(platform, path, field, f"instance family {family_name!r}", families)
        elif not any(matches(gpu_type, i) for i in members.values()):
            offered = sorted(
                {f"{i.gpus} x {i.gpu_product or i.gpu_name}" for i in members.values()}
            )
            yield Diagnostic(
                "MG271",
                f"no {family_name} instance type has {gpu_type.gpus_per_node} x "
                f"{gpu_type.product} (the family offers {', '.join(offered)})",
                platform.locate(path),
                field=field,
                hint="fix gpusPerNode or product, or add the instance type to spec.instanceTypes",
            )


def _check_efa(platform: Parsed[Platform], name: str, gpu_type: GpuType) -> Iterator[Diagnostic]:
    short = [
        (n, i)
        for n, i in gpu_instances(platform.model.spec, gpu_type)
        if i.efa < gpu_type.efa_per_node
    ]
    if short:
        type_name, instance = short[0]
        yield Diagnostic(
            "MG271",
            f"efaPerNode is {gpu_type.efa_per_node}, but {type_name} has only {instance.efa} EFA "
            "interfaces: pods asking for more would never be scheduled",
            platform.locate(("spec", "gpus", name, "efaPerNode")),
            field=f"spec.gpus.{name}.efaPerNode",
            hint=f"use efaPerNode: {min(i.efa for _, i in short)} or less",
        )


def _mismatch(gpu_type: GpuType, instance: InstanceType) -> str:
    if instance.gpus != gpu_type.gpus_per_node:
        return f"has {instance.gpus} GPUs"
    if instance.gpu_product is not None and instance.gpu_product != gpu_type.product:
        return f"carries {instance.gpu_product}"
    return ""


def _unknown(
    platform: Parsed[Platform],
    path: tuple[str | int, ...],
    field: str,
    what: str,
    known: Iterable[str],
) -> Diagnostic:
    word = what.split("'")[1]
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.7)
    hint = f"did you mean {close[0]!r}? Otherwise " if close else ""
    return Diagnostic(
        "MG270",
        f"{what} is not in the instance catalog: node fit cannot be checked",
        platform.locate(path),
        field=field,
        hint=hint + _ADD_HINT,
    )


def check_fit(job: ResolvedJob) -> Iterator[Diagnostic]:
    """A pod that fits no node of its pool stays Pending for ever; say so at build time."""
    if job.gpu_type is None:
        return
    offers = [
        (allocatable(i, job.platform.spec.node_overhead), n)
        for n, i in gpu_instances(job.platform.spec, job.gpu_type)
    ]
    if not offers:
        return
    resources = job.job.spec.resources
    best_cpu = max(offers, key=lambda o: (o[0].millicpu, o[1]))
    if milli(resources.cpu) > best_cpu[0].millicpu:
        asks = f"asks {resources.cpu} CPUs per node"
        yield _fit(job, "cpu", asks, best_cpu[1], best_cpu[0].cpus())
    best_memory = max(offers, key=lambda o: (o[0].memory_mib, o[1]))
    if mib(resources.memory) > best_memory[0].memory_mib:
        asks = f"asks {resources.memory} of memory per node"
        yield _fit(job, "memory", asks, best_memory[1], best_memory[0].gib())


def _fit(job: ResolvedJob, resource: str, asks: str, instance: str, amount: str) -> Diagnostic:
    return Diagnostic(
        "MG273",
        f"{asks}; {instance} offers about {amount} allocatable ({job.gpu_type_name} nodes "
        "keep the rest for the kubelet, the system and DaemonSets)",
        job.source.locate(("spec", "resources", resource)),
        field=f"spec.resources.{resource}",
        hint=f"ask for at most {amount} and spread the work over more nodes",
    )
