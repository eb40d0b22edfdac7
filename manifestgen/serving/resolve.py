"""Join a ModelService with its team, cluster, GPU type and the TrainingJob it serves."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from manifestgen.digest import digest
from manifestgen.errors import Diagnostic
from manifestgen.expand.pod import checkpoint_claim_name
from manifestgen.serving.finetune import served_finetune
from manifestgen.serving.spec import ModelService, ScaleMetric
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Cluster, GpuType, Platform, Serving, Team
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.rules import _did_you_mean
from manifestgen.workloads.finetune import finetune_of

# The metric each mode scales on when the spec names none, and the default targets.
DEFAULT_TARGET: Mapping[ScaleMetric, int] = {
    "gpu-utilization": 70,
    "queue-depth": 10,
    "concurrency": 4,
}
# Which mode's autoscaler can follow each metric.
METRIC_MODE: Mapping[ScaleMetric, str] = {
    "gpu-utilization": "Standard",
    "queue-depth": "Standard",
    "concurrency": "Knative",
}


@dataclass(frozen=True)
class ResolvedService:
    source: Parsed[ModelService]
    platform: Platform
    team_name: str
    team: Team
    cluster_name: str
    cluster: Cluster
    serving: Serving
    gpu_type: GpuType | None
    storage_uri: str
    # The checkpoint claim served (a model from a job), for the claim's own checks.
    claim: str | None
    # Server arguments the model needs before the spec's own (a fine-tune's adapter).
    model_args: tuple[str, ...] = ()

    @property
    def service(self) -> ModelService:
        return self.source.model

    @property
    def name(self) -> str:
        return self.service.metadata.name

    @property
    def namespace(self) -> str:
        return self.team.namespace

    @property
    def spec_path(self) -> str:
        return self.source.document.path

    @property
    def mode(self) -> str:
        return self.serving.deployment_mode

    @property
    def gpu_type_name(self) -> str | None:
        return self.service.spec.gpu.type if self.service.spec.gpu else None

    @property
    def mig_profile(self) -> str | None:
        return self.service.spec.gpu.mig_profile if self.service.spec.gpu else None

    @property
    def gpus_per_pod(self) -> int:
        """Whole GPUs a pod takes; MIG slices count as the GPUs they are cut from."""
        gpu, kind = self.service.spec.gpu, self.gpu_type
        if gpu is None:
            return 0
        if gpu.mig_profile is None or kind is None or kind.mig is None:
            return gpu.count
        per_gpu = kind.mig.devices.get(gpu.mig_profile, 0)
        return -(-gpu.count // per_gpu) if per_gpu else gpu.count

    @property
    def capacity_type(self) -> str:
        return self.service.spec.capacity_type

    @property
    def gpu_demand(self) -> int:
        """GPUs the service holds at its most replicas."""
        return self.gpus_per_pod * self.service.spec.replicas.max

    @property
    def metric(self) -> ScaleMetric:
        chosen = self.service.spec.autoscaling.metric
        if chosen is not None:
            return chosen
        if self.mode == "Knative":
            return "concurrency"
        return "gpu-utilization" if self.gpu_type else "queue-depth"

    @property
    def target(self) -> int:
        return self.service.spec.autoscaling.target or DEFAULT_TARGET[self.metric]

    @property
    def uses_keda(self) -> bool:
        return self.mode == "Standard"

    @cached_property
    def document_digest(self) -> str:
        return digest(self.source.document.data)


def _located(
    service: Parsed[ModelService], code: str, message: str, path: tuple[str, ...], hint: str = ""
) -> Diagnostic:
    return Diagnostic(code, message, service.locate(path), field=".".join(path), hint=hint)


def check_references(service: Parsed[ModelService], platform: Platform) -> Iterator[Diagnostic]:
    """The team, cluster and GPU type named exist, and KServe is set up on the cluster."""
    spec = service.model.spec
    team = platform.spec.teams.get(spec.team)
    if team is None:
        hint = _did_you_mean(spec.team, platform.spec.teams)
        yield _located(service, "MG210", f"unknown team {spec.team!r}", ("spec", "team"), hint)
    cluster = platform.spec.clusters.get(spec.cluster)
    if cluster is None:
        hint = _did_you_mean(spec.cluster, platform.spec.clusters)
        yield _located(
            service, "MG211", f"unknown cluster {spec.cluster!r}", ("spec", "cluster"), hint
        )
    elif team is not None and spec.cluster not in team.clusters:
        yield _located(
            service,
            "MG213",
            f"team {spec.team!r} may not run on cluster {spec.cluster!r}",
            ("spec", "cluster"),
            f"the team's clusters: {', '.join(team.clusters)}",
        )
    elif cluster.serving is None:
        yield _located(
            service,
            "MG395",
            f"cluster {spec.cluster!r} has no KServe set-up",
            ("spec", "cluster"),
            f"set clusters.{spec.cluster}.serving (deploymentMode, prometheusAddress) in the "
            "Platform",
        )
    if spec.gpu is not None and spec.gpu.type not in platform.spec.gpus:
        yield _located(
            service,
            "MG212",
            f"unknown GPU type {spec.gpu.type!r}",
            ("spec", "gpu", "type"),
            _did_you_mean(spec.gpu.type, platform.spec.gpus),
        )


def _job_named(
    service: Parsed[ModelService], jobs: Sequence[ResolvedJob]
) -> tuple[ResolvedJob | None, Diagnostic | None]:
    spec = service.model.spec
    name = spec.model.job
    here = [j for j in jobs if j.cluster_name == spec.cluster and j.team_name == spec.team]
    found = next((j for j in here if j.name == name), None)
    if found is not None:
        return found, None
    return None, _located(
        service,
        "MG390",
        f"no TrainingJob {name!r} of team {spec.team!r} on cluster {spec.cluster!r} to serve",
        ("spec", "model", "job"),
        _did_you_mean(str(name), {j.name for j in here})
        or "a claim is served only in its own namespace: name a job of the same team and cluster",
    )


def _claim_uri(
    service: Parsed[ModelService], jobs: Sequence[ResolvedJob]
) -> tuple[str | None, str | None, list[Diagnostic]]:
    job, missing = _job_named(service, jobs)
    if job is None:
        return None, None, [missing] if missing else []
    if job.job.spec.checkpoints is None:
        return (
            None,
            None,
            [
                _located(
                    service,
                    "MG391",
                    f"TrainingJob {job.name!r} has no checkpoint claim to serve a model from",
                    ("spec", "model", "job"),
                    f"add `checkpoints:` to {job.spec_path}, or serve from an object store "
                    "(model.uri)",
                )
            ],
        )
    claim = checkpoint_claim_name(job)
    problems = []
    if job.checkpoint_access_mode != "ReadWriteMany":
        problems.append(
            _located(
                service,
                "MG392",
                f"checkpoint claim {claim!r} is {job.checkpoint_access_mode}: predictor pods "
                "on other nodes than the training pod cannot mount it",
                ("spec", "model", "job"),
                f"give {job.name} `checkpoints.accessMode: ReadWriteMany` on a class that "
                "supports it (EFS, FSx), or copy the model to an object store",
            )
        )
    path = service.model.spec.model.path
    if path is None:
        return _finetune_uri(service, job, claim, problems)
    return f"pvc://{claim}/{path.strip('/')}", claim, problems


def _finetune_uri(
    service: Parsed[ModelService], job: ResolvedJob, claim: str, problems: list[Diagnostic]
) -> tuple[str | None, str | None, list[Diagnostic]]:
    """A fine-tune's output, found from its blueprint; any other job needs `path`."""
    blueprint = finetune_of(job)
    if blueprint is None:
        problems.append(
            _located(
                service,
                "MG391",
                f"TrainingJob {job.name!r} is not a fine-tune: say which directory of its "
                f"claim {claim!r} holds the model",
                ("spec", "model", "job"),
                "set model.path, e.g. release/step-120000",
            )
        )
        return None, None, problems
    uri, _ = served_finetune(blueprint, claim, job.name)
    return uri, claim, problems


def finetune_args(service: Parsed[ModelService], jobs: Sequence[ResolvedJob]) -> tuple[str, ...]:
    """The server arguments a fine-tune's output needs, when the service reads it."""
    job, _ = _job_named(service, jobs)
    blueprint = finetune_of(job) if job is not None else None
    if job is None or blueprint is None or service.model.spec.model.path is not None:
        return ()
    return served_finetune(blueprint, checkpoint_claim_name(job), job.name)[1]


def resolve_service(
    platform: Platform, service: Parsed[ModelService], jobs: Sequence[ResolvedJob]
) -> tuple[ResolvedService | None, list[Diagnostic]]:
    problems = list(check_references(service, platform))
    if problems:
        return None, problems
    spec = service.model.spec
    team = platform.spec.teams[spec.team]
    cluster = platform.spec.clusters[spec.cluster]
    assert cluster.serving is not None  # check_references said so
    claim = None
    if spec.model.uri is not None:
        uri = spec.model.uri
    else:
        found, claim, problems = _claim_uri(service, jobs)
        if found is None:
            return None, problems
        uri = found
    resolved = ResolvedService(
        source=service,
        platform=platform,
        team_name=spec.team,
        team=team,
        cluster_name=spec.cluster,
        cluster=cluster,
        serving=cluster.serving,
        gpu_type=platform.spec.gpus.get(spec.gpu.type) if spec.gpu else None,
        storage_uri=uri,
        claim=claim,
        model_args=finetune_args(service, jobs) if spec.model.job is not None else (),
    )
    return resolved, problems
