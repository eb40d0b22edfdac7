"""Gang scheduling (Volcano, coscheduling): the scheduling policy the operators build
their PodGroup from counts every pod they create together, and the pods name the gang
scheduler; checked against the real CRDs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen.kinds.catalog import pod_template_paths
from manifestgen.workloads import WORKLOADS
from tests.bundle import PLATFORM, build_objects, job_spec, of_kind
from tests.workloads.support import crd_diagnostics, framework_job

ANCHOR = "      gpuQuota:\n        a100-80gb: 32\n"


def gang_platform(system: str) -> str:
    assert ANCHOR in PLATFORM
    scheduling = f"      scheduling:\n        system: {system}\n"
    priorities = "  priorities:\n    levels:\n      high: {value: 1000}\n"
    text = PLATFORM.replace(ANCHOR, ANCHOR + scheduling, 1)
    return text.replace("  teams:\n", priorities + "  teams:\n", 1)


def _get(obj: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def _pods(obj: dict[str, Any]) -> dict[str, int]:
    row = WORKLOADS_BY_KIND[obj["kind"]]
    return {
        str(path[-2]): int(_get(obj, path[:-1]).get("replicas", 1))
        for path in pod_template_paths(obj, row)
    }


WORKLOADS_BY_KIND = {w.kind.kind: w.kind for w in WORKLOADS.values()}
# The kinds with a schedulingPolicy; the others are in test_gang_kinds.py.
GANGED = sorted(set(WORKLOADS) - {"trainjob", "ray", "jobset", "job"})  # no gang path


@pytest.mark.parametrize("framework", GANGED)
def test_min_available_counts_every_pod_created_together(tmp_path: Path, framework: str) -> None:
    job = framework_job(framework, priority="high")
    (obj,) = of_kind(
        build_objects(tmp_path, [job], gang_platform("volcano")), WORKLOADS[framework].kind.kind
    )
    policy = obj["spec"]["runPolicy"]["schedulingPolicy"]
    pods = _pods(obj)
    if obj["kind"] == "MPIJob":
        # Created only once every worker is ready: a gang counting it never fills.
        assert obj["spec"]["launcherCreationPolicy"] == "WaitForWorkersReady"
        pods.pop("Launcher")
    assert policy == {"minAvailable": sum(pods.values()), "priorityClass": "high"}
    for path in pod_template_paths(obj, WORKLOADS[framework].kind):
        assert _get(obj, path)["spec"]["schedulerName"] == "volcano"


def test_an_mpi_launcher_created_at_startup_is_in_the_gang(tmp_path: Path) -> None:
    job = framework_job(
        "mpi", command=["mpirun"], mpi={"launcherCreationPolicy": "AtStartup"}, nodes=3
    )
    (obj,) = of_kind(build_objects(tmp_path, [job], gang_platform("volcano")), "MPIJob")
    assert obj["spec"]["runPolicy"]["schedulingPolicy"]["minAvailable"] == 4


def test_parameter_servers_and_chief_are_in_the_gang(tmp_path: Path) -> None:
    job = job_spec(
        framework="tensorflow",
        command=["python", "train.py"],
        args=[],
        nodes=2,
        tensorflow={
            "strategy": "ParameterServer",
            "parameterServers": {"replicas": 2, "cpu": 4, "memory": "16Gi"},
        },
    )
    (obj,) = of_kind(build_objects(tmp_path, [job], gang_platform("volcano")), "TFJob")
    pods = _pods(obj)
    assert {"PS", "Chief", "Worker"} <= set(pods)
    assert obj["spec"]["runPolicy"]["schedulingPolicy"]["minAvailable"] == sum(pods.values())


def test_coscheduling_names_the_scheduler_plugins_scheduler(tmp_path: Path) -> None:
    (obj,) = of_kind(
        build_objects(tmp_path, [job_spec()], gang_platform("coscheduling")), "PyTorchJob"
    )
    for path in pod_template_paths(obj, WORKLOADS["pytorch"].kind):
        assert _get(obj, path)["spec"]["schedulerName"] == "scheduler-plugins-scheduler"
    assert obj["spec"]["runPolicy"]["schedulingPolicy"] == {"minAvailable": 2}


def test_clusters_without_a_gang_scheduler_set_no_policy(tmp_path: Path) -> None:
    (obj,) = of_kind(build_objects(tmp_path, [job_spec()]), "PyTorchJob")
    assert "schedulingPolicy" not in obj["spec"]["runPolicy"]
    assert all(
        "schedulerName" not in _get(obj, p)["spec"]
        for p in pod_template_paths(obj, WORKLOADS["pytorch"].kind)
    )


@pytest.mark.parametrize("system", ["volcano", "coscheduling"])
def test_gang_policies_meet_the_real_crds(tmp_path: Path, crds_dir: Path, system: str) -> None:
    jobs = [framework_job(name, name) for name in GANGED]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir, gang_platform(system))
    assert [d for d in diagnostics if d.is_error or d.code == "MG402"] == []
