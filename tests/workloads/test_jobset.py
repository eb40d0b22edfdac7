"""JobSet: torchrun on nodes pods in equal slices, restarted together, spot reclaims free.

The failure-handling tests replay what the Kubernetes Job controller and the JobSet
controller do with the generated policies (their matching rules, restated from
kubernetes pkg/controller/job/pod_failure_policy.go and jobset
pkg/controllers/failure_policy.go), so a reordered rule or a changed message fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from manifestgen.expand.tenancy_quota import object_usage
from manifestgen.kinds.names import overlong_child
from manifestgen.spec.tenancy import ContainerDefaults
from tests.bundle import build_objects, compile_specs, of_kind
from tests.workloads.support import built, crd_diagnostics, framework_job, kind_problems

A100 = {"type": "a100-80gb", "perNode": 8}


def jobset_job(name: str = "bert", **spec: Any) -> dict[str, Any]:
    spec.setdefault("command", ["torchrun"])
    spec.setdefault("args", ["-m", "bert.train"])
    return framework_job("jobset", name, **spec)


def the_jobset(tmp_path: Path, **spec: Any) -> dict[str, Any]:
    return built(tmp_path, "JobSet", jobset_job(**spec))


def _replicated(jobset: dict[str, Any]) -> dict[str, Any]:
    (replicated,) = jobset["spec"]["replicatedJobs"]
    assert isinstance(replicated, dict)
    return replicated


def _env(jobset: dict[str, Any]) -> dict[str, Any]:
    pod = _replicated(jobset)["template"]["spec"]["template"]
    return {
        v["name"]: v.get("value", v.get("valueFrom")) for v in pod["spec"]["containers"][0]["env"]
    }


def test_nodes_split_into_slices_of_one_replicated_job(tmp_path: Path) -> None:
    jobset = the_jobset(tmp_path, nodes=6, jobset={"slices": 3})
    replicated = _replicated(jobset)
    assert (replicated["name"], replicated["replicas"]) == ("node", 3)
    job = replicated["template"]["spec"]
    assert (job["completionMode"], job["completions"], job["parallelism"]) == ("Indexed", 2, 2)
    assert job["backoffLimit"] == 0
    assert job["template"]["spec"]["restartPolicy"] == "Never"


def test_torchrun_meets_on_the_first_pod_of_the_first_slice(tmp_path: Path) -> None:
    env = _env(the_jobset(tmp_path, nodes=4, gpu=A100, jobset={"slices": 2}))
    assert env["JOBSET_NAME"] == {
        "fieldRef": {"fieldPath": "metadata.labels['jobset.sigs.k8s.io/jobset-name']"}
    }
    # `<jobset>-<replicatedJob>-<job index>-<pod index>.<subdomain>`, subdomain = jobset.
    assert env["PET_RDZV_ENDPOINT"] == "$(JOBSET_NAME)-node-0-0.$(JOBSET_NAME):29400"
    assert (env["PET_NNODES"], env["PET_NPROC_PER_NODE"]) == ("4", "8")
    assert env["PET_RDZV_BACKEND"] == "c10d"


def test_the_controller_makes_the_service_and_subdomain(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [jobset_job()])
    assert of_kind(objects, "Service") == []
    (jobset,) = of_kind(objects, "JobSet")
    assert jobset["spec"]["network"] == {
        "enableDNSHostnames": True,
        "publishNotReadyAddresses": True,
    }
    assert "subdomain" not in _replicated(jobset)["template"]["spec"]["template"]["spec"]


def test_exclusive_topology_per_slice(tmp_path: Path) -> None:
    key = "topology.k8s.aws/network-node-layer-3"
    jobset = the_jobset(tmp_path, nodes=4, jobset={"slices": 2, "exclusiveTopology": key})
    annotations = _replicated(jobset)["template"]["metadata"]["annotations"]
    assert annotations == {"alpha.jobset.sigs.k8s.io/exclusive-topology": key}
    assert "metadata" not in _replicated(the_jobset(tmp_path / "b"))["template"]


def test_suspended_keeps_the_name(tmp_path: Path) -> None:
    running = the_jobset(tmp_path / "a")
    suspended = the_jobset(tmp_path / "b", state="Suspended")
    assert suspended["metadata"]["name"] == running["metadata"]["name"]
    assert suspended["spec"]["suspend"] is True
    assert "suspend" not in running["spec"]


# --- failure handling, replayed -------------------------------------------------------


def _pod_failure(policy: dict[str, Any], conditions: set[str], exit_code: int) -> str | None:
    """The Job controller: the first rule that matches the failed pod, and its message."""
    for index, rule in enumerate(policy["rules"]):
        if "onPodConditions" in rule:
            if any(
                p["type"] in conditions and p["status"] == "True" for p in rule["onPodConditions"]
            ):
                return f"Pod ns/p has condition DisruptionTarget matching {rule['action']} rule at index {index}"
        else:
            codes = rule["onExitCodes"]
            matches = (exit_code in codes["values"]) == (codes["operator"] == "In")
            if exit_code != 0 and matches:
                return (
                    f"Container {codes['containerName']} for pod ns/p failed with exit code "
                    f"{exit_code} matching {rule['action']} rule at index {index}"
                )
    return None


def _jobset_action(failure_policy: dict[str, Any], reason: str, message: str) -> str:
    """The JobSet controller: the first rule matching the failed Job's reason and message."""
    for rule in failure_policy["rules"]:
        reasons = rule.get("onJobFailureReasons", [])
        patterns = rule.get("onJobFailureMessagePatterns", [])
        if reasons and reason not in reasons:
            continue
        if patterns and not any(re.search(p, message) for p in patterns):
            continue
        return str(rule["action"])
    return "RestartJobSet"  # the controller's default action


@pytest.mark.parametrize(
    ("conditions", "exit_code", "action"),
    [
        # A reclaimed spot node: the pod is evicted (DisruptionTarget) and exits on SIGTERM.
        ({"DisruptionTarget"}, 143, "RestartJobSetAndIgnoreMaxRestarts"),
        ({"DisruptionTarget"}, 137, "RestartJobSetAndIgnoreMaxRestarts"),
        (set(), 1, "FailJobSet"),  # the script raised
        (set(), 137, "FailJobSet"),  # OOM-killed: no disruption condition
    ],
)
def test_spot_reclaims_restart_for_free_and_application_errors_fail(
    tmp_path: Path, conditions: set[str], exit_code: int, action: str
) -> None:
    jobset = the_jobset(tmp_path, capacityType="spot")
    pod_policy = _replicated(jobset)["template"]["spec"]["podFailurePolicy"]
    message = _pod_failure(pod_policy, conditions, exit_code)
    assert message is not None
    assert _jobset_action(jobset["spec"]["failurePolicy"], "PodFailurePolicy", message) == action


def test_other_failures_count_against_max_restarts(tmp_path: Path) -> None:
    jobset = the_jobset(tmp_path, runPolicy={"backoffLimit": 5})
    policy = jobset["spec"]["failurePolicy"]
    assert policy["maxRestarts"] == 5
    assert (
        _jobset_action(
            policy, "BackoffLimitExceeded", "Job has reached the specified backoff limit"
        )
        == "RestartJobSet"
    )
    assert (
        _jobset_action(policy, "DeadlineExceeded", "Job was active longer than specified deadline")
        == "FailJobSet"
    )


def test_rule_names_and_reasons_are_what_the_webhook_accepts(tmp_path: Path) -> None:
    # jobset pkg/webhooks/jobset_webhook.go: names match this pattern, reasons are these.
    valid_reasons = {
        "BackoffLimitExceeded",
        "DeadlineExceeded",
        "FailedIndexes",
        "MaxFailedIndexesExceeded",
        "PodFailurePolicy",
    }
    rules = the_jobset(tmp_path)["spec"]["failurePolicy"]["rules"]
    assert len({r["name"] for r in rules}) == len(rules)
    for rule in rules:
        assert re.fullmatch(r"[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?", rule["name"])
        assert set(rule["onJobFailureReasons"]) <= valid_reasons


# --- names ------------------------------------------------------------------------------


def test_longest_pod_name_counts_the_random_suffix(tmp_path: Path) -> None:
    jobset = the_jobset(tmp_path, nodes=16, jobset={"slices": 2})
    name = jobset["metadata"]["name"]
    assert overlong_child(jobset) is None
    jobset["metadata"]["name"] = name + "x" * (63 - len(f"{name}-node-1-7-xxxxx") + 1)
    found = overlong_child(jobset)
    assert found is not None
    assert found.child.endswith("-node-1-7-xxxxx")
    assert len(found.child) == 64


def test_a_name_too_long_for_its_pods_is_refused(tmp_path: Path) -> None:
    _, diagnostics = compile_specs(tmp_path, [jobset_job("b" * 40, nodes=16)])
    assert [d.code for d in diagnostics] == ["MG222"]


# --- launch rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "codes"),
    [
        ({"nodes": 4, "jobset": {"slices": 3}}, ["MG321"]),
        ({"nodes": 4, "jobset": {"slices": 2}}, []),
        ({"command": ["python"], "args": ["train.py"]}, ["MG247"]),
        ({"args": ["--nnodes", "2", "-m", "bert.train"]}, ["MG248"]),
        ({"args": ["--rdzv-endpoint", "localhost:29500", "-m", "bert.train"]}, ["MG248"]),
        ({"args": ["--standalone", "-m", "bert.train"]}, ["MG248"]),
        ({"env": {"PET_NNODES": "4"}}, ["MG288"]),
        ({"env": {"JOBSET_NAME": "x"}}, ["MG288"]),
        ({"args": ["--nnodes", "4", "-m", "bert.train"]}, []),
    ],
)
def test_launch_rules(tmp_path: Path, spec: dict[str, Any], codes: list[str]) -> None:
    _, diagnostics = compile_specs(tmp_path, [jobset_job(**spec)])
    assert [d.code for d in diagnostics] == codes


def test_generated_object_passes_the_real_crd(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        jobset_job(
            "gpu",
            gpu=A100,
            nodes=4,
            capacityType="spot",
            jobset={"slices": 2, "exclusiveTopology": "topology.k8s.aws/network-node-layer-3"},
            runPolicy={"ttlSecondsAfterFinished": 600},
            hyperparameters={"lr": 0.1},
        ),
        jobset_job("cpu", nodes=1, state="Suspended"),
    ]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir)
    assert kind_problems(diagnostics, "JobSet") == []
    assert not [d for d in diagnostics if d.is_error]


def test_namespace_quota_counts_every_pod_of_every_slice(tmp_path: Path) -> None:
    jobset = the_jobset(tmp_path, nodes=4, gpu=A100, jobset={"slices": 2})
    usage = object_usage(jobset, ContainerDefaults())
    assert usage["requests.nvidia.com/gpu"] == 32
