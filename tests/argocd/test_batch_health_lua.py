"""The JobSet and batch/v1 Job health checks, run by a real Lua 5.1 against the status
their controllers write in each state (conditions from jobset pkg/controllers and the
Kubernetes Job controller)."""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.kinds.catalog import BY_GVK
from tests.argocd.test_health_lua import ARGOCD_HEALTH, run_health


def _condition(kind: str, status: str = "True", message: str = "") -> dict[str, str]:
    return {"type": kind, "status": status, "reason": "Test", "message": message}


def _obj(
    api_version: str, kind: str, status: dict[str, Any] | None, suspend: bool = False
) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "t"}}
    obj["spec"] = {"suspend": True} if suspend else {}
    if status is not None:
        obj["status"] = status
    return obj


RUNNING_JOBS = {"replicatedJobsStatus": [{"name": "node", "active": 2, "ready": 2}]}
NOT_RESTARTING = _condition("RestartingJobSet", "False", "all jobs are ready")

JOBSET_CASES: dict[str, tuple[dict[str, Any] | None, tuple[str, str]]] = {
    "no-status": (None, ("Progressing", "Waiting for the JobSet controller")),
    "empty-status": ({}, ("Progressing", "Waiting for the JobSet controller")),
    "running": (
        {**RUNNING_JOBS, "conditions": [NOT_RESTARTING]},
        ("Progressing", "Running"),
    ),
    "running-after-restarts": (
        {**RUNNING_JOBS, "restarts": 2, "conditions": [NOT_RESTARTING]},
        ("Progressing", "Running after 2 restarts"),
    ),
    "restarting": (
        {"conditions": [_condition("RestartingJobSet", message="jobset is restarting")]},
        ("Progressing", "jobset is restarting"),
    ),
    "startup-in-order": (
        {"conditions": [_condition("StartupPolicyInProgress", message="in order startup")]},
        ("Progressing", "in order startup"),
    ),
    "suspended": (
        {"conditions": [_condition("Suspended", message="jobset is suspended")]},
        ("Suspended", "jobset is suspended"),
    ),
    # Kueue admitted it: Suspended turns False (reason ResumeJobs) and it runs.
    "resumed": (
        {**RUNNING_JOBS, "conditions": [_condition("Suspended", "False", "jobset is resumed")]},
        ("Progressing", "Running"),
    ),
    "completed": (
        {
            "terminalState": "Completed",
            "conditions": [_condition("Completed", message="jobset completed successfully")],
        },
        ("Healthy", "jobset completed successfully"),
    ),
    "failed": (
        {
            "terminalState": "Failed",
            "conditions": [
                _condition("Failed", message="jobset failed due to reaching max number of restarts")
            ],
        },
        ("Degraded", "jobset failed due to reaching max number of restarts"),
    ),
    "failed-without-message": (
        {"terminalState": "Failed", "conditions": []},
        ("Degraded", "JobSet failed"),
    ),
    # Failed wins over a Suspended condition listed before it.
    "failed-after-suspend": (
        {"conditions": [_condition("Suspended"), _condition("Failed", message="boom")]},
        ("Degraded", "boom"),
    ),
}

JOB_CASES: dict[str, tuple[dict[str, Any] | None, tuple[str, str]]] = {
    "no-status": (None, ("Progressing", "Waiting for the Job controller")),
    "pending": ({}, ("Progressing", "Waiting for the Job controller")),
    "running": ({"active": 4, "ready": 3}, ("Progressing", "3 of 4 pods ready")),
    "suspended": (
        {"conditions": [_condition("Suspended", message="Job suspended")]},
        ("Suspended", "Job suspended"),
    ),
    # Argo CD's built-in check calls this one Healthy while it runs.
    "resumed": (
        {"active": 2, "ready": 2, "conditions": [_condition("Suspended", "False", "Job resumed")]},
        ("Progressing", "2 of 2 pods ready"),
    ),
    "failure-target": (
        {
            "active": 1,
            "conditions": [_condition("FailureTarget", message="Container pytorch failed")],
        },
        ("Degraded", "Container pytorch failed"),
    ),
    "failed": (
        {"conditions": [_condition("FailureTarget"), _condition("Failed", message="BackoffLimit")]},
        ("Degraded", "BackoffLimit"),
    ),
    "success-criteria-met": (
        {"conditions": [_condition("SuccessCriteriaMet", message="Reached expected number")]},
        ("Healthy", "Reached expected number"),
    ),
    "complete": (
        {"conditions": [_condition("SuccessCriteriaMet"), _condition("Complete")]},
        ("Healthy", "Job completed"),
    ),
}


def _script(group: str, version: str, kind: str) -> str:
    script = BY_GVK[(group, version, kind)].health_script()
    assert script is not None
    return script


QUEUED = ("Suspended", "Suspended: waiting for its queue to admit it")


@pytest.mark.parametrize(
    ("api_version", "kind", "group", "version"),
    [
        ("jobset.x-k8s.io/v1alpha2", "JobSet", "jobset.x-k8s.io", "v1alpha2"),
        ("batch/v1", "Job", "batch", "v1"),
    ],
)
def test_created_suspended_reads_as_queued(
    api_version: str, kind: str, group: str, version: str
) -> None:
    script = _script(group, version, kind)
    health = run_health(script, _obj(api_version, kind, None, suspend=True))
    assert (health["status"], health["message"]) == QUEUED
    # Suspended by the spec, before the controller says so; a final state still wins.
    running = run_health(script, _obj(api_version, kind, {"active": 1}, suspend=True))
    assert running["status"] == "Suspended"
    done = "Completed" if kind == "JobSet" else "Complete"
    finished = {"conditions": [_condition(done, message="done")]}
    assert (
        run_health(script, _obj(api_version, kind, finished, suspend=True))["status"] == "Healthy"
    )


@pytest.mark.parametrize("case", sorted(JOBSET_CASES))
def test_jobset_health_in_each_state(case: str) -> None:
    status, expected = JOBSET_CASES[case]
    script = _script("jobset.x-k8s.io", "v1alpha2", "JobSet")
    health = run_health(script, _obj("jobset.x-k8s.io/v1alpha2", "JobSet", status))
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == expected


@pytest.mark.parametrize("case", sorted(JOB_CASES))
def test_job_health_in_each_state(case: str) -> None:
    status, expected = JOB_CASES[case]
    health = run_health(_script("batch", "v1", "Job"), _obj("batch/v1", "Job", status))
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == expected
