"""Bundles that pass the CRDs must also run: what the cluster's admission, the operator,
Karpenter and Argo CD do with the generated objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bundle import PLATFORM, build_objects, codes, compile_specs, job_spec, of_kind
from tests.pod_security import operator_pods, violations

SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
COMPARE_OPTIONS = "argocd.argoproj.io/compare-options"
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"


def _job(objects: dict[str, Any], name: str = "train") -> dict[str, Any]:
    jobs = of_kind(objects, "PyTorchJob")
    return next(o for o in jobs if o["metadata"]["labels"]["manifestgen.io/job"] == name)


def _pytorchjob(objects: dict[str, Any]) -> dict[str, Any]:
    (job,) = of_kind(objects, "PyTorchJob")
    return job


def _templates(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [spec["template"] for _, spec in sorted(job["spec"]["pytorchReplicaSpecs"].items())]


def test_every_team_project_whitelists_the_job_kinds(tmp_path: Path) -> None:
    platform = PLATFORM.replace("project: training", "project: alpha", 1)
    platform = platform.replace("project: training", "project: beta", 1)
    objects = build_objects(tmp_path, [job_spec()], platform)
    projects = {p["metadata"]["name"]: p for p in of_kind(objects, "AppProject")}
    assert sorted(projects) == ["alpha", "alpha-nlp", "alpha-vision", "beta", "beta-nlp"]
    for name, project in projects.items():
        kinds = project["spec"]["namespaceResourceWhitelist"]
        # Jobs are the teams' own: only the teams' projects admit them.
        job = {"group": "kubeflow.org", "kind": "PyTorchJob"}
        assert (job in kinds) == (name not in ("alpha", "beta")), name


@pytest.mark.parametrize("level", ["restricted", "baseline"])
@pytest.mark.parametrize(
    "shape",
    [{"nodes": 1}, {"nodes": 3}, {"nodes": 3, "elastic": {"minNodes": 2, "maxNodes": 4}}],
    ids=["single-node", "multi-node", "elastic"],
)
def test_operator_created_pods_pass_the_enforced_pod_security_level(
    tmp_path: Path, level: str, shape: dict[str, Any]
) -> None:
    platform = PLATFORM.replace("  teams:", f"  defaults:\n    securityProfile: {level}\n  teams:")
    objects = build_objects(tmp_path, [job_spec(**shape)], platform)
    for namespace in of_kind(objects, "Namespace"):
        assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == level
    for pod in operator_pods(_pytorchjob(objects)):
        assert violations(pod, level) == []


def test_multi_node_jobs_meet_through_c10d_among_equal_workers(tmp_path: Path) -> None:
    job = _pytorchjob(build_objects(tmp_path, [job_spec(nodes=3)]))
    assert list(job["spec"]["pytorchReplicaSpecs"]) == ["Worker"]
    assert job["spec"]["pytorchReplicaSpecs"]["Worker"]["replicas"] == 3
    assert job["spec"]["elasticPolicy"] == {
        "maxReplicas": 3,
        "minReplicas": 3,
        "rdzvBackend": "c10d",
    }


def test_single_node_jobs_keep_one_master(tmp_path: Path) -> None:
    job = _pytorchjob(build_objects(tmp_path, [job_spec(nodes=1)]))
    assert list(job["spec"]["pytorchReplicaSpecs"]) == ["Master"]
    assert "elasticPolicy" not in job["spec"]


def test_cpu_pool_is_tainted_bounded_and_x86(tmp_path: Path) -> None:
    cpu_job = job_spec(gpu=None, resources={"cpu": 16, "memory": "64Gi"})
    objects = build_objects(tmp_path, [cpu_job])
    (pool,) = of_kind(objects, "NodePool")
    template = pool["spec"]["template"]["spec"]
    requirements = {r["key"]: r for r in template["requirements"]}
    assert requirements["kubernetes.io/arch"] == {
        "key": "kubernetes.io/arch",
        "operator": "In",
        "values": ["amd64"],
    }
    assert pool["spec"]["limits"] == {"cpu": "512"}
    (taint,) = template["taints"]
    pod = _templates(_pytorchjob(objects))[0]["spec"]
    assert any(
        t["key"] == taint["key"] and t["effect"] == taint["effect"] for t in pod["tolerations"]
    )
    labels = pool["spec"]["template"]["metadata"]["labels"]
    assert pod["nodeSelector"]["kubernetes.io/arch"] == "amd64"
    assert pod["nodeSelector"]["manifestgen.io/node-pool"] == labels["manifestgen.io/node-pool"]


def test_cpu_quota_is_split_between_capacity_types(tmp_path: Path) -> None:
    resources = {"cpu": 16, "memory": "64Gi"}
    jobs = [
        job_spec("a", gpu=None, resources=resources, nodes=3),
        job_spec("b", gpu=None, resources=resources, nodes=1, capacityType="spot"),
    ]
    platform = PLATFORM.replace(
        "      gpuQuota:\n        a100", "      cpuQuota: 100\n      gpuQuota:\n        a100"
    )
    pools = {
        p["metadata"]["name"]: p
        for p in of_kind(build_objects(tmp_path, jobs, platform), "NodePool")
    }
    limits = {name: int(p["spec"]["limits"]["cpu"]) for name, p in pools.items()}
    assert limits == {"cpu-on-demand": 75, "cpu-spot": 25}


def test_cpu_jobs_over_the_quota_are_each_named(tmp_path: Path) -> None:
    resources = {"cpu": 200, "memory": "64Gi"}
    jobs = [
        job_spec("a", gpu=None, resources=resources, nodes=2),
        job_spec("b", gpu=None, resources=resources, nodes=1, capacityType="spot"),
    ]
    _, diagnostics = compile_specs(tmp_path, jobs)
    assert codes(diagnostics) == ["MG240", "MG240"]
    assert "ask for 600 vCPUs together, but its cpuQuota is 512" in diagnostics[0].message


def test_efa_jobs_keep_their_pods_in_one_zone(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [job_spec(nodes=2), job_spec("solo", nodes=1)])
    pod = _templates(_job(objects))[0]["spec"]
    (term,) = pod["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term == {
        "labelSelector": {"matchLabels": {"manifestgen.io/job": "train"}},
        "topologyKey": "topology.kubernetes.io/zone",
    }
    assert "affinity" not in _templates(_job(objects, "solo"))[0]["spec"]


@pytest.mark.parametrize(("gpus", "efa"), [(8, "4"), (4, "2"), (2, "1"), (1, "1")])
def test_efa_interfaces_follow_the_gpu_share(tmp_path: Path, gpus: int, efa: str) -> None:
    job = job_spec(gpu={"type": "a100-80gb", "perNode": gpus}, processesPerNode=gpus)
    objects = build_objects(tmp_path, [job])
    limits = _templates(_pytorchjob(objects))[0]["spec"]["containers"][0]["resources"]["limits"]
    assert limits["vpc.amazonaws.com/efa"] == efa


def test_removed_teams_and_jobs_keep_their_checkpoints(tmp_path: Path) -> None:
    job = job_spec(checkpoints={"size": "100Gi", "storageClass": "efs-sc"})
    objects = build_objects(tmp_path, [job])
    retained = [*of_kind(objects, "Namespace"), *of_kind(objects, "PersistentVolumeClaim")]
    assert len(retained) == 4  # three team namespaces on two clusters, one claim
    for obj in retained:
        annotations = obj["metadata"]["annotations"]
        assert "Prune=false" in annotations[SYNC_OPTIONS].split(",")
        # Once gone from Git, a retained object must not keep the Application OutOfSync.
        assert annotations[COMPARE_OPTIONS] == "IgnoreExtraneous"


def test_spot_jobs_have_a_deadline_and_a_drain_window(tmp_path: Path) -> None:
    # 16 + 8 + 8 GPUs: together within train-a's quota of 32 A100s.
    jobs = [
        job_spec("spot", capacityType="spot"),
        job_spec(
            "spot-own", nodes=1, capacityType="spot", runPolicy={"activeDeadlineSeconds": 3600}
        ),
        job_spec("steady", nodes=1),
    ]
    objects = build_objects(tmp_path, jobs)
    spot, own, steady = (_job(objects, n) for n in ("spot", "spot-own", "steady"))
    assert spot["spec"]["runPolicy"]["activeDeadlineSeconds"] == 604800
    assert own["spec"]["runPolicy"]["activeDeadlineSeconds"] == 3600
    assert "activeDeadlineSeconds" not in steady["spec"]["runPolicy"]
    for template in _templates(spot):
        assert DO_NOT_DISRUPT not in template["metadata"].get("annotations", {})
        # Shorter than the two-minute spot notice.
        assert template["spec"]["terminationGracePeriodSeconds"] < 120
    for template in _templates(steady):
        assert template["metadata"]["annotations"][DO_NOT_DISRUPT] == "true"


def test_custom_resources_skip_the_dry_run_when_their_crd_is_missing(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [job_spec()])
    custom = [
        obj
        for path, obj in objects.items()
        if not path.startswith("argocd/")
        and "." in obj["apiVersion"].split("/")[0]
        and not obj["apiVersion"].startswith("networking.k8s.io/")
    ]
    assert {o["kind"] for o in custom} == {"EC2NodeClass", "NodePool", "PyTorchJob"}
    for obj in custom:
        options = obj["metadata"]["annotations"][SYNC_OPTIONS].split(",")
        assert "SkipDryRunOnMissingResource=true" in options


@pytest.mark.parametrize(
    ("nodes", "command", "args", "warned"),
    [
        (2, ["python"], ["train.py"], True),
        (2, ["torchrun"], ["train.py"], False),
        (2, ["python"], ["-m", "torch.distributed.run", "train.py"], False),
        (2, ["bash", "-c"], ["pip install -e . && torchrun train.py"], False),
        (2, [], [], False),
        (1, ["python"], ["train.py"], False),
    ],
)
def test_multi_node_commands_that_do_not_start_torchrun_are_warned(
    tmp_path: Path, nodes: int, command: list[str], args: list[str], warned: bool
) -> None:
    job = job_spec(nodes=nodes, command=command, args=args)
    _, diagnostics = compile_specs(tmp_path, [job])
    assert [d.code for d in diagnostics if d.code == "MG247"] == (["MG247"] if warned else [])
