"""PaddleJob: collective Workers, or CPU parameter servers (Master) and one-process trainers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bundle import PLATFORM, compile_specs
from tests.workloads.support import built, crd_diagnostics, framework_job, kind_problems

A100 = {"type": "a100-80gb", "perNode": 8}
SERVERS = {"parameterServers": {"replicas": 3, "cpu": 8, "memory": "32Gi"}}
LAUNCH = ["python", "-m", "paddle.distributed.launch"]


def paddle_job(name: str = "ernie", **spec: Any) -> dict[str, Any]:
    return framework_job("paddle", name, **{"command": LAUNCH, "args": ["train.py"], **spec})


def replicas(tmp_path: Path, **spec: Any) -> dict[str, Any]:
    job = built(tmp_path, "PaddleJob", paddle_job(**spec))
    replica_specs: dict[str, Any] = job["spec"]["paddleReplicaSpecs"]
    return replica_specs


def container(replica: dict[str, Any]) -> dict[str, Any]:
    (only,) = replica["template"]["spec"]["containers"]
    return dict(only)


def test_collective_mode_is_nodes_workers_with_a_process_per_gpu(tmp_path: Path) -> None:
    layout = replicas(tmp_path, gpu=A100, nodes=2)
    assert list(layout) == ["Worker"]
    assert layout["Worker"]["replicas"] == 2
    worker = container(layout["Worker"])
    assert worker["name"] == "paddle"
    assert worker["ports"] == [{"containerPort": 36543, "name": "master", "protocol": "TCP"}]
    assert {"name": "PADDLE_NPROC_PER_NODE", "value": "8"} in worker["env"]


def test_parameter_servers_are_cpu_masters_beside_the_trainers(tmp_path: Path) -> None:
    layout = replicas(tmp_path, gpu={"type": "a100-80gb", "perNode": 1}, nodes=2, paddle=SERVERS)
    assert {t: r["replicas"] for t, r in layout.items()} == {"Master": 3, "Worker": 2}
    servers = layout["Master"]["template"]["spec"]
    assert servers["nodeSelector"]["manifestgen.io/node-pool"] == "cpu-on-demand"
    assert container(layout["Master"])["resources"]["limits"] == {"cpu": "8", "memory": "32Gi"}
    # The operator sets one trainer per Worker pod; no process count of ours.
    assert "env" not in container(layout["Worker"])


def test_the_zone_affinity_follows_the_trainers_not_the_servers(tmp_path: Path) -> None:
    layout = replicas(tmp_path, gpu={"type": "a100-80gb", "perNode": 1}, nodes=2, paddle=SERVERS)
    affinity = layout["Worker"]["template"]["spec"]["affinity"]["podAffinity"]
    (term,) = affinity["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["labelSelector"]["matchLabels"] == {
        "manifestgen.io/job": "ernie",
        "training.kubeflow.org/replica-type": "worker",
    }
    assert "affinity" not in layout["Master"]["template"]["spec"]


@pytest.mark.parametrize(("capacity", "policy"), [("on-demand", "OnFailure"), ("spot", "ExitCode")])
def test_trainers_restart_by_capacity_type_and_servers_in_place(
    tmp_path: Path, capacity: str, policy: str
) -> None:
    layout = replicas(tmp_path, capacityType=capacity, paddle=SERVERS)
    assert layout["Worker"]["restartPolicy"] == policy
    # Servers are on the on-demand CPU pool whatever the trainers run on.
    assert layout["Master"]["restartPolicy"] == "OnFailure"


def test_suspended_keeps_the_name_and_sets_the_run_policy(tmp_path: Path) -> None:
    running = built(tmp_path / "a", "PaddleJob", paddle_job())
    suspended = built(tmp_path / "b", "PaddleJob", paddle_job(state="Suspended"))
    assert suspended["metadata"]["name"] == running["metadata"]["name"]
    assert suspended["spec"]["runPolicy"]["suspend"] is True


def test_parameter_servers_count_in_the_cpu_quota(tmp_path: Path) -> None:
    small = PLATFORM.replace("    train-a:\n", "    train-a:\n      cpuQuota: 20\n", 1)
    gpu = {"type": "a100-80gb", "perNode": 1}
    job = paddle_job(gpu=gpu, nodes=2, paddle=SERVERS)
    _, diagnostics = compile_specs(tmp_path, [job], platform=small)
    # GPU trainers take no CPU-pool vCPUs; the servers' 3 x 8 exceed 20.
    assert [d.code for d in diagnostics if d.is_error] == ["MG240"]


def test_options_that_fight_the_operator_are_refused(tmp_path: Path) -> None:
    job = paddle_job(args=["--nnodes=3", "train.py"], nodes=2, paddle=SERVERS)
    _, diagnostics = compile_specs(tmp_path, [job])
    # PADDLE_NNODES counts every pod: 2 trainers and 3 servers.
    assert [d.message for d in diagnostics] == [
        "paddle.distributed.launch --nnodes 3 disagrees with the spec (5)"
    ]


def test_generated_object_passes_the_real_crd(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        paddle_job("collective", gpu=A100, nodes=2, capacityType="spot"),
        paddle_job("servers", gpu={"type": "a100-80gb", "perNode": 1}, nodes=2, paddle=SERVERS),
        paddle_job("paused", nodes=1, state="Suspended"),
    ]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir)
    assert kind_problems(diagnostics, "PaddleJob") == []
    assert not [d for d in diagnostics if d.is_error]
