"""MPI on the MPI Operator v2: the MPIJob v2beta1 we emit keeps the operator's semantics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from manifestgen.workloads.mpi_launch import launch_call
from tests.bundle import PLATFORM, build_objects, codes, compile_specs, job_spec, of_kind
from tests.support import make_repo


def mpi_job(name: str = "train", **spec: Any) -> dict[str, Any]:
    base = {"framework": "mpi", "command": ["mpirun"], "args": ["python", "train.py"]}
    return job_spec(name, **{**base, **spec})


def _mpijob(objects: dict[str, Any], name: str = "train") -> dict[str, Any]:
    found = [
        o
        for o in of_kind(objects, "MPIJob")
        if o["metadata"]["labels"]["manifestgen.io/job"] == name
    ]
    assert len(found) == 1
    return found[0]


def _replicas(obj: dict[str, Any]) -> dict[str, Any]:
    replicas: dict[str, Any] = obj["spec"]["mpiReplicaSpecs"]
    return replicas


def _container(replica: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = replica["template"]["spec"]["containers"][0]
    return container


def test_workers_are_the_gpu_nodes_and_the_launcher_a_cpu_pod(tmp_path: Path) -> None:
    obj = _mpijob(build_objects(tmp_path, [mpi_job(nodes=2)]))
    assert obj["apiVersion"] == "kubeflow.org/v2beta1"
    spec = obj["spec"]
    assert spec["slotsPerWorker"] == 8  # GPUs per node
    assert spec["runLauncherAsWorker"] is False
    launcher, worker = _replicas(obj)["Launcher"], _replicas(obj)["Worker"]
    assert (launcher["replicas"], worker["replicas"]) == (1, 2)
    assert "nvidia.com/gpu" in _container(worker)["resources"]["limits"]
    assert _container(launcher)["resources"]["limits"] == {"cpu": "1", "memory": "2Gi"}
    assert launcher["template"]["spec"]["nodeSelector"]["karpenter.sh/capacity-type"] == "on-demand"
    assert "manifestgen.io/cpu-training" in str(launcher["template"]["spec"]["tolerations"])


def test_the_command_is_the_launchers_and_workers_run_sshd_from_the_users_home(
    tmp_path: Path,
) -> None:
    obj = _mpijob(build_objects(tmp_path, [mpi_job()]))
    launcher, worker = _container(_replicas(obj)["Launcher"]), _container(_replicas(obj)["Worker"])
    assert (launcher["name"], worker["name"]) == ("mpi-launcher", "mpi-worker")
    assert (launcher["command"], launcher["args"]) == (["mpirun"], ["python", "train.py"])
    assert worker["command"] == ["/usr/sbin/sshd", "-De", "-f", "/home/mpiuser/.sshd_config"]
    assert "args" not in worker
    assert obj["spec"]["sshAuthMountPath"] == "/home/mpiuser/.ssh"
    # Non-root pods: the operator's root sshd on port 22 could not start.
    assert _replicas(obj)["Worker"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_sshd_configuration_follows_the_ssh_mount(tmp_path: Path) -> None:
    job = mpi_job(mpi={"sshAuthMountPath": "/home/trainer/.ssh/"})
    worker = _container(_replicas(_mpijob(build_objects(tmp_path, [job])))["Worker"])
    assert worker["command"][-1] == "/home/trainer/.sshd_config"


def test_operator_defaults_we_choose_are_written_out(tmp_path: Path) -> None:
    spec = _mpijob(build_objects(tmp_path, [mpi_job()]))["spec"]
    assert spec["launcherCreationPolicy"] == "WaitForWorkersReady"
    assert spec["mpiImplementation"] == "OpenMPI"
    assert spec["runPolicy"] == {"backoffLimit": 3, "cleanPodPolicy": "Running"}


@pytest.mark.parametrize("capacity", ["on-demand", "spot"])
def test_restart_policies_are_ones_the_operator_accepts(tmp_path: Path, capacity: str) -> None:
    # The operator's validation takes only OnFailure and Never: ExitCode (PyTorch's
    # spot policy) would make it refuse the job.
    obj = _mpijob(build_objects(tmp_path, [mpi_job(capacityType=capacity)]))
    assert {r["restartPolicy"] for r in _replicas(obj).values()} == {"OnFailure"}
    launcher = _replicas(obj)["Launcher"]["template"]
    # The launcher must outlive spot reclaims: on-demand whatever the workers run on.
    assert launcher["spec"]["nodeSelector"]["karpenter.sh/capacity-type"] == "on-demand"
    worker = _replicas(obj)["Worker"]["template"]
    assert worker["spec"]["nodeSelector"]["karpenter.sh/capacity-type"] == capacity
    assert ("terminationGracePeriodSeconds" in worker["spec"]) == (capacity == "spot")


def test_launcher_as_worker_is_one_of_the_gpu_nodes(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [mpi_job(nodes=3, mpi={"runLauncherAsWorker": True})])
    obj = _mpijob(objects)
    launcher, worker = _replicas(obj)["Launcher"], _replicas(obj)["Worker"]
    assert worker["replicas"] == 2
    assert _container(launcher)["resources"]["limits"]["nvidia.com/gpu"] == "8"
    assert launcher["template"]["spec"]["nodeSelector"]["nvidia.com/gpu.product"]
    # No CPU side pod, so no CPU pool; the GPU pool holds all three nodes.
    pools = {p["metadata"]["name"]: p for p in of_kind(objects, "NodePool")}
    assert set(pools) == {"gpu-a100-80gb-on-demand"}


def test_a_one_node_launcher_as_worker_has_no_worker_spec(tmp_path: Path) -> None:
    # The operator refuses a Worker spec with zero replicas.
    job = mpi_job(nodes=1, mpi={"runLauncherAsWorker": True})
    assert set(_replicas(_mpijob(build_objects(tmp_path, [job])))) == {"Launcher"}


def test_the_launcher_counts_in_the_cpu_quota(tmp_path: Path) -> None:
    platform = PLATFORM.replace(
        "      gpuQuota:\n        a100", "      cpuQuota: 5\n      gpuQuota:\n        a100"
    )
    job = mpi_job(mpi={"launcher": {"cpu": 6, "memory": "8Gi"}})
    _, diagnostics = compile_specs(tmp_path, [job], platform)
    assert codes(diagnostics) == ["MG240"]
    assert diagnostics[0].field == "spec.mpi"
    assert "this job asks for 6" in diagnostics[0].message


def test_efa_workers_follow_workers_not_the_cpu_launcher(tmp_path: Path) -> None:
    obj = _mpijob(build_objects(tmp_path, [mpi_job(nodes=2)]))
    worker = _replicas(obj)["Worker"]["template"]["spec"]
    term = worker["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["labelSelector"]["matchLabels"] == {
        "manifestgen.io/job": "train",
        "training.kubeflow.org/job-role": "worker",
    }
    assert "affinity" not in _replicas(obj)["Launcher"]["template"]["spec"]


def test_suspended_jobs_set_the_run_policys_flag_in_place(tmp_path: Path) -> None:
    running = _mpijob(build_objects(tmp_path / "a", [mpi_job()]))
    suspended = _mpijob(build_objects(tmp_path / "b", [mpi_job(state="Suspended")]))
    assert suspended["spec"]["runPolicy"]["suspend"] is True
    assert "suspend" not in running["spec"]["runPolicy"]
    assert suspended["metadata"]["name"] == running["metadata"]["name"]


def test_completed_jobs_emit_no_mpijob(tmp_path: Path) -> None:
    assert of_kind(build_objects(tmp_path, [mpi_job(state="Completed")]), "MPIJob") == []


def test_framework_is_required_for_mpi_fields(tmp_path: Path) -> None:
    job = job_spec(mpi={"implementation": "Intel"})
    _, diagnostics = compile_specs(tmp_path, [job])
    assert codes(diagnostics) == ["MG201"]


@pytest.mark.parametrize(
    ("command", "launcher", "options"),
    [
        (["mpirun", "-np", "4", "python", "-np", "9"], "mpirun", [("-np", ("4",))]),
        (["mpiexec.hydra", "-genv", "A", "1", "-n", "2", "a.out"], "mpirun", None),
        (["/opt/openmpi/bin/mpirun", "--np=3", "x"], "mpirun", [("--np", ("3",))]),
        (["bash", "-c", "cd /w && horovodrun -np 2 python t.py"], "horovodrun", None),
        (["deepspeed", "--num-gpus", "8", "t.py"], "deepspeed", [("--num_gpus", ("8",))]),
    ],
)
def test_launch_calls_are_read_up_to_the_program(
    command: list[str], launcher: str, options: list[tuple[str, tuple[str, ...]]] | None
) -> None:
    call = launch_call(command)
    assert call is not None
    assert call.launcher == launcher
    if options is not None:
        assert list(call.options) == options
    if command[0] == "mpiexec.hydra":
        assert call.values("-n") == ["2"]
        assert call.values("-genv") == ["A"]


def test_commands_without_a_launcher_have_no_launch_call() -> None:
    assert launch_call(["python", "-m", "mpirun_helper"]) is None
    assert launch_call(["sh", "-c", "echo 'unbalanced"]) is None


def test_generated_mpijobs_pass_the_real_crd(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        mpi_job("gpu", nodes=2, capacityType="spot", state="Suspended"),
        mpi_job("solo", nodes=1, mpi={"runLauncherAsWorker": True, "implementation": "Intel"}),
        mpi_job("cpu", gpu=None, resources={"cpu": 4, "memory": "8Gi"}, processesPerNode=2),
    ]
    root = make_repo(tmp_path, platform=None)
    (root / "specs" / "platform.yaml").write_text(PLATFORM)
    (root / "specs" / "jobs.yaml").write_text(yaml.safe_dump_all(jobs))
    result = run(BuildOptions(root=root, mode="validate", crds=(crds_dir,)))
    assert [str(d) for d in result.diagnostics if d.code.startswith("MG4")] == []
    assert [d for d in result.diagnostics if d.is_error] == []
    mpijobs = [path for path in result.tree if path.endswith("/mpijob.yaml")]
    assert len(mpijobs) == 3
