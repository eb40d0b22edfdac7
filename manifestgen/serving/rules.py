"""What a ModelService may ask of its cluster's KServe mode, its names and its GPUs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from manifestgen.errors import Diagnostic
from manifestgen.kinds.names import MAX_CHILD_NAME
from manifestgen.serving.resolve import METRIC_MODE, ResolvedService
from manifestgen.serving.spec import ServingGpu
from manifestgen.spec.platform import GpuType
from manifestgen.spec.quota import demand
from manifestgen.spec.resolve import ResolvedJob

ServiceRule = Callable[[ResolvedService], Iterable[Diagnostic]]

# Knative numbers a Configuration's revisions 00001, 00002, ... and gives each a private
# Service `<revision>-private`: the longest Service name Knative derives.
KNATIVE_REVISION_SERVICE = "-predictor-00001-private"
PREDICTOR = "-predictor"


def _diagnostic(
    service: ResolvedService, code: str, message: str, path: tuple[str, ...], hint: str = ""
) -> Diagnostic:
    return Diagnostic(code, message, service.source.locate(path), field=".".join(path), hint=hint)


def check_mode(service: ResolvedService) -> Iterator[Diagnostic]:
    """Refuse what the cluster's deployment mode cannot do."""
    spec = service.service.spec
    mode, cluster = service.mode, service.cluster_name
    if mode == "Standard" and spec.replicas.min == 0:
        yield _diagnostic(
            service,
            "MG393",
            f"minReplicas 0 needs the Knative mode; cluster {cluster!r} runs KServe in "
            "Standard mode, where nothing holds a request while no predictor pod runs",
            ("spec", "replicas", "min"),
            "use min: 1, or serve on a cluster whose serving.deploymentMode is Knative",
        )
    if mode == "Standard" and spec.canary_traffic_percent is not None:
        yield _diagnostic(
            service,
            "MG393",
            f"canaryTrafficPercent needs the Knative mode; cluster {cluster!r} runs KServe in "
            "Standard mode, which has no revisions to split traffic between",
            ("spec", "canaryTrafficPercent"),
            "leave it out, or serve on a cluster whose serving.deploymentMode is Knative",
        )
    metric = service.metric
    if METRIC_MODE[metric] != mode:
        yield _diagnostic(
            service,
            "MG393",
            f"autoscaling on {metric} needs the {METRIC_MODE[metric]} mode; cluster "
            f"{cluster!r} runs KServe in {mode} mode",
            ("spec", "autoscaling", "metric"),
            "Standard mode scales on gpu-utilization or queue-depth (KEDA), Knative mode on "
            "concurrency",
        )
    if metric == "gpu-utilization" and service.gpu_type is None:
        yield _diagnostic(
            service,
            "MG393",
            "autoscaling on gpu-utilization needs GPUs: the service asks for none",
            ("spec", "autoscaling", "metric"),
            "use queue-depth, or give the service `gpu:`",
        )


def check_names(service: ResolvedService) -> Iterator[Diagnostic]:
    """KServe and Knative name Services and hosts after the InferenceService; the longest
    must stay a 63-character DNS label, or the controller fails after the sync."""
    name, namespace = service.name, service.namespace
    candidates = [
        (f"{name}{PREDICTOR}", "the predictor Service"),
        # The default domainTemplate `{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}`.
        (f"{name}{PREDICTOR}-{namespace}", "the first label of the predictor's host"),
    ]
    if service.mode == "Knative":
        candidates.append((f"{name}{KNATIVE_REVISION_SERVICE}", "a Knative revision's Service"))
    child, what = max(candidates, key=lambda c: len(c[0]))
    if len(child) <= MAX_CHILD_NAME:
        return
    yield _diagnostic(
        service,
        "MG394",
        f"name {name!r} is too long: KServe names {what} {child!r} ({len(child)} characters, "
        f"at most {MAX_CHILD_NAME})",
        ("metadata", "name"),
        f"use at most {max(len(name) - (len(child) - MAX_CHILD_NAME), 1)} characters",
    )


def _mig_problem(gpu: ServingGpu, kind: GpuType) -> str | None:
    if kind.mig is None:
        return None if gpu.mig_profile is None else f"{gpu.type} GPUs are not partitioned"
    if gpu.mig_profile is None:
        return f"{gpu.type} GPUs are partitioned: name a migProfile ({', '.join(kind.mig.devices)})"
    if gpu.mig_profile not in kind.mig.devices:
        return f"{gpu.type} nodes carry no {gpu.mig_profile} slices ({', '.join(kind.mig.devices)})"
    return None


def check_gpus(service: ResolvedService) -> Iterator[Diagnostic]:
    gpu, kind = service.service.spec.gpu, service.gpu_type
    if gpu is None or kind is None:
        return
    mig = _mig_problem(gpu, kind)
    if mig is not None:
        yield _diagnostic(service, "MG398", mig, ("spec", "gpu"))
    elif service.gpus_per_pod > kind.gpus_per_node:
        yield _diagnostic(
            service,
            "MG398",
            f"{gpu.count} {'slices' if gpu.mig_profile else 'GPUs'} per pod, but {gpu.type} "
            f"nodes have {kind.gpus_per_node} GPUs",
            ("spec", "gpu", "count"),
            "ask for fewer slices" if gpu.mig_profile else f"use at most {kind.gpus_per_node}",
        )
    if gpu.type not in service.cluster.gpu_quota:
        yield _diagnostic(
            service,
            "MG396",
            f"cluster {service.cluster_name!r} has no GPU quota for {gpu.type}",
            ("spec", "gpu", "type"),
            f"add clusters.{service.cluster_name}.gpuQuota.{gpu.type} to the Platform",
        )


SERVICE_RULES: tuple[ServiceRule, ...] = (check_mode, check_names, check_gpus)


def check_quota(
    services: Sequence[ResolvedService], jobs: Sequence[ResolvedJob]
) -> Iterator[Diagnostic]:
    """Services at their most replicas and running jobs share each cluster's GPU quota."""
    need: dict[tuple[str, str], int] = defaultdict(int)
    for job in jobs:
        if job.gpu_type_name is not None:
            need[(job.cluster_name, job.gpu_type_name)] += demand(job)
    for service in services:
        if service.gpu_type_name is not None:
            need[(service.cluster_name, service.gpu_type_name)] += service.gpu_demand
    for service in services:
        gpu = service.gpu_type_name
        quota = service.cluster.gpu_quota.get(gpu or "")
        total = need[(service.cluster_name, gpu or "")]
        if gpu is None or quota is None or total <= quota:
            continue
        yield _diagnostic(
            service,
            "MG396",
            f"cluster {service.cluster_name!r} allows {quota} {gpu} GPUs, but its jobs and "
            f"services together need {total} (this service {service.gpu_demand} at "
            f"{service.service.spec.replicas.max} replicas)",
            ("spec", "replicas", "max"),
            "lower replicas.max or gpu.count, or ask for a larger quota",
        )


def unique_services(
    services: Sequence[ResolvedService], jobs: Sequence[ResolvedJob]
) -> tuple[list[ResolvedService], list[Diagnostic]]:
    """The services whose name no job or earlier service of their namespace has (their
    objects would share its directory and names), and a diagnostic for each other."""
    taken = {(j.cluster_name, j.namespace, j.name): j.spec_path for j in jobs}
    kept: list[ResolvedService] = []
    problems: list[Diagnostic] = []
    for service in services:
        key = (service.cluster_name, service.namespace, service.name)
        if key in taken:
            problems.append(
                _diagnostic(
                    service,
                    "MG397",
                    f"name {service.name!r} is already used in namespace "
                    f"{service.namespace!r} on cluster {service.cluster_name!r}",
                    ("metadata", "name"),
                    f"first defined in {taken[key]}",
                )
            )
            continue
        taken[key] = service.spec_path
        kept.append(service)
    return kept, problems
