"""Gang scheduling on clusters whose scheduling system is Volcano or the coscheduling
plugin: every pod of a job scheduled together, or none.

The operators create the PodGroup themselves from the kind's scheduling policy (the
catalog row's `gang` path) once their gang scheduling is enabled, and set the pods'
schedulerName. manifestgen writes both out so the PodGroup is what the job needs:
`minAvailable` counts every pod the operator creates at once, CPU side pods (parameter
servers, chiefs, launchers) included, and leaves out a replica type the operator only
creates after the others are ready, which a PodGroup counting it would wait for for ever.

Kinds without a scheduling policy get their gang elsewhere: a TrainJob from its runtime
(expand/runtimes.py), a JobSet, Job or RayJob from a PodGroup manifestgen writes
(expand/pod_group.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from manifestgen.expand.volcano import volcano_queue
from manifestgen.kinds.catalog import ApiKind, pod_template_paths
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.scheduling import Scheduling

SCHEDULER_NAMES: Mapping[str, str] = {
    "volcano": "volcano",
    # The scheduler-plugins chart runs the coscheduling plugin as a second scheduler.
    "coscheduling": "scheduler-plugins-scheduler",
}

# (group, version, kind) -> (spec field, value, replica type created later): the MPI
# Operator creates the launcher only once every worker is ready (WaitForWorkersReady).
CREATED_LATER: Mapping[tuple[str, str, str], tuple[str, str, str]] = {
    ("kubeflow.org", "v2beta1", "MPIJob"): (
        "launcherCreationPolicy",
        "WaitForWorkersReady",
        "Launcher",
    ),
}


def gang_system(job: ResolvedJob) -> str | None:
    return cluster_gang_system(job.cluster.scheduling)


def cluster_gang_system(scheduling: Scheduling) -> str | None:
    """The gang scheduler of a cluster (volcano, coscheduling), or None."""
    return scheduling.system if scheduling.system in SCHEDULER_NAMES else None


def min_available(row: ApiKind, spec: Mapping[str, Any]) -> int:
    """Pods the operator creates together: the replicas of every replica spec, less a
    replica type it creates only after the others are ready."""
    later = CREATED_LATER.get(row.gvk)
    skip = later[2] if later is not None and spec.get(later[0]) == later[1] else None
    total = 0
    for path in pod_template_paths({"spec": spec}, row):
        replica_type, replica = path[-2], get_path({"spec": spec}, path[:-1])
        if replica_type != skip:
            total += int(replica.get("replicas", 1))
    return total


def get_path(obj: Any, path: tuple[str | int, ...]) -> Any:
    """The value at `path` (keys and list indices) inside `obj`."""
    for part in path:
        obj = obj[part]
    return obj


def with_gang(job: ResolvedJob, row: ApiKind, spec: dict[str, Any]) -> dict[str, Any]:
    """The training object's spec with its scheduling policy and the pods' scheduler,
    on a cluster that gang-schedules; unchanged elsewhere."""
    system = gang_system(job)
    if system is None or row.gang is None:
        return spec
    policy: dict[str, Any] = {"minAvailable": min_available(row, spec)}
    priority = job.priority
    if priority is not None:
        policy["priorityClass"] = priority
    queue = volcano_queue(job)
    if queue is not None:
        policy["queue"] = queue
    result: dict[str, Any] = copy_tree(spec)
    for path in pod_template_paths({"spec": result}, row):
        pod = get_path({"spec": result}, (*path, "spec"))
        pod["schedulerName"] = SCHEDULER_NAMES[system]
        pod_sorted = dict(sorted(pod.items()))
        pod.clear()
        pod.update(pod_sorted)
    holder = result
    for part in row.gang[:-1]:
        holder = holder.setdefault(part, {})
    holder[row.gang[-1]] = dict(sorted(policy.items()))
    holder_sorted = dict(sorted(holder.items()))
    holder.clear()
    holder.update(holder_sorted)
    return result


def copy_tree(value: Any) -> Any:
    """A copy of a tree of dicts and lists, to edit without touching the original."""
    if isinstance(value, dict):
        return {k: copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_tree(v) for v in value]
    return value
