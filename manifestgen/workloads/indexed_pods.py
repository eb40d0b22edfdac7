"""torchrun on the pods of batch/v1 Indexed Jobs, with no training operator to wire them.

Shared by the plain Job (`framework: job`) and the JobSet (`framework: jobset`). No
operator sets torchrun's variables here, so manifestgen does, the way the Training
Operator does for a PyTorchJob: torchrun reads `PET_<OPTION>` as the default of each
option, so `command: [torchrun]` with the script as `args` needs no rendezvous flags.

- The rendezvous is c10d on the first pod, reached by its stable DNS name: an Indexed
  Job's pod gets the hostname `<job>-<index>` and, with a `subdomain` that a headless
  Service of that name selects, the name `<hostname>.<subdomain>`. The Job's name is a
  hash of its spec (pod template included), so the pods read it from their own label
  through the downward API (`JOB_NAME`/`JOBSET_NAME`) and the endpoint expands it with
  `$(...)`, which Kubernetes resolves from variables listed earlier (env is sorted).
- Pod failure policy needs `restartPolicy: Never`. Its rules are tried in order and the
  first match wins; a reclaimed pod has both the `DisruptionTarget` condition and the
  SIGTERM exit code 143, so the disruption rule comes first. Any other non-zero exit of
  the training container fails the Job at once: torchrun restarts its workers itself
  (`--max-restarts`), so when torchrun exits non-zero its retries are spent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from manifestgen.errors import Diagnostic
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.workloads import rank_per_pod as rp
from manifestgen.workloads.base import WorkloadRule
from manifestgen.workloads.pytorch import torchrun_missing
from manifestgen.workloads.torchrun import starts_torchrun, torchrun_call

CONTAINER = "pytorch"
RDZV_PORT = 29400  # torchrun's default c10d port
RDZV_PORT_NAME = "c10d"
DISRUPTION = "DisruptionTarget"

# What manifestgen sets in each pod, for MG288 (the spec must not set them too).
TORCHRUN_ENV = (
    "PET_MAX_RESTARTS",
    "PET_NNODES",
    "PET_NPROC_PER_NODE",
    "PET_RDZV_BACKEND",
    "PET_RDZV_ENDPOINT",
)

# torchrun options that would replace the rendezvous manifestgen configures.
_RENDEZVOUS_OPTIONS = (
    "--rdzv-endpoint",
    "--rdzv-backend",
    "--master-addr",
    "--master-port",
    "--node-rank",
)


def operator(kind: str, name_variable: str) -> rp.Operator:
    """The pods' wiring, stated like an operator's: container, port, what is set."""
    return rp.Operator(
        kind=kind,
        container=CONTAINER,
        port_name=RDZV_PORT_NAME,
        port=RDZV_PORT,
        env=(),
        derived=(name_variable, *TORCHRUN_ENV),
    )


def pod_template(
    job: ResolvedJob,
    op: rp.Operator,
    name_label: str,
    endpoint: str,
    max_restarts: int,
) -> dict[str, Any]:
    """The job's pod template with torchrun's variables, `restartPolicy: Never`.

    `name_label`: the pod label that holds the name of its Job (or JobSet), read into
    the first of `op.derived`; `endpoint`: the rendezvous host, which may use it."""
    pod = rp.template(op, job)
    name_variable = op.derived[0]
    container = pod["spec"]["containers"][0]
    variables: list[dict[str, Any]] = [
        {
            "name": name_variable,
            "valueFrom": {"fieldRef": {"fieldPath": f"metadata.labels['{name_label}']"}},
        },
        {"name": "PET_MAX_RESTARTS", "value": str(max_restarts)},
        {"name": "PET_NNODES", "value": str(job.job.spec.nodes)},
        {"name": "PET_NPROC_PER_NODE", "value": str(job.processes_per_node)},
        {"name": "PET_RDZV_BACKEND", "value": "c10d"},
        {"name": "PET_RDZV_ENDPOINT", "value": f"{endpoint}:{RDZV_PORT}"},
    ]
    env = [*container.get("env", []), *variables]
    container["env"] = sorted(env, key=lambda v: str(v["name"]))
    pod["spec"] = dict(sorted({**pod["spec"], "restartPolicy": "Never"}.items()))
    return pod


def pod_failure_policy(on_disruption: str) -> dict[str, Any]:
    """`on_disruption`: Ignore (the pod is replaced, nothing counted) or FailJob (the Job
    fails with a message naming the condition, for a JobSet rule to match)."""
    return {
        "rules": [
            {
                "action": on_disruption,
                "onPodConditions": [{"status": "True", "type": DISRUPTION}],
            },
            {
                "action": "FailJob",
                "onExitCodes": {"containerName": CONTAINER, "operator": "NotIn", "values": [0]},
            },
        ]
    }


def _words(job: ResolvedJob) -> tuple[str, ...]:
    return (*job.job.spec.command, *job.job.spec.args)


def _command_field(job: ResolvedJob) -> tuple[str, str]:
    return ("spec", "args") if job.job.spec.args else ("spec", "command")


def check_launcher(job: ResolvedJob) -> Iterator[Diagnostic]:
    """Pods get torchrun's variables only: a multi-node command without torchrun finds no
    MASTER_ADDR, RANK or WORLD_SIZE. An unset command runs the image's entrypoint."""
    spec = job.job.spec
    if spec.nodes == 1 or not spec.command or starts_torchrun(_words(job)):
        return
    yield torchrun_missing(job)


def _option_problems(job: ResolvedJob) -> Iterator[tuple[str, str]]:
    call = torchrun_call(_words(job))
    if call is None:
        return
    nodes = job.job.spec.nodes
    if call.get("--standalone") is not None and nodes > 1:
        yield (
            f"torchrun --standalone runs a one-node rendezvous on each pod, so the job's "
            f"{nodes} nodes never meet",
            "remove --standalone: manifestgen configures the rendezvous",
        )
    nnodes = call.get("--nnodes")
    if nnodes is not None and set(nnodes.split(":")) != {str(nodes)}:
        yield (
            f"torchrun --nnodes {nnodes} disagrees with the spec ({nodes} nodes)",
            "remove --nnodes: manifestgen sets PET_NNODES from nodes",
        )
    nproc = call.get("--nproc-per-node")
    if nproc is not None and nproc != str(job.processes_per_node):
        yield (
            f"torchrun --nproc-per-node {nproc} disagrees with the spec "
            f"({job.processes_per_node} processes per node)",
            "remove it: manifestgen sets it from processesPerNode (default: GPUs per node)",
        )
    for option in _RENDEZVOUS_OPTIONS:
        if call.get(option) is not None:
            yield (
                f"torchrun {option} replaces the rendezvous on the first pod that "
                "manifestgen configures (PET_RDZV_ENDPOINT)",
                f"remove {option}",
            )


def check_torchrun_options(job: ResolvedJob) -> Iterator[Diagnostic]:
    """Options on the command line override the PET_* variables torchrun defaults to."""
    where = _command_field(job)
    for message, hint in _option_problems(job):
        yield Diagnostic(
            "MG248",
            message,
            job.source.locate(where),
            field=".".join(where),
            hint=hint,
        )


def rules(op: rp.Operator) -> tuple[WorkloadRule, ...]:
    return (check_launcher, check_torchrun_options, *rp.rules(op))
