"""Do a team's jobs and served models fit its namespace quota? Counted on the objects they
expand into, the way quota admission counts the pods the operators make from them (an
InferenceService's predictor pods as serving/pods.py says KServe and Knative make them).

A pod's request of a resource is the larger of its containers' sum (restartable init
containers, i.e. sidecars, included) and its largest init container (plus the sidecars
started before it); a container without a cpu or memory value gets the LimitRange
default. Each pod template counts once per replica (an elastic PyTorchJob's Workers at
its maxReplicas). The Training Operator adds an `init-pytorch` container to the Workers
of a PyTorchJob that has a Master (50m/10Mi requested, 100m/20Mi limit).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from manifestgen.errors import Diagnostic
from manifestgen.expand.tenancy import quota_hard
from manifestgen.kinds.catalog import pod_template_paths, row_of
from manifestgen.manifest import Manifest
from manifestgen.serving.pods import predictor_pod
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.quantity import parse_quantity
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.tenancy import ContainerDefaults

if TYPE_CHECKING:
    from manifestgen.serving.resolve import ResolvedService  # (its models: only with services)

Usage = dict[str, Decimal]

PYTORCH_INIT = {
    "requests": {"cpu": "50m", "memory": "10Mi"},
    "limits": {"cpu": "100m", "memory": "20Mi"},
}


def _at(obj: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def _amounts(container: Mapping[str, Any], defaults: ContainerDefaults) -> Usage:
    """`requests.<r>` and `limits.<r>` of one container after API and LimitRange defaults."""
    resources = container.get("resources") or {}
    requests = dict(resources.get("requests") or {})
    limits = dict(resources.get("limits") or {})
    for name, value in limits.items():
        requests.setdefault(name, value)  # the API server defaults requests to limits
    for name in ("cpu", "memory"):
        default = getattr(defaults, name)
        limits.setdefault(name, default)
        requests.setdefault(name, default)
    usage = {f"requests.{k}": parse_quantity(str(v)) for k, v in requests.items()}
    usage |= {f"limits.{k}": parse_quantity(str(v)) for k, v in limits.items()}
    return usage


def _add(total: Usage, more: Mapping[str, Decimal], times: int = 1) -> None:
    for key, value in more.items():
        total[key] = total.get(key, Decimal(0)) + value * times


def pod_usage(pod_spec: Mapping[str, Any], defaults: ContainerDefaults) -> Usage:
    """What quota admission charges for one pod."""
    running: Usage = {}
    for container in pod_spec.get("containers", ()):
        _add(running, _amounts(container, defaults))
    sidecars: Usage = {}
    peak: Usage = {}
    for init in pod_spec.get("initContainers", ()):
        own = _amounts(init, defaults)
        if init.get("restartPolicy") == "Always":
            _add(sidecars, own)
            continue
        for key, value in own.items():
            peak[key] = max(peak.get(key, Decimal(0)), value + sidecars.get(key, Decimal(0)))
    _add(running, sidecars)
    return {k: max(running.get(k, Decimal(0)), peak.get(k, Decimal(0))) for k in running | peak}


def _replicas(obj: Any, path: Sequence[str | int]) -> int:
    # `replicas` and `parallelism` multiply on the way down: a Kubeflow replica spec's
    # replicas, a JobSet's replicated Jobs times each Job's parallelism, a Job's parallelism.
    count, node = 1, obj
    for part in path[:-1]:
        node = node[part]
        if isinstance(node, Mapping):
            count *= int(node.get("replicas", 1)) * int(node.get("parallelism", 1))
    elastic = obj.get("spec", {}).get("elasticPolicy") or {}
    if obj.get("kind") == "PyTorchJob" and path[-2] == "Worker" and "maxReplicas" in elastic:
        count = max(count, int(elastic["maxReplicas"]))
    return count


def _operator_init(obj: Mapping[str, Any], path: Sequence[str | int]) -> list[Any]:
    replica_specs = obj.get("spec", {}).get("pytorchReplicaSpecs", {})
    if obj.get("kind") == "PyTorchJob" and path[-2] == "Worker" and "Master" in replica_specs:
        return [{"name": "init-pytorch", "resources": PYTORCH_INIT}]
    return []


def object_usage(obj: Mapping[str, Any], defaults: ContainerDefaults) -> Usage:
    """Every pod one generated object makes, and the claim it is."""
    if obj.get("kind") == "PersistentVolumeClaim":
        storage = obj["spec"]["resources"]["requests"]["storage"]
        return {"persistentvolumeclaims": Decimal(1), "requests.storage": parse_quantity(storage)}
    if obj.get("kind") == "InferenceService":
        pod, replicas = predictor_pod(obj)
        return {k: v * replicas for k, v in pod_usage(pod, defaults).items()}
    row = row_of(obj)
    total: Usage = {}
    for path in pod_template_paths(obj, row) if row is not None else ():
        spec = dict(_at(obj, path)["spec"])
        spec["initContainers"] = [*_operator_init(obj, path), *spec.get("initContainers", ())]
        _add(total, pod_usage(spec, defaults), _replicas(obj, path))
    return total


@dataclass(frozen=True)
class JobUsage:
    job: ResolvedJob
    usage: Usage


def has_quota(job: ResolvedJob) -> bool:
    tenancy = job.team.tenancy
    return tenancy is not None and tenancy.quota_on(job.cluster_name) is not None


def job_usage(job: ResolvedJob, manifests: Iterable[Manifest]) -> JobUsage:
    defaults = job.team.tenancy.container_defaults if job.team.tenancy else ContainerDefaults()
    total: Usage = {}
    for manifest in manifests:
        _add(total, object_usage(manifest.obj, defaults))
    return JobUsage(job, total)


@dataclass(frozen=True)
class ServiceUsage:
    service: ResolvedService
    usage: Usage


def service_has_quota(service: ResolvedService) -> bool:
    tenancy = service.team.tenancy
    return tenancy is not None and tenancy.quota_on(service.cluster_name) is not None


def service_usage(service: ResolvedService, manifests: Iterable[Manifest]) -> ServiceUsage:
    tenancy = service.team.tenancy
    defaults = tenancy.container_defaults if tenancy else ContainerDefaults()
    total: Usage = {}
    for manifest in manifests:
        _add(total, object_usage(manifest.obj, defaults))
    return ServiceUsage(service, total)


# The spec field that asks for each quota resource, in a TrainingJob and a ModelService.
_FIELDS = {
    "persistentvolumeclaims": ("spec", "checkpoints"),
    "requests.storage": ("spec", "checkpoints", "size"),
    "requests.cpu": ("spec", "resources", "cpu"),
    "limits.cpu": ("spec", "resources", "cpu"),
    "requests.memory": ("spec", "resources", "memory"),
    "limits.memory": ("spec", "resources", "memory"),
}
_SERVICE_FIELDS = {
    "requests.cpu": ("spec", "resources", "cpu"),
    "limits.cpu": ("spec", "resources", "cpu"),
    "requests.memory": ("spec", "resources", "memory"),
    "limits.memory": ("spec", "resources", "memory"),
}


def _show(resource: str, value: Decimal) -> str:
    if resource.endswith((".memory", ".storage")):
        gib = value / 2**30
        if gib == gib.quantize(Decimal("0.001")):
            return f"{gib.normalize():f}Gi"
        mib = value / 2**20
        return f"{mib.normalize():f}Mi" if mib == mib.to_integral_value() else f"{value:f}"
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class _Ask:
    """What one job or service asks of one quota resource, and the spec line that asks."""

    name: str
    source: Parsed[Any]
    field: tuple[str, ...]
    value: Decimal
    # A service's predictor pods at replicas.max, to show what one pod asks.
    pods: int = 0

    @property
    def shown(self) -> tuple[str, str, Decimal]:
        return (self.name, self.source.document.path, self.value)


@dataclass(frozen=True)
class _Excess:
    """A resource the quota cannot hold: the jobs alone (MG370), or the jobs and the
    services together (MG361)."""

    code: str
    jobs: tuple[_Ask, ...]
    services: tuple[_Ask, ...]

    def same_as(self, other: _Excess) -> bool:
        return (self.code, [a.shown for a in self.jobs], [a.shown for a in self.services]) == (
            other.code,
            [a.shown for a in other.jobs],
            [a.shown for a in other.services],
        )


def _ask(resource: str, member: JobUsage | ServiceUsage, value: Decimal) -> _Ask:
    if isinstance(member, JobUsage):
        field = _FIELDS.get(resource, ("spec", "gpu", "perNode"))
        return _Ask(member.job.name, member.job.source, field, value)
    field = _SERVICE_FIELDS.get(resource, ("spec", "gpu", "count"))
    pods = member.service.service.spec.replicas.max
    return _Ask(member.service.name, member.service.source, field, value, pods)


def _asks(resource: str, members: Sequence[JobUsage | ServiceUsage]) -> tuple[_Ask, ...]:
    found = [_ask(resource, m, m.usage[resource]) for m in members if m.usage.get(resource, 0) > 0]
    return tuple(sorted(found, key=lambda a: (a.name, a.source.document.path)))


def _total(asks: Iterable[_Ask]) -> Decimal:
    return sum((a.value for a in asks), Decimal(0))


def _excess(
    resource: str, most: Decimal, jobs: Sequence[JobUsage], services: Sequence[ServiceUsage]
) -> _Excess | None:
    job_asks = _asks(resource, jobs)
    if _total(job_asks) > most:
        return _Excess("MG370", job_asks, ())
    service_asks = _asks(resource, services)
    if _total(job_asks) + _total(service_asks) > most:
        return _Excess("MG361", job_asks, service_asks)
    return None


def _merged_into_requests(
    resource: str, hard: Mapping[str, str], found: Mapping[str, _Excess | None]
) -> bool:
    """A limits.<r> excess said by its requests.<r> twin: the same quota, the same asks."""
    if not resource.startswith("limits."):
        return False
    twin = "requests." + resource.removeprefix("limits.")
    mine, theirs = found[resource], found.get(twin)
    return (
        hard.get(twin) == hard[resource]
        and mine is not None
        and theirs is not None
        and mine.same_as(theirs)
    )


_Members = tuple[list[JobUsage], list[ServiceUsage]]


def _by_namespace(
    used: Sequence[JobUsage], served: Sequence[ServiceUsage]
) -> dict[tuple[str, str], _Members]:
    groups: dict[tuple[str, str], _Members] = {}
    for entry in used:
        groups.setdefault((entry.job.team_name, entry.job.cluster_name), ([], []))[0].append(entry)
    for item in served:
        key = (item.service.team_name, item.service.cluster_name)
        groups.setdefault(key, ([], []))[1].append(item)
    return groups


def check_team_quotas(
    platform: Parsed[Platform], used: Sequence[JobUsage], served: Sequence[ServiceUsage] = ()
) -> Iterator[Diagnostic]:
    """An error at every job (and service) of a team whose pods and claims together ask a
    cluster's namespace quota for more than it holds: quota admission would refuse them.

    Jobs over the quota on their own are MG370, at the jobs; jobs that fit only until the
    services' predictor pods are added are MG361, at both. One resource, one error."""
    for (team_name, cluster), (jobs, services) in sorted(_by_namespace(used, served).items()):
        tenancy = platform.model.spec.teams[team_name].tenancy
        quota = tenancy.quota_on(cluster) if tenancy else None
        if quota is None:
            continue
        hard = quota_hard(quota)
        found = {r: _excess(r, parse_quantity(v), jobs, services) for r, v in hard.items()}
        for resource, excess in found.items():
            if excess is None or _merged_into_requests(resource, hard, found):
                continue
            limits = "limits." + resource.removeprefix("requests.")
            twin = limits in hard and _merged_into_requests(limits, hard, found)
            named = f"{resource} (and {limits})" if twin else resource
            where = _Where(platform, team_name, cluster, named, hard[resource])
            yield from _report(where, resource, excess)


@dataclass(frozen=True)
class _Where:
    platform: Parsed[Platform]
    team_name: str
    cluster: str
    named: str
    hard: str

    def holds(self) -> str:
        team = self.platform.model.spec.teams[self.team_name]
        return (
            f"team {self.team_name!r} may hold {self.named} {self.hard} in namespace "
            f"{team.namespace!r} on cluster {self.cluster!r}"
        )

    def quota_field(self) -> str:
        tenancy = self.platform.model.spec.teams[self.team_name].tenancy
        assert tenancy is not None
        return ".".join(("teams", self.team_name, *tenancy.quota_path(self.cluster)))


def _share(resource: str, ask: _Ask) -> str:
    if ask.pods <= 1:
        return f"{ask.name} ({_show(resource, ask.value)})"
    each = _show(resource, ask.value / ask.pods)
    return f"{ask.name} ({_show(resource, ask.value)}: {ask.pods} pods of {each})"


def _parts(resource: str, asks: Sequence[_Ask]) -> str:
    return ", ".join(_share(resource, a) for a in asks)


def _report(where: _Where, resource: str, excess: _Excess) -> Iterator[Diagnostic]:
    jobs, services = excess.jobs, excess.services
    total = _show(resource, _total(jobs) + _total(services))
    if excess.code == "MG370":
        message = (
            f"{where.holds()}, but its jobs ask for {total} together: {_parts(resource, jobs)}"
        )
        hint = "quota admission would refuse the pods or claims over it; ask less"
    else:
        served = _show(resource, _total(services))
        serving = (
            f"its services at their most replicas ask for {served} ({_parts(resource, services)})"
        )
        if jobs:
            peak = _show(resource, _total(jobs))
            asking = (
                f"its jobs at their peak ask for {peak} ({_parts(resource, jobs)}) and {serving}"
            )
            message = f"{where.holds()}, but {asking}: {total} together"
        else:
            message = f"{where.holds()}, but {serving}"
        hint = (
            "quota admission counts every predictor pod (with KServe's storage-initializer "
            "and Knative's queue-proxy) beside the jobs' pods; lower replicas.max, "
            "resources or the jobs' asks"
        )
    for ask in (*jobs, *services):
        yield Diagnostic(
            excess.code,
            message,
            ask.source.locate(ask.field),
            field=".".join(ask.field),
            hint=f"{hint}, or raise {where.quota_field()}",
        )
