"""Kueue queues, flavors and priorities: the objects against the real CRDs (both API
versions), what queues each workload, and what Kueue would inject at admission."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen.expand.kueue import PRIORITY_LABEL, QUEUE_LABEL
from manifestgen.kinds.catalog import pod_spec_paths, row_of
from manifestgen.workloads import WORKLOADS
from tests.bundle import PLATFORM, build_objects, codes, compile_specs, job_spec, of_kind
from tests.workloads.support import crd_diagnostics, framework_job

QUEUES = """      scheduling:
        system: kueue
        kueueApiVersion: {version}
        queues:
          vision:
            cohort: shared
            gpus:
              a100-80gb:
                on-demand: {{gpus: 16, borrowingLimit: 8}}
            cpus:
              on-demand: {{cpu: 64, memory: 256Gi}}
              spot: {{cpu: 64, memory: 256Gi}}
          nlp:
            cohort: shared
            gpus:
              a100-80gb:
                on-demand: {{gpus: 16, lendingLimit: 8}}
"""
PRIORITIES = """  priorities:
    levels:
      high: {value: 1000}
      low: {value: 10}
    default: low
"""


def kueue_platform(version: str = "v1beta2") -> str:
    anchor = "      gpuQuota:\n        a100-80gb: 32\n"
    assert anchor in PLATFORM
    text = PLATFORM.replace(anchor, anchor + QUEUES.format(version=version), 1)
    return text.replace("  teams:\n", PRIORITIES + "  teams:\n", 1)


def _get(obj: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        obj = obj[part]
    return obj


@pytest.mark.parametrize("version", ["v1beta1", "v1beta2"])
def test_kueue_objects_meet_the_real_crds(tmp_path: Path, crds_dir: Path, version: str) -> None:
    jobs = [job_spec("detector", nodes=3, priority="high"), framework_job("xgboost", "feats")]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir, kueue_platform(version))
    assert [d for d in diagnostics if d.is_error or d.code == "MG402"] == []


@pytest.mark.parametrize("version", ["v1beta1", "v1beta2"])
def test_cohort_field_follows_the_api_version(tmp_path: Path, version: str) -> None:
    objects = build_objects(tmp_path, [job_spec()], kueue_platform(version))
    (vision, *_) = [
        q for q in of_kind(objects, "ClusterQueue") if q["metadata"]["name"] == "vision"
    ]
    assert vision["apiVersion"] == f"kueue.x-k8s.io/{version}"
    key = "cohort" if version == "v1beta1" else "cohortName"
    assert vision["spec"][key] == "shared"
    assert {"cohort", "cohortName"} - {key} & set(vision["spec"]) == set()


def test_every_flavor_lists_every_covered_resource(tmp_path: Path) -> None:
    # The CRD's CEL rule: size(flavor.resources) == size(coveredResources).
    objects = build_objects(tmp_path, [job_spec()], kueue_platform())
    for queue in of_kind(objects, "ClusterQueue"):
        for group in queue["spec"]["resourceGroups"]:
            for flavor in group["flavors"]:
                names = [r["name"] for r in flavor["resources"]]
                assert names == group["coveredResources"]


# What a workload needs beyond the CPU job framework_job writes, and the Platform runtime
# TrainJobs run on.
WORKLOAD_FIELDS: dict[str, dict[str, Any]] = {"trainjob": {"runtime": "torch-distributed"}}
RUNTIMES = (
    "  runtimes:\n    torch-distributed:\n      mlPolicy: torch\n      image: ghcr.io/acme/pt:2.5\n"
)


def _with_runtimes(platform: str) -> str:
    return platform.replace("  teams:\n", RUNTIMES + "  teams:\n", 1)


@pytest.mark.parametrize("framework", sorted(WORKLOADS))
def test_every_workload_is_queued_through_its_catalog_row(tmp_path: Path, framework: str) -> None:
    job = framework_job(framework, priority="high", **WORKLOAD_FIELDS.get(framework, {}))
    objects = build_objects(tmp_path, [job], _with_runtimes(kueue_platform()))
    row = WORKLOADS[framework].kind
    assert row.suspend is not None, f"{row.kind} has no suspend path: Kueue cannot queue it"
    (obj,) = of_kind(objects, row.kind)
    labels = obj["metadata"]["labels"]
    assert labels[QUEUE_LABEL] == "vision"
    assert labels[PRIORITY_LABEL] == "high"
    assert _get(obj["spec"], row.suspend) is True
    for path in pod_spec_paths(obj, row):
        if row.kind == "TrainJob":
            # A runtime patch cannot set priorityClassName: Kueue's priority label decides.
            assert "priorityClassName" not in _get(obj, path)
        else:
            assert _get(obj, path)["priorityClassName"] == "high"
    local = [q for q in of_kind(objects, "LocalQueue") if q["metadata"]["name"] == "vision"]
    assert local[0]["metadata"]["namespace"] == obj["metadata"]["namespace"]


def test_jobs_off_kueue_clusters_are_not_queued(tmp_path: Path) -> None:
    job = framework_job("pytorch", team="nlp", cluster="train-b")
    platform = kueue_platform()
    (obj,) = of_kind(build_objects(tmp_path, [job], platform), "PyTorchJob")
    assert QUEUE_LABEL not in obj["metadata"]["labels"]
    assert "suspend" not in obj["spec"]["runPolicy"]


def test_a_suspended_queued_job_gives_its_quota_back(tmp_path: Path) -> None:
    job = job_spec(state="Suspended", checkpoints={"size": "10Gi"})
    objects = build_objects(tmp_path, [job], kueue_platform())
    assert of_kind(objects, "PyTorchJob") == []
    assert len(of_kind(objects, "PersistentVolumeClaim")) == 1


def _admit(obj: dict[str, Any], flavors: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What Kueue's admission does to a pod template (podset.Merge): the flavor's node
    labels merged into the nodeSelector (a conflicting key is an error), its tolerations
    appended unless already there, the podset label added."""
    for path in pod_spec_paths(obj, row_of(obj)):  # type: ignore[arg-type]
        pod = _get(obj, path)
        flavor = next(
            f
            for f in flavors.values()
            if all(pod.get("nodeSelector", {}).get(k) == v for k, v in f["nodeLabels"].items())
            and all(
                any(t.get("key") == taint["key"] for t in pod.get("tolerations", []))
                for taint in f.get("nodeTaints", [])
            )
        )
        for key, value in flavor["nodeLabels"].items():
            assert pod["nodeSelector"].get(key, value) == value, "conflict: Kueue refuses"
            pod["nodeSelector"][key] = value
        for toleration in flavor.get("tolerations", []):
            if toleration not in pod["tolerations"]:
                pod["tolerations"].append(toleration)
    return obj


@pytest.mark.parametrize("framework", sorted(WORKLOADS))
def test_each_pod_matches_exactly_one_flavor_and_admission_changes_no_pod_spec(
    tmp_path: Path, framework: str
) -> None:
    job = framework_job(framework, **WORKLOAD_FIELDS.get(framework, {}))
    objects = build_objects(tmp_path, [job], _with_runtimes(kueue_platform()))
    flavors = {f["metadata"]["name"]: f["spec"] for f in of_kind(objects, "ResourceFlavor")}
    (obj,) = of_kind(objects, WORKLOADS[framework].kind.kind)
    before = repr(obj)
    assert repr(_admit(obj, flavors)) == before


def test_gpu_pods_match_only_their_gpu_flavor(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [job_spec()], kueue_platform())
    flavors = {f["metadata"]["name"]: f["spec"] for f in of_kind(objects, "ResourceFlavor")}
    assert set(flavors) == {"cpu-on-demand", "cpu-spot", "gpu-a100-80gb-on-demand"}
    gpu = flavors["gpu-a100-80gb-on-demand"]
    assert gpu["nodeTaints"] == [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "value": "true"}]
    (pool,) = [
        p
        for p in of_kind(objects, "NodePool")
        if p["metadata"]["name"] == "gpu-a100-80gb-on-demand"
    ]
    # The flavor's taints are the NodePool's, so Kueue's taint check is the scheduler's.
    assert pool["spec"]["template"]["spec"]["taints"] == gpu["nodeTaints"]
    labels = pool["spec"]["template"]["metadata"]["labels"]
    assert all(
        labels.get(k) == v
        for k, v in gpu["nodeLabels"].items()
        if k != "karpenter.sh/capacity-type"
    )


def test_a_job_bigger_than_quota_plus_borrowing_is_never_admitted(tmp_path: Path) -> None:
    # vision owns 16 and may borrow 8 (nlp lends 8): 24 GPUs fit, 32 never do.
    _, fits = compile_specs(tmp_path / "a", [job_spec(nodes=3)], kueue_platform())
    assert codes(fits) == []
    _, diagnostics = compile_specs(tmp_path / "b", [job_spec(nodes=4)], kueue_platform())
    (problem,) = [d for d in diagnostics if d.code == "MG350"]
    assert "32 nvidia.com/gpu" in problem.message
    assert "owns 16 and may borrow 8" in problem.message


def test_a_team_without_a_queue_is_an_error(tmp_path: Path) -> None:
    job = job_spec(team="nlp", nodes=1)
    platform = kueue_platform().replace(
        "          nlp:\n            cohort: shared\n",
        "          nlp-x:\n            cohort: shared\n",
    )
    _, diagnostics = compile_specs(tmp_path, [job], platform)
    assert "MG351" in codes(diagnostics) or "MG352" in codes(diagnostics)


def test_jobs_over_the_gpu_quota_together_wait_in_their_queue(tmp_path: Path) -> None:
    jobs = [job_spec(f"run-{i}", nodes=2) for i in range(3)]  # 48 GPUs, gpuQuota 32
    _, diagnostics = compile_specs(tmp_path, jobs, kueue_platform())
    assert "MG226" not in codes(diagnostics)
