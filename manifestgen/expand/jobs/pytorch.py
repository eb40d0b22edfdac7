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


def _workers_only(job: ResolvedJob) -> bool:
    # With a Master beside Workers the operator injects an `init-pytorch` init container
    # (alpine, no securityContext) into every Worker pod, which the restricted Pod
    # Security level rejects. Multi-node jobs therefore run as equal Workers that meet
    # through torchrun's c10d rendezvous on worker 0, as elastic jobs always have.
    return job.job.spec.elastic is not None or job.job.spec.nodes > 1


def _replica_types(job: ResolvedJob) -> tuple[str, ...]:
    return ("Worker",) if _workers_only(job) else ("Master",)


def _replica_specs(job: ResolvedJob) -> dict[str, Any]:
    return {
        replica: _replica(job, job.job.spec.nodes if replica == "Worker" else 1)
        for replica in _replica_types(job)
    }


def _elastic_policy(job: ResolvedJob) -> dict[str, Any] | None:
    elastic, nodes = job.job.spec.elastic, job.job.spec.nodes
    if elastic is not None:
        return {
            "maxReplicas": elastic.max_nodes,
            "maxRestarts": elastic.max_restarts,
            "minReplicas": elastic.min_nodes,
            "rdzvBackend": "c10d",
        }
    if nodes > 1:
        # A fixed size: torchrun waits for exactly `nodes` members.
        return {"maxReplicas": nodes, "minReplicas": nodes, "rdzvBackend": "c10d"}
    return None


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
    elastic = _elastic_policy(job)
    if elastic is not None:
        spec["elasticPolicy"] = elastic
    return dict(sorted(spec.items()))


def child_suffixes(job: ResolvedJob) -> tuple[str, ...]:
    # Pods and their headless Services are <job>-master-0 or <job>-worker-<i>.
    if _workers_only(job):
        return (f"-worker-{max(job.max_nodes - 1, 0)}",)
    return ("-master-0",)


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
