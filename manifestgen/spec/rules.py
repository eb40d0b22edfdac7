"""Rules that need more than one field or document: references and ML-specific invariants.

Each rule is a function in a table; the pipeline runs them all and collects diagnostics,
so one bad job never hides another's mistakes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from manifestgen.errors import Diagnostic, Severity
from manifestgen.render.layout import ARGOCD_DIR
from manifestgen.spec.capacity_rules import check_fit, check_gpu_catalog
from manifestgen.spec.cluster_rules import (
    check_egress_networks,
    check_job_name,
    check_platform_cluster_rules,
)
from manifestgen.spec.gitops_rules import check_gitops
from manifestgen.spec.image import from_registry, parse_image
from manifestgen.spec.kubernetes_rules import check_kubernetes_versions
from manifestgen.spec.mig_rules import check_mig_request, check_mig_types
from manifestgen.spec.monitoring_rules import check_metrics
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.quantity import parse_quantity
from manifestgen.spec.queue_rules import check_priority, check_queue_design
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.storage import check_claim, check_storage_classes
from manifestgen.spec.tenancy_rules import check_tenancy

if TYPE_CHECKING:
    from manifestgen.spec.training import TrainingJob

ReferenceRule = Callable[[Parsed["TrainingJob"], Platform], Iterable[Diagnostic]]
JobRule = Callable[[ResolvedJob], Iterable[Diagnostic]]


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    options = sorted(choices)
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if match:
        return f"did you mean {match[0]!r}?"
    return f"known: {', '.join(options)}" if options else ""


def check_team(job: Parsed[TrainingJob], platform: Platform) -> Iterator[Diagnostic]:
    team_name = job.model.spec.team
    team = platform.spec.teams.get(team_name)
    if team is None:
        yield Diagnostic(
            "MG210",
            f"unknown team {team_name!r}",
            job.locate(("spec", "team")),
            field="spec.team",
            hint=_did_you_mean(team_name, platform.spec.teams),
        )
        return
    image = job.model.spec.image
    if not any(from_registry(image, prefix) for prefix in team.registries):
        yield Diagnostic(
            "MG214",
            f"image {image!r} is not from a registry team {team_name!r} may use",
            job.locate(("spec", "image")),
            field="spec.image",
            hint=f"allowed prefixes: {', '.join(team.registries)}",
        )


def check_cluster(job: Parsed[TrainingJob], platform: Platform) -> Iterator[Diagnostic]:
    name = job.model.spec.cluster
    if name not in platform.spec.clusters:
        yield Diagnostic(
            "MG211",
            f"unknown cluster {name!r}",
            job.locate(("spec", "cluster")),
            field="spec.cluster",
            hint=_did_you_mean(name, platform.spec.clusters),
        )
        return
    team = platform.spec.teams.get(job.model.spec.team)
    if team is not None and name not in team.clusters:
        yield Diagnostic(
            "MG213",
            f"team {job.model.spec.team!r} may not run on cluster {name!r}",
            job.locate(("spec", "cluster")),
            field="spec.cluster",
            hint=f"the team's clusters: {', '.join(team.clusters)}",
        )


def check_gpu_type(job: Parsed[TrainingJob], platform: Platform) -> Iterator[Diagnostic]:
    gpu = job.model.spec.gpu
    if gpu is not None and gpu.type not in platform.spec.gpus:
        yield Diagnostic(
            "MG212",
            f"unknown GPU type {gpu.type!r}",
            job.locate(("spec", "gpu", "type")),
            field="spec.gpu.type",
            hint=_did_you_mean(gpu.type, platform.spec.gpus),
        )


def check_image_tag(job: Parsed[TrainingJob], platform: Platform) -> Iterator[Diagnostic]:
    image = parse_image(job.model.spec.image)
    if not image.digest and image.tag in ("", "latest"):
        yield Diagnostic(
            "MG228",
            f"image {job.model.spec.image!r} has a mutable tag: a rerun may train different code",
            job.locate(("spec", "image")),
            field="spec.image",
            severity=Severity.WARNING,
            hint="pin a version tag or a digest (image@sha256:...)",
        )


REFERENCE_RULES: tuple[ReferenceRule, ...] = (
    check_team,
    check_cluster,
    check_gpu_type,
    check_image_tag,
    check_job_name,
    check_egress_networks,
    check_priority,
)


def check_gpus_per_node(job: ResolvedJob) -> Iterator[Diagnostic]:
    gpu_type, gpu = job.gpu_type, job.job.spec.gpu
    if gpu is not None and gpu.mig_profile is not None:
        return  # slices: the MIG rules judge them
    if gpu_type is not None and gpu is not None and gpu.per_node > gpu_type.gpus_per_node:
        yield Diagnostic(
            "MG221",
            f"{gpu.per_node} GPUs per node, but {job.gpu_type_name} instances "
            f"({gpu_type.instances()}) have {gpu_type.gpus_per_node}",
            job.source.locate(("spec", "gpu", "perNode")),
            field="spec.gpu.perNode",
            hint=f"use at most {gpu_type.gpus_per_node} per node and add nodes instead",
        )


def check_processes(job: ResolvedJob) -> Iterator[Diagnostic]:
    # One process per GPU, or per MIG slice.
    gpus = job.slices_per_node or job.gpus_per_node
    # Where the operator fixes the processes per pod, the workload's own rule judges them.
    if gpus and job.processes_per_node != gpus and job.job.spec.processes_per_pod is None:
        yield Diagnostic(
            "MG224",
            f"processesPerNode is {job.processes_per_node} but each node has {gpus} GPUs: "
            "torchrun would leave GPUs idle or oversubscribe them",
            job.source.locate(("spec", "processesPerNode")),
            field="spec.processesPerNode",
            hint="remove processesPerNode: it defaults to the GPUs per node",
        )


def check_checkpoint_access(job: ResolvedJob) -> Iterator[Diagnostic]:
    if job.max_nodes > 1 and job.checkpoint_access_mode not in (None, "ReadWriteMany"):
        yield Diagnostic(
            "MG220",
            f"a {job.max_nodes}-node job writes checkpoints from every node, but the claim is "
            f"{job.checkpoint_access_mode}",
            job.source.locate(("spec", "checkpoints", "accessMode")),
            field="spec.checkpoints.accessMode",
            hint="use ReadWriteMany with a shared storage class (EFS, FSx for Lustre)",
        )


def check_shared_memory(job: ResolvedJob) -> Iterator[Diagnostic]:
    shm = parse_quantity(job.shared_memory)
    memory = parse_quantity(job.job.spec.resources.memory)
    if shm >= memory:
        yield Diagnostic(
            "MG225",
            f"/dev/shm of {job.shared_memory} does not fit in {job.job.spec.resources.memory} "
            "of memory: it counts against the memory limit",
            job.source.locate(("spec", "sharedMemory")),
            field="spec.sharedMemory",
            hint="make sharedMemory smaller than resources.memory (a quarter is typical)",
        )


def check_quota(job: ResolvedJob) -> Iterator[Diagnostic]:
    name = job.gpu_type_name
    if name is None:
        return
    quota = job.cluster.gpu_quota.get(name)
    wanted = job.job.spec.concurrent_runs * job.max_nodes * job.gpus_per_node
    if quota is None:
        yield Diagnostic(
            "MG226",
            f"cluster {job.cluster_name!r} has no quota for {name!r} GPUs",
            job.source.locate(("spec", "gpu", "type")),
            field="spec.gpu.type",
            hint=f"ask the platform team to add clusters.{job.cluster_name}.gpuQuota."
            f"{name}, or use one of: {', '.join(sorted(job.cluster.gpu_quota)) or '-'}",
        )
    elif wanted > quota:
        yield Diagnostic(
            "MG226",
            f"the job needs {wanted} {name} GPUs but cluster {job.cluster_name!r} allows {quota}",
            job.source.locate(("spec", "gpu", "type")),
            field="spec.gpu.type",
            hint="use fewer nodes or GPUs per node, or ask for a larger quota",
        )


def check_ttl(job: ResolvedJob) -> Iterator[Diagnostic]:
    if job.run_policy.ttl_seconds_after_finished is not None and job.job.spec.ttl_deletes_job:
        yield Diagnostic(
            "MG229",
            "ttlSecondsAfterFinished deletes the finished job, and Argo CD then re-creates it "
            "and trains again",
            job.source.locate(("spec", "runPolicy", "ttlSecondsAfterFinished")),
            field="spec.runPolicy.ttlSecondsAfterFinished",
            severity=Severity.WARNING,
            hint="remove it; delete the spec file when the run's output is no longer needed",
        )


JOB_RULES: tuple[JobRule, ...] = (
    check_gpus_per_node,
    check_processes,
    check_checkpoint_access,
    check_shared_memory,
    check_quota,
    check_ttl,
    check_fit,
    check_claim,
    check_mig_request,
    check_metrics,
)


def check_platform(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """References inside the Platform itself: teams' clusters, quotas' GPU types, names
    that would collide in out/, and Kubernetes versions without schemas."""
    yield from _check_platform_references(platform)
    yield from _check_platform_names(platform)
    yield from check_platform_cluster_rules(platform)
    yield from check_gpu_catalog(platform)
    yield from check_mig_types(platform)
    yield from check_storage_classes(platform)
    yield from check_kubernetes_versions(platform)
    yield from check_gitops(platform)
    yield from check_queue_design(platform)
    yield from check_tenancy(platform)
    yield from _check_default_frameworks(platform)


def _check_default_frameworks(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    defaults = {
        name: cluster.default_framework
        for name, cluster in sorted(platform.model.spec.clusters.items())
        if cluster.default_framework is not None
    }
    if not defaults:
        return
    from manifestgen.workloads import WORKLOADS  # the registry imports the spec models

    for name, framework in defaults.items():
        if framework in WORKLOADS:
            continue
        yield Diagnostic(
            "MG306",
            f"unknown defaultFramework {framework!r} for cluster {name!r}",
            platform.locate(("spec", "clusters", name, "defaultFramework")),
            field=f"spec.clusters.{name}.defaultFramework",
            hint=_did_you_mean(framework, WORKLOADS),
        )


def _check_platform_names(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    spec = platform.model.spec
    owners: dict[str, str] = {}
    for team_name, team in sorted(spec.teams.items()):
        if team.namespace in owners:
            yield Diagnostic(
                "MG215",
                f"namespace {team.namespace!r} already belongs to team {owners[team.namespace]!r}",
                platform.locate(("spec", "teams", team_name, "namespace")),
                field=f"spec.teams.{team_name}.namespace",
                hint="give each team its own namespace",
            )
        owners.setdefault(team.namespace, team_name)
    if ARGOCD_DIR in spec.clusters:
        yield Diagnostic(
            "MG205",
            f"cluster name {ARGOCD_DIR!r} is reserved: out/{ARGOCD_DIR}/ holds the Argo CD objects",
            platform.locate(("spec", "clusters", ARGOCD_DIR), key=True),
            field=f"spec.clusters.{ARGOCD_DIR}",
            hint="rename the cluster",
        )


def _check_platform_references(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    spec = platform.model.spec
    for team_name, team in sorted(spec.teams.items()):
        for index, member in enumerate(team.clusters):
            if member not in spec.clusters:
                yield Diagnostic(
                    "MG211",
                    f"unknown cluster {member!r}",
                    platform.locate(("spec", "teams", team_name, "clusters", index)),
                    field=f"spec.teams.{team_name}.clusters[{index}]",
                    hint=_did_you_mean(member, spec.clusters),
                )
    for cluster_name, cluster in sorted(spec.clusters.items()):
        for gpu in sorted(cluster.gpu_quota):
            if gpu not in spec.gpus:
                yield Diagnostic(
                    "MG212",
                    f"unknown GPU type {gpu!r}",
                    platform.locate(("spec", "clusters", cluster_name, "gpuQuota", gpu), key=True),
                    field=f"spec.clusters.{cluster_name}.gpuQuota.{gpu}",
                    hint=_did_you_mean(gpu, spec.gpus),
                )
