"""Ray (Ray Train, Ray Data) on KubeRay: a RayJob (ray.io/v1) that brings its own RayCluster.

KubeRay (v1.7) makes, for a RayJob `<name>`: a RayCluster `<name>-<5 random characters>`
(it refuses RayJob names over 47 characters so that the RayCluster's Services fit in 63),
a head Service `<name>-head-svc`, pods whose names it shortens itself, and in K8sJobMode a
submitter batch Job `<name>` whose pod runs `ray job submit` against the head's
dashboard. The entrypoint runs as the Ray driver on the head; `ray start` in each pod is
the operator's, prepended to the container's own command, so the pods get no command.

What this module decides, and why:
- Workers are the job's nodes and carry its GPUs: `nodes` replicas, minReplicas =
  maxReplicas = replicas (no autoscaling: a training run wants its GPUs from the start),
  with `num-gpus` and `num-cpus` written out in rayStartParams (strings, the CRD's map
  of strings) as KubeRay would derive them from the limits (CPU rounded up).
- The head is a CPU side pod on the on-demand CPU pool: it holds the GCS and the driver,
  and must outlive spot reclaims of the workers. `num-cpus: "0"` keeps Ray from
  scheduling tasks and Train workers on it, so they all land on the workers.
- `shutdownAfterJobFinishes: true`: when the Ray job ends, KubeRay deletes the RayCluster
  (after ttlSecondsAfterFinished, default 0: the GPUs are released at once) and keeps the
  RayJob and its submitter Job. The RayJob is what Argo CD tracks and it stays, so the
  TTL never makes Argo CD re-create anything (unlike the Kubeflow kinds' TTL, MG229);
  the RayCluster is the operator's child, which Argo CD does not track.
- submissionMode K8sJobMode by default: the submitter pod follows the job's logs, and its
  Job outlives the RayCluster, so the driver's output stays readable after the GPUs are
  gone. KubeRay's default submitter pod has no securityContext (refused by the
  restricted Pod Security profile) and no CPU-pool toleration, so a submitterPodTemplate
  is given: the job's image and security, on the on-demand CPU pool. Its command is left
  to KubeRay. The entrypoint then passes through the submitter's bash and `ray job
  submit`, which re-quotes arguments, so an argument with spaces or shell characters is
  an error there (MG345); HTTPMode, where the operator posts the entrypoint to the
  dashboard itself, has no submitter pod and one shell only.
- The operator polls (and in HTTPMode submits to) the head's dashboard on port 8265 in
  every mode: the job's NetworkPolicy lets the operator's pods in on that port.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Field

from manifestgen.errors import Diagnostic, Severity
from manifestgen.expand.pod import pod_template
from manifestgen.kinds.catalog import BY_GVK
from manifestgen.spec.base import DnsLabel, Quantity, SpecModel
from manifestgen.spec.quantity import parse_quantity
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import SidePods, TrainingJobSpec
from manifestgen.workloads.base import Workload, spec_of
from manifestgen.workloads.mpi_launch import launch_call, words_of
from manifestgen.workloads.torchrun import starts_torchrun

HEAD_CONTAINER = "ray-head"
WORKER_CONTAINER = "ray-worker"
# KubeRay's name for the submitter container; it reads the first container of the pod.
SUBMITTER_CONTAINER = "ray-job-submitter"
WORKER_GROUP = "workers"
# The label KubeRay gives each Ray pod: head or worker.
NODE_TYPE_LABEL = "ray.io/node-type"
DASHBOARD_PORT = 8265
# KubeRay's own defaults for its submitter container's limits.
SUBMITTER_CPU = "1"
SUBMITTER_MEMORY = "1Gi"
# What KubeRay's Helm chart labels the operator's pods with.
OPERATOR_POD_LABELS = {"app.kubernetes.io/name": "kuberay-operator"}
# Variables KubeRay sets in the Ray containers (and the submitter).
OPERATOR_ENV = (
    "RAY_ADDRESS",
    "RAY_CLUSTER_NAME",
    "RAY_DASHBOARD_ADDRESS",
    "RAY_IP",
    "RAY_JOB_SUBMISSION_ID",
    "RAY_PORT",
)
# Words the submitter's bash and `ray job submit` pass through unchanged.
_PLAIN_WORD = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


class RayHead(SpecModel):
    cpu: Quantity = Field(default="4", description="CPU of the head pod.")
    memory: Quantity = Field(
        default="16Gi", description="Memory of the head pod (GCS, driver, object store)."
    )


class RayOptions(SpecModel):
    submission_mode: Literal["K8sJobMode", "HTTPMode"] = Field(
        default="K8sJobMode",
        description="K8sJobMode: a submitter pod runs `ray job submit` and keeps the "
        "driver's logs after the RayCluster is deleted. HTTPMode: the operator submits "
        "to the dashboard itself; no submitter pod, and the entrypoint's arguments "
        "reach the head's shell unchanged.",
    )
    head: RayHead = Field(
        default_factory=RayHead,
        description="Resources of the head pod, on the on-demand CPU pool.",
    )
    ray_start_params: dict[Annotated[str, Field(pattern=r"^[a-z][-a-z0-9]*$")], str] = Field(
        default_factory=dict,
        description="Further `ray start` options of the workers (KubeRay's "
        "rayStartParams, without the leading --); num-gpus and num-cpus follow the "
        "spec's resources.",
    )
    operator_namespace: DnsLabel = Field(
        default="kuberay-system",
        description="Namespace of the KubeRay operator, let in to the head's dashboard "
        "port by the job's NetworkPolicy.",
    )


class RaySpec(TrainingJobSpec):
    framework: Literal["ray"] = Field(
        description="Ray: a KubeRay RayJob; the command is the Ray driver, on the head, "
        "and the nodes are Ray workers with the GPUs."
    )
    ray: RayOptions = Field(
        default_factory=RayOptions, description="How KubeRay runs the job's Ray cluster."
    )

    @property
    def side_pods(self) -> tuple[SidePods, ...]:
        head = self.ray.head
        pods = [SidePods("head", 1, head.cpu, head.memory, ("spec", "ray", "head"))]
        if self.ray.submission_mode == "K8sJobMode":
            pods.append(SidePods("submitter", 1, SUBMITTER_CPU, SUBMITTER_MEMORY, ("spec", "ray")))
        return tuple(pods)

    @property
    def processes_per_pod(self) -> int:
        # Ray Train's ScalingConfig, in the script, places its workers; a pod runs one raylet.
        return 1

    @property
    def ttl_deletes_job(self) -> bool:
        return False


def _spec(job: ResolvedJob) -> RaySpec:
    return spec_of(job, RaySpec)


def _words(job: ResolvedJob) -> tuple[str, ...]:
    spec = job.job.spec
    return (*spec.command, *spec.args)


def entrypoint(job: ResolvedJob) -> str:
    """The command and its arguments as one shell command line, quoted for sh."""
    return shlex.join(_words(job))


def worker_start_params(job: ResolvedJob) -> dict[str, str]:
    """What `ray start` on a worker is told it has: the pod's own CPUs (rounded up, as
    KubeRay derives them) and GPUs, plus the spec's further options."""
    cpus = math.ceil(parse_quantity(job.job.spec.resources.cpu))
    params = {"num-cpus": str(cpus), "num-gpus": str(job.gpus_per_node)}
    return dict(sorted({**_spec(job).ray.ray_start_params, **params}.items()))


def _ray_container(template: dict[str, Any]) -> dict[str, Any]:
    # KubeRay runs `ray start` with the container's own command before it: none here.
    container = template["spec"]["containers"][0]
    container.pop("command", None)
    container.pop("args", None)
    return template


def _head(job: ResolvedJob) -> dict[str, Any]:
    side = _spec(job).side_pods[0]
    return {
        "rayStartParams": {"dashboard-host": "0.0.0.0", "num-cpus": "0", "num-gpus": "0"},
        "template": _ray_container(pod_template(job, HEAD_CONTAINER, side=side)),
    }


def _workers(job: ResolvedJob) -> dict[str, Any]:
    # With the head's CPU pod labelled with the job too, EFA's one-zone rule follows
    # only the workers (see expand/pod.same_zone).
    template = pod_template(job, WORKER_CONTAINER, zone_peers={NODE_TYPE_LABEL: "worker"})
    nodes = job.job.spec.nodes
    return {
        "groupName": WORKER_GROUP,
        "maxReplicas": nodes,
        "minReplicas": nodes,
        "numOfHosts": 1,
        "rayStartParams": worker_start_params(job),
        "replicas": nodes,
        "template": _ray_container(template),
    }


def submitter_template(job: ResolvedJob) -> dict[str, Any]:
    """The submitter pod: the job's side-pod template (image, Pod Security settings,
    on-demand CPU pool, labels that put it inside the job's NetworkPolicy, priority)
    without what only the driver needs: command, environment, secrets and volumes."""
    side = _spec(job).side_pods[1]
    template = pod_template(job, SUBMITTER_CONTAINER, side=side)
    container = template["spec"]["containers"][0]
    for key in ("args", "command", "env", "volumeMounts"):
        container.pop(key, None)
    del template["spec"]["volumes"]
    # A Job's pod may not restart Always; KubeRay's own submitter pod uses Never.
    template["spec"]["restartPolicy"] = "Never"
    template["spec"] = dict(sorted(template["spec"].items()))
    return template


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    ray = _spec(job).ray
    policy = job.run_policy
    spec: dict[str, Any] = {
        "backoffLimit": policy.backoff_limit,
        "entrypoint": entrypoint(job),
        "rayClusterSpec": {
            "enableInTreeAutoscaling": False,
            "headGroupSpec": _head(job),
            "workerGroupSpecs": [_workers(job)],
        },
        "shutdownAfterJobFinishes": True,
        "submissionMode": ray.submission_mode,
        "ttlSecondsAfterFinished": policy.ttl_seconds_after_finished or 0,
    }
    if policy.active_deadline_seconds is not None:
        spec["activeDeadlineSeconds"] = policy.active_deadline_seconds
    if ray.submission_mode == "K8sJobMode":
        spec["submitterPodTemplate"] = submitter_template(job)
    return dict(sorted(spec.items()))


def network_ingress(job: ResolvedJob) -> list[dict[str, Any]]:
    """The operator reaches the head's dashboard to submit and to follow the Ray job."""
    operator = {
        "namespaceSelector": {
            "matchLabels": {"kubernetes.io/metadata.name": _spec(job).ray.operator_namespace}
        },
        "podSelector": {"matchLabels": dict(OPERATOR_POD_LABELS)},
    }
    return [{"from": [operator], "ports": [{"port": DASHBOARD_PORT, "protocol": "TCP"}]}]


def _command_field(job: ResolvedJob) -> tuple[str, ...]:
    return ("spec", "command") if job.job.spec.command else ("spec", "args")


def _diagnostic(
    job: ResolvedJob,
    code: str,
    message: str,
    hint: str,
    where: tuple[str | int, ...] | None = None,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    path = where or _command_field(job)
    return Diagnostic(
        code,
        message,
        job.source.locate(path),
        field="".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)[1:],
        severity=severity,
        hint=hint,
    )


def check_entrypoint(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The Ray pods run KubeRay's `ray start`, never the image's entrypoint: a RayJob
    without a command has nothing to run."""
    if not _words(job):
        yield _diagnostic(
            job,
            "MG340",
            "a RayJob runs its entrypoint as the Ray driver, and the spec has no command: "
            "the image's own entrypoint never runs in a Ray pod",
            "give the driver, e.g. command: [python, train.py]",
            ("spec",),
        )


def _starts_ray(words: list[str]) -> bool:
    for index, word in enumerate(words[:-1]):
        if word.rsplit("/", 1)[-1] == "ray" and words[index + 1] in ("start", "up"):
            return True
    return any("ray.init(address=" in word for word in words)


def check_ray_start(job: ResolvedJob) -> Iterator[Diagnostic]:
    """KubeRay starts Ray in every pod and points the driver at its cluster (RAY_ADDRESS);
    a second `ray start`, or an address of the script's own, is a different cluster."""
    if _starts_ray(words_of(_words(job))):
        yield _diagnostic(
            job,
            "MG341",
            "the entrypoint starts or addresses a Ray cluster itself, but KubeRay has "
            "started Ray in every pod and the driver joins it through RAY_ADDRESS",
            "run only the driver; in the script call ray.init() without an address",
        )


def check_operator_env(job: ResolvedJob) -> Iterator[Diagnostic]:
    spec = job.job.spec
    found: list[tuple[str, tuple[str | int, ...]]] = [
        (name, ("spec", "env", name)) for name in spec.env if name in OPERATOR_ENV
    ]
    found += [
        (s.env, ("spec", "secrets", i, "env"))
        for i, s in enumerate(spec.secrets)
        if s.env in OPERATOR_ENV
    ]
    for name, path in found:
        yield _diagnostic(
            job,
            "MG342",
            f"KubeRay sets {name} in the Ray pods to its RayCluster; a value of the "
            "spec's would point the driver or the workers elsewhere",
            f"remove {name}",
            path,
        )


def _foreign_launcher(words: list[str]) -> str | None:
    if starts_torchrun(words):
        return "torchrun"
    call = launch_call(words)
    return call.launcher if call is not None else None


def check_launcher(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The entrypoint is Ray's driver, on the head (which has no GPUs): a launcher there
    starts its processes on the head alone, outside Ray's workers."""
    launcher = _foreign_launcher(words_of(_words(job)))
    if launcher is not None:
        yield _diagnostic(
            job,
            "MG343",
            f"the entrypoint starts {launcher}, which runs its processes on the head pod "
            "(no GPUs), not on the Ray workers",
            "let Ray Train start the workers: TorchTrainer (or another Ray Train trainer) "
            "with ScalingConfig(num_workers=..., use_gpu=True) in the driver",
            severity=Severity.WARNING,
        )


def check_start_params(job: ResolvedJob) -> Iterator[Diagnostic]:
    spec = job.job.spec
    given = _spec(job).ray.ray_start_params
    cpus = str(math.ceil(parse_quantity(spec.resources.cpu)))
    wanted = {"num-cpus": cpus, "num-gpus": str(job.gpus_per_node)}
    for key, value in sorted(given.items()):
        if key in wanted and value != wanted[key]:
            yield _diagnostic(
                job,
                "MG344",
                f"rayStartParams {key} is {value!r}, but each worker pod has "
                f"{wanted[key]}: Ray would schedule for resources the pod does not have "
                "or leave some idle",
                f"remove {key}: it follows the spec's resources",
                ("spec", "ray", "rayStartParams", key),
            )
        elif key == "labels":
            yield _diagnostic(
                job,
                "MG344",
                "KubeRay refuses rayStartParams labels",
                "remove it",
                ("spec", "ray", "rayStartParams", key),
            )


def check_submitter_quoting(job: ResolvedJob) -> Iterator[Diagnostic]:
    """In K8sJobMode the entrypoint is a word of the submitter's bash command line, and
    `ray job submit` joins the words it gets with Windows quoting rules before the head's
    shell reads them: only plain words arrive as written."""
    if _spec(job).ray.submission_mode != "K8sJobMode":
        return
    spec = job.job.spec
    words = [("command", i, w) for i, w in enumerate(spec.command)]
    words += [("args", i, w) for i, w in enumerate(spec.args)]
    for field, index, word in words:
        if not _PLAIN_WORD.match(word):
            yield _diagnostic(
                job,
                "MG345",
                f"the argument {word!r} passes through the submitter's bash and `ray job "
                "submit`, which re-quote it: the head's shell would not get it as written",
                "use submissionMode: HTTPMode (one shell, on the head), or pass the value "
                "through env or hyperparameters",
                ("spec", field, index),
            )
            return


RAY = Workload(
    framework="ray",
    kind=BY_GVK[("ray.io", "v1", "RayJob")],
    spec_model=RaySpec,
    build_spec=build_spec,
    summary="Ray (Ray Train) on KubeRay: a RayJob, a CPU head with the driver and GPU workers",
    rules=(
        check_entrypoint,
        check_ray_start,
        check_operator_env,
        check_launcher,
        check_start_params,
        check_submitter_quoting,
    ),
    network_ingress=network_ingress,
)
