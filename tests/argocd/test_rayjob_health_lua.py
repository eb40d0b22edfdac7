"""The RayJob health check, run by a real Lua 5.1 against every status KubeRay (v1.7) writes:
jobDeploymentStatus (the RayJob's life) with jobStatus (the Ray job's)."""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.kinds.catalog import BY_GVK
from tests.argocd.test_health_lua import ARGOCD_HEALTH, run_health

ROW = BY_GVK[("ray.io", "v1", "RayJob")]

# (status or None) -> (health, message)
CASES: dict[str, tuple[dict[str, Any] | None, tuple[str, str]]] = {
    "no-status": (None, ("Progressing", "Waiting for the RayCluster")),
    "new": ({}, ("Progressing", "Waiting for the RayCluster")),
    "initializing": (
        {"jobDeploymentStatus": "Initializing"},
        ("Progressing", "Initializing"),
    ),
    "waiting": ({"jobDeploymentStatus": "Waiting"}, ("Progressing", "Waiting")),
    "running-pending": (
        {"jobDeploymentStatus": "Running", "jobStatus": "PENDING"},
        ("Progressing", "Running: Ray job PENDING"),
    ),
    "running": (
        {"jobDeploymentStatus": "Running", "jobStatus": "RUNNING", "message": ""},
        ("Progressing", "Running: Ray job RUNNING"),
    ),
    "retrying": (
        {"jobDeploymentStatus": "Retrying", "jobStatus": "FAILED"},
        ("Progressing", "Retrying: Ray job FAILED"),
    ),
    "suspending": ({"jobDeploymentStatus": "Suspending"}, ("Progressing", "Suspending")),
    "suspended": ({"jobDeploymentStatus": "Suspended"}, ("Suspended", "RayJob is suspended")),
    "succeeded": (
        {"jobDeploymentStatus": "Complete", "jobStatus": "SUCCEEDED", "message": "done"},
        ("Healthy", "done"),
    ),
    "succeeded-without-message": (
        {"jobDeploymentStatus": "Complete", "jobStatus": "SUCCEEDED"},
        ("Healthy", "Ray job succeeded"),
    ),
    # Complete only says the Ray job ended.
    "complete-but-failed": (
        {"jobDeploymentStatus": "Complete", "jobStatus": "FAILED", "message": "exit 1"},
        ("Degraded", "exit 1"),
    ),
    "complete-but-stopped": (
        {"jobDeploymentStatus": "Complete", "jobStatus": "STOPPED"},
        ("Degraded", "Ray job STOPPED"),
    ),
    "complete-without-job-status": (
        {"jobDeploymentStatus": "Complete"},
        ("Degraded", "Ray job ended"),
    ),
    "failed-deadline": (
        {"jobDeploymentStatus": "Failed", "reason": "DeadlineExceeded"},
        ("Degraded", "RayJob failed: DeadlineExceeded"),
    ),
    "failed-with-message": (
        {"jobDeploymentStatus": "Failed", "reason": "AppFailed", "message": "OOM"},
        ("Degraded", "OOM"),
    ),
    "validation-failed": (
        {"jobDeploymentStatus": "ValidationFailed", "message": "name too long"},
        ("Degraded", "name too long"),
    ),
    "validation-failed-without-message": (
        {"jobDeploymentStatus": "ValidationFailed"},
        ("Degraded", "RayJob failed: ValidationFailed"),
    ),
}


@pytest.mark.parametrize("status", [None, {}])
def test_a_rayjob_created_suspended_is_queued_not_starting(status: dict[str, Any] | None) -> None:
    script = ROW.health_script()
    assert script is not None
    obj: dict[str, Any] = {"apiVersion": "ray.io/v1", "kind": "RayJob", "spec": {"suspend": True}}
    if status is not None:
        obj["status"] = status
    health = run_health(script, obj)
    assert (health["status"], health["message"]) == (
        "Suspended",
        "Suspended: waiting for its queue to admit it",
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_rayjob_health_reports_each_state(case: str) -> None:
    script = ROW.health_script()
    assert script is not None
    status, expected = CASES[case]
    obj: dict[str, Any] = {"apiVersion": "ray.io/v1", "kind": "RayJob", "spec": {}}
    if status is not None:
        obj["status"] = status
    health = run_health(script, obj)
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == expected


def test_every_deployment_status_kuberay_writes_is_covered() -> None:
    # KubeRay v1.7's JobDeploymentStatus values (rayjob_types.go).
    written = {
        "",
        "Initializing",
        "Running",
        "Complete",
        "Failed",
        "ValidationFailed",
        "Suspending",
        "Suspended",
        "Retrying",
        "Waiting",
    }
    covered = {(s or {}).get("jobDeploymentStatus", "") for s, _ in CASES.values()}
    assert written <= covered
