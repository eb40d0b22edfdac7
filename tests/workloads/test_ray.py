"""RayJob (KubeRay v1.7): a CPU head with the driver, GPU workers, and what KubeRay does."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest

from manifestgen.kinds.names import overlong_child
from tests.bundle import PLATFORM, build_objects, codes, compile_specs, of_kind
from tests.pod_security import violations
from tests.workloads.support import built, crd_diagnostics, framework_job, kind_problems

A100 = {"type": "a100-80gb", "perNode": 8}


def ray_job(name: str = "train", **spec: Any) -> dict[str, Any]:
    return framework_job("ray", name, **spec)


def the_job(tmp_path: Path, **spec: Any) -> dict[str, Any]:
    return built(tmp_path, "RayJob", ray_job(**spec))


def _cluster(obj: dict[str, Any]) -> dict[str, Any]:
    cluster: dict[str, Any] = obj["spec"]["rayClusterSpec"]
    return cluster


def _pods(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    cluster = _cluster(obj)
    pods = {
        "head": cluster["headGroupSpec"]["template"],
        "worker": cluster["workerGroupSpecs"][0]["template"],
    }
    if "submitterPodTemplate" in obj["spec"]:
        pods["submitter"] = obj["spec"]["submitterPodTemplate"]
    return pods


def test_workers_carry_the_gpus_and_the_head_is_an_on_demand_cpu_pod(tmp_path: Path) -> None:
    obj = the_job(
        tmp_path, gpu=A100, nodes=3, capacityType="spot", resources={"cpu": 90, "memory": "900Gi"}
    )
    assert obj["apiVersion"] == "ray.io/v1"
    (group,) = _cluster(obj)["workerGroupSpecs"]
    assert (group["replicas"], group["minReplicas"], group["maxReplicas"]) == (3, 3, 3)
    assert group["numOfHosts"] == 1
    # Strings: the CRD's rayStartParams is a map of strings.
    assert group["rayStartParams"] == {"num-cpus": "90", "num-gpus": "8"}
    worker = group["template"]["spec"]
    assert worker["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "8"
    assert worker["nodeSelector"]["karpenter.sh/capacity-type"] == "spot"
    head = _cluster(obj)["headGroupSpec"]
    assert head["rayStartParams"] == {"dashboard-host": "0.0.0.0", "num-cpus": "0", "num-gpus": "0"}
    spec = head["template"]["spec"]
    assert spec["containers"][0]["resources"]["limits"] == {"cpu": "4", "memory": "16Gi"}
    assert spec["nodeSelector"]["karpenter.sh/capacity-type"] == "on-demand"
    assert "manifestgen.io/cpu-training" in str(spec["tolerations"])
    assert _cluster(obj)["enableInTreeAutoscaling"] is False


def test_fractional_cpus_round_up_as_kuberay_derives_them(tmp_path: Path) -> None:
    obj = the_job(tmp_path, resources={"cpu": "7500m", "memory": "30Gi"})
    assert _cluster(obj)["workerGroupSpecs"][0]["rayStartParams"]["num-cpus"] == "8"


def test_ray_pods_get_no_command_the_driver_is_the_entrypoint(tmp_path: Path) -> None:
    # KubeRay runs the container's own command before `ray start`: ours must be empty.
    args = ["--name", "run one", "--glob", "s3://b/*.parquet", "it's"]
    obj = the_job(
        tmp_path, command=["python", "train.py"], args=args, ray={"submissionMode": "HTTPMode"}
    )
    for pod in _pods(obj).values():
        container = pod["spec"]["containers"][0]
        assert "command" not in container
        assert "args" not in container
    # One shell reads the entrypoint on the head: it must give back the exact words.
    assert shlex.split(obj["spec"]["entrypoint"]) == ["python", "train.py", *args]


def test_every_operator_field_is_written_out(tmp_path: Path) -> None:
    # The CRD defaults some of these; required fields are checked before defaults apply.
    spec = the_job(tmp_path)["spec"]
    assert spec["shutdownAfterJobFinishes"] is True
    assert spec["ttlSecondsAfterFinished"] == 0
    assert spec["submissionMode"] == "K8sJobMode"
    assert spec["backoffLimit"] == 3
    assert "activeDeadlineSeconds" not in spec


def test_run_policy_reaches_the_rayjob_and_its_ttl_is_no_warning(tmp_path: Path) -> None:
    policy = {"activeDeadlineSeconds": 3600, "backoffLimit": 1, "ttlSecondsAfterFinished": 300}
    job = ray_job(runPolicy=policy)
    objects, diagnostics = compile_specs(tmp_path, [job])
    (obj,) = of_kind(objects, "RayJob")
    assert (obj["spec"]["activeDeadlineSeconds"], obj["spec"]["backoffLimit"]) == (3600, 1)
    # The TTL deletes the RayCluster only: the RayJob that Argo CD tracks stays.
    assert obj["spec"]["ttlSecondsAfterFinished"] == 300
    assert "MG229" not in [d.code for d in diagnostics]


def test_submitter_passes_restricted_pod_security_on_the_cpu_pool(tmp_path: Path) -> None:
    obj = the_job(tmp_path)
    for pod in _pods(obj).values():
        assert violations(pod["spec"], "restricted") == []
    submitter = obj["spec"]["submitterPodTemplate"]
    (container,) = submitter["spec"]["containers"]
    # KubeRay reads the first container and fills in its command when it has none.
    assert container["name"] == "ray-job-submitter"
    assert "command" not in container
    assert submitter["spec"]["restartPolicy"] == "Never"  # a Job's pod must not be Always
    assert submitter["spec"]["nodeSelector"]["karpenter.sh/capacity-type"] == "on-demand"
    # Its labels put it inside the job's NetworkPolicy, next to the head's dashboard.
    assert submitter["metadata"]["labels"]["manifestgen.io/job"] == "train"


def test_http_mode_has_no_submitter_pod(tmp_path: Path) -> None:
    spec = the_job(tmp_path, ray={"submissionMode": "HTTPMode"})["spec"]
    assert spec["submissionMode"] == "HTTPMode"
    assert "submitterPodTemplate" not in spec


def test_the_operator_may_reach_the_dashboard(tmp_path: Path) -> None:
    job = ray_job(ray={"operatorNamespace": "ray-system"})
    (policy,) = of_kind(build_objects(tmp_path, [job]), "NetworkPolicy")
    own, operator = policy["spec"]["ingress"]
    assert own == {"from": [{"podSelector": {"matchLabels": {"manifestgen.io/job": "train"}}}]}
    assert operator["ports"] == [{"port": 8265, "protocol": "TCP"}]
    (peer,) = operator["from"]
    assert peer["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "ray-system"}
    assert peer["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "kuberay-operator"}


def test_efa_workers_follow_workers_not_the_cpu_head(tmp_path: Path) -> None:
    obj = the_job(tmp_path, gpu=A100, nodes=2, resources={"cpu": 90, "memory": "900Gi"})
    worker = _pods(obj)["worker"]["spec"]
    term = worker["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["labelSelector"]["matchLabels"] == {
        "manifestgen.io/job": "train",
        "ray.io/node-type": "worker",
    }
    assert "affinity" not in _pods(obj)["head"]["spec"]


def test_suspend_is_set_in_place(tmp_path: Path) -> None:
    running = the_job(tmp_path / "a")
    suspended = the_job(tmp_path / "b", state="Suspended")
    assert suspended["spec"]["suspend"] is True
    assert "suspend" not in running["spec"]
    assert suspended["metadata"]["name"] == running["metadata"]["name"]


def test_head_and_submitter_count_in_the_cpu_quota(tmp_path: Path) -> None:
    platform = PLATFORM.replace(
        "      gpuQuota:\n        a100", "      cpuQuota: 8\n      gpuQuota:\n        a100"
    )
    job = ray_job(
        gpu=A100, nodes=1, resources={"cpu": 90, "memory": "900Gi"}, ray={"head": {"cpu": 8}}
    )
    _, diagnostics = compile_specs(tmp_path, [job], platform)
    assert codes(diagnostics) == ["MG240"]
    assert "this job asks for 9" in diagnostics[0].message  # head 8 + submitter 1


@pytest.mark.parametrize(("length", "fits"), [(38, True), (39, False)])
def test_kuberay_name_limit_is_the_child_name_rule(tmp_path: Path, length: int, fits: bool) -> None:
    # KubeRay refuses RayJob names over 47 characters; the object adds -<8 hex> to the job's.
    name = "r" * length
    obj = {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": f"{name}-0123abcd"}}
    assert (overlong_child(obj) is None) == fits
    _, diagnostics = compile_specs(tmp_path, [ray_job(name)])
    assert ("MG222" in codes(diagnostics)) == (not fits)


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ({"command": [], "args": []}, "MG340"),
        (
            {
                "command": ["bash", "-c", "ray start --head && python t.py"],
                "ray": {"submissionMode": "HTTPMode"},
            },
            "MG341",
        ),
        ({"command": ["/usr/bin/ray", "start", "--address=x:6379"]}, "MG341"),
        ({"env": {"RAY_ADDRESS": "ray://x:10001"}}, "MG342"),
        ({"secrets": [{"env": "RAY_ADDRESS", "secret": "s", "key": "k"}]}, "MG342"),
        ({"ray": {"rayStartParams": {"num-gpus": "4"}}}, "MG344"),
        ({"ray": {"rayStartParams": {"num-cpus": "2"}}}, "MG344"),
        ({"ray": {"rayStartParams": {"labels": "a=b"}}}, "MG344"),
        ({"args": ["--name", "run one"]}, "MG345"),
        ({"args": ['--x="y"']}, "MG345"),
    ],
)
def test_launch_rules(tmp_path: Path, spec: dict[str, Any], code: str) -> None:
    _, diagnostics = compile_specs(tmp_path, [ray_job(**spec)])
    assert codes(diagnostics) == [code]


def test_launchers_inside_ray_are_a_warning(tmp_path: Path) -> None:
    job = ray_job(command=["torchrun", "--nproc-per-node", "8", "train.py"])
    _, diagnostics = compile_specs(tmp_path, [job])
    assert codes(diagnostics) == []
    assert [d.code for d in diagnostics] == ["MG343"]


def test_plain_arguments_and_http_mode_are_fine(tmp_path: Path) -> None:
    jobs = [
        ray_job("plain", args=["--lr=0.001", "--data", "/data/x", "s3://b/k"]),
        ray_job("http", args=["--name", "run one"], ray={"submissionMode": "HTTPMode"}),
        ray_job(
            "same", ray={"rayStartParams": {"num-gpus": "0", "object-store-memory": "1000000000"}}
        ),
    ]
    _, diagnostics = compile_specs(tmp_path, jobs)
    assert diagnostics == ()


def test_generated_rayjobs_pass_the_real_crd(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        ray_job(
            "gpu", gpu=A100, nodes=2, capacityType="spot", resources={"cpu": 90, "memory": "900Gi"}
        ),
        ray_job("http", nodes=1, ray={"submissionMode": "HTTPMode"}, hyperparameters={"lr": 0.1}),
        ray_job("paused", state="Suspended", runPolicy={"activeDeadlineSeconds": 60}),
    ]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir)
    assert kind_problems(diagnostics, "RayJob") == []
    assert not [d for d in diagnostics if d.is_error]
