"""The capacity and storage model: allocatable arithmetic, quota split across capacity
types, Karpenter-native GPU requirements, catalog overrides and claim waves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from manifestgen.spec.capacity import allocatable, kube_reserved_millicpu
from manifestgen.spec.catalog.instances import BUILTIN_INSTANCE_TYPES
from manifestgen.spec.platform import NodeOverhead
from manifestgen.spec.quota import split_quota
from tests.support import CASE_PLATFORM, make_repo, run_cli

NO_DAEMONSETS = NodeOverhead(daemonset_cpu="0", daemonset_memory="0")


@pytest.mark.parametrize(
    ("name", "millicpu", "memory_mib"),
    [
        # Karpenter's published allocatable for these instance types (AL2023, no DaemonSets).
        ("p4de.24xlarge", 95690, 1082712),
        ("p5.48xlarge", 191450, 1938410),
        ("p5en.48xlarge", 191450, 1937332),
        ("g6.12xlarge", 47810, 178933),
        ("g5.xlarge", 3920, 14162),
        ("trn1.32xlarge", 127610, 481894),
    ],
)
def test_allocatable_matches_karpenter(name: str, millicpu: int, memory_mib: int) -> None:
    offer = allocatable(BUILTIN_INSTANCE_TYPES[name], NO_DAEMONSETS)
    assert (offer.millicpu, offer.memory_mib) == (millicpu, memory_mib)


def test_kube_reserved_cpu_tiers() -> None:
    assert [kube_reserved_millicpu(n) for n in (1, 2, 3, 4, 8, 96)] == [60, 70, 75, 80, 90, 310]


def test_default_overhead_leaves_what_messages_promise() -> None:
    offer = allocatable(BUILTIN_INSTANCE_TYPES["p4de.24xlarge"], NodeOverhead())
    assert (offer.cpus(), offer.gib()) == ("94.6", "1055 GiB")


def _job(name: str, nodes: int, capacity: str, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "team": "vision",
        "cluster": "train-a",
        "image": "ghcr.io/acme/vision:1.0.0",
        "nodes": nodes,
        "gpu": {"type": "a100-80gb", "perNode": 8},
        "resources": {"cpu": 90, "memory": "1000Gi"},
        "capacityType": capacity,
        **extra,
    }
    return {
        "apiVersion": "manifestgen.io/v1alpha1",
        "kind": "TrainingJob",
        "metadata": {"name": name},
        "spec": spec,
    }


def _platform(**cluster_extra: Any) -> dict[str, Any]:
    platform: dict[str, Any] = yaml.safe_load(CASE_PLATFORM.read_text())
    platform["spec"]["clusters"]["train-a"].update(cluster_extra)
    return platform


def _build(
    tmp_path: Path, platform: dict[str, Any], jobs: list[dict[str, Any]], *crds: str | Path
) -> Path:
    root = make_repo(tmp_path, platform=None)
    (root / "specs" / "platform.yaml").write_text(yaml.safe_dump(platform))
    (root / "specs" / "jobs.yaml").write_text(yaml.safe_dump_all(jobs))
    check = ["--crds", *crds] if crds else ["--no-output-check"]
    result = run_cli("build", "--root", root, *check)
    assert result.code == 0, result.stdout
    return root / "out" / "train-a"


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _gpu_limit(out: Path, capacity: str) -> int:
    pool = _read(out / "cluster" / f"nodepool-gpu-a100-80gb-{capacity}.yaml")
    return int(pool["spec"]["limits"]["nvidia.com/gpu"])


def test_capacity_types_split_the_quota(tmp_path: Path) -> None:
    # 16 GPUs on spot, 8 on demand, a quota of 32: the 8 spare go 2:1, rounded down.
    jobs = [_job("on-spot", 2, "spot"), _job("on-demand", 1, "on-demand")]
    out = _build(tmp_path, _platform(), jobs)
    spot, on_demand = _gpu_limit(out, "spot"), _gpu_limit(out, "on-demand")
    assert (spot, on_demand) == (21, 10)
    assert spot + on_demand <= 32


def test_one_capacity_type_gets_the_whole_quota(tmp_path: Path) -> None:
    out = _build(tmp_path, _platform(), [_job("alone", 1, "on-demand")])
    assert _gpu_limit(out, "on-demand") == 32


@given(
    quota=st.integers(0, 10_000),
    wanted=st.dictionaries(
        st.sampled_from(["on-demand", "spot"]), st.integers(1, 5_000), min_size=1
    ),
)
def test_split_never_exceeds_the_quota(quota: int, wanted: dict[str, int]) -> None:
    shares = split_quota(quota, wanted)
    assert set(shares) == set(wanted)
    assert sum(shares.values()) <= quota
    if sum(wanted.values()) <= quota:
        # Every pool can hold all of its own jobs at once.
        assert all(shares[c] >= need for c, need in wanted.items())
        assert sum(shares.values()) > quota - len(wanted)


def test_completed_jobs_hold_no_quota(tmp_path: Path) -> None:
    # 32 + 32 running and 32 Completed against 64: only the running ones count.
    jobs = [
        _job("first", 4, "spot"),
        _job("done", 4, "spot", state="Completed"),
        _job("second", 4, "on-demand"),
    ]
    out = _build(tmp_path, _platform(gpuQuota={"a100-80gb": 64}), jobs)
    assert _gpu_limit(out, "spot") + _gpu_limit(out, "on-demand") == 64


def _requirements(out: Path, pool: str) -> dict[str, list[str]]:
    spec = _read(out / "cluster" / f"nodepool-{pool}.yaml")["spec"]["template"]["spec"]
    return {r["key"]: r["values"] for r in spec["requirements"]}


def test_family_with_mixed_skus_launches_only_the_named_shape(
    tmp_path: Path, crds_dir: Path
) -> None:
    # g6 holds 1-, 4- and 8-GPU sizes: a pool for 4 x L4 must launch only the 4-GPU ones.
    platform = _platform(gpuQuota={"l4": 16})
    platform["spec"]["gpus"]["l4"] = {
        "product": "NVIDIA-L4",
        "instanceFamilies": ["g6"],
        "gpusPerNode": 4,
    }
    job = _job(
        "mixed",
        2,
        "on-demand",
        gpu={"type": "l4", "perNode": 4},
        resources={"cpu": 90, "memory": "300Gi"},
    )
    out = _build(tmp_path, platform, [job], crds_dir)
    assert _requirements(out, "gpu-l4-on-demand") == {
        "karpenter.sh/capacity-type": ["on-demand"],
        "karpenter.k8s.aws/instance-family": ["g6"],
        "kubernetes.io/arch": ["amd64"],
        "karpenter.k8s.aws/instance-gpu-name": ["l4"],
        "karpenter.k8s.aws/instance-gpu-count": ["4"],
        "karpenter.k8s.aws/instance-gpu-memory": ["22888"],
    }


def test_platform_instance_types_replace_catalog_entries(tmp_path: Path) -> None:
    platform = _platform()
    # The built-in p4de.24xlarge, described with half its vCPUs: the job's 90 no longer fit.
    small = BUILTIN_INSTANCE_TYPES["p4de.24xlarge"].model_dump(by_alias=True, exclude_none=True)
    platform["spec"]["instanceTypes"] = {"p4de.24xlarge": {**small, "cpu": 48}}
    root = make_repo(tmp_path, platform=None)
    (root / "specs" / "platform.yaml").write_text(yaml.safe_dump(platform))
    (root / "specs" / "jobs.yaml").write_text(yaml.safe_dump(_job("big", 1, "spot")))
    result = run_cli("validate", "--root", root, "--no-output-check")
    assert "asks 90 CPUs per node; p4de.24xlarge offers about 46.8 allocatable" in result.stdout


def test_platform_instance_types_extend_the_catalog(tmp_path: Path) -> None:
    platform = _platform()
    platform["spec"]["instanceTypes"] = {
        # A type the built-in catalog lacks.
        "p9.48xlarge": {
            "cpu": 64,
            "memory": "512Gi",
            "maxPods": 100,
            "gpus": 8,
            "gpuName": "a100",
            "gpuProduct": "NVIDIA-A100-SXM4-80GB",
            "gpuMemory": "80Gi",
            "efa": 4,
            "architecture": "arm64",
        },
    }
    platform["spec"]["gpus"]["a100-80gb"]["instanceTypes"] = ["p9.48xlarge"]
    root = make_repo(tmp_path, platform=None)
    (root / "specs" / "platform.yaml").write_text(yaml.safe_dump(platform))
    (root / "specs" / "jobs.yaml").write_text(yaml.safe_dump(_job("big", 1, "spot")))
    result = run_cli("validate", "--root", root, "--no-output-check")
    assert "error[MG273] spec.resources.cpu: asks 90 CPUs per node; p9.48xlarge" in result.stdout
    (root / "specs" / "jobs.yaml").write_text(
        yaml.safe_dump(_job("big", 1, "spot", resources={"cpu": 60, "memory": "400Gi"}))
    )
    assert run_cli("build", "--root", root, "--no-output-check").code == 0
    reqs = _requirements(root / "out" / "train-a", "gpu-a100-80gb-spot")
    assert reqs["kubernetes.io/arch"] == ["arm64"]
    assert reqs["karpenter.k8s.aws/instance-gpu-memory"] == ["81920"]


def test_trainium_pools_use_accelerator_labels(tmp_path: Path, crds_dir: Path) -> None:
    platform = _platform(gpuQuota={"trainium": 32})
    platform["spec"]["gpus"] = {
        "trainium": {
            "resourceName": "aws.amazon.com/neuron",
            "product": "Trainium",
            "instanceTypes": ["trn1.32xlarge"],
            "gpusPerNode": 16,
            "efaPerNode": 8,
        }
    }
    job = _job(
        "neuron",
        2,
        "on-demand",
        gpu={"type": "trainium", "perNode": 16},
        resources={"cpu": 120, "memory": "400Gi"},
    )
    out = _build(tmp_path, platform, [job], crds_dir)
    reqs = _requirements(out, "gpu-trainium-on-demand")
    assert reqs["karpenter.k8s.aws/instance-accelerator-name"] == ["trainium"]
    assert reqs["karpenter.k8s.aws/instance-accelerator-count"] == ["16"]
    assert not any("instance-gpu" in key for key in reqs)


STORAGE = {
    "gp3": {"default": True, "bindingMode": "WaitForFirstConsumer", "expandable": True},
    "efs-sc": {"readWriteMany": True},
}


def _claim_wave(out: Path, job: str) -> str:
    claim = _read(out / "team-vision" / job / "persistentvolumeclaim.yaml")
    return str(claim["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])


def test_wait_for_first_consumer_claims_go_with_their_job(tmp_path: Path) -> None:
    jobs = [
        _job("on-ebs", 1, "on-demand", checkpoints={"size": "100Gi"}),
        _job("on-efs", 1, "spot", checkpoints={"size": "100Gi", "storageClass": "efs-sc"}),
    ]
    out = _build(tmp_path, _platform(storageClasses=STORAGE), jobs)
    # In wave 1 the unbound EBS claim would hold back every job of the cluster.
    assert _claim_wave(out, "on-ebs") == "2"
    assert _claim_wave(out, "on-efs") == "1"
