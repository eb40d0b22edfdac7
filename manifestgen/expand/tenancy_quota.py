"""Do a team's jobs fit its namespace quota? Counted on the objects the jobs expand into,
the way quota admission counts the pods the operators make from them.

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
from typing import Any

from manifestgen.errors import Diagnostic
from manifestgen.expand.tenancy import quota_hard
from manifestgen.kinds.catalog import pod_template_paths, row_of
from manifestgen.manifest import Manifest
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.quantity import parse_quantity
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.tenancy import ContainerDefaults

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


# The spec field that asks for each quota resource.
_FIELDS = {
    "persistentvolumeclaims": ("spec", "checkpoints"),
    "requests.storage": ("spec", "checkpoints", "size"),
    "requests.cpu": ("spec", "resources", "cpu"),
    "limits.cpu": ("spec", "resources", "cpu"),
    "requests.memory": ("spec", "resources", "memory"),
    "limits.memory": ("spec", "resources", "memory"),
}


def _show(resource: str, value: Decimal) -> str:
    if resource.endswith((".memory", ".storage")):
        gib = value / 2**30
        return f"{gib.normalize():f}Gi" if gib == gib.to_integral_value() else f"{value:f}"
    return f"{value.normalize():f}"


def check_team_quotas(platform: Parsed[Platform], used: Sequence[JobUsage]) -> Iterator[Diagnostic]:
    """An error at every job of a team whose jobs together ask a cluster's namespace
    quota for more than it holds: quota admission would refuse their pods or claims."""
    groups: dict[tuple[str, str], list[JobUsage]] = {}
    for entry in used:
        groups.setdefault((entry.job.team_name, entry.job.cluster_name), []).append(entry)
    for (team_name, cluster), members in sorted(groups.items()):
        tenancy = platform.model.spec.teams[team_name].tenancy
        quota = tenancy.quota_on(cluster) if tenancy else None
        if tenancy is None or quota is None:
            continue
        hard = quota_hard(quota)
        for resource, most in hard.items():
            if _same_as_requests(resource, hard, members):
                continue  # requests = limits: one error says both
            limits = "limits." + resource.removeprefix("requests.")
            twin = limits in hard and _same_as_requests(limits, hard, members)
            named = f"{resource} (and {limits})" if twin else resource
            yield from _over(platform, team_name, cluster, (resource, named), most, members)


def _same_as_requests(resource: str, hard: Mapping[str, str], members: Sequence[JobUsage]) -> bool:
    if not resource.startswith("limits."):
        return False
    twin = "requests." + resource.removeprefix("limits.")
    return hard.get(twin) == hard[resource] and all(
        m.usage.get(twin) == m.usage.get(resource) for m in members
    )


def _over(
    platform: Parsed[Platform],
    team_name: str,
    cluster: str,
    resource_named: tuple[str, str],
    hard: str,
    members: Sequence[JobUsage],
) -> Iterator[Diagnostic]:
    resource, named = resource_named
    asking = sorted(
        ((m.job, m.usage[resource]) for m in members if m.usage.get(resource, 0) > 0),
        key=lambda pair: (pair[0].name, pair[0].spec_path),
    )
    total = sum((value for _, value in asking), Decimal(0))
    if total <= parse_quantity(hard):
        return
    team = platform.model.spec.teams[team_name]
    assert team.tenancy is not None
    where = ".".join(("teams", team_name, *team.tenancy.quota_path(cluster)))
    parts = ", ".join(f"{job.name} ({_show(resource, value)})" for job, value in asking)
    field = _FIELDS.get(resource, ("spec", "gpu", "perNode"))
    for job, _ in asking:
        yield Diagnostic(
            "MG370",
            f"team {team_name!r} may hold {named} {hard} in namespace "
            f"{team.namespace!r} on cluster {cluster!r}, but its jobs ask for "
            f"{_show(resource, total)} together: {parts}",
            job.source.locate(field),
            field=".".join(field),
            hint=f"quota admission would refuse the pods or claims over it; ask less, "
            f"or raise {where}",
        )
