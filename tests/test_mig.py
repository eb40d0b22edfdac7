"""MIG: GPU types partitioned by the GPU operator, and jobs that ask for slices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from manifestgen.plan.demand import capacity
from manifestgen.plan.objects import sort_tree
from manifestgen.spec.catalog.mig import (
    MIG_PROFILES,
    MigProfile,
    default_config,
    layout_problem,
)
from tests.bundle import PLATFORM, build_objects, codes, compile_specs, job_spec, of_kind
from tests.workloads.support import crd_diagnostics, kind_problems

_MIG_TYPES = """\
    a100-mixed:
      product: NVIDIA-A100-SXM4-80GB
      instanceTypes: [p4de.24xlarge]
      gpusPerNode: 8
      mig:
        devices: {1g.10gb: 7}
    h100-single:
      product: NVIDIA-H100-80GB-HBM3
      instanceTypes: [p5.48xlarge]
      gpusPerNode: 8
      mig:
        strategy: single
        devices: {3g.40gb: 2}
    a100-balanced:
      product: NVIDIA-A100-SXM4-40GB
      instanceTypes: [p4d.24xlarge]
      gpusPerNode: 8
      mig:
        devices: {1g.5gb: 2, 2g.10gb: 1, 3g.20gb: 1}
"""
MIG_PLATFORM = PLATFORM.replace("  gpus:\n", "  gpus:\n" + _MIG_TYPES, 1).replace(
    "        a100-80gb: 32\n",
    "        a100-80gb: 32\n        a100-mixed: 16\n        h100-single: 16\n"
    "        a100-balanced: 8\n",
    1,
)


def mig_job(gpu_type: str, profile: str, per_node: int, **spec: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "nodes": 1,
        "command": ["python"],
        "args": ["train.py"],
        "resources": {"cpu": 8, "memory": "64Gi"},
        "gpu": {"type": gpu_type, "migProfile": profile, "perNode": per_node},
    }
    return job_spec(f"{gpu_type}-{per_node}", **{**fields, **spec})


def pod_spec(objects: dict[str, Any]) -> dict[str, Any]:
    (job,) = of_kind(objects, "PyTorchJob")
    (replica,) = job["spec"]["pytorchReplicaSpecs"].values()
    spec: dict[str, Any] = replica["template"]["spec"]
    return spec


def pool(objects: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in of_kind(objects, "NodePool") if p["metadata"]["name"] == name]
    return found


def test_mixed_strategy_asks_for_the_profile_resource(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [mig_job("a100-mixed", "1g.10gb", 1)], MIG_PLATFORM)
    spec = pod_spec(objects)
    limits = spec["containers"][0]["resources"]["limits"]
    assert limits["nvidia.com/mig-1g.10gb"] == "1"
    assert "nvidia.com/gpu" not in limits
    # The full product stays on the node under the mixed strategy; the config picks the pool.
    assert spec["nodeSelector"]["nvidia.com/gpu.product"] == "NVIDIA-A100-SXM4-80GB"
    assert spec["nodeSelector"]["nvidia.com/mig.config"] == "all-1g.10gb"
    # The GPU operator's DaemonSets tolerate nvidia.com/gpu, never a MIG-named key.
    assert spec["tolerations"] == [
        {"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}
    ]


def test_the_pool_is_labelled_for_mig_manager_and_counts_nodes(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [mig_job("a100-mixed", "1g.10gb", 1)], MIG_PLATFORM)
    node_pool = pool(objects, "gpu-a100-mixed-on-demand")
    labels = node_pool["spec"]["template"]["metadata"]["labels"]
    assert labels["nvidia.com/mig.config"] == "all-1g.10gb"
    assert node_pool["spec"]["template"]["spec"]["taints"] == [
        {"effect": "NoSchedule", "key": "nvidia.com/gpu", "value": "true"}
    ]
    # A quota of 16 GPUs is two 8-GPU nodes.
    assert node_pool["spec"]["limits"] == {"nodes": "2"}
    # A pod's nodeSelector may only name labels the pool's template sets.
    selector = pod_spec(objects)["nodeSelector"]
    assert {k: v for k, v in selector.items() if k.startswith("nvidia.com/")}.items() <= (
        labels.items()
    )


def test_an_overlay_gives_karpenter_the_slices(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [mig_job("a100-mixed", "1g.10gb", 1)], MIG_PLATFORM)
    (overlay,) = of_kind(objects, "NodeOverlay")
    assert overlay["apiVersion"] == "karpenter.sh/v1alpha1"
    assert overlay["metadata"]["name"] == "gpu-a100-mixed-on-demand"
    # 7 slices on each of 8 GPUs; no whole GPU left for a whole-GPU pod of the same product.
    assert overlay["spec"]["capacity"] == {"nvidia.com/gpu": "0", "nvidia.com/mig-1g.10gb": "56"}
    assert overlay["spec"]["requirements"] == [
        {"key": "karpenter.sh/nodepool", "operator": "In", "values": ["gpu-a100-mixed-on-demand"]}
    ]


def test_whole_gpu_pools_get_no_overlay(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [job_spec()])
    assert of_kind(objects, "NodeOverlay") == []


def test_single_strategy_advertises_slices_as_gpus(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [mig_job("h100-single", "3g.40gb", 2)], MIG_PLATFORM)
    spec = pod_spec(objects)
    assert spec["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] == "2"
    # gpu-feature-discovery relabels single-strategy nodes with the slice's product name.
    product = "NVIDIA-H100-80GB-HBM3-MIG-3g.40gb"
    assert spec["nodeSelector"]["nvidia.com/gpu.product"] == product
    labels = pool(objects, "gpu-h100-single-on-demand")["spec"]["template"]["metadata"]["labels"]
    assert labels["nvidia.com/gpu.product"] == product
    assert labels["nvidia.com/mig.config"] == "all-3g.40gb"
    (overlay,) = of_kind(objects, "NodeOverlay")
    assert overlay["spec"]["capacity"] == {"nvidia.com/gpu": "16"}


def test_a_mixed_layout_is_the_balanced_config(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [mig_job("a100-balanced", "2g.10gb", 8)], MIG_PLATFORM)
    assert pod_spec(objects)["nodeSelector"]["nvidia.com/mig.config"] == "all-balanced"
    (overlay,) = of_kind(objects, "NodeOverlay")
    assert overlay["spec"]["capacity"] == {
        "nvidia.com/gpu": "0",
        "nvidia.com/mig-1g.5gb": "16",
        "nvidia.com/mig-2g.10gb": "8",
        "nvidia.com/mig-3g.20gb": "8",
    }


def test_more_than_sixteen_slices_per_node(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [mig_job("a100-mixed", "1g.10gb", 56)], MIG_PLATFORM)
    limits = pod_spec(objects)["containers"][0]["resources"]["limits"]
    assert limits["nvidia.com/mig-1g.10gb"] == "56"


def test_slices_count_against_the_quota_as_the_gpus_they_take(tmp_path: Path) -> None:
    # 14 slices of a 7-per-GPU profile take 2 GPUs per node: 9 nodes need 18 of the 16.
    job = mig_job("a100-mixed", "1g.10gb", 14, nodes=9, args=["train.py"])
    _, diagnostics = compile_specs(tmp_path, [job], MIG_PLATFORM)
    quota = [d for d in diagnostics if d.code == "MG226"]
    assert [d.message for d in quota] == [
        "the job needs 18 a100-mixed GPUs but cluster 'train-a' allows 16"
    ]


def test_torchrun_gets_one_process_per_slice(tmp_path: Path) -> None:
    job = mig_job("a100-mixed", "1g.10gb", 4, command=["torchrun"], args=["train.py"])
    objects, diagnostics = compile_specs(tmp_path, [job], MIG_PLATFORM)
    assert codes(diagnostics) == []
    (pytorch,) = of_kind(objects, "PyTorchJob")
    assert pytorch["spec"]["nprocPerNode"] == "4"
    # ... and is warned that each must pin its own slice.
    assert [d.code for d in diagnostics if not d.is_error] == ["MG386"]


def test_generated_mig_objects_pass_the_real_crds(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        mig_job("a100-mixed", "1g.10gb", 7),
        mig_job("h100-single", "3g.40gb", 16),
        mig_job("a100-balanced", "3g.20gb", 8),
    ]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir, MIG_PLATFORM)
    assert [d for d in diagnostics if d.is_error] == []
    for kind in ("NodeOverlay", "NodePool", "PyTorchJob"):
        assert kind_problems(diagnostics, kind) == [], kind


# The GPU operator's default mig-parted config: per product, the all-<profile> configs and
# how many instances each puts on one GPU (NVIDIA's "Supported MIG Profiles" tables).
_MIG_PARTED_DEFAULTS = {
    "NVIDIA-A100-SXM4-40GB": {
        "1g.5gb": 7,
        "1g.10gb": 4,
        "2g.10gb": 3,
        "3g.20gb": 2,
        "4g.20gb": 1,
        "7g.40gb": 1,
    },
    "NVIDIA-A100-SXM4-80GB": {
        "1g.10gb": 7,
        "1g.20gb": 4,
        "2g.20gb": 3,
        "3g.40gb": 2,
        "4g.40gb": 1,
        "7g.80gb": 1,
    },
    "NVIDIA-H200": {
        "1g.18gb": 7,
        "1g.35gb": 4,
        "2g.35gb": 3,
        "3g.71gb": 2,
        "4g.71gb": 1,
        "7g.141gb": 1,
    },
}


@pytest.mark.parametrize("product", sorted(_MIG_PARTED_DEFAULTS))
def test_profile_tables_are_nvidias(product: str) -> None:
    table = MIG_PROFILES[product]
    assert {name: p.per_gpu for name, p in table.items()} == _MIG_PARTED_DEFAULTS[product]
    for name, count in _MIG_PARTED_DEFAULTS[product].items():
        assert default_config(product, {name: count}) == f"all-{name}"
        # The most instances of a profile alone always fit one GPU.
        assert layout_problem(table, {name: count}) == ""


def test_h100_has_the_a100_80gb_profiles() -> None:
    assert MIG_PROFILES["NVIDIA-H100-80GB-HBM3"] == MIG_PROFILES["NVIDIA-A100-SXM4-80GB"]


@pytest.mark.parametrize(
    ("devices", "problem"),
    [
        ({"1g.10gb": 8}, "a GPU holds at most 7 1g.10gb instances (got 8)"),
        # Seven compute slices, but each 3g instance takes half the memory.
        ({"3g.40gb": 2, "1g.10gb": 1}, "the layout takes 9 memory slices"),
        ({"4g.40gb": 1, "3g.40gb": 1, "1g.10gb": 1}, "the layout takes 8 compute slices"),
        ({"1g.20gb": 4, "1g.10gb": 1}, "the layout takes 9 memory slices"),
    ],
)
def test_layouts_that_do_not_fit(devices: dict[str, int], problem: str) -> None:
    found = layout_problem(MIG_PROFILES["NVIDIA-A100-SXM4-80GB"], devices)
    assert found.startswith(problem)


def test_profile_geometry() -> None:
    assert MIG_PROFILES["NVIDIA-A100-SXM4-80GB"]["3g.40gb"] == MigProfile(3, 4, 2)


def test_the_plan_counts_mig_demand_and_limits_in_gpus(tmp_path: Path) -> None:
    jobs = [
        mig_job("a100-mixed", "1g.10gb", 14, nodes=1),
        # A whole-GPU job of the same product must not be counted against the MIG pool.
        job_spec("whole", nodes=1, gpu={"type": "a100-80gb", "perNode": 8}),
    ]
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "platform.yaml").write_text(MIG_PLATFORM, encoding="utf-8")
    (tmp_path / "specs" / "jobs.yaml").write_text(yaml.safe_dump_all(jobs), encoding="utf-8")
    result = run(BuildOptions(root=tmp_path, mode="validate", check_output=False))
    found = capacity(sort_tree(result.tree).clusters["train-a"])
    assert found.demand == {"a100-mixed": 2, "a100-80gb": 8}
    assert found.limits["a100-mixed"] == {"on-demand": 16}
