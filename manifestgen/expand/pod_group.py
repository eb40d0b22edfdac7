"""Gang scheduling of the kinds no operator makes a PodGroup for: JobSet, the plain
Indexed Job and RayJob. manifestgen writes the PodGroup itself, beside the job, and
points every pod of the gang at it.

Left alone, Volcano's controller gives the pods of each owner *Job* a PodGroup of one
member (none at all for a RayJob's pods), so a JobSet's slices and a Job's indices
start one by one; the coscheduling plugin gangs only pods labelled with a PodGroup.
The PodGroup is named after the job, counts every pod created together (`minMember`:
all replicas of every replicated Job; head and workers of a RayJob, not its submitter,
which KubeRay creates only once the cluster is ready), and names the job's Volcano
queue and priority. It carries no minResources: Volcano would keep reserving them in
the queue after the job's pods are gone, and the queue fit is checked at build
(MG346). The schedulers write only the PodGroup's status, which Argo CD does not
compare; it has no health check, so it never holds back its wave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from manifestgen.errors import Diagnostic
from manifestgen.expand.gang import SCHEDULER_NAMES, copy_tree, gang_system, get_path
from manifestgen.expand.labels import SYNC_WAVE, job_labels, metadata, provenance_of
from manifestgen.expand.volcano import VOLCANO_SCHEDULING, volcano_queue
from manifestgen.kinds.catalog import ApiKind, GroupVersionKind, pod_template_paths, wave
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.spec.resolve import ResolvedJob

COSCHEDULING = "scheduling.x-k8s.io/v1alpha1"
POD_GROUP_API: Mapping[str, str] = {"volcano": VOLCANO_SCHEDULING, "coscheduling": COSCHEDULING}
# How a pod names its PodGroup: Volcano reads an annotation, the coscheduling plugin a label.
VOLCANO_GROUP_ANNOTATION = "scheduling.k8s.io/group-name"
COSCHEDULING_GROUP_LABEL = "scheduling.x-k8s.io/pod-group"
# Volcano's own default queue, written out: its CRD defaults an empty queue to it.
DEFAULT_QUEUE = "default"

Path = tuple[str | int, ...]


def _job_pods(obj: Mapping[str, Any], path: Path) -> int:
    """A Job runs `parallelism` pods at once (its indices, for an Indexed Job)."""
    return int(get_path(obj, path[:-1]).get("parallelism", 1))


def _jobset_pods(obj: Mapping[str, Any], path: Path) -> int:
    """A replicated Job: `replicas` Jobs of `parallelism` pods each, all created at once."""
    replicated = get_path(obj, path[:-3])
    return int(replicated.get("replicas", 1)) * _job_pods(obj, path)


def _ray_pods(obj: Mapping[str, Any], path: Path) -> int:
    """The head is one pod, a worker group `replicas` times `numOfHosts`; the submitter
    comes only once the cluster is ready, so a gang counting it would never fill."""
    if "submitterPodTemplate" in path:
        return 0
    if "workerGroupSpecs" not in path:
        return 1
    group = get_path(obj, path[:-1])
    return int(group.get("replicas", 1)) * int(group.get("numOfHosts", 1))


# The kinds whose gang is a PodGroup of ours: how many pods each pod template makes.
POD_COUNTS: Mapping[GroupVersionKind, Callable[[Mapping[str, Any], Path], int]] = {
    ("batch", "v1", "Job"): _job_pods,
    ("jobset.x-k8s.io", "v1alpha2", "JobSet"): _jobset_pods,
    ("ray.io", "v1", "RayJob"): _ray_pods,
}


def _gang_templates(row: ApiKind, obj: Mapping[str, Any]) -> Iterator[tuple[Path, int]]:
    count = POD_COUNTS[row.gvk]
    for path in pod_template_paths(obj, row):
        pods = count(obj, path)
        if pods:
            yield path, pods


def writes_pod_group(job: ResolvedJob, row: ApiKind) -> bool:
    """Whether the job's gang is a PodGroup manifestgen writes (a tuned job's trials
    are refused on gang clusters: MG315)."""
    return gang_system(job) is not None and row.gvk in POD_COUNTS and job.job.spec.tuning is None


def min_member(row: ApiKind, spec: Mapping[str, Any]) -> int:
    """Pods created together: every pod of the gang's templates."""
    return sum(pods for _, pods in _gang_templates(row, {"spec": spec}))


def with_pod_group(job: ResolvedJob, row: ApiKind, spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with every pod of the gang naming the scheduler and the job's PodGroup,
    on a gang cluster; unchanged elsewhere or for kinds whose operator makes the group."""
    system = gang_system(job)
    if system is None or not writes_pod_group(job, row):
        return spec
    result = {"spec": copy_tree(spec)}
    for path, _ in list(_gang_templates(row, result)):
        template = get_path(result, path)
        meta = template.setdefault("metadata", {})
        key = "annotations" if system == "volcano" else "labels"
        name = VOLCANO_GROUP_ANNOTATION if system == "volcano" else COSCHEDULING_GROUP_LABEL
        meta[key] = dict(sorted({**meta.get(key, {}), name: job.name}.items()))
        template["metadata"] = dict(sorted(meta.items()))
        pod = template["spec"]
        template["spec"] = dict(sorted({**pod, "schedulerName": SCHEDULER_NAMES[system]}.items()))
        get_path(result, path[:-1])[path[-1]] = dict(sorted(template.items()))
    out: dict[str, Any] = result["spec"]
    return out


def _spec(job: ResolvedJob, system: str, members: int) -> dict[str, Any]:
    spec: dict[str, Any] = {"minMember": members}
    if system != "volcano":
        return spec
    spec["queue"] = volcano_queue(job) or DEFAULT_QUEUE
    priority = job.priority
    if priority is not None:
        spec["priorityClassName"] = priority
    return dict(sorted(spec.items()))


def pod_group(job: ResolvedJob, row: ApiKind, training: Mapping[str, Any]) -> Manifest | None:
    """The PodGroup of the job's gang, from its training object as built."""
    system = gang_system(job)
    if system is None or not writes_pod_group(job, row):
        return None
    api_version = POD_GROUP_API[system]
    obj = {
        "apiVersion": api_version,
        "kind": "PodGroup",
        "metadata": metadata(
            job.name,
            namespace=job.namespace,
            labels=job_labels(job.name, job.team_name),
            annotations={
                **provenance_of(job.spec_path, job.document_digest),
                SYNC_WAVE: wave(api_version, "PodGroup"),
            },
        ),
        "spec": _spec(job, system, min_member(row, training["spec"])),
    }
    origin = Origin(job.source.document, ("spec", "nodes"))
    return Manifest(obj, origin, Target(job.cluster_name, owner=job.name))


def check_tuned_gang(job: ResolvedJob, row: ApiKind) -> Iterator[Diagnostic]:
    """Katib makes each trial a new Job or JobSet from one template: one PodGroup named
    in it would gang every trial together, and no trial can have one written ahead."""
    system = gang_system(job)
    if system is None or row.gvk not in POD_COUNTS or job.job.spec.tuning is None:
        return
    yield Diagnostic(
        "MG315",
        f"cluster {job.cluster_name!r} gang-schedules with {system}, but the trials of a "
        f"tuned {row.kind} cannot each have a PodGroup: they would be placed pod by pod",
        job.source.locate(("spec", "tuning")),
        field="spec.tuning",
        hint="tune it as framework: pytorch (the operator makes each trial's PodGroup), or "
        "on a cluster without a gang scheduler",
    )
