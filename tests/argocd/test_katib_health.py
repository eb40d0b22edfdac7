"""The Experiment health check in real Lua 5.1, against the conditions Katib's controller
writes (pkg/apis/controller/experiments/v1beta1/util.go): a changed condition moves to the
end of the list, and Running turns False when the search succeeds or fails."""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.kinds.catalog import BY_GVK
from tests.argocd.test_health_lua import ARGOCD_HEALTH, run_health

ROW = BY_GVK[("kubeflow.org", "v1beta1", "Experiment")]


def _condition(kind: str, status: str = "True", message: str | None = None) -> dict[str, str]:
    condition = {"type": kind, "status": status, "reason": f"Experiment{kind}"}
    if message is not None:
        condition["message"] = message
    return condition


CREATED = _condition("Created", message="Experiment is created")
RUNNING = _condition("Running", message="Experiment is running")
NOT_RUNNING = _condition("Running", "False", "Experiment is running")
MAX_TRIALS = "Experiment has succeeded because max trial count has reached"
MAX_FAILED = "Experiment has failed because max failed count has reached"
COUNTS = {"trials": 5, "trialsSucceeded": 2, "trialsRunning": 3}

CASES: dict[str, tuple[dict[str, Any] | None, tuple[str, str]]] = {
    "no-status": (None, ("Progressing", "Waiting for the experiment to start")),
    "no-conditions": ({"conditions": []}, ("Progressing", "Waiting for the experiment to start")),
    "created": ({"conditions": [CREATED]}, ("Progressing", "Experiment is created")),
    "running": (
        {"conditions": [CREATED, RUNNING], **COUNTS},
        ("Progressing", "Experiment is running (2 of 5 trials succeeded)"),
    ),
    "restarting": (
        {"conditions": [CREATED, RUNNING, _condition("Restarting", message="restarting")]},
        ("Progressing", "restarting"),
    ),
    "succeeded-max-trials": (
        {
            "conditions": [
                CREATED,
                NOT_RUNNING,
                _condition(
                    "Succeeded",
                    message="Experiment has succeeded because max trial count has reached",
                ),
            ],
            **COUNTS,
        },
        ("Healthy", MAX_TRIALS),
    ),
    "succeeded-without-message": (
        {"conditions": [CREATED, NOT_RUNNING, _condition("Succeeded")]},
        ("Healthy", "Experiment succeeded"),
    ),
    "failed": (
        {
            "conditions": [
                CREATED,
                NOT_RUNNING,
                _condition(
                    "Failed", message="Experiment has failed because max failed count has reached"
                ),
            ]
        },
        ("Degraded", MAX_FAILED),
    ),
    "failed-without-message": (
        {"conditions": [CREATED, _condition("Failed")]},
        ("Degraded", "Experiment failed"),
    ),
    # Katib removes Succeeded and Failed when it restarts a finished search.
    "restarted-after-success": (
        {"conditions": [CREATED, RUNNING, _condition("Restarting", message="resumed")]},
        ("Progressing", "resumed"),
    ),
    # The list order is the order of the last change: Failed wins wherever it sits.
    "failed-listed-first": (
        {"conditions": [_condition("Failed", message="boom"), CREATED, RUNNING]},
        ("Degraded", "boom"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_experiment_health_in_each_state(case: str) -> None:
    script = ROW.health_script()
    assert script is not None
    status, expected = CASES[case]
    obj: dict[str, Any] = {
        "apiVersion": ROW.api_version,
        "kind": ROW.kind,
        "metadata": {"name": "sweep", "namespace": "ml"},
        "spec": {},
    }
    if status is not None:
        obj["status"] = status
    health = run_health(script, obj)
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == expected
