"""Gang scheduling of the kinds without a schedulingPolicy: a TrainJob's gang is its
runtime's podGroupPolicy, on a runtime object per cluster scheduler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bundle import build_objects, of_kind
from tests.queues.test_gang import gang_platform
from tests.queues.test_volcano_queues import volcano_platform
from tests.workloads.support import crd_diagnostics, framework_job

RUNTIMES = "  runtimes:\n    torch:\n      mlPolicy: torch\n      image: ghcr.io/acme/pt:2.5\n"


def with_runtimes(platform: str) -> str:
    return platform.replace("  teams:\n", RUNTIMES + "  teams:\n", 1)


def trainjob(name: str = "train", **spec: Any) -> dict[str, Any]:
    return framework_job("trainjob", name, runtime="torch", command=["torchrun"], **spec)


def _runtime_pod(runtime: dict[str, Any]) -> dict[str, Any]:
    (node,) = runtime["spec"]["template"]["spec"]["replicatedJobs"]
    pod: dict[str, Any] = node["template"]["spec"]["template"]["spec"]
    return pod


@pytest.mark.parametrize(
    ("system", "policy", "scheduler"),
    [
        ("volcano", {"volcano": {}}, "volcano"),
        (
            "coscheduling",
            {"coscheduling": {"scheduleTimeoutSeconds": 60}},
            "scheduler-plugins-scheduler",
        ),
    ],
)
def test_a_trainjob_gang_is_its_runtime_pod_group_policy(
    tmp_path: Path, system: str, policy: dict[str, Any], scheduler: str
) -> None:
    built = build_objects(tmp_path, [trainjob(nodes=3)], with_runtimes(gang_platform(system)))
    (runtime,) = of_kind(built, "ClusterTrainingRuntime")
    (job,) = of_kind(built, "TrainJob")
    assert runtime["spec"]["podGroupPolicy"] == policy
    # The Trainer sets no scheduler and a runtime patch cannot: the runtime names it.
    assert _runtime_pod(runtime)["schedulerName"] == scheduler
    assert job["spec"]["runtimeRef"]["name"] == runtime["metadata"]["name"]


def test_the_trainer_gang_counts_every_node(tmp_path: Path) -> None:
    """The Trainer's minMember is the pods of every replicated job; the runtime has only
    the trainer step, which it runs numNodes pods of."""
    built = build_objects(tmp_path, [trainjob(nodes=3)], with_runtimes(gang_platform("volcano")))
    (runtime,) = of_kind(built, "ClusterTrainingRuntime")
    (job,) = of_kind(built, "TrainJob")
    (node,) = runtime["spec"]["template"]["spec"]["replicatedJobs"]
    assert node["replicas"] == 1
    assert node["template"]["metadata"]["labels"] == {
        "trainer.kubeflow.org/trainjob-ancestor-step": "trainer"
    }
    assert job["spec"]["trainer"]["numNodes"] == 3


def test_a_runtime_is_per_cluster_scheduler(tmp_path: Path) -> None:
    jobs = [trainjob("a"), trainjob("b", cluster="train-b", team="nlp")]
    built = build_objects(tmp_path, jobs, with_runtimes(gang_platform("volcano")))
    runtimes = {
        path.split("/")[0]: obj
        for path, obj in built.items()
        if obj.get("kind") == "ClusterTrainingRuntime"
    }
    assert sorted(runtimes) == ["train-a", "train-b"]
    assert "podGroupPolicy" in runtimes["train-a"]["spec"]
    assert "podGroupPolicy" not in runtimes["train-b"]["spec"]
    assert "schedulerName" not in _runtime_pod(runtimes["train-b"])
    names = {c: r["metadata"]["name"] for c, r in runtimes.items()}
    assert names["train-a"] != names["train-b"]
    jobs_by_cluster = {
        path.split("/")[0]: obj["spec"]["runtimeRef"]["name"]
        for path, obj in built.items()
        if obj.get("kind") == "TrainJob"
    }
    assert jobs_by_cluster == names


def test_a_trainjob_names_its_team_volcano_queue(tmp_path: Path) -> None:
    (job,) = of_kind(
        build_objects(tmp_path, [trainjob()], with_runtimes(volcano_platform())), "TrainJob"
    )
    (patch,) = job["spec"]["runtimePatches"]
    metadata = patch["trainingRuntimeSpec"]["template"]["metadata"]
    team = job["metadata"]["labels"]["manifestgen.io/team"]
    assert metadata == {"annotations": {"scheduling.volcano.sh/queue-name": team}}


@pytest.mark.parametrize("system", ["volcano", "coscheduling"])
def test_gang_trainjobs_meet_the_real_crds(tmp_path: Path, crds_dir: Path, system: str) -> None:
    platform = with_runtimes(volcano_platform() if system == "volcano" else gang_platform(system))
    diagnostics = crd_diagnostics(tmp_path, [trainjob(nodes=2)], crds_dir, platform)
    assert [d for d in diagnostics if d.is_error or d.code == "MG402"] == []
