"""The TrainJob health check in a real Lua 5.1, against the conditions the Trainer writes.

The Trainer (v2.3) sets Suspended itself and copies Complete and Failed from the JobSet;
there is no Created, Running or Succeeded condition, so the v1 script would never report
a finished TrainJob healthy.
"""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.kinds.catalog import BY_GVK
from tests.argocd.test_health_lua import ARGOCD_HEALTH, run_health

ROW = BY_GVK[("trainer.kubeflow.org", "v1alpha1", "TrainJob")]


def _condition(kind: str, status: str = "True", message: str | None = None) -> dict[str, str]:
    condition = {"type": kind, "status": status, "reason": kind}
    if message is not None:
        condition["message"] = message
    return condition


SUSPENDED = _condition("Suspended", message="TrainJob is suspended")
RESUMED = _condition("Suspended", "False", "TrainJob is resumed")
COMPLETE = _condition("Complete", message="jobset completed successfully")
FAILED = _condition("Failed", message="jobset failed: node-0 BackoffLimitExceeded")
DEADLINE = {
    **_condition("Failed", message="TrainJob exceeded its deadline"),
    "reason": "DeadlineExceeded",
}

CASES: dict[str, tuple[list[dict[str, str]] | None, tuple[str, str]]] = {
    "no-status": (None, ("Progressing", "Waiting for the TrainJob to start")),
    "no-conditions": ([], ("Progressing", "TrainJob is running")),
    "suspended": ([SUSPENDED], ("Suspended", "TrainJob is suspended")),
    "suspended-without-message": (
        [_condition("Suspended")],
        ("Suspended", "TrainJob is suspended"),
    ),
    "resumed": ([RESUMED], ("Progressing", "TrainJob is running")),
    "complete": ([RESUMED, COMPLETE], ("Healthy", "jobset completed successfully")),
    "complete-without-message": ([_condition("Complete")], ("Healthy", "TrainJob completed")),
    "failed": ([FAILED], ("Degraded", "jobset failed: node-0 BackoffLimitExceeded")),
    "failed-without-message": ([_condition("Failed")], ("Degraded", "TrainJob failed")),
    "deadline-exceeded": ([DEADLINE], ("Degraded", "TrainJob exceeded its deadline")),
    # Final states win over a Suspended condition listed before them.
    "suspended-then-failed": ([SUSPENDED, FAILED], ("Degraded", FAILED["message"])),
    "false-complete": ([_condition("Complete", "False")], ("Progressing", "TrainJob is running")),
    # A v1 condition name means nothing to the Trainer.
    "succeeded-is-not-a-trainjob-condition": (
        [_condition("Succeeded")],
        ("Progressing", "TrainJob is running"),
    ),
}


def test_a_trainjob_created_suspended_is_queued_until_the_trainer_says_otherwise() -> None:
    script = ROW.health_script()
    assert script is not None
    queued = _trainjob(None)
    queued["spec"]["suspend"] = True
    assert run_health(script, queued)["status"] == "Suspended"
    queued["status"] = {"conditions": [COMPLETE]}
    assert run_health(script, queued)["status"] == "Healthy"


def _trainjob(conditions: list[dict[str, str]] | None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": ROW.api_version,
        "kind": ROW.kind,
        "metadata": {"name": "train-0a1b2c3d", "namespace": "team-vision"},
        "spec": {"runtimeRef": {"name": "torch-distributed-12345678"}},
    }
    if conditions is not None:
        obj["status"] = {"conditions": conditions}
    return obj


@pytest.mark.parametrize("case", sorted(CASES))
def test_trainjob_health_reports_each_state(case: str) -> None:
    script = ROW.health_script()
    assert script is not None
    conditions, expected = CASES[case]
    health = run_health(script, _trainjob(conditions))
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == expected
