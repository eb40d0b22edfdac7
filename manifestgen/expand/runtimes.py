"""The Platform's Kubeflow Trainer runtimes as ClusterTrainingRuntime objects.

A TrainJob's `runtimeRef` is immutable and the Trainer reads the runtime whenever it
(re)creates the job's JobSet, so editing a runtime in place would change running jobs
and let a restart come back different. Each runtime is therefore named after its
content, `<name>-<8 hex>`: an edit is a new object, jobs on the old one keep it, and
every TrainJob's name (a hash of its spec, runtimeRef included) changes with it.

The runtime holds only what the platform owns: the ML policy, the node count default,
the `node` job the Trainer fills in, and the pod settings no job may change. Each
job's own pod settings reach the pods through its TrainJob's `runtimePatches`.

On a cluster that gang-schedules, the runtime also carries the gang: its `podGroupPolicy`
makes the Trainer create one PodGroup per TrainJob (named after it, minMember the pods of
every replicated job, here the `numNodes` node pods) and label or annotate the pods with
it, but the Trainer does not set the pods' scheduler, and a runtime patch cannot: the pod
template here names it. A runtime object is therefore per cluster scheduler, which its
content name already tells apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from manifestgen.errors import Diagnostic
from manifestgen.expand.gang import SCHEDULER_NAMES, cluster_gang_system
from manifestgen.expand.labels import SYNC_OPTIONS, SYNC_WAVE, metadata, provenance
from manifestgen.expand.naming import content_name
from manifestgen.kinds.catalog import wave
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.render import layout
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.runtimes import Initializers, TrainingRuntime

API_VERSION = "trainer.kubeflow.org/v1alpha1"
KIND = "ClusterTrainingRuntime"
# The Trainer fills in the container named `node` of the job labelled as the trainer step.
NODE = "node"
# The Trainer's initializer jobs and containers (its constants DatasetInitializer and
# ModelInitializer); its webhook wants each container to mount the volume `initializer`,
# and the initializers write to /workspace/dataset and /workspace/model.
DATASET_INITIALIZER = "dataset-initializer"
MODEL_INITIALIZER = "model-initializer"
INITIALIZER_VOLUME = "initializer"
INITIALIZER_PATH = "/workspace"
ANCESTOR_LABEL = "trainer.kubeflow.org/trainjob-ancestor-step"
FRAMEWORK_LABEL = "trainer.kubeflow.org/framework"
RUNTIME_LABEL = "manifestgen.io/runtime"
# Pruned after everything else of a sync: a TrainJob deleted in the same sync goes first.
PRUNE_LAST = "PruneLast=true"
# The PodGroup the Trainer creates, by gang scheduler: written with the CRD's defaults
# (the coscheduling timeout is 60 s), which the API server would otherwise add.
POD_GROUP_POLICIES: dict[str, dict[str, Any]] = {
    "coscheduling": {"coscheduling": {"scheduleTimeoutSeconds": 60}},
    "volcano": {"volcano": {}},
}


def _replicated_job(
    name: str, step: str, container: dict[str, Any], gang: str | None
) -> dict[str, Any]:
    pod: dict[str, Any] = {
        # Training code does not talk to the API server, and a runtime patch cannot set it.
        "automountServiceAccountToken": False,
        "containers": [container],
    }
    if gang is not None:
        pod["schedulerName"] = SCHEDULER_NAMES[gang]
    return {
        "groupName": "default",
        "name": name,
        "replicas": 1,
        "template": {
            "metadata": {"labels": {ANCESTOR_LABEL: step}},
            "spec": {"template": {"spec": pod}},
        },
    }


def _initializer_jobs(initializers: Initializers, gang: str | None) -> list[dict[str, Any]]:
    """The Trainer's dataset and model initializer jobs. Their container resources live
    here because a runtime patch cannot set resources; the workspace volume each mounts
    comes from the job's patch (its own claim)."""
    amounts = {"cpu": initializers.cpu, "memory": initializers.memory}
    jobs = []
    for name, image in (
        (DATASET_INITIALIZER, initializers.dataset_image),
        (MODEL_INITIALIZER, initializers.model_image),
    ):
        container = {
            "image": image,
            "name": name,
            "resources": {"limits": dict(amounts), "requests": dict(amounts)},
            "volumeMounts": [{"mountPath": INITIALIZER_PATH, "name": INITIALIZER_VOLUME}],
        }
        jobs.append(_replicated_job(name, name, container, gang))
    return jobs


def runtime_spec(runtime: TrainingRuntime, gang: str | None = None) -> dict[str, Any]:
    """The ClusterTrainingRuntime spec on a cluster whose gang scheduler is `gang` (None:
    no gang); defaults the API server would add are written out, since a field the server
    adds inside a list is drift to Argo CD."""
    node_job = _replicated_job(NODE, "trainer", {"image": runtime.image, "name": NODE}, gang)
    jobs = [node_job]
    if runtime.initializers is not None:
        # The trainer starts once both downloads are complete, as in the Trainer's own
        # torchtune runtimes.
        node_job["dependsOn"] = [
            {"name": DATASET_INITIALIZER, "status": "Complete"},
            {"name": MODEL_INITIALIZER, "status": "Complete"},
        ]
        jobs = [*_initializer_jobs(runtime.initializers, gang), node_job]
    spec: dict[str, Any] = {
        "mlPolicy": {"numNodes": runtime.num_nodes, runtime.ml_policy: {}},
        "template": {"spec": {"replicatedJobs": jobs}},
    }
    if gang is not None:
        spec["podGroupPolicy"] = POD_GROUP_POLICIES[gang]
    return spec


def _cluster_spec(platform: Platform, name: str, cluster: str) -> dict[str, Any]:
    gang = cluster_gang_system(platform.spec.clusters[cluster].scheduling)
    return runtime_spec(platform.spec.runtimes[name], gang)


def framework_label(runtime: TrainingRuntime) -> str:
    # The label the Trainer's own runtimes carry (torch, jax, torchtune); the SDK lists by it.
    return "torchtune" if runtime.initializers is not None else runtime.ml_policy


def runtime_name(platform: Platform, name: str, cluster: str) -> str:
    """The ClusterTrainingRuntime name of the Platform runtime `name` on `cluster`."""
    return content_name(name, _cluster_spec(platform, name, cluster))


def runtime_object(platform: Parsed[Platform], name: str, cluster: str) -> dict[str, Any]:
    runtime = platform.model.spec.runtimes[name]
    written = platform.document.data["spec"]["runtimes"][name]
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": metadata(
            runtime_name(platform.model, name, cluster),
            labels={FRAMEWORK_LABEL: framework_label(runtime), RUNTIME_LABEL: name},
            annotations={
                **provenance(platform.document.path, written),
                SYNC_WAVE: wave(API_VERSION, KIND),
                SYNC_OPTIONS: f"SkipDryRunOnMissingResource=true,{PRUNE_LAST}",
            },
        ),
        "spec": _cluster_spec(platform.model, name, cluster),
    }


def _trainjob(manifest: Manifest) -> Mapping[str, Any] | None:
    """The TrainJob a manifest is or makes: a tuned job's Experiment creates one per trial
    from its trial template, which names the runtime like any TrainJob."""
    if manifest.kind == "TrainJob":
        return manifest.obj
    if manifest.kind == "Experiment":
        trial = manifest.obj.get("spec", {}).get("trialTemplate", {}).get("trialSpec")
        if isinstance(trial, Mapping) and trial.get("kind") == "TrainJob":
            return trial
    return None


def _referenced(manifests: Sequence[Manifest]) -> dict[tuple[str, str], Manifest]:
    """(cluster, runtime name) -> the first TrainJob (or TrainJob trial) naming it."""
    found: dict[tuple[str, str], Manifest] = {}
    for manifest in manifests:
        trainjob = _trainjob(manifest)
        if trainjob is None:
            continue
        ref = trainjob.get("spec", {}).get("runtimeRef")
        if isinstance(ref, dict) and manifest.target.cluster is not None:
            found.setdefault((manifest.target.cluster, str(ref.get("name"))), manifest)
    return found


def with_runtimes(
    platform: Parsed[Platform],
    manifests: Sequence[Manifest],
    previous: Callable[[str], dict[str, Any] | None],
) -> tuple[list[Manifest], list[Diagnostic]]:
    """The manifests and, in each cluster, every runtime a TrainJob there names.

    Runs after the previous build has been weighed: a TrainJob kept from it (a Platform
    change, history/jobs.py) names the runtime it was created with, which the Platform
    may since have replaced. That one is carried over from out/ (`previous`: an object
    by its out/ path), so a runtime is deleted only once no TrainJob names it.
    """
    result, problems = list(manifests), []
    for (cluster, name), job in sorted(_referenced(manifests).items()):
        current = {
            runtime_name(platform.model, runtime, cluster): runtime
            for runtime in platform.model.spec.runtimes
        }
        if name in current:
            part = ("spec", "runtimes", current[name])
            obj: dict[str, Any] | None = runtime_object(platform, current[name], cluster)
            origin = Origin(platform.document, part)
        else:
            obj = previous(layout.cluster_object(cluster, KIND, name))
            origin = Origin(job.origin.document, ("spec", "runtime"))
        if obj is None:
            problems.append(
                Diagnostic(
                    "MG305",
                    f"{job.kind} {job.name!r} names ClusterTrainingRuntime {name!r}, which "
                    "neither the Platform nor the previous build in out/ has",
                    job.origin.document.locate(("spec", "runtime")),
                    field="spec.runtime",
                    hint=f"build with `--recreate {job.target.owner}` to run it on the "
                    "Platform's current runtime",
                )
            )
            continue
        result.append(Manifest(obj, origin, Target(cluster)))
    return result, problems
