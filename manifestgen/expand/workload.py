"""Everything one TrainingJob expands into inside its team's namespace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from manifestgen.errors import Diagnostic
from manifestgen.expand.api_limits import api_limit_problems
from manifestgen.expand.gang import with_gang
from manifestgen.expand.katib import EXPERIMENT, experiment_spec
from manifestgen.expand.kueue import queue_labels, queued
from manifestgen.expand.labels import (
    RETAINED,
    RUN_DIGEST_ANNOTATION,
    SYNC_OPTIONS,
    SYNC_WAVE,
    job_labels,
    metadata,
    provenance_of,
)
from manifestgen.expand.monitoring import pod_monitor, progress_rule, scrape_ingress
from manifestgen.expand.naming import job_object_name, run_digest, without_path
from manifestgen.expand.pod import (
    POD_FIELD_MAP,
    checkpoint_claim_name,
    hyperparameter_data,
    hyperparameters_name,
)
from manifestgen.expand.pod_group import check_tuned_gang, pod_group, with_pod_group
from manifestgen.kinds.catalog import WAVE_JOB, ApiKind, pod_spec_paths, wave
from manifestgen.kinds.names import MAX_CHILD_NAME, overlong_child
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.storage import waits_for_consumer
from manifestgen.workloads import workload_of


def _annotations(job: ResolvedJob, sync_wave: str, **extra: str) -> dict[str, str]:
    return {**provenance_of(job.spec_path, job.document_digest), SYNC_WAVE: sync_wave, **extra}


def _manifest(job: ResolvedJob, obj: dict[str, Any], origin: Origin) -> Manifest:
    return Manifest(obj, origin, Target(job.cluster_name, owner=job.name))


# Spec fields the job object does not reflect: changing them alone must not make a
# Platform change look like the job's own (see history/jobs.py).
RUN_DIGEST_LEAVES_OUT: tuple[tuple[str, ...], ...] = (
    ("spec", "state"),
    ("spec", "checkpoints", "size"),
    ("spec", "checkpoints", "storageClass"),
    ("spec", "checkpoints", "accessMode"),
    ("spec", "egress"),
)


def set_suspended(spec: dict[str, Any], path: tuple[str, ...], suspended: bool) -> dict[str, Any]:
    """The spec with the suspend flag at `path` set, or left out when running."""
    if not suspended:
        return without_path(spec, path)
    head, *rest = path
    inner = spec.get(head, {}) if rest else None
    value = set_suspended(inner, tuple(rest), True) if isinstance(inner, dict) else True
    return dict(sorted({**spec, head: value}.items()))


def suspended(job: ResolvedJob) -> bool:
    """The suspend flag of the job object. A queued job is created suspended, as Kueue's
    webhook would make it: Kueue unsuspends it when it admits it."""
    return job.job.spec.state == "Suspended" or queued(job)


def dequeued(job: ResolvedJob) -> bool:
    """A Suspended job under Kueue is not generated. Kueue resumes any suspended job it
    has admitted, and Argo CD must leave the suspend flag to Kueue, so the one way to
    stop a queued job from Git and give its quota back is to delete it; its claim,
    config and service account stay, and Running re-creates it (same name) in the queue."""
    return job.job.spec.state == "Suspended" and queued(job)


def training_job_metadata(job: ResolvedJob, name: str) -> dict[str, Any]:
    """Metadata of the job object; also given to a job kept from the previous build."""
    row = workload_of(job).kind
    return metadata(
        name,
        namespace=job.namespace,
        labels={**job_labels(job.name, job.team_name), **queue_labels(job)},
        annotations=_annotations(
            job,
            wave(row.api_version, row.kind),
            **{
                SYNC_OPTIONS: "SkipDryRunOnMissingResource=true",
                RUN_DIGEST_ANNOTATION: run_digest(job.source.document.data, RUN_DIGEST_LEAVES_OUT),
            },
        ),
    )


def training_object(job: ResolvedJob) -> dict[str, Any]:
    """The workload's training object, named by a hash of what its pods will see."""
    workload = workload_of(job)
    row = workload.kind
    suspend = row.suspend or ()
    spec = with_pod_group(job, row, with_gang(job, row, workload.build_spec(job)))
    # The hash covers what the pods will see, hyperparameters included, so any change
    # to a run becomes a new object instead of an immutable-field sync failure.
    name = job_object_name(job.name, spec, hyperparameter_data(job), suspend)
    if suspend:
        spec = set_suspended(spec, suspend, suspended(job))
    return {
        "apiVersion": row.api_version,
        "kind": row.kind,
        "metadata": training_job_metadata(job, name),
        "spec": spec,
    }


def emitted_kind(job: ResolvedJob) -> ApiKind:
    """The kind of the job's object: a tuned job's is a Katib Experiment."""
    return EXPERIMENT if job.job.spec.tuning is not None else workload_of(job).kind


def experiment_object(job: ResolvedJob, training: dict[str, Any]) -> dict[str, Any]:
    """A tuned job's Experiment, its trial template the training object; named, like the
    training object, by a hash of what every trial's pods will see."""
    spec = experiment_spec(job, training)
    name = job_object_name(job.name, spec, hyperparameter_data(job), ())
    return {
        "apiVersion": EXPERIMENT.api_version,
        "kind": EXPERIMENT.kind,
        "metadata": training_job_metadata(job, name),
        "spec": spec,
    }


def job_object(job: ResolvedJob) -> dict[str, Any]:
    """What the job emits: its training object, or for a tuned job the Experiment."""
    training = training_object(job)
    return experiment_object(job, training) if job.job.spec.tuning is not None else training


def training_job(job: ResolvedJob, obj: dict[str, Any] | None = None) -> Manifest | None:
    """The job object as a manifest; `obj` when the caller has built it already."""
    if job.job.spec.state == "Completed" or dequeued(job):
        # Never generated again, so neither a prune nor self-heal can make it train again.
        return None
    obj = obj or job_object(job)
    field_map = (
        (("spec",), ("spec",)),
        *(
            (pod_path + pod_part, spec_part)
            for pod_path in pod_spec_paths(obj, emitted_kind(job))
            for pod_part, spec_part in POD_FIELD_MAP
        ),
    )
    return _manifest(job, obj, Origin(job.source.document, ("spec",), field_map))


def service_account(job: ResolvedJob) -> Manifest:
    obj = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        # Training code does not talk to the API server; no token to steal.
        "automountServiceAccountToken": False,
        "metadata": metadata(
            job.name,
            namespace=job.namespace,
            labels=job_labels(job.name, job.team_name),
            annotations=_annotations(job, wave("v1", "ServiceAccount")),
        ),
    }
    return _manifest(job, obj, Origin(job.source.document, ("metadata", "name")))


def hyperparameters(job: ResolvedJob) -> Manifest | None:
    if not job.job.spec.fixed_hyperparameters:
        return None
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "data": hyperparameter_data(job),
        "metadata": metadata(
            hyperparameters_name(job),
            namespace=job.namespace,
            labels=job_labels(job.name, job.team_name),
            annotations=_annotations(job, wave("v1", "ConfigMap")),
        ),
    }
    return _manifest(job, obj, Origin(job.source.document, ("spec", "hyperparameters")))


def checkpoint_claim(job: ResolvedJob) -> Manifest | None:
    checkpoints = job.job.spec.checkpoints
    if checkpoints is None or job.checkpoint_access_mode is None:
        return None
    spec: dict[str, Any] = {
        "accessModes": [job.checkpoint_access_mode],
        "resources": {"requests": {"storage": checkpoints.size}},
    }
    if checkpoints.storage_class is not None:
        spec["storageClassName"] = checkpoints.storage_class
    # A WaitForFirstConsumer claim stays Pending until the job's pod exists: in the support
    # wave it would hold back every job of the cluster, so it goes with its job.
    claim_wave = WAVE_JOB if waits_for_consumer(job) else wave("v1", "PersistentVolumeClaim")
    obj = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata(
            checkpoint_claim_name(job),
            namespace=job.namespace,
            labels=job_labels(job.name, job.team_name),
            # Checkpoints outlive a deleted spec: Argo CD must never prune them.
            annotations=_annotations(job, claim_wave, **RETAINED),
        ),
        "spec": spec,
    }
    return _manifest(job, obj, Origin(job.source.document, ("spec", "checkpoints")))


# Katib's metrics collector runs beside each trial's primary container and reports the
# metrics to Katib's DB manager (Katib's manifests: namespace kubeflow, gRPC port 6789).
KATIB_NAMESPACE = "kubeflow"
KATIB_DB_MANAGER: dict[str, Any] = {
    "ports": [{"port": 6789, "protocol": "TCP"}],
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": KATIB_NAMESPACE}},
            "podSelector": {"matchLabels": {"katib.kubeflow.org/component": "db-manager"}},
        }
    ],
}


def network_policy(job: ResolvedJob) -> Manifest:
    own_pods = {"podSelector": {"matchLabels": {"manifestgen.io/job": job.name}}}
    dns = {
        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
        "to": [
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                },
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
    }
    egress: list[dict[str, Any]] = [{"to": [own_pods]}, dns]
    if job.job.spec.tuning is not None:
        egress.append(KATIB_DB_MANAGER)
    egress += workload_of(job).network_egress(job)
    for rule in job.job.spec.egress:
        entry: dict[str, Any] = {"to": [{"ipBlock": {"cidr": rule.cidr}}]}
        if rule.ports:
            entry["ports"] = [{"port": port, "protocol": rule.protocol} for port in rule.ports]
        egress.append(entry)
    ingress: list[dict[str, Any]] = [{"from": [own_pods]}]
    scrape = scrape_ingress(job)
    if scrape is not None:
        ingress.append(scrape)
    ingress += workload_of(job).network_ingress(job)
    obj = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(
            job.name,
            namespace=job.namespace,
            labels=job_labels(job.name, job.team_name),
            annotations=_annotations(job, wave("networking.k8s.io/v1", "NetworkPolicy")),
        ),
        "spec": {
            "egress": egress,
            "ingress": ingress,
            "podSelector": own_pods["podSelector"],
            "policyTypes": ["Ingress", "Egress"],
        },
    }
    return _manifest(job, obj, Origin(job.source.document, ("spec", "egress")))


# Ordered table of what a job expands into beside its training object; a new kind of
# object is a new row.
JOB_EXPANDERS: tuple[Callable[[ResolvedJob], Manifest | None], ...] = (
    service_account,
    hyperparameters,
    checkpoint_claim,
    network_policy,
    pod_monitor,
    progress_rule,
)


def name_budget(job: ResolvedJob, obj: dict[str, Any]) -> Diagnostic | None:
    """Reject a name whose longest operator-derived child name would not fit in 63.

    The rule is the one `verify` applies (kinds/names.py), on the object as built."""
    found = overlong_child(obj)
    if found is None:
        return None
    return Diagnostic(
        "MG222",
        f"name {job.name!r} is too long: the {found.kind} operator names {found.what} "
        f"{found.child!r} ({len(found.child)} characters, at most {MAX_CHILD_NAME})",
        job.source.locate(("metadata", "name")),
        field="metadata.name",
        hint=f"use at most {max(len(job.name) - found.excess, 1)} characters",
    )


def expand_job(job: ResolvedJob) -> tuple[tuple[Manifest, ...], tuple[Diagnostic, ...]]:
    problems = api_limit_problems(job)
    problems += check_tuned_gang(job, workload_of(job).kind)
    obj = job_object(job)
    budget = name_budget(job, obj)
    if budget is not None:
        problems.append(budget)
    if problems:
        return (), tuple(problems)
    training = training_job(job, obj)
    gang = pod_group(job, workload_of(job).kind, obj) if training is not None else None
    manifests = [training, gang, *(expander(job) for expander in JOB_EXPANDERS)]
    manifests += workload_of(job).extra_objects(job)
    return tuple(m for m in manifests if m is not None), ()
