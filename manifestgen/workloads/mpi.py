"""MPI (Horovod, DeepSpeed, plain MPI programs) on the MPI Operator v2: an MPIJob v2beta1.

The operator runs one `Launcher` (a batch Job `<name>-launcher`) and `Worker` pods
`<name>-worker-<i>`. The launcher runs the spec's command (mpirun, horovodrun,
deepspeed), which reaches the workers over SSH with the key pair the operator puts in
the Secret `<name>-ssh` and a hostfile it writes at /etc/mpi/hostfile (`<name>-config`),
one line per worker with `slotsPerWorker` slots. It also sets the MPI implementation's
hostfile variables, so `mpirun` needs neither `--hostfile` nor `-H`.

What this module decides, and why:
- Workers are the job's GPU nodes and run only sshd; the spec's command is the
  launcher's. The operator's own worker command (`/usr/sbin/sshd -De`) reads
  /etc/ssh/sshd_config and listens on port 22, which a non-root pod with every
  capability dropped cannot do, so workers run sshd with the configuration in the
  user's home, as the operator's non-root example and base image do.
- Pods run as the Platform's non-root uid, so the keys are mounted in that user's home
  (`sshAuthMountPath`), never /root/.ssh (see `check_ssh_mount`).
- The launcher is a CPU side pod on the on-demand CPU pool: it only starts and watches
  ranks, and must outlive spot reclaims of the workers. With `runLauncherAsWorker` it
  runs ranks too: it is then one of the job's `nodes` (GPUs and all) and there are
  `nodes - 1` workers.
- `launcherCreationPolicy` defaults to WaitForWorkersReady: GPU nodes take minutes to
  come up, and a launcher started at once spends its backoffLimit on failed SSH
  connections before the workers exist. A gang scheduler whose PodGroup counts the
  launcher (the operator's default minMember is workers + 1) never admits a job that
  waits for its workers: gang scheduling must then set minAvailable to the workers.
- restartPolicy: the operator accepts only OnFailure and Never (not ExitCode). The
  launcher restarts OnFailure, so mpirun runs again when a reclaimed worker is back
  (the operator re-creates deleted worker pods; backoffLimit bounds the retries).
  Workers restart OnFailure: a worker pod that failed under Never is never replaced,
  and every later launcher attempt would fail on it. Both hold on spot and on-demand.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from manifestgen.errors import Diagnostic, Severity
from manifestgen.expand.pod import pod_template
from manifestgen.kinds.catalog import BY_GVK
from manifestgen.spec.base import AbsolutePath, Quantity, SpecModel
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import SidePods, TrainingJobSpec
from manifestgen.workloads.base import Workload, spec_of
from manifestgen.workloads.mpi_launch import LaunchCall, launch_call
from manifestgen.workloads.run_policy import run_policy

LAUNCHER_CONTAINER = "mpi-launcher"
WORKER_CONTAINER = "mpi-worker"
# The labels the operator gives every pod it creates (training.kubeflow.org/...).
ROLE_LABEL = "training.kubeflow.org/job-role"
RESTART_POLICY = "OnFailure"


class LauncherResources(SpecModel):
    cpu: Quantity = Field(default="1", description="CPU of the launcher pod.")
    memory: Quantity = Field(default="2Gi", description="Memory of the launcher pod.")


class MpiOptions(SpecModel):
    implementation: Literal["OpenMPI", "Intel", "MPICH"] = Field(
        default="OpenMPI", description="The MPI the image ships (the operator's mpiImplementation)."
    )
    run_launcher_as_worker: bool = Field(
        default=False,
        description="The launcher runs ranks too: it takes one of the job's nodes, GPUs "
        "included, and there are nodes - 1 workers.",
    )
    launcher_creation_policy: Literal["AtStartup", "WaitForWorkersReady"] = Field(
        default="WaitForWorkersReady",
        description="WaitForWorkersReady: the operator creates the launcher once every "
        "worker is ready, so mpirun does not fail while GPU nodes come up.",
    )
    ssh_auth_mount_path: AbsolutePath = Field(
        default="/home/mpiuser/.ssh",
        description="Where the operator mounts the job's SSH keys: the .ssh directory of "
        "the image's user with the Platform's runAsUser uid.",
    )
    worker_command: tuple[str, ...] = Field(
        default=(),
        strict=False,
        description="What workers run. Unset: sshd in the foreground with the "
        "sshd_config beside the SSH keys, `/usr/sbin/sshd -De -f <home>/.sshd_config`.",
    )
    launcher: LauncherResources = Field(
        default_factory=LauncherResources,
        description="Resources of the launcher pod, on the on-demand CPU pool (ignored "
        "with runLauncherAsWorker, where it has a node's resources).",
    )


class MpiSpec(TrainingJobSpec):
    framework: Literal["mpi"] = Field(
        description="MPI: an MPIJob (MPI Operator v2beta1); Horovod, DeepSpeed or any "
        "MPI program started by mpirun on the launcher."
    )
    mpi: MpiOptions = Field(
        default_factory=MpiOptions,
        description="How the MPI Operator starts the job.",
    )

    @property
    def side_pods(self) -> tuple[SidePods, ...]:
        if self.mpi.run_launcher_as_worker:
            return ()
        launcher = self.mpi.launcher
        return (SidePods("launcher", 1, launcher.cpu, launcher.memory, ("spec", "mpi")),)


def _spec(job: ResolvedJob) -> MpiSpec:
    return spec_of(job, MpiSpec)


def worker_replicas(job: ResolvedJob) -> int:
    nodes = job.job.spec.nodes
    return nodes - 1 if _spec(job).mpi.run_launcher_as_worker else nodes


def worker_command(job: ResolvedJob) -> list[str]:
    mpi = _spec(job).mpi
    if mpi.worker_command:
        return list(mpi.worker_command)
    home = posixpath.dirname(mpi.ssh_auth_mount_path.rstrip("/")) or "/"
    return ["/usr/sbin/sshd", "-De", "-f", posixpath.join(home, ".sshd_config")]


def _launcher(job: ResolvedJob) -> dict[str, Any]:
    spec = _spec(job)
    side = spec.side_pods[0] if spec.side_pods else None
    return {
        "replicas": 1,
        "restartPolicy": RESTART_POLICY,
        "template": pod_template(job, LAUNCHER_CONTAINER, side=side),
    }


def _worker(job: ResolvedJob) -> dict[str, Any]:
    # With a CPU launcher, EFA's one-zone rule follows only the workers (the operator
    # labels each pod with its role; see expand/pod.same_zone).
    peers = None if _spec(job).mpi.run_launcher_as_worker else {ROLE_LABEL: "worker"}
    template = pod_template(job, WORKER_CONTAINER, zone_peers=peers)
    container = template["spec"]["containers"][0]
    container.pop("args", None)
    container["command"] = worker_command(job)
    return {
        "replicas": worker_replicas(job),
        "restartPolicy": RESTART_POLICY,
        "template": template,
    }


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    mpi = _spec(job).mpi
    replicas = {"Launcher": _launcher(job)}
    if worker_replicas(job) > 0:
        # The operator refuses a Worker spec with no replicas; without one the launcher
        # alone runs every rank.
        replicas["Worker"] = _worker(job)
    return {
        "launcherCreationPolicy": mpi.launcher_creation_policy,
        "mpiImplementation": mpi.implementation,
        "mpiReplicaSpecs": replicas,
        "runLauncherAsWorker": mpi.run_launcher_as_worker,
        "runPolicy": run_policy(job),
        "slotsPerWorker": job.processes_per_node,
        "sshAuthMountPath": mpi.ssh_auth_mount_path,
    }


def _command(job: ResolvedJob) -> tuple[str, ...]:
    spec = job.job.spec
    return (*spec.command, *spec.args)


def _command_field(job: ResolvedJob) -> tuple[str, ...]:
    return ("spec", "args") if job.job.spec.args else ("spec", "command")


def _diagnostic(
    job: ResolvedJob, code: str, message: str, hint: str, severity: Severity = Severity.ERROR
) -> Diagnostic:
    where = _command_field(job)
    return Diagnostic(
        code,
        message,
        job.source.locate(where),
        field=".".join(where),
        severity=severity,
        hint=hint,
    )


def check_launcher(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The launcher's command must start the ranks: anything else runs once, on the
    launcher, and the workers idle. An unset command runs the image's entrypoint,
    which cannot be seen."""
    if not job.job.spec.command or launch_call(_command(job)) is not None:
        return
    yield _diagnostic(
        job,
        "MG284",
        "the launcher runs the command once, on its own pod, and only mpirun, "
        "horovodrun or deepspeed start ranks on the workers, but the command starts none",
        "start the program with the launcher, e.g. command: [mpirun], args: [python, train.py]",
        Severity.WARNING,
    )


def _disagreement(option: str, given: str, wanted: int, what: str) -> str | None:
    if not given.isdigit() or int(given) == wanted:
        return None  # a shell variable or the spec's own number
    return f"{option} {given} disagrees with the spec ({wanted} {what})"


def _counts(job: ResolvedJob, call: LaunchCall) -> Iterator[tuple[str, str, int, str]]:
    """(option, value given, value the spec implies, what it counts)."""
    nodes, slots = job.job.spec.nodes, job.processes_per_node
    total: tuple[str, ...] = ()
    per_node: tuple[str, ...] = ()
    if call.launcher == "mpirun":
        total = ("-np", "-n", "--np", "--n", "-c")
        per_node = ("-N", "-npernode", "--npernode", "-ppn", "-perhost")
    elif call.launcher == "horovodrun":
        total = ("-np", "--num-proc")
    else:
        yield from (("--num_nodes", v, nodes, "nodes") for v in call.values("--num_nodes"))
        per_node = ("--num_gpus", "--num_accelerators")
    for name, values in call.options:
        if name in total and values:
            yield name, values[0], nodes * slots, f"ranks: {nodes} nodes x {slots} slots"
        elif name in per_node and values:
            yield name, values[0], slots, "slots per node"


def check_launch_options(job: ResolvedJob) -> Iterator[Diagnostic]:
    """Rank counts in the command line override the hostfile the operator writes from
    the spec (one line per node, slotsPerWorker slots): when they disagree, ranks are
    missing (the job hangs in its first collective) or oversubscribe the GPUs."""
    call = launch_call(_command(job))
    if call is None:
        return
    for option, given, wanted, what in _counts(job, call):
        message = _disagreement(option, given, wanted, what)
        if message is not None:
            hint = f"remove {option}: the hostfile the operator writes has every rank"
            yield _diagnostic(job, "MG285", f"{call.launcher} {message}", hint)
    alone = job.job.spec.nodes > 1 or not _spec(job).mpi.run_launcher_as_worker
    if call.launcher == "deepspeed" and alone and not call.has("-H", "--hostfile"):
        yield _diagnostic(
            job,
            "MG285",
            "deepspeed without --hostfile reads /job/hostfile, which the operator does not "
            "write, and trains on the launcher alone",
            "add --hostfile /etc/mpi/hostfile (the operator's hostfile)",
        )


def check_ssh_mount(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The operator mounts the SSH keys at sshAuthMountPath, with mode 0600 (owner root)
    at /root/.ssh. Pods run as the Platform's non-root uid, whose ssh reads its own
    home's .ssh: under /root it can read neither the key nor the directory."""
    path = _spec(job).mpi.ssh_auth_mount_path.rstrip("/")
    if path != "/root" and not path.startswith("/root/"):
        return
    uid = job.platform.spec.defaults.run_as_user
    yield Diagnostic(
        "MG286",
        f"pods run as uid {uid} (runAsNonRoot), but the SSH keys are mounted at {path}, "
        "root's home: ssh and sshd of a non-root user cannot use them",
        job.source.locate(("spec", "mpi", "sshAuthMountPath")),
        field="spec.mpi.sshAuthMountPath",
        hint=f"mount them in the .ssh directory of the image's user with uid {uid}, "
        "e.g. /home/mpiuser/.ssh (the MPI Operator's base images)",
    )


def _forwarded(job: ResolvedJob, call: LaunchCall) -> set[str]:
    names = {value.split("=", 1)[0] for value in call.values("-x")}
    for name, values in call.options:
        if name in ("-mca", "--mca") and values[:1] == ("mca_base_env_list",):
            names |= set(values[1].split(";")) if len(values) > 1 else set()
    names |= set(job.job.spec.env.get("OMPI_MCA_mca_base_env_list", "").split(";"))
    return names


def check_forwarded_env(job: ResolvedJob) -> Iterator[Diagnostic]:
    """Ranks on the workers are started over SSH, and an SSH session does not get the
    pod's environment: OpenMPI's mpirun passes them only the variables named by -x.
    (Intel MPI's and MPICH's launchers pass the whole environment; horovodrun adds -x
    for every variable itself.)"""
    spec = _spec(job)
    call = launch_call(_command(job))
    remote = worker_replicas(job) > 0
    if call is None or call.launcher != "mpirun" or spec.mpi.implementation != "OpenMPI":
        return
    wanted = {*spec.env, *(s.env for s in spec.secrets)} - {"OMPI_MCA_mca_base_env_list"}
    if spec.fixed_hyperparameters:
        wanted.add("HYPERPARAMETERS_DIR")
    missing = sorted(wanted - _forwarded(job, call))
    if not missing or not remote:
        return
    yield _diagnostic(
        job,
        "MG287",
        "ranks on the workers start over SSH without the pod's environment, and mpirun "
        f"does not pass them {', '.join(missing)}",
        "add " + " ".join(f"-x {name}" for name in missing) + " to mpirun's options",
        Severity.WARNING,
    )


MPI = Workload(
    framework="mpi",
    kind=BY_GVK[("kubeflow.org", "v2beta1", "MPIJob")],
    spec_model=MpiSpec,
    build_spec=build_spec,
    summary="MPI (Horovod, DeepSpeed) on the MPI Operator: an MPIJob, a launcher and SSH workers.",
    rules=(check_launcher, check_launch_options, check_ssh_mount, check_forwarded_env),
)
