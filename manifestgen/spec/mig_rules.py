"""Rules of MIG GPU types and of the jobs that ask for MIG slices.

The Platform's layout must be one NVIDIA's table allows on the GPU's product and one the
GPU operator's mig-manager can apply by name; a job must ask for a profile the nodes
carry, no more slices than a node has, and is warned where CUDA or NCCL cannot use what
it asks for.
"""

from __future__ import annotations

from collections.abc import Iterator

from manifestgen.errors import Diagnostic, Severity
from manifestgen.spec.catalog.mig import MIG_PROFILES, default_config, layout_problem
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import GpuType, Platform
from manifestgen.spec.resolve import ResolvedJob

_DEFAULT_RESOURCE = "nvidia.com/gpu"


def check_mig_types(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    for name, gpu_type in sorted(platform.model.spec.gpus.items()):
        if gpu_type.mig is not None:
            yield from _check_mig_type(platform, name, gpu_type)


def _check_mig_type(
    platform: Parsed[Platform], name: str, gpu_type: GpuType
) -> Iterator[Diagnostic]:
    mig = gpu_type.mig
    assert mig is not None
    base = ("spec", "gpus", name, "mig")
    field = f"spec.gpus.{name}.mig"
    table = MIG_PROFILES.get(gpu_type.product)
    if table is None:
        yield Diagnostic(
            "MG380",
            f"{gpu_type.product} has no MIG profile table: manifestgen knows MIG on "
            f"{', '.join(sorted(MIG_PROFILES))}",
            platform.locate(base),
            field=field,
            hint="remove mig: (the GPU cannot be partitioned) or fix product",
        )
        return
    unknown = sorted(set(mig.devices) - set(table))
    for profile in unknown:
        yield Diagnostic(
            "MG380",
            f"MIG profile {profile!r} does not exist on {gpu_type.product}",
            platform.locate((*base, "devices", profile)),
            field=f"{field}.devices.{profile}",
            hint=f"profiles of {gpu_type.product}: {', '.join(table)}",
        )
    if unknown:
        return
    problem = layout_problem(table, mig.devices)
    if not problem:
        yield from _check_settings(platform, name, gpu_type)
    else:
        yield Diagnostic(
            "MG381",
            f"the MIG layout does not fit on one {gpu_type.product}: {problem}",
            platform.locate((*base, "devices")),
            field=f"{field}.devices",
            hint="use fewer instances per GPU (the figures are per GPU, not per node)",
        )


def _check_settings(
    platform: Parsed[Platform], name: str, gpu_type: GpuType
) -> Iterator[Diagnostic]:
    mig = gpu_type.mig
    assert mig is not None
    base = ("spec", "gpus", name)
    field = f"spec.gpus.{name}"
    if mig.strategy == "single" and len(mig.devices) > 1:
        yield Diagnostic(
            "MG382",
            "the single MIG strategy advertises every slice as nvidia.com/gpu, so all "
            f"slices of a node must be one profile (got {', '.join(sorted(mig.devices))})",
            platform.locate((*base, "mig", "strategy")),
            field=f"{field}.mig.strategy",
            hint="use strategy: mixed, or one profile",
        )
    if gpu_type.resource_name != _DEFAULT_RESOURCE:
        yield Diagnostic(
            "MG382",
            "resourceName does not apply to a MIG GPU type: the resource follows from "
            "mig.strategy and the profile",
            platform.locate((*base, "resourceName")),
            field=f"{field}.resourceName",
            hint="remove resourceName",
        )
    if mig.config is None and default_config(gpu_type.product, mig.devices) is None:
        yield Diagnostic(
            "MG383",
            "this MIG layout is none of the GPU operator's built-in mig-parted configs "
            "(all-<profile> with the most instances, or all-balanced)",
            platform.locate((*base, "mig")),
            field=f"{field}.mig.config",
            hint="add the layout to the mig-manager's config map and name it in mig.config",
        )


def check_mig_request(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The job's gpu request against the MIG layout of its GPU type."""
    gpu, gpu_type = job.job.spec.gpu, job.gpu_type
    if gpu is None or gpu_type is None:
        return
    if gpu_type.mig is None:
        if gpu.mig_profile is not None:
            yield _request(
                job,
                "migProfile",
                f"GPU type {job.gpu_type_name!r} has whole GPUs, not MIG slices",
                "remove migProfile, or use a GPU type with mig: in the Platform",
            )
        return
    layout = gpu_type.mig.devices
    if gpu.mig_profile is None:
        yield _request(
            job,
            "type",
            f"GPU type {job.gpu_type_name!r} is partitioned into MIG slices "
            f"({_layout(layout)}): name the profile",
            f"add migProfile: {sorted(layout)[0]}",
        )
        return
    if gpu.mig_profile not in layout:
        yield _request(
            job,
            "migProfile",
            f"{job.gpu_type_name!r} nodes carry no {gpu.mig_profile} slices ({_layout(layout)})",
            f"use one of: {', '.join(sorted(layout))}",
        )
        return
    yield from _check_slices(job)


def _check_slices(job: ResolvedJob) -> Iterator[Diagnostic]:
    gpu, gpu_type = job.job.spec.gpu, job.gpu_type
    assert gpu is not None
    assert gpu_type is not None
    assert gpu_type.mig is not None
    assert gpu.mig_profile is not None
    per_node = gpu_type.mig.devices[gpu.mig_profile] * gpu_type.gpus_per_node
    if gpu.per_node > per_node:
        yield Diagnostic(
            "MG385",
            f"{gpu.per_node} {gpu.mig_profile} slices per node, but each {job.gpu_type_name} "
            f"node has {per_node} ({gpu_type.mig.devices[gpu.mig_profile]} on each of its "
            f"{gpu_type.gpus_per_node} GPUs)",
            job.source.locate(("spec", "gpu", "perNode")),
            field="spec.gpu.perNode",
            hint=f"use at most {per_node} per node and add nodes instead",
        )
    elif gpu.per_node > 1:
        yield _warn(
            job,
            "perNode",
            f"a CUDA process enumerates only one MIG device: the {gpu.per_node} processes "
            "of each pod must each pin their own slice (CUDA_VISIBLE_DEVICES=MIG-<uuid>)",
            "use perNode: 1 and more nodes, unless the code pins its slices",
        )
    if job.max_nodes > 1:
        yield _warn(
            job,
            "type",
            "NCCL does not support MIG instances: pods on slices of one node cannot form "
            "an NCCL communicator",
            "use the gloo backend, or whole GPUs for distributed training",
        )


def _layout(layout: dict[str, int]) -> str:
    return ", ".join(f"{n} x{c} per GPU" for n, c in sorted(layout.items()))


def _request(job: ResolvedJob, part: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(
        "MG384",
        message,
        job.source.locate(("spec", "gpu", part)),
        field=f"spec.gpu.{part}",
        hint=hint,
    )


def _warn(job: ResolvedJob, part: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(
        "MG386",
        message,
        job.source.locate(("spec", "gpu", part)),
        field=f"spec.gpu.{part}",
        severity=Severity.WARNING,
        hint=hint,
    )
