"""The run policy every Kubeflow job kind shares (Training Operator v1 and MPI v2beta1)."""

from __future__ import annotations

from typing import Any

from manifestgen.spec.resolve import ResolvedJob

# The Training Operator v1 labels each pod with its replica type, lower case.
REPLICA_TYPE_LABEL = "training.kubeflow.org/replica-type"


def run_policy(job: ResolvedJob) -> dict[str, Any]:
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


def restart_policy(job: ResolvedJob) -> str:
    # On spot, SIGTERM/SIGKILL from a reclaimed node (exit 130/137/143) should restart the
    # replica, while a real bug (exit 1) should not: that is what ExitCode does.
    return "ExitCode" if job.job.spec.capacity_type == "spot" else "OnFailure"
