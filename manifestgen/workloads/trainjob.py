"""Kubeflow Trainer v2 (2.2 or later): a TrainJob on one of the Platform's runtimes.

The Trainer builds a JobSet from the ClusterTrainingRuntime the job names: the runtime's
`node` job runs `numNodes` pods, and the TrainJob's `trainer` replaces the image,
command, args and resources of their `node` container and adds its env. Everything else
a pod needs (placement, volumes, security, service account, labels) can only come
through `runtimePatches`, whose pod fields the CRD restricts to affinity, nodeSelector,
tolerations, volumes, securityContext, serviceAccountName, terminationGracePeriodSeconds
and, per container, securityContext and volumeMounts (env in a patch is refused for
`node`). So the shared pod template is split between the two.

`resourcesPerNode` is always complete, requests and limits, GPUs and EFA included: the
Trainer merges it over the runtime's resources and infers numProcPerNode from the GPU
limit, so a partial block can lose the GPUs or start one process per node.

On a gang cluster the runtime's podGroupPolicy has the Trainer create the job's PodGroup
(expand/runtimes.py); the job adds only its team's Volcano queue, as a JobSet annotation
in its patch. The PodGroup has no priority: Volcano's plugin takes it from the pods'
priorityClassName, which a patch cannot set.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from manifestgen.errors import Diagnostic, Severity
from manifestgen.expand.pod import pod_template
from manifestgen.expand.runtimes import API_VERSION as RUNTIME_API_VERSION
from manifestgen.expand.runtimes import KIND as RUNTIME_KIND
from manifestgen.expand.runtimes import NODE, runtime_name
from manifestgen.expand.volcano import volcano_queue
from manifestgen.kinds.catalog import BY_GVK, TRAINJOB_PATCH_MANAGER
from manifestgen.spec.base import DnsLabel
from manifestgen.spec.finetune import FineTune
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.runtimes import TrainingRuntime
from manifestgen.spec.training import TrainingJobSpec
from manifestgen.workloads import finetune
from manifestgen.workloads.base import Workload, spec_of
from manifestgen.workloads.torchrun import starts_torchrun

# The runtime patch's owner: the Trainer wants a domain-prefixed path; Kueue adds its own.
PATCH_MANAGER = TRAINJOB_PATCH_MANAGER
MANAGED_BY = "trainer.kubeflow.org/trainjob-controller"
VOLCANO_QUEUE_ANNOTATION = "scheduling.volcano.sh/queue-name"
# Pod fields a runtime patch may set (the CRD's list); the rest is the trainer's or the runtime's.
_PATCHED_POD_FIELDS = (
    "affinity",
    "nodeSelector",
    "securityContext",
    "serviceAccountName",
    "terminationGracePeriodSeconds",
    "tolerations",
    "volumes",
)
_PATCHED_CONTAINER_FIELDS = ("name", "securityContext", "volumeMounts")
# What the Trainer sets in the node container for each ML policy; the torch webhook
# refuses a TrainJob that sets its names, and the JAX plugin overwrites them.
RESERVED_ENV: dict[str, tuple[str, ...]] = {
    "torch": (
        "PET_MASTER_ADDR",
        "PET_MASTER_PORT",
        "PET_NNODES",
        "PET_NODE_RANK",
        "PET_NPROC_PER_NODE",
    ),
    "jax": ("JAX_COORDINATOR_ADDRESS", "JAX_NUM_PROCESSES", "JAX_PROCESS_ID"),
}


class TrainJobSpec(TrainingJobSpec):
    framework: Literal["trainjob"] = Field(
        description="Kubeflow Trainer v2: a TrainJob on one of the Platform's runtimes."
    )
    runtime: DnsLabel = Field(
        description="A runtime of the Platform (spec.runtimes): its ML policy decides how the "
        "nodes are started."
    )
    finetune: FineTune | None = Field(
        default=None,
        description="An LLM fine-tuning blueprint run by torchtune on a runtime with "
        "initializers: the command is generated, `args` add torchtune settings.",
    )

    @property
    def multi_node(self) -> bool:
        # A fine-tune's initializer pods share the workspace claim with the trainer's.
        return super().multi_node or self.finetune is not None


def _spec(job: ResolvedJob) -> TrainJobSpec:
    return spec_of(job, TrainJobSpec)


def _runtime(job: ResolvedJob) -> TrainingRuntime | None:
    return job.platform.spec.runtimes.get(_spec(job).runtime)


def _split(pod: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The shared pod template as (node container, patched container, patched pod spec)."""
    spec = pod["spec"]
    (container,) = spec["containers"]
    patched_container = {k: container[k] for k in _PATCHED_CONTAINER_FIELDS if k in container}
    patched_pod = {k: spec[k] for k in _PATCHED_POD_FIELDS if k in spec}
    patched_pod["containers"] = [patched_container]
    return container, patched_container, patched_pod


def _trainer(job: ResolvedJob, container: dict[str, Any]) -> dict[str, Any]:
    runtime = _runtime(job)
    trainer: dict[str, Any] = {
        "image": container["image"],
        "numNodes": job.job.spec.nodes,
        # Complete, requests = limits: the Trainer merges it over the runtime's resources.
        "resourcesPerNode": container["resources"],
    }
    if runtime is not None and runtime.ml_policy == "torch":
        # An integer since Trainer 2.2; always the exact count, never inferred.
        trainer["numProcPerNode"] = job.processes_per_node
    for key in ("command", "args", "env"):
        if key in container:
            trainer[key] = container[key]
    return dict(sorted(trainer.items()))


def runtime_patch(job: ResolvedJob) -> dict[str, Any]:
    """The job's pod settings as one runtime patch of the `node` job."""
    pod = pod_template(job, NODE)
    _, _, patched_pod = _split(pod)
    node = {
        "name": NODE,
        "template": {
            "spec": {"template": {"metadata": pod["metadata"], "spec": patched_pod}},
        },
    }
    template: dict[str, Any] = {"spec": {"replicatedJobs": [node]}}
    queue = volcano_queue(job)
    if queue is not None:
        # The Trainer's Volcano PodGroup takes its queue from the JobSet template's
        # annotations, which a patch may add to: the runtime is shared by every team.
        template["metadata"] = {"annotations": {VOLCANO_QUEUE_ANNOTATION: queue}}
    return {"manager": PATCH_MANAGER, "trainingRuntimeSpec": {"template": template}}


def _with_finetune(job: ResolvedJob, spec: dict[str, Any]) -> dict[str, Any]:
    """The blueprint's initializer section, torchtune command and initializer patches."""
    blueprint = finetune.finetune_of(job)
    if blueprint is None:
        return spec
    command = finetune.trainer_command(job, blueprint)
    if command is not None:
        spec["trainer"] = dict(sorted({**spec["trainer"], "command": command}.items()))
    (patch,) = spec["runtimePatches"]
    jobs = patch["trainingRuntimeSpec"]["template"]["spec"]["replicatedJobs"]
    pod = jobs[0]["template"]["spec"]["template"]
    jobs[:0] = finetune.initializer_patches(job, pod)
    spec["initializer"] = finetune.initializer_spec(job, blueprint)
    return dict(sorted(spec.items()))


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    return _with_finetune(job, _build_spec(job))


def _build_spec(job: ResolvedJob) -> dict[str, Any]:
    container, _, _ = _split(pod_template(job, NODE))
    spec: dict[str, Any] = {
        "managedBy": MANAGED_BY,
        "runtimePatches": [runtime_patch(job)],
        "runtimeRef": {
            "apiGroup": RUNTIME_API_VERSION.split("/")[0],
            "kind": RUNTIME_KIND,
            "name": runtime_name(job.platform, _spec(job).runtime, job.cluster_name),
        },
        "trainer": _trainer(job, container),
    }
    deadline = job.run_policy.active_deadline_seconds
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    return dict(sorted(spec.items()))


def check_runtime(job: ResolvedJob) -> Iterator[Diagnostic]:
    name = _spec(job).runtime
    known = sorted(job.platform.spec.runtimes)
    if name in known:
        return
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if match:
        hint = f"did you mean {match[0]!r}?"
    elif known:
        hint = f"known: {', '.join(known)}"
    else:
        hint = "the Platform declares no runtimes: add one under spec.runtimes"
    yield Diagnostic(
        "MG300",
        f"unknown runtime {name!r}",
        job.source.locate(("spec", "runtime")),
        field="spec.runtime",
        hint=hint,
    )


def check_reserved_env(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The Trainer sets the rendezvous variables of its ML policy in the node container:
    the torch webhook refuses a TrainJob whose env names them, and JAX overwrites them."""
    runtime = _runtime(job)
    if runtime is None:
        return
    reserved = RESERVED_ENV[runtime.ml_policy]
    spec = job.job.spec
    found: list[tuple[str, tuple[str | int, ...], str]] = [
        (n, ("spec", "env", n), f"spec.env.{n}") for n in spec.env if n in reserved
    ]
    found += [
        (s.env, ("spec", "secrets", i, "env"), f"spec.secrets[{i}].env")
        for i, s in enumerate(spec.secrets)
        if s.env in reserved
    ]
    for name, path, field in found:
        yield Diagnostic(
            "MG301",
            f"the Trainer sets {name} for the {runtime.ml_policy} runtime "
            f"{_spec(job).runtime!r}; a TrainJob that sets it "
            + ("is refused" if runtime.ml_policy == "torch" else "has it overwritten"),
            job.source.locate(path),
            field=field,
            hint=f"remove it and read the value set for you ({', '.join(reserved)})",
        )


def check_run_policy(job: ResolvedJob) -> Iterator[Diagnostic]:
    """A TrainJob has a deadline but no retry count, TTL or pod clean-up of its own: the
    runtime's JobSet decides those, so the spec's values would be silently ignored."""
    policy = job.job.spec.run_policy
    unsupported = {
        "backoffLimit": policy.backoff_limit,
        "ttlSecondsAfterFinished": policy.ttl_seconds_after_finished,
        "cleanPodPolicy": policy.clean_pod_policy,
    }
    for key, value in unsupported.items():
        if value is None:
            continue
        yield Diagnostic(
            "MG302",
            f"a TrainJob has no {key}: the runtime's JobSet decides it, so this value would "
            "be ignored",
            job.source.locate(("spec", "runPolicy", key)),
            field=f"spec.runPolicy.{key}",
            hint="remove it; a TrainJob takes runPolicy.activeDeadlineSeconds only",
        )


def check_processes(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The JAX policy runs one process per node that drives all its GPUs."""
    runtime = _runtime(job)
    given = job.job.spec.processes_per_node
    if runtime is None or runtime.ml_policy != "jax" or given in (None, 1):
        return
    yield Diagnostic(
        "MG303",
        f"processesPerNode is {given}, but the jax runtime {_spec(job).runtime!r} runs one "
        "process per node, driving all its GPUs",
        job.source.locate(("spec", "processesPerNode")),
        field="spec.processesPerNode",
        hint="remove processesPerNode; for more processes, add nodes",
    )


def check_launcher(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The torch policy hands the nodes torchrun's variables (PET_*), nothing else: a
    multi-node command that does not start torchrun never meets the other nodes."""
    runtime, spec = _runtime(job), job.job.spec
    words = (*spec.command, *spec.args)
    if runtime is None or runtime.ml_policy != "torch" or spec.nodes < 2 or not spec.command:
        return
    # torchtune's `tune run` starts torchrun itself.
    if starts_torchrun(words) or spec.command[0] == "tune":
        return
    yield Diagnostic(
        "MG304",
        "a multi-node TrainJob on a torch runtime gets torchrun's variables (PET_NNODES, "
        "PET_MASTER_ADDR, PET_NODE_RANK), not MASTER_ADDR, RANK or WORLD_SIZE, but the "
        "command does not start torchrun",
        job.source.locate(("spec", "command")),
        field="spec.command",
        severity=Severity.WARNING,
        hint="start the script with torchrun, e.g. command: [torchrun], args: [-m, my.module]",
    )


TRAINJOB = Workload(
    framework="trainjob",
    kind=BY_GVK[("trainer.kubeflow.org", "v1alpha1", "TrainJob")],
    spec_model=TrainJobSpec,
    build_spec=build_spec,
    summary="Kubeflow Trainer v2: a TrainJob on a Platform runtime (torch or jax ML policy)",
    rules=(
        check_runtime,
        check_reserved_env,
        check_run_policy,
        check_processes,
        check_launcher,
        *finetune.RULES,
    ),
    network_egress=finetune.download_egress,
)
