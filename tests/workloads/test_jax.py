"""JAXJob: nodes equal Workers, one process per pod with all the pod's GPUs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bundle import compile_specs
from tests.workloads.support import built, crd_diagnostics, framework_job, kind_problems

A100 = {"type": "a100-80gb", "perNode": 8}


def jax_job(name: str = "mesh", **spec: Any) -> dict[str, Any]:
    return framework_job("jax", name, **spec)


def the_job(tmp_path: Path, **spec: Any) -> dict[str, Any]:
    return built(tmp_path, "JAXJob", jax_job(**spec))


def test_nodes_equal_workers_with_the_operators_container_and_port(tmp_path: Path) -> None:
    replicas = the_job(tmp_path, gpu=A100, nodes=3)["spec"]["jaxReplicaSpecs"]
    assert list(replicas) == ["Worker"]
    assert replicas["Worker"]["replicas"] == 3
    (container,) = replicas["Worker"]["template"]["spec"]["containers"]
    assert container["name"] == "jax"
    assert container["ports"] == [{"containerPort": 6666, "name": "jaxjob-port", "protocol": "TCP"}]
    # The one process sees every GPU of its pod.
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "8"


@pytest.mark.parametrize(("capacity", "policy"), [("on-demand", "OnFailure"), ("spot", "ExitCode")])
def test_restart_policy_follows_the_capacity_type(
    tmp_path: Path, capacity: str, policy: str
) -> None:
    worker = the_job(tmp_path, capacityType=capacity)["spec"]["jaxReplicaSpecs"]["Worker"]
    assert worker["restartPolicy"] == policy


def test_suspended_keeps_the_name_and_sets_the_run_policy(tmp_path: Path) -> None:
    running = the_job(tmp_path / "a")
    suspended = the_job(tmp_path / "b", state="Suspended")
    assert suspended["metadata"]["name"] == running["metadata"]["name"]
    assert suspended["spec"]["runPolicy"]["suspend"] is True


@pytest.mark.parametrize(("processes", "codes"), [(None, []), (1, []), (8, ["MG289"])])
def test_one_process_per_pod_whatever_the_gpus(
    tmp_path: Path, processes: int | None, codes: list[str]
) -> None:
    _, diagnostics = compile_specs(tmp_path, [jax_job(gpu=A100, processesPerNode=processes)])
    # MG224 (processes = GPUs, torchrun's rule) does not apply to JAX.
    assert [d.code for d in diagnostics] == codes


def test_a_per_gpu_launcher_is_refused(tmp_path: Path) -> None:
    job = jax_job(command=["torchrun"], args=["--nproc-per-node=8", "train.py"], gpu=A100)
    _, diagnostics = compile_specs(tmp_path, [job])
    assert [(d.code, d.field) for d in diagnostics] == [("MG293", "spec.command")]


def test_generated_object_passes_the_real_crd(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        jax_job("gpu-mesh", gpu=A100, nodes=2, capacityType="spot"),
        jax_job("cpu-mesh", nodes=1, state="Suspended"),
    ]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir)
    assert kind_problems(diagnostics, "JAXJob") == []
    assert not [d for d in diagnostics if d.is_error]
