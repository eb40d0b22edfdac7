"""The Argo CD health check of Kueue's queues, in a real Lua 5.1, for every state Kueue
reports: active, waiting for what the queue names, and inactive."""

from __future__ import annotations

import pytest

from manifestgen.kinds.catalog import KINDS, ApiKind
from tests.argocd.test_health_lua import ARGOCD_HEALTH, run_health

QUEUE_ROWS = [r for r in KINDS if r.kind in ("ClusterQueue", "LocalQueue")]


def _active(status: str, reason: str, message: str) -> dict[str, str]:
    return {"type": "Active", "status": status, "reason": reason, "message": message}


CASES = {
    "no-status": (None, ("Progressing", "Waiting for Kueue to activate the queue")),
    "active": (
        [_active("True", "Ready", "Can admit new workloads")],
        ("Healthy", "Can admit new workloads"),
    ),
    "flavor-not-yet-seen": (
        [
            _active(
                "False",
                "FlavorNotFound",
                "Can't admit new workloads: references missing ResourceFlavor(s): gpu-a100-80gb-spot.",
            )
        ],
        (
            "Progressing",
            "Can't admit new workloads: references missing ResourceFlavor(s): gpu-a100-80gb-spot.",
        ),
    ),
    "cluster-queue-not-yet-seen": (
        [
            _active(
                "False", "ClusterQueueDoesNotExist", "Can't submit new workloads to clusterQueue"
            )
        ],
        ("Progressing", "Can't submit new workloads to clusterQueue"),
    ),
    "stopped": (
        [_active("False", "Stopped", "LocalQueue is stopped")],
        ("Suspended", "LocalQueue is stopped"),
    ),
    "inactive": (
        [_active("False", "ClusterQueueIsInactive", "Can't submit new workloads to clusterQueue")],
        ("Degraded", "Can't submit new workloads to clusterQueue"),
    ),
}


@pytest.mark.parametrize("row", QUEUE_ROWS, ids=lambda r: f"{r.kind}.{r.version}")
@pytest.mark.parametrize("case", sorted(CASES))
def test_queue_health_in_each_state(row: ApiKind, case: str) -> None:
    assert row.health is not None
    script = row.health_script()
    assert script is not None
    conditions, expected = CASES[case]
    obj: dict[str, object] = {"apiVersion": row.api_version, "kind": row.kind, "spec": {}}
    if conditions is not None:
        obj["status"] = {"conditions": conditions}
    health = run_health(script, obj)
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == expected
