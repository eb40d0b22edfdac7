"""A plain batch/v1 Indexed Job: torchrun on nodes pods, a headless Service, no operator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen.expand.tenancy_quota import object_usage
from manifestgen.kinds.names import overlong_child
from manifestgen.spec.tenancy import ContainerDefaults
from tests.bundle import build_objects, compile_specs, of_kind
from tests.workloads.support import built, crd_diagnostics, framework_job

A100 = {"type": "a100-80gb", "perNode": 8}


def indexed_job(name: str = "ddp", **spec: Any) -> dict[str, Any]:
    spec.setdefault("command", ["torchrun"])
    spec.setdefault("args", ["-m", "ddp.train"])
    return framework_job("job", name, **spec)


def the_job(tmp_path: Path, **spec: Any) -> dict[str, Any]:
    return built(tmp_path, "Job", indexed_job(**spec))


def _env(job: dict[str, Any]) -> dict[str, Any]:
    container = job["spec"]["template"]["spec"]["containers"][0]
    return {v["name"]: v.get("value", v.get("valueFrom")) for v in container["env"]}


def test_one_pod_per_index(tmp_path: Path) -> None:
    spec = the_job(tmp_path, nodes=3)["spec"]
    assert (spec["completionMode"], spec["completions"], spec["parallelism"]) == ("Indexed", 3, 3)
    # Pod failure policy is only accepted with restartPolicy Never.
    assert spec["template"]["spec"]["restartPolicy"] == "Never"


def test_pods_meet_at_index_zero_through_the_headless_service(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [indexed_job(nodes=2, gpu=A100)])
    (job,) = of_kind(objects, "Job")
    (service,) = of_kind(objects, "Service")
    pod = job["spec"]["template"]
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["publishNotReadyAddresses"] is True
    # The pods' DNS names live under their subdomain only if the Service selects them.
    assert pod["spec"]["subdomain"] == service["metadata"]["name"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    env = _env(job)
    assert env["JOB_NAME"] == {
        "fieldRef": {"fieldPath": "metadata.labels['batch.kubernetes.io/job-name']"}
    }
    # The Job controller names index 0's host `<job>-0`.
    assert env["PET_RDZV_ENDPOINT"] == f"$(JOB_NAME)-0.{service['metadata']['name']}:29400"
    assert (env["PET_NNODES"], env["PET_NPROC_PER_NODE"]) == ("2", "8")
    # $(JOB_NAME) expands only if it is listed before the variable using it.
    names = list(env)
    assert names.index("JOB_NAME") < names.index("PET_RDZV_ENDPOINT")


def test_the_service_keeps_its_name_when_the_job_is_renamed(tmp_path: Path) -> None:
    first = build_objects(tmp_path / "a", [indexed_job(image="ghcr.io/acme/ddp:1")])
    second = build_objects(tmp_path / "b", [indexed_job(image="ghcr.io/acme/ddp:2")])
    assert (
        of_kind(first, "Job")[0]["metadata"]["name"]
        != of_kind(second, "Job")[0]["metadata"]["name"]
    )
    # Only its provenance annotation (the spec's digest) changes: no new Service.
    (one,), (other,) = of_kind(first, "Service"), of_kind(second, "Service")
    assert (one["metadata"]["name"], one["spec"]) == (other["metadata"]["name"], other["spec"])


def _first_match(policy: dict[str, Any], conditions: set[str], exit_code: int) -> str | None:
    """The Job controller's rule matching (pkg/controller/job/pod_failure_policy.go)."""
    for rule in policy["rules"]:
        if "onPodConditions" in rule:
            if any(p["type"] in conditions for p in rule["onPodConditions"]):
                return str(rule["action"])
        else:
            codes = rule["onExitCodes"]
            if exit_code != 0 and (exit_code in codes["values"]) == (codes["operator"] == "In"):
                return str(rule["action"])
    return None  # counted against backoffLimit


@pytest.mark.parametrize(
    ("conditions", "exit_code", "action"),
    [
        ({"DisruptionTarget"}, 143, "Ignore"),  # spot reclaim, drain, preemption
        (set(), 1, "FailJob"),
        (set(), 137, "FailJob"),  # OOM-killed
    ],
)
def test_disruptions_do_not_count_and_application_errors_fail(
    tmp_path: Path, conditions: set[str], exit_code: int, action: str
) -> None:
    policy = the_job(tmp_path)["spec"]["podFailurePolicy"]
    assert _first_match(policy, conditions, exit_code) == action


def test_run_policy_and_torchrun_restarts(tmp_path: Path) -> None:
    job = the_job(tmp_path, runPolicy={"backoffLimit": 4, "activeDeadlineSeconds": 3600})
    assert (job["spec"]["backoffLimit"], job["spec"]["activeDeadlineSeconds"]) == (4, 3600)
    assert _env(job)["PET_MAX_RESTARTS"] == "4"


def test_suspended_keeps_the_name(tmp_path: Path) -> None:
    running = the_job(tmp_path / "a")
    suspended = the_job(tmp_path / "b", state="Suspended")
    assert suspended["metadata"]["name"] == running["metadata"]["name"]
    assert suspended["spec"]["suspend"] is True


def test_pod_hostnames_fit_in_63(tmp_path: Path) -> None:
    job = the_job(tmp_path, nodes=12)
    assert overlong_child(job) is None
    name = job["metadata"]["name"]
    job["metadata"]["name"] = name + "x" * (63 - len(f"{name}-11") + 1)
    found = overlong_child(job)
    assert found is not None
    assert (found.child[-3:], len(found.child)) == ("-11", 64)


@pytest.mark.parametrize(
    ("spec", "codes"),
    [
        ({"capacityType": "spot", "nodes": 2}, ["MG320"]),
        ({"capacityType": "spot", "nodes": 1}, []),
        ({"command": ["python"], "args": ["train.py"]}, ["MG247"]),
        ({"args": ["--nproc-per-node", "3", "-m", "ddp.train"]}, ["MG248"]),
        ({"args": ["--master-addr", "10.0.0.1", "-m", "ddp.train"]}, ["MG248"]),
        ({"env": {"JOB_NAME": "x"}}, ["MG288"]),
        ({"env": {"PET_RDZV_ENDPOINT": "x:1"}}, ["MG288"]),
    ],
)
def test_launch_rules(tmp_path: Path, spec: dict[str, Any], codes: list[str]) -> None:
    _, diagnostics = compile_specs(tmp_path, [indexed_job(**spec)])
    assert [d.code for d in diagnostics] == codes


def test_job_and_service_pass_the_kubernetes_schemas(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        indexed_job("gpu", gpu=A100, nodes=2, hyperparameters={"lr": 0.1}),
        indexed_job("cpu", nodes=1, state="Suspended", runPolicy={"ttlSecondsAfterFinished": 60}),
    ]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir)
    assert [d for d in diagnostics if d.code.startswith("MG4") and d.code != "MG402"] == []
    assert not [d for d in diagnostics if d.is_error]


def test_namespace_quota_counts_every_index(tmp_path: Path) -> None:
    usage = object_usage(the_job(tmp_path, nodes=3, gpu=A100), ContainerDefaults())
    assert usage["requests.nvidia.com/gpu"] == 24
