"""Kubeflow Training Operator v1 PyTorchJob."""

from __future__ import annotations

from typing import Any

from manifestgen.expand.jobs.base import JobKind
from manifestgen.expand.pod import pod_template
from manifestgen.spec.resolve import ResolvedJob

CONTAINER = "pytorch"  # the operator finds the training container by this name


def _restart_policy(job: ResolvedJob) -> str:
    # On spot, SIGTERM/SIGKILL from a reclaimed node (exit 130/137/143) should restart the
    # replica, while a real bug (exit 1) should not: that is what ExitCode does.
    return "ExitCode" if job.job.spec.capacity_type == "spot" else "OnFailure"


def _replica(job: ResolvedJob, replicas: int) -> dict[str, Any]:
    return {
        "replicas": replicas,
        "restartPolicy": _restart_policy(job),
        "template": pod_template(job, CONTAINER),
    }


def _replica_types(job: ResolvedJob) -> tuple[str, ...]:
    if job.job.spec.elastic is not None:
        # Elastic jobs rendezvous through c10d among equal workers; there is no master.
        return ("Worker",)
    return ("Master", "Worker") if job.job.spec.nodes > 1 else ("Master",)


def _replica_specs(job: ResolvedJob) -> dict[str, Any]:
    nodes = job.job.spec.nodes
    workers = nodes if job.job.spec.elastic is not None else nodes - 1
    counts = {"Master": 1, "Worker": workers}
    return {replica: _replica(job, counts[replica]) for replica in _replica_types(job)}


def _run_policy(job: ResolvedJob) -> dict[str, Any]:
    policy = job.run_policy
    run: dict[str, Any] = {
        "backoffLimit": policy.backoff_limit,
        "cleanPodPolicy": policy.clean_pod_policy,
    }
    if policy.active_deadline_seconds is not None:
        run["activeDeadlineSeconds"] = policy.active_deadline_seconds
    if policy.ttl_seconds_after_finished is not None:
        run["ttlSecondsAfterFinished"] = policy.ttl_seconds_after_finished
    return dict(sorted(run.items()))


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    spec: dict[str, Any] = {
        # A string in the CRD ("auto", "gpu" or a number); we always give the exact count.
        "nprocPerNode": str(job.processes_per_node),
        "pytorchReplicaSpecs": _replica_specs(job),
        "runPolicy": _run_policy(job),
    }
    elastic = job.job.spec.elastic
    if elastic is not None:
        spec["elasticPolicy"] = {
            "maxReplicas": elastic.max_nodes,
            "maxRestarts": elastic.max_restarts,
            "minReplicas": elastic.min_nodes,
            "rdzvBackend": "c10d",
        }
    return dict(sorted(spec.items()))


def child_suffixes(job: ResolvedJob) -> tuple[str, ...]:
    # Pods and their headless Services are <job>-master-0 and <job>-worker-<i>.
    return ("-master-0", f"-worker-{max(job.max_nodes - 1, 0)}")


def pod_spec_paths(job: ResolvedJob) -> tuple[tuple[str | int, ...], ...]:
    return tuple(
        ("spec", "pytorchReplicaSpecs", replica, "template", "spec")
        for replica in _replica_types(job)
    )


PYTORCH = JobKind(
    framework="pytorch",
    api_version="kubeflow.org/v1",
    kind="PyTorchJob",
    build_spec=build_spec,
    child_suffixes=child_suffixes,
    pod_spec_paths=pod_spec_paths,
)
