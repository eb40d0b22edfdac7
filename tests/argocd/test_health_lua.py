"""The Lua health check in argocd-cm, run by a real Lua 5.1 (Argo CD's gopher-lua speaks 5.1)
against the status each Training Operator job kind reports in its life."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from lupa import lua51

from manifestgen.kinds.catalog import KINDS, ApiKind, deployed_by
from tests.support import REPO_ROOT

# What Argo CD accepts from a health script.
ARGOCD_HEALTH = {"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}


def _condition(kind: str, status: str = "True", message: str | None = None) -> dict[str, str]:
    condition = {"type": kind, "status": status, "reason": f"Job{kind}"}
    if message is not None:
        condition["message"] = message
    return condition


CREATED = _condition("Created", message="job train is created.")
RUNNING = _condition("Running", message="job train is running.")
NOT_RUNNING = _condition("Running", "False", "job train is running.")

# (conditions or None for no status at all) -> (status, message), in the order the
# operator writes them: it flips Running to False when the job restarts, ends or suspends.
CASES: dict[str, tuple[list[dict[str, str]] | None, tuple[str, str]]] = {
    "no-status": (None, ("Progressing", "Waiting for the job to start")),
    "no-conditions": ([], ("Progressing", "Waiting for the job to start")),
    "created": ([CREATED], ("Progressing", "job train is created.")),
    "running": ([CREATED, RUNNING], ("Progressing", "job train is running.")),
    "restarting": (
        [CREATED, NOT_RUNNING, _condition("Restarting", message="Worker 1 exited, restarting")],
        ("Progressing", "Worker 1 exited, restarting"),
    ),
    "succeeded": (
        [CREATED, NOT_RUNNING, _condition("Succeeded", message="job train completed.")],
        ("Healthy", "job train completed."),
    ),
    "succeeded-without-message": (
        [CREATED, NOT_RUNNING, _condition("Succeeded")],
        ("Healthy", "Job succeeded"),
    ),
    "failed": (
        [CREATED, NOT_RUNNING, _condition("Failed", message="Worker 0 failed: OOMKilled")],
        ("Degraded", "Worker 0 failed: OOMKilled"),
    ),
    "failed-without-message": (
        [CREATED, NOT_RUNNING, _condition("Failed")],
        ("Degraded", "Job failed"),
    ),
    "suspended": (
        [CREATED, NOT_RUNNING, _condition("Suspended", message="job train is suspended.")],
        ("Suspended", "job train is suspended."),
    ),
    # Kueue admitted it: Suspended turns False and the job runs again.
    "resumed": (
        [CREATED, _condition("Suspended", "False", "job train is resumed."), RUNNING],
        ("Progressing", "job train is running."),
    ),
    # A Suspended condition must win over a Created one listed after it.
    "suspended-before-created": (
        [_condition("Suspended", message="queued"), CREATED],
        ("Suspended", "queued"),
    ),
}


def _lua_value(runtime: Any, value: Any) -> Any:
    """JSON to Lua the way Argo CD hands `obj` to a script: maps and 1-based arrays as tables."""
    if isinstance(value, dict):
        return runtime.table_from({k: _lua_value(runtime, v) for k, v in value.items()})
    if isinstance(value, list):
        return runtime.table_from([_lua_value(runtime, v) for v in value])
    return value


def run_health(script: str, obj: dict[str, Any]) -> dict[str, Any]:
    runtime = lua51.LuaRuntime(register_eval=False)
    assert runtime.eval("_VERSION") == "Lua 5.1"
    runtime.globals().obj = _lua_value(runtime, obj)
    result = runtime.execute(script)
    return dict(result.items())


def _job(row: ApiKind, conditions: list[dict[str, str]] | None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": row.api_version,
        "kind": row.kind,
        "metadata": {"name": "train", "namespace": "team-vision"},
        "spec": {},
    }
    if conditions is not None:
        obj["status"] = {"conditions": conditions, "replicaStatuses": {}}
    return obj


# The Training Operator v1 kinds (test_nodeoverlay_health.py has Karpenter's overlay,
# test_trainjob_health.py the TrainJob, test_katib_health.py Katib's Experiment,
# test_batch_health_lua.py the JobSet and Job, test_serving_health_lua.py KServe's and KEDA's).
HEALTH_ROWS = [row for row in KINDS if row.health == "kubeflow_job_health.lua"]


@pytest.mark.parametrize("row", HEALTH_ROWS, ids=lambda r: f"{r.kind}.{r.version}")
@pytest.mark.parametrize("case", sorted(CASES))
def test_health_script_reports_each_state_of_each_job_kind(row: ApiKind, case: str) -> None:
    script = row.health_script()
    assert script is not None
    conditions, expected = CASES[case]
    health = run_health(script, _job(row, conditions))
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == expected


def test_argocd_cm_carries_the_catalog_scripts_that_were_tested() -> None:
    """What Argo CD reads is the committed argocd-cm: its scripts are the ones run above."""
    cm = yaml.safe_load((REPO_ROOT / "out" / "argocd" / "configmap-argocd-cm.yaml").read_text())
    expected = {
        f"resource.customizations.health.{row.group}_{row.kind}": row.health_script()
        for row in deployed_by("cluster")
        if row.health is not None
    }
    assert expected
    health = {
        k: v for k, v in cm["data"].items() if k.startswith("resource.customizations.health.")
    }
    assert health == expected
    for script in health.values():
        running = run_health(script, _job(HEALTH_ROWS[0], [CREATED, RUNNING]))
        assert running["status"] == "Progressing"
