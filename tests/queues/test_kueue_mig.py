"""Kueue queues holding MIG slices: the objects against the real CRDs, Kueue's flavor
assignment replayed on the pods (labels, taints, quota of each requested resource), and
the capacity fit counted in slices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from manifestgen.kinds.catalog import pod_spec_paths, row_of
from tests.bundle import build_objects, codes, compile_specs, job_spec, of_kind
from tests.workloads.support import crd_diagnostics

CASE = Path(__file__).parents[1] / "cases" / "golden" / "kueue-mig" / "specs"
PLATFORM = (CASE / "platform.yaml").read_text(encoding="utf-8")

WHOLE = job_spec("whole", nodes=1)
MIXED = job_spec(
    "mixed",
    nodes=2,
    gpu={"type": "a100-mig", "migProfile": "2g.20gb", "perNode": 1},
    resources={"cpu": 4, "memory": "32Gi"},
)
SINGLE = job_spec(
    "single",
    nodes=1,
    capacityType="spot",
    gpu={"type": "h100-mig", "migProfile": "3g.40gb", "perNode": 2},
    resources={"cpu": 8, "memory": "64Gi"},
)


def _get(obj: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def _tolerated(taint: dict[str, str], tolerations: list[dict[str, str]]) -> bool:
    return any(
        t.get("key") == taint["key"]
        and (t.get("operator") == "Exists" or t.get("value") == taint.get("value"))
        for t in tolerations
    )


def _fits(pod: dict[str, Any], flavor: dict[str, Any], quota: dict[str, bool]) -> bool:
    """Kueue's flavor assigner for one pod set: the flavor's labels agree with every key
    the pod selects, the pod tolerates its taints, and it has quota of each resource."""
    selector = pod.get("nodeSelector", {})
    labels_agree = all(selector.get(k, v) == v for k, v in flavor["nodeLabels"].items())
    tolerated = all(_tolerated(t, pod.get("tolerations", [])) for t in flavor.get("nodeTaints", []))
    requests: dict[str, str] = {}
    for container in pod["containers"]:
        requests |= container["resources"].get("requests", {})
    return labels_agree and tolerated and all(quota.get(r, False) for r in requests)


def _assigned(objects: dict[str, Any], kind: str) -> list[str]:
    flavors = {f["metadata"]["name"]: f["spec"] for f in of_kind(objects, "ResourceFlavor")}
    (queue,) = [q for q in of_kind(objects, "ClusterQueue") if q["metadata"]["name"] == "vision"]
    (group,) = queue["spec"]["resourceGroups"]
    (obj,) = of_kind(objects, kind)
    chosen = []
    for path in pod_spec_paths(obj, row_of(obj)):  # type: ignore[arg-type]
        pod = _get(obj, path)
        fitting = [
            entry["name"]
            for entry in group["flavors"]
            if _fits(
                pod,
                flavors[entry["name"]],
                {r["name"]: r["nominalQuota"] != "0" for r in entry["resources"]},
            )
        ]
        chosen.append(",".join(fitting))
    return chosen


def test_mig_queues_meet_the_real_kueue_crds(tmp_path: Path, crds_dir: Path) -> None:
    diagnostics = crd_diagnostics(tmp_path, [WHOLE, MIXED, SINGLE], crds_dir, PLATFORM)
    assert [d for d in diagnostics if d.is_error or d.code == "MG402"] == []


def test_each_pod_fits_only_the_flavor_of_its_pool(tmp_path: Path) -> None:
    # The whole-GPU and the mixed MIG flavor share the product label: only the quota of
    # the resource the pod asks for (nvidia.com/gpu or nvidia.com/mig-2g.20gb) tells them
    # apart, as it does in Kueue.
    for job, pool in [
        (WHOLE, "gpu-a100-80gb-on-demand"),
        (MIXED, "gpu-a100-mig-on-demand"),
        (SINGLE, "gpu-h100-mig-spot"),
    ]:
        objects = build_objects(tmp_path / job["metadata"]["name"], [job], PLATFORM)
        assert set(_assigned(objects, "PyTorchJob")) == {pool}


def test_the_queue_holds_the_slices_its_gpus_are_cut_into(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [MIXED], PLATFORM)
    (queue,) = [q for q in of_kind(objects, "ClusterQueue") if q["metadata"]["name"] == "vision"]
    (group,) = queue["spec"]["resourceGroups"]
    (mig,) = [f for f in group["flavors"] if f["name"] == "gpu-a100-mig-on-demand"]
    slices = {r["name"]: r["nominalQuota"] for r in mig["resources"] if "mig-" in r["name"]}
    # 8 GPUs, each cut into 2 x 1g.10gb, 1 x 2g.20gb and 1 x 3g.40gb (all-balanced).
    assert slices == {
        "nvidia.com/mig-1g.10gb": "16",
        "nvidia.com/mig-2g.20gb": "8",
        "nvidia.com/mig-3g.40gb": "8",
    }
    # Each resource is covered once, in the one group every flavor is listed in.
    assert len(set(group["coveredResources"])) == len(group["coveredResources"])


def test_a_mig_job_over_its_slices_is_never_admitted(tmp_path: Path) -> None:
    # vision owns 8 2g.20gb slices and may borrow 4 (its borrowingLimit of 4 GPUs).
    fits = job_spec(**{**MIXED["spec"], "nodes": 12})
    _, diagnostics = compile_specs(tmp_path / "a", [fits], PLATFORM)
    assert "MG350" not in codes(diagnostics)
    too_big = job_spec(**{**MIXED["spec"], "nodes": 13})
    _, diagnostics = compile_specs(tmp_path / "b", [too_big], PLATFORM)
    (problem,) = [d for d in diagnostics if d.code == "MG350"]
    assert "13 nvidia.com/mig-2g.20gb" in problem.message
    assert "owns 8 and may borrow 4" in problem.message
