"""PaddlePaddle on the Kubeflow Training Operator v1: a PaddleJob.

Two modes, chosen by the operator from the replica types present:

- collective (no `paddle.parameterServers`): `nodes` equal `Worker`s; worker 0 is the
  rendezvous (PADDLE_MASTER), and `paddle.distributed.launch` in each pod starts one
  trainer per GPU. The job succeeds when every Worker has.
- parameter server (`paddle.parameterServers`): the operator's `Master` replicas are the
  servers (it gives each PADDLE_SERVER_NUM=1; master 0 is also the rendezvous) and the
  `Worker`s the trainers (PADDLE_TRAINER_NUM=1, so one process each). Servers hold the
  sparse tables and need no GPU: they are side pods on the on-demand CPU pool. The job
  succeeds when the servers end, which they do when the trainers stop them.

The operator sets PADDLE_MASTER, PADDLE_NNODES (all pods) and PADDLE_JOB_ID, and nothing
else: it does not start the launcher, so the command must. manifestgen adds
PADDLE_NPROC_PER_NODE from processesPerNode in collective mode, so the launcher does not
guess the count from the devices it sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from manifestgen.errors import Diagnostic
from manifestgen.kinds.catalog import BY_GVK
from manifestgen.spec.base import SpecModel
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import SidePods, TrainingJobSpec
from manifestgen.workloads import rank_per_pod as rp
from manifestgen.workloads.base import Workload, spec_of
from manifestgen.workloads.run_policy import REPLICA_TYPE_LABEL, run_policy
from manifestgen.workloads.tensorflow import SIDE_RESTART_POLICY, ParameterServers
from manifestgen.workloads.torchrun import launcher_options

NPROC = "PADDLE_NPROC_PER_NODE"
OPERATOR = rp.Operator(
    kind="PaddleJob",
    container="paddle",
    port_name="master",
    port=36543,
    env=(
        "PADDLE_JOB_ID",
        "PADDLE_MASTER",
        "PADDLE_NNODES",
        "PADDLE_SERVER_NUM",
        "PADDLE_TRAINER_NUM",
        "POD_IP_DUMMY",
        "PYTHONUNBUFFERED",
    ),
    derived=(NPROC,),
)
LAUNCH_MODULE = "paddle.distributed.launch"
SERVERS = "Master"  # the operator's replica type for parameter servers


class Paddle(SpecModel):
    parameter_servers: ParameterServers | None = Field(
        default=None,
        description="Parameter-server mode: CPU-only servers (the operator's Master "
        "replicas) beside the nodes, which become one-process trainers. Unset: collective "
        "mode, nodes equal Workers with a process per GPU.",
    )


class PaddleSpec(TrainingJobSpec):
    framework: Literal["paddle"] = Field(
        description="PaddlePaddle: a Kubeflow PaddleJob started by paddle.distributed.launch."
    )
    paddle: Paddle = Field(
        default_factory=Paddle, description="Collective or parameter-server mode."
    )

    @property
    def side_pods(self) -> tuple[SidePods, ...]:
        servers = self.paddle.parameter_servers
        if servers is None:
            return ()
        where = ("spec", "paddle", "parameterServers")
        return (SidePods(SERVERS, servers.replicas, servers.cpu, servers.memory, where),)

    @property
    def processes_per_pod(self) -> int | None:
        # In parameter-server mode the operator makes each Worker pod one trainer.
        return 1 if self.paddle.parameter_servers is not None else None


def _spec(job: ResolvedJob) -> PaddleSpec:
    return spec_of(job, PaddleSpec)


def _pods(job: ResolvedJob) -> int:
    """PADDLE_NNODES: every pod of the job, servers included."""
    return job.job.spec.nodes + sum(side.replicas for side in job.job.spec.side_pods)


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    replicas: dict[str, Any] = {}
    for side in job.job.spec.side_pods:
        pod = rp.template(OPERATOR, job, side=side)
        # On the on-demand CPU pool, where no node is reclaimed: restart in place.
        replicas[side.role] = rp.replica(job, side.replicas, pod) | {
            "restartPolicy": SIDE_RESTART_POLICY
        }
    # With CPU servers, EFA's one-zone rule follows only the trainers (the operator labels
    # each pod with its replica type; see expand/pod.same_zone).
    peers = {REPLICA_TYPE_LABEL: "worker"} if replicas else None
    workers = rp.template(OPERATOR, job, zone_peers=peers)
    if not replicas:
        workers = rp.add_env(workers, [(NPROC, str(job.processes_per_node))])
    replicas["Worker"] = rp.replica(job, job.job.spec.nodes, workers)
    return {"paddleReplicaSpecs": replicas, "runPolicy": run_policy(job)}


def _launch_options(job: ResolvedJob) -> dict[str, str] | None:
    """paddle.distributed.launch's own options in the command line, or None without it."""
    words = rp.words(job)
    for index, word in enumerate(words[1:], start=1):
        if word == LAUNCH_MODULE and words[index - 1] == "-m":
            return launcher_options(words, index + 1)
    return None


def check_launcher(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The operator sets PADDLE_* for paddle.distributed.launch, and only it reads them: a
    script started otherwise trains alone in each pod. An unset command runs the image's
    entrypoint, which cannot be seen."""
    if not job.job.spec.command or _launch_options(job) is not None:
        return
    yield rp.warn(
        "MG291",
        "the operator sets PADDLE_MASTER and PADDLE_NNODES for paddle.distributed.launch, "
        "but the command does not start it",
        job,
        ("spec", "command"),
        hint="start the script with it: command: [python, -m, paddle.distributed.launch], "
        "args: [train.py]",
    )


def _expected(job: ResolvedJob) -> dict[str, str]:
    """What the spec implies for the launcher options that can contradict it."""
    expected = {"--nnodes": str(_pods(job))}
    if _spec(job).paddle.parameter_servers is None:
        expected["--nproc-per-node"] = str(job.processes_per_node)
    else:
        expected |= {"--server-num": "1", "--trainer-num": "1"}
    return expected


def _spelled(option: str) -> str:
    # launcher_options spells options with dashes; paddle's argparse wants underscores.
    return "--" + option[2:].replace("-", "_")


def check_launch_options(job: ResolvedJob) -> Iterator[Diagnostic]:
    """Options on the command line override the operator's PADDLE_* variables: another
    master never sees the other pods, another count waits for pods that never come."""
    options = _launch_options(job)
    if options is None:
        return
    expected = _expected(job)
    problems = [
        f"{_spelled(name)} {value} disagrees with the spec ({expected[name]})"
        for name, value in sorted(options.items())
        if name in expected and value.partition(":")[0] != expected[name]
    ]
    if "--master" in options:
        problems.insert(0, "--master replaces the rendezvous the operator sets (pod 0)")
    path = ("spec", "args") if job.job.spec.args else ("spec", "command")
    for problem in problems:
        yield Diagnostic(
            "MG292",
            f"paddle.distributed.launch {problem}",
            job.source.locate(path),
            field=".".join(path),
            hint="remove it: the operator and manifestgen set it from the spec",
        )


PADDLE = Workload(
    framework="paddle",
    kind=BY_GVK[("kubeflow.org", "v1", "PaddleJob")],
    spec_model=PaddleSpec,
    build_spec=build_spec,
    summary="PaddlePaddle: collective Workers, or CPU parameter servers and one-process trainers",
    rules=(*rp.rules(OPERATOR), check_launcher, check_launch_options),
)
