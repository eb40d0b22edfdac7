"""PyTorch on the Kubeflow Training Operator v1: a PyTorchJob.

Single-node jobs run one `Master`. Multi-node and elastic jobs run as equal `Worker`s
that meet through torchrun's c10d rendezvous on worker 0: with a Master beside Workers
the operator injects an `init-pytorch` init container (alpine, no securityContext) into
every Worker pod, which the restricted Pod Security level rejects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from manifestgen.errors import Diagnostic, Severity
from manifestgen.expand.pod import pod_template
from manifestgen.kinds.catalog import BY_GVK
from manifestgen.spec.base import SpecModel
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import TrainingJobSpec
from manifestgen.workloads.base import Workload, spec_of
from manifestgen.workloads.run_policy import restart_policy, run_policy
from manifestgen.workloads.torchrun import starts_torchrun, torchrun_call

CONTAINER = "pytorch"  # the operator finds the training container by this name


class Elastic(SpecModel):
    min_nodes: int = Field(ge=1, le=1000, description="Fewest nodes the job keeps running on.")
    max_nodes: int = Field(ge=1, le=1000, description="Most nodes the job scales up to.")
    max_restarts: int = Field(
        default=3, ge=0, le=1000, description="Restarts of the rendezvous before the job fails."
    )


class PyTorchSpec(TrainingJobSpec):
    framework: Literal["pytorch"] = Field(
        default="pytorch", description="PyTorch: a Kubeflow PyTorchJob launched with torchrun."
    )
    elastic: Elastic | None = Field(
        default=None,
        description="Elastic training: torchrun keeps the job running between minNodes and "
        "maxNodes as nodes come and go.",
    )

    @property
    def max_nodes(self) -> int:
        return max(self.nodes, self.elastic.max_nodes if self.elastic else 0)


def _spec(job: ResolvedJob) -> PyTorchSpec:
    return spec_of(job, PyTorchSpec)


def _workers_only(job: ResolvedJob) -> bool:
    return _spec(job).elastic is not None or job.job.spec.nodes > 1


def _replica(job: ResolvedJob, replicas: int) -> dict[str, Any]:
    return {
        "replicas": replicas,
        "restartPolicy": restart_policy(job),
        "template": pod_template(job, CONTAINER),
    }


def _elastic_policy(job: ResolvedJob) -> dict[str, Any] | None:
    elastic, nodes = _spec(job).elastic, job.job.spec.nodes
    if elastic is not None:
        return {
            "maxReplicas": elastic.max_nodes,
            "maxRestarts": elastic.max_restarts,
            "minReplicas": elastic.min_nodes,
            "rdzvBackend": "c10d",
        }
    if nodes > 1:
        # A fixed size: torchrun waits for exactly `nodes` members.
        return {"maxReplicas": nodes, "minReplicas": nodes, "rdzvBackend": "c10d"}
    return None


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    replicas = (
        {"Worker": _replica(job, job.job.spec.nodes)}
        if _workers_only(job)
        else {"Master": _replica(job, 1)}
    )
    spec: dict[str, Any] = {
        # A string in the CRD ("auto", "gpu" or a number); we always give the exact count.
        "nprocPerNode": str(job.processes_per_node),
        "pytorchReplicaSpecs": replicas,
        "runPolicy": run_policy(job),
    }
    elastic = _elastic_policy(job)
    if elastic is not None:
        spec["elasticPolicy"] = elastic
    return dict(sorted(spec.items()))


def check_elastic(job: ResolvedJob) -> Iterator[Diagnostic]:
    elastic, nodes = _spec(job).elastic, job.job.spec.nodes
    if elastic is not None and not elastic.min_nodes <= nodes <= elastic.max_nodes:
        yield Diagnostic(
            "MG227",
            f"elastic range {elastic.min_nodes}-{elastic.max_nodes} must contain nodes ({nodes})",
            job.source.locate(("spec", "elastic")),
            field="spec.elastic",
            hint="set minNodes <= nodes <= maxNodes",
        )


def check_launcher(job: ResolvedJob) -> Iterator[Diagnostic]:
    """Multi-node pods get only torchrun's rendezvous variables (PET_*): a command that
    does not start torchrun finds no MASTER_ADDR, RANK or WORLD_SIZE and never meets
    the other nodes. An unset command runs the image's entrypoint, which cannot be seen."""
    spec = _spec(job)
    if not _workers_only(job) or not spec.command or starts_torchrun((*spec.command, *spec.args)):
        return
    yield torchrun_missing(job)


def torchrun_missing(job: ResolvedJob) -> Diagnostic:
    """MG247, for every workload whose pods get only torchrun's rendezvous variables."""
    return Diagnostic(
        "MG247",
        "a multi-node job's pods get torchrun's rendezvous variables (PET_NNODES, "
        "PET_RDZV_ENDPOINT), not MASTER_ADDR, RANK or WORLD_SIZE, but the command does "
        "not start torchrun",
        job.source.locate(("spec", "command")),
        field="spec.command",
        severity=Severity.WARNING,
        hint="start the script with torchrun, e.g. command: [torchrun], args: [-m, my.module]",
    )


def _nnodes(job: ResolvedJob) -> str:
    elastic = _spec(job).elastic
    if elastic is not None:
        return f"{elastic.min_nodes}:{elastic.max_nodes}"
    return str(job.job.spec.nodes)


def _node_range(text: str) -> tuple[str, str]:
    # `--nnodes 4` and `--nnodes 4:4` say the same.
    low, _, high = text.partition(":")
    return low, high or low


def check_torchrun_options(job: ResolvedJob) -> Iterator[Diagnostic]:
    """torchrun options in the command line override what the operator sets from the spec
    (PET_NNODES, PET_NPROC_PER_NODE): when they disagree the job waits for nodes that never
    come, or starts the wrong number of processes."""
    spec = _spec(job)
    call = torchrun_call((*spec.command, *spec.args))
    if call is None:
        return
    where = job.source.locate(("spec", "args") if spec.args else ("spec", "command"))
    field = "spec.args" if spec.args else "spec.command"
    if call.get("--standalone") is not None and _workers_only(job):
        yield Diagnostic(
            "MG248",
            "torchrun --standalone runs a one-node rendezvous on each pod, so the job's "
            f"{spec.max_nodes} nodes never meet",
            where,
            field=field,
            hint="remove --standalone: the operator configures the rendezvous",
        )
    nnodes = call.get("--nnodes")
    if nnodes is not None and _node_range(nnodes) != _node_range(_nnodes(job)):
        yield Diagnostic(
            "MG248",
            f"torchrun --nnodes {nnodes} disagrees with the spec ({_nnodes(job)} nodes)",
            where,
            field=field,
            hint="remove --nnodes: the operator sets it from nodes and elastic",
        )
    nproc = call.get("--nproc-per-node")
    if nproc is not None and nproc != str(job.processes_per_node):
        yield Diagnostic(
            "MG248",
            f"torchrun --nproc-per-node {nproc} disagrees with the spec "
            f"({job.processes_per_node} processes per node)",
            where,
            field=field,
            hint="remove it: the operator sets it from processesPerNode (default: GPUs per node)",
        )


PYTORCH = Workload(
    framework="pytorch",
    kind=BY_GVK[("kubeflow.org", "v1", "PyTorchJob")],
    spec_model=PyTorchSpec,
    build_spec=build_spec,
    summary="PyTorch with torchrun: a Kubeflow PyTorchJob, elastic between minNodes and maxNodes.",
    rules=(check_elastic, check_launcher, check_torchrun_options),
)
