"""Everything one TrainingJob expands into inside its team's namespace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from manifestgen.errors import Diagnostic
from manifestgen.expand.api_limits import api_limit_problems
from manifestgen.expand.jobs import JOB_KINDS, JobKind
from manifestgen.expand.labels import (
    RETAINED,
    RUN_DIGEST_ANNOTATION,
    SYNC_OPTIONS,
    SYNC_WAVE,
    WAVE_JOB,
    WAVE_SUPPORT,
    job_labels,
    metadata,
    provenance,
)
from manifestgen.expand.manifest import Manifest, Origin
from manifestgen.expand.naming import (
    MAX_LABEL,
    content_name_length,
    job_object_name,
    run_digest,
    without_path,
)
from manifestgen.expand.pod import (
    POD_FIELD_MAP,
    checkpoint_claim_name,
    hyperparameter_data,
    hyperparameters_name,
)
from manifestgen.render import layout
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.storage import waits_for_consumer


def _annotations(job: ResolvedJob, wave: str, **extra: str) -> dict[str, str]:
    return {**provenance(job.spec_path, job.source.document.data), SYNC_WAVE: wave, **extra}


def _manifest(job: ResolvedJob, kind: str, obj: dict[str, Any], origin: Origin) -> Manifest:
    path = layout.job_object(job.cluster_name, job.namespace, job.name, kind)
    return Manifest(path=path, obj=obj, origin=origin)


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


def training_job_metadata(job: ResolvedJob, name: str) -> dict[str, Any]:
    """Metadata of the job object; also given to a job kept from the previous build."""
    return metadata(
        name,
        namespace=job.namespace,
        labels=job_labels(job.name, job.team_name),
        annotations=_annotations(
            job,
            WAVE_JOB,
            **{
                SYNC_OPTIONS: "SkipDryRunOnMissingResource=true",
                RUN_DIGEST_ANNOTATION: run_digest(job.source.document.data, RUN_DIGEST_LEAVES_OUT),
            },
        ),
    )


def training_job(job: ResolvedJob) -> Manifest | None:
    if job.job.spec.state == "Completed":
        # Never generated again, so neither a prune nor self-heal can make it train again.
        return None
    kind = JOB_KINDS[job.job.spec.framework]
    spec = kind.build_spec(job)
    # The hash covers what the pods will see, hyperparameters included, so any change
    # to a run becomes a new object instead of an immutable-field sync failure.
    name = job_object_name(job.name, spec, hyperparameter_data(job), kind.suspend_path)
    obj = {
        "apiVersion": kind.api_version,
        "kind": kind.kind,
        "metadata": training_job_metadata(job, name),
        "spec": set_suspended(spec, kind.suspend_path, job.job.spec.state == "Suspended"),
    }
    field_map = (
        (("spec",), ("spec",)),
        *(
            (pod_path + pod_part, spec_part)
            for pod_path in kind.pod_spec_paths(job)
            for pod_part, spec_part in POD_FIELD_MAP
        ),
    )
    return _manifest(job, kind.kind, obj, Origin(job.source.document, ("spec",), field_map))


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
            annotations=_annotations(job, WAVE_SUPPORT),
        ),
    }
    return _manifest(job, "ServiceAccount", obj, Origin(job.source.document, ("metadata", "name")))


def hyperparameters(job: ResolvedJob) -> Manifest | None:
    if not job.job.spec.hyperparameters:
        return None
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "data": hyperparameter_data(job),
        "metadata": metadata(
            hyperparameters_name(job),
            namespace=job.namespace,
            labels=job_labels(job.name, job.team_name),
            annotations=_annotations(job, WAVE_SUPPORT),
        ),
    }
    return _manifest(
        job, "ConfigMap", obj, Origin(job.source.document, ("spec", "hyperparameters"))
    )


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
    wave = WAVE_JOB if waits_for_consumer(job) else WAVE_SUPPORT
    obj = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata(
            checkpoint_claim_name(job),
            namespace=job.namespace,
            labels=job_labels(job.name, job.team_name),
            # Checkpoints outlive a deleted spec: Argo CD must never prune them.
            annotations=_annotations(job, wave, **RETAINED),
        ),
        "spec": spec,
    }
    return _manifest(
        job, "PersistentVolumeClaim", obj, Origin(job.source.document, ("spec", "checkpoints"))
    )


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
    for rule in job.job.spec.egress:
        entry: dict[str, Any] = {"to": [{"ipBlock": {"cidr": rule.cidr}}]}
        if rule.ports:
            entry["ports"] = [{"port": port, "protocol": rule.protocol} for port in rule.ports]
        egress.append(entry)
    obj = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(
            job.name,
            namespace=job.namespace,
            labels=job_labels(job.name, job.team_name),
            annotations=_annotations(job, WAVE_SUPPORT),
        ),
        "spec": {
            "egress": egress,
            "ingress": [{"from": [own_pods]}],
            "podSelector": own_pods["podSelector"],
            "policyTypes": ["Ingress", "Egress"],
        },
    }
    return _manifest(job, "NetworkPolicy", obj, Origin(job.source.document, ("spec", "egress")))


# Ordered table of what a job expands into; a new kind of object is a new row.
JOB_EXPANDERS: tuple[Callable[[ResolvedJob], Manifest | None], ...] = (
    training_job,
    service_account,
    hyperparameters,
    checkpoint_claim,
    network_policy,
)


def name_budget(job: ResolvedJob, kind: JobKind) -> Diagnostic | None:
    """Reject a name whose longest operator-derived child name would not fit in 63."""
    longest = max(kind.child_suffixes(job), key=len)
    length = content_name_length(job.name) + len(longest)
    if length <= MAX_LABEL:
        return None
    room = MAX_LABEL - (length - len(job.name))
    return Diagnostic(
        "MG222",
        f"name {job.name!r} is too long: the operator names a pod and Service "
        f"'{job.name}-<hash>{longest}' ({length} characters, at most {MAX_LABEL})",
        job.source.locate(("metadata", "name")),
        field="metadata.name",
        hint=f"use at most {room} characters",
    )


def expand_job(job: ResolvedJob) -> tuple[tuple[Manifest, ...], tuple[Diagnostic, ...]]:
    problems = api_limit_problems(job)
    budget = name_budget(job, JOB_KINDS[job.job.spec.framework])
    if budget is not None:
        problems.append(budget)
    if problems:
        return (), tuple(problems)
    manifests = (expander(job) for expander in JOB_EXPANDERS)
    return tuple(m for m in manifests if m is not None), ()
