"""The Platform's Kubeflow Trainer runtimes as ClusterTrainingRuntime objects.

A TrainJob's `runtimeRef` is immutable and the Trainer reads the runtime whenever it
(re)creates the job's JobSet, so editing a runtime in place would change running jobs
and let a restart come back different. Each runtime is therefore named after its
content, `<name>-<8 hex>`: an edit is a new object, jobs on the old one keep it, and
every TrainJob's name (a hash of its spec, runtimeRef included) changes with it.

The runtime holds only what the platform owns: the ML policy, the node count default,
the `node` job the Trainer fills in, and the pod settings no job may change. Each
job's own pod settings reach the pods through its TrainJob's `runtimePatches`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from manifestgen.errors import Diagnostic
from manifestgen.expand.labels import SYNC_OPTIONS, SYNC_WAVE, metadata, provenance
from manifestgen.expand.naming import content_name
from manifestgen.kinds.catalog import wave
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.render import layout
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.runtimes import TrainingRuntime

API_VERSION = "trainer.kubeflow.org/v1alpha1"
KIND = "ClusterTrainingRuntime"
# The Trainer fills in the container named `node` of the job labelled as the trainer step.
NODE = "node"
ANCESTOR_LABEL = "trainer.kubeflow.org/trainjob-ancestor-step"
FRAMEWORK_LABEL = "trainer.kubeflow.org/framework"
RUNTIME_LABEL = "manifestgen.io/runtime"
# Pruned after everything else of a sync: a TrainJob deleted in the same sync goes first.
PRUNE_LAST = "PruneLast=true"


def runtime_spec(runtime: TrainingRuntime) -> dict[str, Any]:
    """The ClusterTrainingRuntime spec; defaults the API server would add are written out,
    since a field the server adds inside a list is drift to Argo CD."""
    pod = {
        # Training code does not talk to the API server, and a runtime patch cannot set it.
        "automountServiceAccountToken": False,
        "containers": [{"image": runtime.image, "name": NODE}],
    }
    node_job = {
        "groupName": "default",
        "name": NODE,
        "replicas": 1,
        "template": {
            "metadata": {"labels": {ANCESTOR_LABEL: "trainer"}},
            "spec": {"template": {"spec": pod}},
        },
    }
    return {
        "mlPolicy": {"numNodes": runtime.num_nodes, runtime.ml_policy: {}},
        "template": {"spec": {"replicatedJobs": [node_job]}},
    }


def runtime_name(platform: Platform, name: str) -> str:
    """The ClusterTrainingRuntime name of the Platform runtime `name`."""
    return content_name(name, runtime_spec(platform.spec.runtimes[name]))


def runtime_object(platform: Parsed[Platform], name: str) -> dict[str, Any]:
    runtime = platform.model.spec.runtimes[name]
    written = platform.document.data["spec"]["runtimes"][name]
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": metadata(
            runtime_name(platform.model, name),
            labels={FRAMEWORK_LABEL: runtime.ml_policy, RUNTIME_LABEL: name},
            annotations={
                **provenance(platform.document.path, written),
                SYNC_WAVE: wave(API_VERSION, KIND),
                SYNC_OPTIONS: f"SkipDryRunOnMissingResource=true,{PRUNE_LAST}",
            },
        ),
        "spec": runtime_spec(runtime),
    }


def _referenced(manifests: Sequence[Manifest]) -> dict[tuple[str, str], Manifest]:
    """(cluster, runtime name) -> the first TrainJob naming it, for every TrainJob."""
    found: dict[tuple[str, str], Manifest] = {}
    for manifest in manifests:
        if manifest.kind != "TrainJob":
            continue
        ref = manifest.obj.get("spec", {}).get("runtimeRef")
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
    current = {runtime_name(platform.model, name): name for name in platform.model.spec.runtimes}
    result, problems = list(manifests), []
    for (cluster, name), job in sorted(_referenced(manifests).items()):
        if name in current:
            part = ("spec", "runtimes", current[name])
            obj: dict[str, Any] | None = runtime_object(platform, current[name])
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
