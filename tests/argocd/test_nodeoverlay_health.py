"""The NodeOverlay health check in argocd-cm, in a real Lua 5.1, against the conditions
Karpenter's nodeoverlay controller writes (ValidationSucceeded, reasons RuntimeValidation
and Conflict)."""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.kinds.catalog import KINDS, WAVE_JOB, lookup
from tests.argocd.test_health_lua import ARGOCD_HEALTH, run_health

ROW = lookup("karpenter.sh/v1alpha1", "NodeOverlay")


def _overlay(conditions: list[dict[str, str]] | None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "karpenter.sh/v1alpha1",
        "kind": "NodeOverlay",
        "metadata": {"name": "gpu-a100-mig-on-demand"},
        "spec": {"capacity": {"nvidia.com/mig-1g.10gb": "56"}, "requirements": []},
    }
    if conditions is not None:
        obj["status"] = {"conditions": conditions}
    return obj


def _validated(status: str, reason: str, message: str = "") -> list[dict[str, str]]:
    condition = {"type": "ValidationSucceeded", "status": status, "reason": reason}
    if message:
        condition["message"] = message
    ready = {"type": "Ready", "status": status, "reason": reason}
    return [ready, condition]


CASES = {
    "gate-off-no-status": (None, "Progressing"),
    "no-conditions": ([], "Progressing"),
    "unknown": (_validated("Unknown", "AwaitingReconciliation"), "Progressing"),
    "validated": (_validated("True", "ValidationSucceeded"), "Healthy"),
    "conflict": (
        _validated("False", "Conflict", "conflict with another overlay"),
        "Degraded",
    ),
    "invalid": (
        _validated("False", "RuntimeValidation", "invalid capacity: cpu in resource, restricted"),
        "Degraded",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_state_of_an_overlay(case: str) -> None:
    assert ROW is not None
    script = ROW.health_script()
    assert script is not None
    conditions, expected = CASES[case]
    health = run_health(script, _overlay(conditions))
    assert health["status"] in ARGOCD_HEALTH
    assert health["status"] == expected
    if expected == "Degraded":
        assert health["message"] == conditions[1]["message"]  # type: ignore[index]


def test_an_unvalidated_overlay_blocks_no_wave_before_the_jobs() -> None:
    # It stays Progressing without the feature gate: only the last wave may hold it.
    assert ROW is not None
    assert ROW.wave == WAVE_JOB
    assert all(int(row.wave) <= int(WAVE_JOB) for row in KINDS if row.wave is not None)
