"""Volcano Queues: one per team, holding the sum of its quotas, named by its jobs' gangs,
valid against the real CRD, and healthy in Argo CD only when Volcano has opened them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from manifestgen.errors import Severity
from manifestgen.kinds.catalog import KINDS
from manifestgen.spec.quantity import parse_quantity
from tests.argocd.test_health_lua import ARGOCD_HEALTH, run_health
from tests.bundle import build_objects, of_kind
from tests.queues.test_gang import gang_platform
from tests.workloads.support import crd_diagnostics, framework_job, kind_problems

QUEUES = (
    "        queues:\n"
    "          vision:\n"
    "            cohort: research\n"
    "            gpus:\n"
    "              a100-80gb:\n"
    "                on-demand: {gpus: 16}\n"
    "            cpus:\n"
    "              on-demand: {cpu: 64, memory: 256Gi}\n"
    "          nlp:\n"
    "            cohort: research\n"
    "            gpus:\n"
    "              a100-80gb:\n"
    "                on-demand: {gpus: 8, lendingLimit: 4}\n"
)


def volcano_platform() -> str:
    text = gang_platform("volcano")
    anchor = "        system: volcano\n"
    return text.replace(anchor, anchor + QUEUES, 1)


def _queues(tmp_path: Path) -> dict[str, dict[str, Any]]:
    objects = build_objects(tmp_path, [framework_job("pytorch")], volcano_platform())
    return {q["metadata"]["name"]: q["spec"] for q in of_kind(objects, "Queue")}


def test_each_team_gets_a_queue_its_gang_names(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [framework_job("pytorch")], volcano_platform())
    assert sorted(q["metadata"]["name"] for q in of_kind(objects, "Queue")) == ["nlp", "vision"]
    (job,) = of_kind(objects, "PyTorchJob")
    assert (
        job["spec"]["runPolicy"]["schedulingPolicy"]["queue"]
        == job["metadata"]["labels"]["manifestgen.io/team"]
    )


def test_deserved_is_owned_and_capability_adds_what_the_cohort_lends(tmp_path: Path) -> None:
    queues = _queues(tmp_path)
    gpus = {
        name: {k: int(v["nvidia.com/gpu"]) for k, v in q.items() if k in ("deserved", "capability")}
        for name, q in queues.items()
    }
    # vision borrows at most the 4 nlp lends; nlp may borrow all 16 of vision's.
    assert gpus == {
        "vision": {"deserved": 16, "capability": 20},
        "nlp": {"deserved": 8, "capability": 24},
    }
    for spec in queues.values():
        for resource, amount in spec["deserved"].items():
            assert parse_quantity(amount) <= parse_quantity(spec["capability"][resource])
    # CPU: two whole A100 nodes' allocatable plus the CPU flavor's 64 vCPUs.
    assert parse_quantity(queues["vision"]["deserved"]["cpu"]) > Decimal(64)


def test_queues_pass_the_real_crd(tmp_path: Path, crds_dir: Path) -> None:
    diagnostics = crd_diagnostics(
        tmp_path, [framework_job("pytorch")], crds_dir, volcano_platform()
    )
    assert kind_problems(diagnostics, "Queue") == []
    assert kind_problems(diagnostics, "PyTorchJob") == []
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]


def test_no_queues_without_volcano(tmp_path: Path) -> None:
    text = volcano_platform().replace("system: volcano", "system: coscheduling", 1)
    objects = build_objects(tmp_path, [framework_job("pytorch")], text)
    assert of_kind(objects, "Queue") == []


(ROW,) = [r for r in KINDS if r.group == "scheduling.volcano.sh" and r.kind == "Queue"]
STATES = {
    None: ("Progressing", "Waiting for Volcano to open the queue"),
    "Open": ("Healthy", "Queue is open"),
    "Closing": ("Progressing", "Queue is closing"),
    "Closed": ("Suspended", "Queue is closed"),
    "Unknown": ("Degraded", "Queue state is unknown"),
}


@pytest.mark.parametrize("state", list(STATES), ids=str)
def test_queue_health_in_each_state(state: str | None) -> None:
    script = ROW.health_script()
    assert script is not None
    obj: dict[str, Any] = {"apiVersion": ROW.api_version, "kind": "Queue", "spec": {}}
    if state is not None:
        obj["status"] = {"state": state}
    health = run_health(script, obj)
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == STATES[state]
