"""TensorFlow on the Kubeflow Training Operator v1: a TFJob.

The operator gives every replica a `TF_CONFIG` naming the whole cluster (one key per
replica type, lower case: `chief`, `worker`, `ps`, `evaluator`) and the pod's own task;
TensorFlow's cluster resolver reads it. Two layouts:

- MultiWorkerMirrored (all-reduce, the default): `nodes` equal `Worker`s and no Chief,
  so worker 0 is the chief (it writes the checkpoints and summaries) and its success
  is the job's success.
- ParameterServer: the GPU `Worker`s run the steps, CPU-only `PS` replicas hold the
  variables, and a `Chief` is the coordinator that runs the training loop, dispatches
  steps to the workers and writes the checkpoints; the job succeeds when it does.
  Workers and parameter servers only serve (`server.join()`) and never exit, so
  cleanPodPolicy `None` would keep them, GPUs included, after the job ends.

An optional `Evaluator` is one more replica that reads the checkpoints and evaluates
them; the operator lists it under `evaluator`, never among the workers, and TensorFlow
allows at most one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

from pydantic import Field

from manifestgen.errors import Diagnostic, JsonPath
from manifestgen.expand.pod import add_port, pod_template
from manifestgen.kinds.catalog import BY_GVK
from manifestgen.spec.base import Quantity, SpecModel
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import SidePods, TrainingJobSpec
from manifestgen.workloads.base import Workload, spec_of
from manifestgen.workloads.run_policy import REPLICA_TYPE_LABEL, restart_policy, run_policy

CONTAINER = "tensorflow"  # the operator adds TF_CONFIG only to the container of this name
# The port TF_CONFIG's addresses use: the operator's default, written out so it is seen,
# with the protocol the CRD's schema defaults (a field the API server adds is drift to
# Argo CD).
PORT = {"containerPort": 2222, "name": "tfjob-port", "protocol": "TCP"}
# The operator labels each pod with its replica type, in lower case.
# Side pods run on the on-demand CPU pool (expand/cpu_pool.SIDE_POD_CAPACITY): a failure
# there is not a reclaimed node, so they restart in place like any on-demand replica.
SIDE_RESTART_POLICY = "OnFailure"
TF_CONFIG = "TF_CONFIG"

Strategy = Literal["MultiWorkerMirrored", "ParameterServer"]


class ParameterServers(SpecModel):
    replicas: int = Field(ge=1, le=100, description="Parameter server pods.")
    cpu: Quantity = Field(description="CPU per parameter server (requests = limits).")
    memory: Quantity = Field(
        description="Memory per parameter server (requests = limits): it holds its share "
        "of the variables."
    )


class Coordinator(SpecModel):
    cpu: Quantity = Field(default="4", description="CPU of the coordinator (requests = limits).")
    memory: Quantity = Field(
        default="16Gi", description="Memory of the coordinator (requests = limits)."
    )


class TensorFlow(SpecModel):
    strategy: Strategy = Field(
        default="MultiWorkerMirrored",
        description="MultiWorkerMirrored: all-reduce between the nodes, worker 0 is the chief. "
        "ParameterServer: GPU workers, CPU-only parameter servers and a CPU-only coordinator.",
    )
    parameter_servers: ParameterServers | None = Field(
        default=None, description="ParameterServer strategy only, and required there."
    )
    coordinator: Coordinator | None = Field(
        default=None,
        description="ParameterServer strategy only: resources of the coordinator (the Chief "
        "replica, on the on-demand CPU pool). Unset: 4 CPUs, 16Gi.",
    )
    evaluator: bool = Field(
        default=False,
        description="One more replica, on a GPU node like a worker, that evaluates the "
        "checkpoints as they are written (TensorFlow's sidecar evaluation).",
    )


class TensorFlowSpec(TrainingJobSpec):
    framework: Literal["tensorflow"] = Field(
        description="TensorFlow: a Kubeflow TFJob; the operator sets TF_CONFIG."
    )
    tensorflow: TensorFlow = Field(
        default_factory=TensorFlow, description="The distribution strategy and its replicas."
    )

    @property
    def parameter_server(self) -> bool:
        return self.tensorflow.strategy == "ParameterServer"

    @property
    def max_nodes(self) -> int:
        return self.nodes + (1 if self.tensorflow.evaluator else 0)

    @property
    def side_pods(self) -> tuple[SidePods, ...]:
        servers = self.tensorflow.parameter_servers
        if not self.parameter_server or servers is None:
            return ()
        coordinator = self.tensorflow.coordinator or Coordinator()
        block = ("spec", "tensorflow")
        return (
            # The role is the operator's replica type.
            SidePods("Chief", 1, coordinator.cpu, coordinator.memory, (*block, "coordinator")),
            SidePods(
                "PS", servers.replicas, servers.cpu, servers.memory, (*block, "parameterServers")
            ),
        )


def _spec(job: ResolvedJob) -> TensorFlowSpec:
    return spec_of(job, TensorFlowSpec)


def _template(job: ResolvedJob, side: SidePods | None = None) -> dict[str, Any]:
    # EFA's one-zone rule follows the GPU workers, never a CPU parameter server or the
    # coordinator (see expand/pod.same_zone).
    template = pod_template(job, CONTAINER, side=side, zone_peers={REPLICA_TYPE_LABEL: "worker"})
    (container,) = template["spec"]["containers"]
    add_port(container, dict(PORT))
    return template


def _replica(template: dict[str, Any], replicas: int, policy: str) -> dict[str, Any]:
    return {"replicas": replicas, "restartPolicy": policy, "template": template}


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    spec = _spec(job)
    gpu_policy = restart_policy(job)
    replicas: dict[str, Any] = {"Worker": _replica(_template(job), spec.nodes, gpu_policy)}
    if spec.tensorflow.evaluator:
        replicas["Evaluator"] = _replica(_template(job), 1, gpu_policy)
    for side in spec.side_pods:
        replicas[side.role] = _replica(_template(job, side), side.replicas, SIDE_RESTART_POLICY)
    return {"runPolicy": run_policy(job), "tfReplicaSpecs": dict(sorted(replicas.items()))}


def check_tf_config(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The operator writes TF_CONFIG for each pod (every replica's address, the pod's own
    task); one from the spec is appended before it, or alone on a one-replica job, where
    it sends TensorFlow looking for a cluster that does not exist."""
    spec = _spec(job)
    where: JsonPath | None = None
    field = ""
    if TF_CONFIG in spec.env:
        where, field = ("spec", "env", TF_CONFIG), f"spec.env.{TF_CONFIG}"
    for index, secret in enumerate(spec.secrets):
        if secret.env == TF_CONFIG:
            where, field = ("spec", "secrets", index, "env"), f"spec.secrets[{index}].env"
    if where is None:
        return
    yield Diagnostic(
        "MG280",
        "TF_CONFIG is set by the training operator for every replica (the cluster's "
        "addresses and the pod's own task); the spec must not set it",
        job.source.locate(where, key=where[-1] == TF_CONFIG),
        field=field,
        hint="remove it; read the task from TF_CONFIG (tf.distribute.cluster_resolver)",
    )


# Launchers of other frameworks: TFJob starts the command once per pod, as it is.
_LAUNCHERS = {
    "torchrun": "pytorch",
    "mpirun": None,
    "mpiexec": None,
    "horovodrun": None,
    "deepspeed": None,
    "accelerate": None,
}
_LAUNCHER_MODULES = {
    "torch.distributed.run": "torchrun",
    "torch.distributed.launch": "torchrun",
    "deepspeed.launcher.runner": "deepspeed",
    "horovod.runner.launch": "horovodrun",
}


def _python_module(words: Sequence[str]) -> str | None:
    """The module of `python [options] -m MODULE`, or None."""
    for index, word in enumerate(words[1:], start=1):
        if word == "-m":
            return words[index + 1] if index + 1 < len(words) else None
        if not word.startswith("-"):
            return None
    return None


def foreign_launcher(words: Sequence[str]) -> str | None:
    """The other framework's launcher that `words` (command then args) start, or None."""
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program in _LAUNCHERS:
        return program
    if program.startswith("python"):
        return _LAUNCHER_MODULES.get(_python_module(words) or "")
    return None


def check_launcher(job: ResolvedJob) -> Iterator[Diagnostic]:
    spec = _spec(job)
    launcher = foreign_launcher((*spec.command, *spec.args))
    if launcher is None:
        return
    hint = "start the script itself, e.g. command: [python, -m, my.train]"
    if launcher == "torchrun":
        hint += ", or use framework: pytorch for a PyTorchJob"
    where = ("spec", "command") if spec.command else ("spec", "args")
    yield Diagnostic(
        "MG281",
        f"the command starts {launcher}, but a TFJob runs the command once in every pod and "
        f"sets only TF_CONFIG: {launcher} finds none of the variables it needs and runs "
        "each pod alone",
        job.source.locate(where),
        field=".".join(where),
        hint=hint,
    )


_BLOCK = ("spec", "tensorflow")


def _strategy_problem(
    job: ResolvedJob, spec: TensorFlowSpec
) -> tuple[tuple[str, ...], str, str] | None:
    """(where, message, hint) when the strategy and its replicas disagree."""
    tf = spec.tensorflow
    if spec.parameter_server and tf.parameter_servers is None:
        return (
            (*_BLOCK, "strategy"),
            "the ParameterServer strategy needs parameter servers",
            "add parameterServers: {replicas, cpu, memory}",
        )
    if not spec.parameter_server:
        extra = "parameterServers" if tf.parameter_servers is not None else None
        extra = extra or ("coordinator" if tf.coordinator is not None else None)
        if extra is not None:
            return (
                (*_BLOCK, extra),
                f"{extra} is for the ParameterServer strategy; MultiWorkerMirrored runs "
                "only workers",
                f"remove {extra}, or set strategy: ParameterServer",
            )
    if spec.parameter_server and job.run_policy.clean_pod_policy == "None":
        return (
            ("spec", "runPolicy", "cleanPodPolicy"),
            "with cleanPodPolicy None the workers and parameter servers of the "
            "ParameterServer strategy keep running after the coordinator ends the job "
            "(they only serve), and hold their nodes",
            "remove cleanPodPolicy (the platform default) or set Running",
        )
    return None


def check_strategy(job: ResolvedJob) -> Iterator[Diagnostic]:
    problem = _strategy_problem(job, _spec(job))
    if problem is None:
        return
    where, message, hint = problem
    yield Diagnostic("MG282", message, job.source.locate(where), field=".".join(where), hint=hint)


def check_processes(job: ResolvedJob) -> Iterator[Diagnostic]:
    """TensorFlow runs one process per pod, which drives all the pod's GPUs."""
    spec = _spec(job)
    if spec.processes_per_node is None:
        return
    yield Diagnostic(
        "MG283",
        "processesPerNode is the number of torchrun processes; a TFJob runs one TensorFlow "
        "process per pod, which uses all the pod's GPUs",
        job.source.locate(("spec", "processesPerNode")),
        field="spec.processesPerNode",
        hint="remove processesPerNode",
    )


TENSORFLOW = Workload(
    framework="tensorflow",
    kind=BY_GVK[("kubeflow.org", "v1", "TFJob")],
    spec_model=TensorFlowSpec,
    build_spec=build_spec,
    summary="TensorFlow: MultiWorkerMirrored, or ParameterServer with a coordinator; "
    "optional evaluator",
    rules=(check_tf_config, check_launcher, check_strategy, check_processes),
)
