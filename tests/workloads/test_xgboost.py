"""XGBoostJob: one Master (rank 0) and nodes - 1 Workers, one process per pod."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bundle import compile_specs
from tests.workloads.support import built, crd_diagnostics, framework_job, kind_problems


def xgboost_job(name: str = "trees", **spec: Any) -> dict[str, Any]:
    return framework_job("xgboost", name, **spec)


def the_job(tmp_path: Path, **spec: Any) -> dict[str, Any]:
    return built(tmp_path, "XGBoostJob", xgboost_job(**spec))


def test_one_master_and_the_other_nodes_as_workers(tmp_path: Path) -> None:
    replicas = the_job(tmp_path)["spec"]["xgbReplicaSpecs"]
    assert {t: r["replicas"] for t, r in replicas.items()} == {"Master": 1, "Worker": 3}
    for replica in replicas.values():
        (container,) = replica["template"]["spec"]["containers"]
        # The operator injects its env into, and reads the port from, this container.
        assert container["name"] == "xgboost"
        assert container["ports"] == [
            {"containerPort": 9999, "name": "xgboostjob-port", "protocol": "TCP"}
        ]


def test_a_one_node_job_is_a_master_alone(tmp_path: Path) -> None:
    replicas = the_job(tmp_path, nodes=1)["spec"]["xgbReplicaSpecs"]
    assert list(replicas) == ["Master"]


@pytest.mark.parametrize(("capacity", "policy"), [("on-demand", "OnFailure"), ("spot", "ExitCode")])
def test_restart_policy_follows_the_capacity_type(
    tmp_path: Path, capacity: str, policy: str
) -> None:
    replicas = the_job(tmp_path, capacityType=capacity)["spec"]["xgbReplicaSpecs"]
    assert {r["restartPolicy"] for r in replicas.values()} == {policy}


def test_suspended_keeps_the_name_and_sets_the_run_policy(tmp_path: Path) -> None:
    running = the_job(tmp_path / "a")
    suspended = the_job(tmp_path / "b", state="Suspended")
    assert suspended["metadata"]["name"] == running["metadata"]["name"]
    assert suspended["spec"]["runPolicy"]["suspend"] is True
    assert "suspend" not in running["spec"]["runPolicy"]


def test_a_gpu_job_takes_one_process_per_pod_whatever_its_gpus(tmp_path: Path) -> None:
    gpu = {"type": "a100-80gb", "perNode": 2}
    _, diagnostics = compile_specs(tmp_path, [xgboost_job(gpu=gpu)])
    # Not MG224 (processes ≠ GPUs, a torchrun rule): the operator fixes one per pod.
    assert [(d.code, d.severity.value) for d in diagnostics] == [("MG290", "warning")]


def test_operator_variables_in_the_spec_are_refused(tmp_path: Path) -> None:
    job = xgboost_job(env={"RANK": "0", "OMP_NUM_THREADS": "8"})
    _, diagnostics = compile_specs(tmp_path, [job])
    assert [(d.code, d.field) for d in diagnostics] == [("MG288", "spec.env.RANK")]


def test_generated_object_passes_the_real_crd(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        xgboost_job("cpu-trees", capacityType="spot", state="Suspended"),
        xgboost_job("gpu-trees", gpu={"type": "a100-80gb", "perNode": 1}, nodes=3),
        xgboost_job("one-node", nodes=1),
    ]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir)
    assert kind_problems(diagnostics, "XGBoostJob") == []
    assert not [d for d in diagnostics if d.is_error]
