"""Gang scheduling of the kinds without a schedulingPolicy: a TrainJob's gang is its
runtime's podGroupPolicy, on a runtime object per cluster scheduler; a JobSet's, a Job's
and a RayJob's is a PodGroup manifestgen writes, counting every pod created together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen.expand.argocd import TEAM_KINDS
from manifestgen.kinds.catalog import KINDS, pod_template_paths
from manifestgen.workloads import WORKLOADS
from tests.bundle import build_objects, compile_specs, of_kind
from tests.queues.test_gang import _get, gang_platform
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


# JobSet, Job and RayJob: manifestgen writes the PodGroup and points the pods at it.
POD_GROUP_JOBS: dict[str, dict[str, Any]] = {
    "jobset": {"jobset": {"slices": 2}},
    "job": {},
    "ray": {},
}
GROUP_REFERENCE = {
    "volcano": ("annotations", "scheduling.k8s.io/group-name", "volcano"),
    "coscheduling": ("labels", "scheduling.x-k8s.io/pod-group", "scheduler-plugins-scheduler"),
}


def _platform(system: str) -> str:
    return volcano_platform() if system == "volcano" else gang_platform(system)


def _created_together(obj: dict[str, Any]) -> int:
    """Every pod the controllers create at once, counted from the object as written."""
    spec = obj["spec"]
    if obj["kind"] == "JobSet":
        return sum(
            int(r["replicas"]) * int(r["template"]["spec"]["parallelism"])
            for r in spec["replicatedJobs"]
        )
    if obj["kind"] == "Job":
        return int(spec["parallelism"])
    cluster = spec["rayClusterSpec"]
    return 1 + sum(
        int(g["replicas"]) * int(g.get("numOfHosts", 1)) for g in cluster["workerGroupSpecs"]
    )


def _gang(tmp_path: Path, system: str, framework: str, **spec: Any) -> tuple[Any, Any]:
    job = framework_job(framework, priority="high", **{**POD_GROUP_JOBS[framework], **spec})
    built = build_objects(tmp_path, [job], _platform(system))
    (group,) = of_kind(built, "PodGroup")
    (obj,) = of_kind(built, WORKLOADS[framework].kind.kind)
    return group, obj


@pytest.mark.parametrize("system", ["volcano", "coscheduling"])
@pytest.mark.parametrize("framework", sorted(POD_GROUP_JOBS))
def test_the_pod_group_counts_every_pod_created_together(
    tmp_path: Path, system: str, framework: str
) -> None:
    group, obj = _gang(tmp_path, system, framework, nodes=6)
    assert group["metadata"]["name"] == "train"
    assert group["metadata"]["namespace"] == obj["metadata"]["namespace"]
    assert group["spec"]["minMember"] == _created_together(obj)
    assert group["spec"]["minMember"] == (7 if framework == "ray" else 6)
    key, name, scheduler = GROUP_REFERENCE[system]
    row = WORKLOADS[framework].kind
    for path in pod_template_paths(obj, row):
        template = _get(obj, path)
        if "submitterPodTemplate" in path:
            # KubeRay creates the submitter once the cluster is up: outside the gang.
            assert name not in template.get("metadata", {}).get(key, {})
            assert "schedulerName" not in template["spec"]
            continue
        assert template["metadata"][key][name] == "train"
        assert template["spec"]["schedulerName"] == scheduler


def test_a_volcano_pod_group_names_queue_and_priority(tmp_path: Path) -> None:
    group, obj = _gang(tmp_path, "volcano", "jobset")
    assert group["apiVersion"] == "scheduling.volcano.sh/v1beta1"
    assert group["spec"] == {
        "minMember": 4,
        "priorityClassName": "high",
        "queue": obj["metadata"]["labels"]["manifestgen.io/team"],
    }


def test_without_a_team_queue_the_pod_group_names_volcano_default(tmp_path: Path) -> None:
    job = framework_job("job")
    (group,) = of_kind(build_objects(tmp_path, [job], gang_platform("volcano")), "PodGroup")
    assert group["spec"]["queue"] == "default"


def test_a_coscheduling_pod_group_has_the_upstream_fields(tmp_path: Path) -> None:
    """No CRD of scheduler-plugins' PodGroup is among the test CRDs: its fields, as
    apis/scheduling/v1alpha1 declares them (minMember >= 1, minResources,
    scheduleTimeoutSeconds)."""
    group, _ = _gang(tmp_path, "coscheduling", "ray")
    assert group["apiVersion"] == "scheduling.x-k8s.io/v1alpha1"
    assert group["kind"] == "PodGroup"
    assert set(group) == {"apiVersion", "kind", "metadata", "spec"}
    assert set(group["spec"]) <= {"minMember", "minResources", "scheduleTimeoutSeconds"}
    assert isinstance(group["spec"]["minMember"], int)
    assert group["spec"]["minMember"] >= 1


def test_the_pod_group_comes_no_later_than_its_job(tmp_path: Path) -> None:
    group, obj = _gang(tmp_path, "volcano", "job")
    wave = "argocd.argoproj.io/sync-wave"
    assert int(group["metadata"]["annotations"][wave]) <= int(obj["metadata"]["annotations"][wave])
    rows = [k for k in KINDS if k.kind == "PodGroup"]
    # The schedulers own its status; no health check holds back the job's wave.
    assert [r.health for r in rows] == [None, None]
    # A job's gang is the team's: its Application, in the team's project, deploys it.
    assert {(r.group, r.kind) for r in rows} <= set(TEAM_KINDS)


@pytest.mark.parametrize("framework", sorted(POD_GROUP_JOBS))
def test_clusters_without_a_gang_scheduler_get_no_pod_group(tmp_path: Path, framework: str) -> None:
    built = build_objects(tmp_path, [framework_job(framework, **POD_GROUP_JOBS[framework])])
    assert of_kind(built, "PodGroup") == []
    (obj,) = of_kind(built, WORKLOADS[framework].kind.kind)
    row = WORKLOADS[framework].kind
    assert all("schedulerName" not in _get(obj, p)["spec"] for p in pod_template_paths(obj, row))


@pytest.mark.parametrize("system", ["volcano", "coscheduling"])
def test_pod_group_gangs_meet_the_real_crds(tmp_path: Path, crds_dir: Path, system: str) -> None:
    jobs = [framework_job(f, f, **extra) for f, extra in POD_GROUP_JOBS.items()]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir, _platform(system))
    unchecked = [d for d in diagnostics if d.code == "MG402"]
    assert [d for d in diagnostics if d.is_error] == []
    # Only scheduler-plugins' PodGroup has no CRD to check against (fields tested above).
    assert all("scheduling.x-k8s.io" in d.message for d in unchecked)
    assert bool(unchecked) == (system == "coscheduling")


def test_a_tuned_jobset_is_refused_on_gang_clusters(tmp_path: Path) -> None:
    tuning = {
        "objective": {"metric": "loss", "type": "minimize"},
        "algorithm": {"name": "random"},
        "trials": {"max": 4, "parallel": 2},
    }
    job = framework_job(
        "jobset",
        args=["--lr", "${hyperparameters.lr}"],
        tuning=tuning,
        hyperparameters={"lr": {"min": 0.001, "max": 0.1}},
    )
    _, diagnostics = compile_specs(tmp_path, [job], gang_platform("volcano"))
    assert [(d.code, d.field) for d in diagnostics if d.is_error] == [("MG315", "spec.tuning")]


def test_exclusive_placement_is_refused_on_gang_clusters(tmp_path: Path) -> None:
    job = framework_job(
        "jobset", jobset={"slices": 2, "exclusiveTopology": "topology.k8s.aws/zone-id"}
    )
    _, diagnostics = compile_specs(tmp_path, [job], gang_platform("coscheduling"))
    assert [(d.code, d.field) for d in diagnostics if d.is_error] == [
        ("MG316", "spec.jobset.exclusiveTopology")
    ]
