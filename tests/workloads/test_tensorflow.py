"""TFJob: replica layout per strategy, restart policies, side pods, suspend, the real CRD."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manifestgen.check import OutputValidator
from manifestgen.check.cel_values import apply_defaults
from manifestgen.check.children import child_name_problems
from manifestgen.workloads.tensorflow import foreign_launcher
from tests.bundle import build_objects, codes, compile_specs, job_spec, of_kind

PS = {"replicas": 2, "cpu": 4, "memory": "32Gi"}


def tf_job(name: str = "train", **spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"framework": "tensorflow", "command": ["python", "train.py"]}
    job = job_spec(name, **{**base, **spec})
    # None leaves a field out (a CPU job has no gpu); a spec never says null.
    job["spec"] = {k: v for k, v in job["spec"].items() if v is not None and k != "args"}
    return job


def tfjob(tmp_path: Path, **spec: Any) -> dict[str, Any]:
    (obj,) = of_kind(build_objects(tmp_path, [tf_job(**spec)]), "TFJob")
    return obj


def replicas(obj: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = obj["spec"]["tfReplicaSpecs"]
    return found


def pod(replica: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = replica["template"]["spec"]
    return spec


def test_all_reduce_runs_only_workers_and_worker_0_is_the_chief(tmp_path: Path) -> None:
    obj = tfjob(tmp_path, nodes=3)
    assert obj["apiVersion"] == "kubeflow.org/v1"
    # No Chief: the operator makes worker 0 the chief, and its success the job's.
    assert {k: v["replicas"] for k, v in replicas(obj).items()} == {"Worker": 3}
    (container,) = pod(replicas(obj)["Worker"])["containers"]
    assert container["name"] == "tensorflow"
    assert container["ports"] == [{"containerPort": 2222, "name": "tfjob-port", "protocol": "TCP"}]
    # The operator writes TF_CONFIG; the generated object never does.
    assert all(v["name"] != "TF_CONFIG" for v in container.get("env", []))
    assert "successPolicy" not in obj["spec"]
    assert "enableDynamicWorker" not in obj["spec"]


def test_a_single_node_job_is_one_worker(tmp_path: Path) -> None:
    obj = tfjob(tmp_path, nodes=1)
    assert {k: v["replicas"] for k, v in replicas(obj).items()} == {"Worker": 1}


@pytest.mark.parametrize(("capacity", "policy"), [("on-demand", "OnFailure"), ("spot", "ExitCode")])
def test_gpu_replicas_restart_by_capacity_type(tmp_path: Path, capacity: str, policy: str) -> None:
    obj = tfjob(tmp_path, capacityType=capacity, tensorflow={"evaluator": True})
    assert replicas(obj)["Worker"]["restartPolicy"] == policy
    assert replicas(obj)["Evaluator"]["restartPolicy"] == policy


def test_evaluator_is_one_gpu_replica_like_a_worker(tmp_path: Path) -> None:
    obj = tfjob(tmp_path, tensorflow={"evaluator": True})
    evaluator, worker = replicas(obj)["Evaluator"], replicas(obj)["Worker"]
    assert evaluator["replicas"] == 1
    assert worker["replicas"] == 2  # the evaluator is not a worker
    assert pod(evaluator)["containers"][0]["resources"] == pod(worker)["containers"][0]["resources"]
    assert pod(evaluator)["nodeSelector"] == pod(worker)["nodeSelector"]


def test_evaluator_node_counts_against_the_gpu_quota(tmp_path: Path) -> None:
    # train-a allows 32 A100s: 4 workers of 8 fit, the evaluator's node does not.
    fits = tf_job("fits", nodes=4)
    over = tf_job("over", nodes=4, tensorflow={"evaluator": True})
    _, diagnostics = compile_specs(tmp_path / "a", [fits])
    assert codes(diagnostics) == []
    _, diagnostics = compile_specs(tmp_path / "b", [over])
    assert codes(diagnostics) == ["MG226"]
    assert "needs 40 a100-80gb GPUs" in next(d.message for d in diagnostics if d.code == "MG226")


def test_parameter_server_layout_on_spot(tmp_path: Path) -> None:
    obj = tfjob(
        tmp_path,
        capacityType="spot",
        tensorflow={"strategy": "ParameterServer", "parameterServers": PS},
    )
    layout = replicas(obj)
    assert {k: v["replicas"] for k, v in layout.items()} == {"Chief": 1, "PS": 2, "Worker": 2}
    # Workers on spot restart on a reclaim; the CPU side pods are on-demand.
    assert layout["Worker"]["restartPolicy"] == "ExitCode"
    assert layout["Chief"]["restartPolicy"] == "OnFailure"
    assert layout["PS"]["restartPolicy"] == "OnFailure"
    for side, cpu, memory in (("Chief", "4", "16Gi"), ("PS", "4", "32Gi")):
        side_pod = pod(layout[side])
        assert side_pod["nodeSelector"]["karpenter.sh/capacity-type"] == "on-demand"
        assert side_pod["nodeSelector"]["manifestgen.io/node-pool"] == "cpu-on-demand"
        (container,) = side_pod["containers"]
        assert container["name"] == "tensorflow"
        assert container["resources"]["limits"] == {"cpu": cpu, "memory": memory}
        assert "affinity" not in side_pod
    assert pod(layout["Worker"])["nodeSelector"]["karpenter.sh/capacity-type"] == "spot"


def test_coordinator_resources_come_from_the_spec(tmp_path: Path) -> None:
    tensorflow = {
        "strategy": "ParameterServer",
        "parameterServers": PS,
        "coordinator": {"cpu": 2, "memory": "8Gi"},
    }
    chief = replicas(tfjob(tmp_path, tensorflow=tensorflow))["Chief"]
    assert pod(chief)["containers"][0]["resources"]["requests"] == {"cpu": "2", "memory": "8Gi"}


def test_efa_zone_affinity_follows_the_workers_not_the_side_pods(tmp_path: Path) -> None:
    obj = tfjob(
        tmp_path,
        tensorflow={"strategy": "ParameterServer", "parameterServers": PS, "evaluator": True},
    )
    for gpu_replica in ("Worker", "Evaluator"):
        spec = pod(replicas(obj)[gpu_replica])
        assert spec["containers"][0]["resources"]["limits"]["vpc.amazonaws.com/efa"] == "4"
        (term,) = spec["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert term["labelSelector"]["matchLabels"] == {
            "manifestgen.io/job": "train",
            "training.kubeflow.org/replica-type": "worker",
        }


def test_side_pods_count_in_the_cpu_quota(tmp_path: Path) -> None:
    many = {"replicas": 100, "cpu": 8, "memory": "32Gi"}
    job = tf_job(tensorflow={"strategy": "ParameterServer", "parameterServers": many})
    _, diagnostics = compile_specs(tmp_path, [job])
    (found,) = [d for d in diagnostics if d.code == "MG240"]
    # 100 servers of 8 CPUs and the coordinator's 4, against the default quota of 512.
    assert "ask for 804 vCPUs" in found.message
    assert found.field == "spec.tensorflow.coordinator"


def test_side_pods_of_a_gpu_job_get_the_on_demand_cpu_pool(tmp_path: Path) -> None:
    job = tf_job(tensorflow={"strategy": "ParameterServer", "parameterServers": PS})
    objects = build_objects(tmp_path, [job])
    (pool,) = [o for o in of_kind(objects, "NodePool") if o["metadata"]["name"] == "cpu-on-demand"]
    assert pool["spec"]["limits"]["cpu"] == "512"


def test_suspend_keeps_the_name_and_sets_run_policy(tmp_path: Path) -> None:
    running = tfjob(tmp_path / "a")
    suspended = tfjob(tmp_path / "b", state="Suspended")
    assert suspended["metadata"]["name"] == running["metadata"]["name"]
    assert suspended["spec"]["runPolicy"]["suspend"] is True
    assert "suspend" not in running["spec"]["runPolicy"]


def test_completed_job_emits_no_tfjob(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [tf_job(state="Completed")])
    assert of_kind(objects, "TFJob") == []


@pytest.mark.parametrize(("evaluator", "refused"), [(False, False), (True, True)])
def test_the_evaluator_child_name_is_in_the_name_budget(
    tmp_path: Path, evaluator: bool, refused: bool
) -> None:
    # 43 + 1 + 8 (hash) + len("-worker-1") = 61, but len("-evaluator-0") makes it 64.
    job = tf_job("j" * 43, tensorflow={"evaluator": evaluator})
    _, diagnostics = compile_specs(tmp_path, [job])
    assert ("MG222" in codes(diagnostics)) == refused


@pytest.mark.parametrize(
    ("words", "launcher"),
    [
        (["torchrun", "train.py"], "torchrun"),
        (["/opt/conda/bin/horovodrun", "-np", "4", "python", "t.py"], "horovodrun"),
        (["python3", "-u", "-m", "torch.distributed.launch", "t.py"], "torchrun"),
        (["python", "-m", "deepspeed.launcher.runner", "t.py"], "deepspeed"),
        (["python", "train.py", "-m", "torch.distributed.run"], None),
        (["python", "-m", "trainer.main"], None),
        (["python", "-m"], None),
        (["bash", "-c", "torchrun train.py"], None),
        ([], None),
    ],
)
def test_foreign_launcher(words: list[str], launcher: str | None) -> None:
    assert foreign_launcher(words) == launcher


@pytest.fixture(scope="module")
def tfjob_crd(crds_dir: Path) -> OutputValidator:
    return OutputValidator.create(
        "1.33", [crds_dir / "kubeflow-training-operator" / "kubeflow.org_tfjobs.yaml"]
    )


@pytest.mark.parametrize(
    "spec",
    [
        {"nodes": 1, "gpu": None, "resources": {"cpu": 8, "memory": "32Gi"}},
        {"capacityType": "spot", "tensorflow": {"evaluator": True}},
        {
            "state": "Suspended",
            "tensorflow": {"strategy": "ParameterServer", "parameterServers": PS},
        },
    ],
    ids=["single-cpu-node", "all-reduce-evaluator-spot", "parameter-server-suspended"],
)
def test_generated_tfjob_passes_the_real_crd(
    tmp_path: Path, tfjob_crd: OutputValidator, spec: dict[str, Any]
) -> None:
    obj = tfjob(tmp_path, **spec)
    outcome = tfjob_crd.check(obj)
    assert outcome.source == "crd"
    assert outcome.problems == ()
    # Nothing in the pod templates for the API server to default: Argo CD compares a
    # custom resource's lists whole, so a default added inside a list item (a container
    # port's protocol) is drift. (A key added to a map, runPolicy.suspend, is not.)
    schema = tfjob_crd.raw_crd_schema("kubeflow.org", "v1", "TFJob")
    assert schema is not None
    defaulted = apply_defaults(obj, schema)
    assert replicas(defaulted) == replicas(obj)


def test_verify_refuses_a_tfjob_name_the_operator_webhook_refuses(tmp_path: Path) -> None:
    obj = tfjob(tmp_path)
    assert child_name_problems(obj) == []
    obj["metadata"]["name"] = "3d-" + obj["metadata"]["name"]
    (problem,) = child_name_problems(obj)
    assert problem.path == ("metadata", "name")
    assert problem.message.startswith("TFJob ")


@st.composite
def tensorflow_specs(draw: st.DrawFn) -> dict[str, Any]:
    """TFJob specs within train-a's 32-A100 quota and 512-vCPU CPU quota."""
    evaluator = draw(st.booleans())
    nodes = draw(st.integers(1, 3))
    spec: dict[str, Any] = {
        "nodes": nodes,
        "capacityType": draw(st.sampled_from(["on-demand", "spot"])),
        "state": draw(st.sampled_from(["Running", "Suspended"])),
        "tensorflow": {"evaluator": evaluator},
    }
    if draw(st.booleans()):
        spec["gpu"] = {"type": "a100-80gb", "perNode": draw(st.sampled_from([1, 2, 4, 8]))}
    else:
        spec |= {"gpu": None, "resources": {"cpu": draw(st.integers(1, 10)), "memory": "16Gi"}}
    if draw(st.booleans()):
        servers = {
            "replicas": draw(st.integers(1, 8)),
            "cpu": draw(st.integers(1, 8)),
            "memory": f"{draw(st.integers(4, 64))}Gi",
        }
        spec["tensorflow"] |= {"strategy": "ParameterServer", "parameterServers": servers}
        if draw(st.booleans()):
            spec["tensorflow"]["coordinator"] = {"cpu": draw(st.integers(1, 8))}
    return spec


def _gpu_replicas(spec: dict[str, Any]) -> dict[str, int]:
    found = {"Worker": spec["nodes"]}
    if spec["tensorflow"]["evaluator"]:
        found["Evaluator"] = 1
    return found


@given(spec=tensorflow_specs())
def test_every_tfjob_passes_the_crd_and_keeps_the_operator_layout(
    tfjob_crd: OutputValidator, spec: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        obj = tfjob(Path(scratch), **spec)
    assert tfjob_crd.check(obj).problems == ()
    layout = replicas(obj)
    gpu_policy = "ExitCode" if spec["capacityType"] == "spot" else "OnFailure"
    expected = _gpu_replicas(spec)
    for name, count in expected.items():
        assert (layout[name]["replicas"], layout[name]["restartPolicy"]) == (count, gpu_policy)
    servers = spec["tensorflow"].get("parameterServers")
    if servers is not None:
        expected |= {"Chief": 1, "PS": servers["replicas"]}
        assert {layout[r]["restartPolicy"] for r in ("Chief", "PS")} == {"OnFailure"}
    assert {name: r["replicas"] for name, r in layout.items()} == expected
    for replica in layout.values():
        (container,) = pod(replica)["containers"]
        assert container["name"] == "tensorflow"
        assert all(v["name"] != "TF_CONFIG" for v in container.get("env", []))
        for term in (
            pod(replica)
            .get("affinity", {})
            .get("podAffinity", {})
            .get("requiredDuringSchedulingIgnoredDuringExecution", [])
        ):
            assert (
                term["labelSelector"]["matchLabels"]["training.kubeflow.org/replica-type"]
                == "worker"
            )
