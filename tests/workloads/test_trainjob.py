"""TrainJob (Kubeflow Trainer v2) on the Platform's content-addressed runtimes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen.errors import Severity
from tests.bundle import PLATFORM, build_objects, compile_specs, of_kind
from tests.workloads.support import crd_diagnostics, framework_job, kind_problems

A100 = {"type": "a100-80gb", "perNode": 8}
RUNTIMES = """\
  runtimes:
    torch-distributed:
      mlPolicy: torch
      image: ghcr.io/acme/pytorch:2.5.1
    jax-distributed:
      mlPolicy: jax
      image: ghcr.io/acme/jax:0.4.35
"""
TRAINER_PLATFORM = PLATFORM.replace("  teams:\n", RUNTIMES + "  teams:\n", 1)
CRD_PATCH = ("trainer.kubeflow.org_trainjobs.yaml",)


def trainjob(name: str = "bert", runtime: str | None = "torch-distributed", **spec: Any) -> Any:
    fields: dict[str, Any] = {"command": ["torchrun"], "args": ["-m", "bert.train"], **spec}
    return framework_job("trainjob", name, runtime=runtime, **fields)


def objects(root: Path, *jobs: Any, platform: str = TRAINER_PLATFORM) -> dict[str, Any]:
    return build_objects(root, list(jobs), platform)


def the(root: Path, kind: str, *jobs: Any, platform: str = TRAINER_PLATFORM) -> dict[str, Any]:
    (obj,) = of_kind(objects(root, *jobs, platform=platform), kind)
    return obj


def diagnostics(root: Path, *jobs: Any, platform: str = TRAINER_PLATFORM) -> list[Any]:
    return list(compile_specs(root, list(jobs), platform)[1])


def node_patch(obj: dict[str, Any]) -> dict[str, Any]:
    (patch,) = obj["spec"]["runtimePatches"]
    (node,) = patch["trainingRuntimeSpec"]["template"]["spec"]["replicatedJobs"]
    assert node["name"] == "node"
    template: dict[str, Any] = node["template"]["spec"]["template"]
    return template


def test_generated_objects_pass_the_real_crds(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        trainjob("gpu", gpu=A100, nodes=2, capacityType="spot", checkpoints={"size": "10Gi"}),
        trainjob("cpu", nodes=1, state="Suspended", hyperparameters={"lr": 0.1}),
        trainjob("mesh", runtime="jax-distributed", command=["python"], gpu=A100, nodes=2),
    ]
    found = crd_diagnostics(tmp_path, jobs, crds_dir, TRAINER_PLATFORM)
    assert kind_problems(found, "TrainJob") == []
    assert kind_problems(found, "ClusterTrainingRuntime") == []
    assert not [d for d in found if d.is_error]


def test_resources_per_node_are_complete_and_nproc_an_integer(tmp_path: Path) -> None:
    trainer = the(tmp_path, "TrainJob", trainjob(gpu=A100, nodes=2))["spec"]["trainer"]
    # The Trainer merges resourcesPerNode over the runtime's and infers nproc from the GPU
    # limit: every amount is given, requests and limits alike.
    expected = {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "8", "vpc.amazonaws.com/efa": "4"}
    assert trainer["resourcesPerNode"] == {"limits": expected, "requests": expected}
    assert trainer["numProcPerNode"] == 8
    assert trainer["numNodes"] == 2
    assert trainer["image"] == "ghcr.io/acme/train:1.0.0"


def test_cpu_jobs_give_the_process_count_explicitly(tmp_path: Path) -> None:
    trainer = the(tmp_path, "TrainJob", trainjob(processesPerNode=4))["spec"]["trainer"]
    # Left unset, the torch plugin would start one process per CPU of the limit.
    assert trainer["numProcPerNode"] == 4


def test_jax_runtime_takes_no_process_count(tmp_path: Path) -> None:
    job = trainjob(runtime="jax-distributed", command=["python"], gpu=A100, nodes=2)
    assert "numProcPerNode" not in the(tmp_path, "TrainJob", job)["spec"]["trainer"]


def test_the_patch_sets_only_fields_the_crd_allows(tmp_path: Path, crds_dir: Path) -> None:
    crd = yaml.safe_load((crds_dir / "kubeflow-trainer" / CRD_PATCH[0]).read_text())
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    patch_item = schema["properties"]["spec"]["properties"]["runtimePatches"]["items"]
    rjob = patch_item["properties"]["trainingRuntimeSpec"]["properties"]["template"]
    rjob = rjob["properties"]["spec"]["properties"]["replicatedJobs"]["items"]
    pod = rjob["properties"]["template"]["properties"]["spec"]["properties"]["template"]
    allowed_pod = set(pod["properties"]["spec"]["properties"])
    allowed_container = set(
        pod["properties"]["spec"]["properties"]["containers"]["items"]["properties"]
    )
    job = trainjob(gpu=A100, nodes=2, checkpoints={"size": "10Gi"}, capacityType="spot")
    template = node_patch(the(tmp_path, "TrainJob", job))
    assert set(template["spec"]) <= allowed_pod
    (container,) = template["spec"]["containers"]
    assert set(container) <= allowed_container
    # The Trainer refuses env for the node container in a patch: it goes in trainer.env.
    assert "env" not in container


def _merge(base: Any, patch: Any) -> Any:
    """Strategic merge as the Trainer applies a runtime patch: maps merge, lists of named
    items merge by name (containers, volumes, replicatedJobs), other lists are replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(patch, list) and all("name" in i for i in patch):
        by_name = {item["name"]: item for item in base}
        for item in patch:
            by_name[item["name"]] = _merge(by_name.get(item["name"], {}), item)
        return list(by_name.values())
    return patch


def _pod_the_trainer_builds(runtime: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """The node pod template of the JobSet, the way the Trainer derives it (v2.3)."""
    template = copy.deepcopy(runtime["spec"]["template"]["spec"])
    for patch in job["spec"]["runtimePatches"]:
        template = _merge(template, patch["trainingRuntimeSpec"]["template"]["spec"])
    (node,) = template["replicatedJobs"]
    pod: dict[str, Any] = node["template"]["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    trainer = job["spec"]["trainer"]
    container |= {k: trainer[k] for k in ("image", "command", "args") if k in trainer}
    container["env"] = trainer.get("env", [])
    container["resources"] = trainer["resourcesPerNode"]
    return pod


def test_every_pod_setting_reaches_the_node_pods(tmp_path: Path) -> None:
    job = trainjob(
        gpu=A100,
        nodes=2,
        checkpoints={"size": "10Gi"},
        datasets=[{"claim": "corpus", "mountPath": "/data"}],
        hyperparameters={"lr": 0.001},
        secrets=[{"env": "HF_TOKEN", "secret": "hf", "key": "token"}],
    )
    built = objects(tmp_path, job)
    (train,) = of_kind(built, "TrainJob")
    (runtime,) = of_kind(built, "ClusterTrainingRuntime")
    assert train["spec"]["runtimeRef"] == {
        "apiGroup": "trainer.kubeflow.org",
        "kind": "ClusterTrainingRuntime",
        "name": runtime["metadata"]["name"],
    }
    pod = _pod_the_trainer_builds(runtime, train)
    spec = pod["spec"]
    assert pod["metadata"]["labels"]["manifestgen.io/job"] == "bert"  # network policy, affinity
    assert pod["metadata"]["annotations"] == {"karpenter.sh/do-not-disrupt": "true"}
    assert {v["name"] for v in spec["volumes"]} == {
        "dshm",
        "hyperparameters",
        "checkpoints",
        "dataset-0",
    }
    (container,) = spec["containers"]
    assert container["image"] == "ghcr.io/acme/train:1.0.0"
    assert {m["mountPath"] for m in container["volumeMounts"]} == {
        "/dev/shm",
        "/etc/manifestgen/hyperparameters",
        "/checkpoints",
        "/data",
    }
    assert {e["name"] for e in container["env"]} == {"HF_TOKEN", "HYPERPARAMETERS_DIR"}
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert spec["serviceAccountName"] == "bert"
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["nodeSelector"]["nvidia.com/gpu.product"] == "NVIDIA-A100-SXM4-80GB"
    assert spec["tolerations"][0]["key"] == "nvidia.com/gpu"
    assert "podAffinity" in spec["affinity"]  # EFA: all nodes in one zone


@pytest.mark.parametrize(
    "change",
    [
        {"image": "ghcr.io/acme/train:1.0.1"},
        {"nodes": 3},
        {"processesPerNode": 2},
        {"resources": {"cpu": 8, "memory": "48Gi"}},
        {"env": {"SEED": "1"}},
        {"hyperparameters": {"lr": 0.2}},
        {"runtime": "jax-distributed", "command": ["python"]},
    ],
)
def test_every_trainer_change_is_a_new_name(tmp_path: Path, change: dict[str, Any]) -> None:
    # spec.trainer and spec.runtimeRef are immutable (CEL self == oldSelf): an edit under
    # the same name would be refused at sync.
    before = the(tmp_path / "a", "TrainJob", trainjob())
    after = the(tmp_path / "b", "TrainJob", trainjob(**change))
    assert before["metadata"]["name"] != after["metadata"]["name"]


def test_suspending_keeps_the_name(tmp_path: Path) -> None:
    running = the(tmp_path / "a", "TrainJob", trainjob())
    suspended = the(tmp_path / "b", "TrainJob", trainjob(state="Suspended"))
    assert suspended["metadata"]["name"] == running["metadata"]["name"]
    assert suspended["spec"]["suspend"] is True
    assert "suspend" not in running["spec"]


def test_runtimes_are_named_after_their_content(tmp_path: Path) -> None:
    edited = TRAINER_PLATFORM.replace("pytorch:2.5.1", "pytorch:2.6.0")
    first = objects(tmp_path / "a", trainjob())
    second = objects(tmp_path / "b", trainjob(), platform=edited)
    (old,), (new,) = (
        of_kind(first, "ClusterTrainingRuntime"),
        of_kind(second, "ClusterTrainingRuntime"),
    )
    assert old["metadata"]["name"].startswith("torch-distributed-")
    assert old["metadata"]["name"] != new["metadata"]["name"]
    (job,) = of_kind(second, "TrainJob")
    assert job["spec"]["runtimeRef"]["name"] == new["metadata"]["name"]
    # Applied before the jobs, pruned after them.
    annotations = new["metadata"]["annotations"]
    assert int(annotations["argocd.argoproj.io/sync-wave"]) < int(
        job["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
    )
    assert "PruneLast=true" in annotations["argocd.argoproj.io/sync-options"]


def test_only_runtimes_a_job_names_are_emitted(tmp_path: Path) -> None:
    built = objects(tmp_path, trainjob(), framework_job("pytorch", "plain", nodes=1))
    names = [
        o["metadata"]["labels"]["manifestgen.io/runtime"]
        for o in of_kind(built, "ClusterTrainingRuntime")
    ]
    assert names == ["torch-distributed"]
    assert [p for p in built if "clustertrainingruntime" in p] == [
        "train-a/cluster/clustertrainingruntime-"
        + of_kind(built, "ClusterTrainingRuntime")[0]["metadata"]["name"]
        + ".yaml"
    ]


def test_unknown_runtime_says_which_it_might_be(tmp_path: Path) -> None:
    (problem,) = diagnostics(tmp_path, trainjob(runtime="torch-distribute"))
    assert (problem.code, problem.field) == ("MG300", "spec.runtime")
    assert problem.hint == "did you mean 'torch-distributed'?"


def test_a_platform_without_runtimes_says_so(tmp_path: Path) -> None:
    (problem,) = diagnostics(tmp_path, trainjob(), platform=PLATFORM)
    assert problem.code == "MG300"
    assert "spec.runtimes" in problem.hint


@pytest.mark.parametrize(
    ("runtime", "variable"),
    [("torch-distributed", "PET_NNODES"), ("jax-distributed", "JAX_PROCESS_ID")],
)
def test_variables_the_trainer_sets_are_refused(
    tmp_path: Path, runtime: str, variable: str
) -> None:
    job = trainjob(runtime=runtime, command=["python"], env={variable: "2"})
    job["spec"]["secrets"] = [{"env": variable, "secret": "s", "key": "k"}]
    found = diagnostics(tmp_path, job)
    assert [(d.code, d.field) for d in found if d.code != "MG304"] == [
        ("MG301", f"spec.env.{variable}"),
        ("MG301", "spec.secrets[0].env"),
    ]


def test_run_policy_fields_a_trainjob_lacks(tmp_path: Path) -> None:
    job = trainjob(
        runPolicy={"backoffLimit": 2, "cleanPodPolicy": "All", "activeDeadlineSeconds": 60}
    )
    found = diagnostics(tmp_path, job)
    assert sorted(d.field for d in found if d.code == "MG302") == [
        "spec.runPolicy.backoffLimit",
        "spec.runPolicy.cleanPodPolicy",
    ]


def test_the_deadline_reaches_the_trainjob(tmp_path: Path) -> None:
    job = trainjob(runPolicy={"activeDeadlineSeconds": 60})
    assert the(tmp_path, "TrainJob", job)["spec"]["activeDeadlineSeconds"] == 60
    # Spot jobs get the Platform's deadline, the one bound on their restarts.
    spot = the(tmp_path / "spot", "TrainJob", trainjob(capacityType="spot"))
    assert spot["spec"]["activeDeadlineSeconds"] == 604800


def test_jax_runs_one_process_per_node(tmp_path: Path) -> None:
    job = trainjob(runtime="jax-distributed", command=["python"], gpu=A100, processesPerNode=8)
    (problem,) = diagnostics(tmp_path, job)
    assert (problem.code, problem.field) == ("MG303", "spec.processesPerNode")


@pytest.mark.parametrize(
    ("command", "warned"),
    [(["python", "-m", "train"], True), (["torchrun"], False), (["tune", "run"], False)],
)
def test_multi_node_torch_needs_torchrun(tmp_path: Path, command: list[str], warned: bool) -> None:
    found = diagnostics(tmp_path, trainjob(command=command, nodes=2))
    assert [(d.code, d.severity) for d in found] == (
        [("MG304", Severity.WARNING)] if warned else []
    )


@pytest.mark.parametrize(("length", "refused"), [(45, False), (46, True)])
def test_the_longest_node_pod_name_fits(tmp_path: Path, length: int, refused: bool) -> None:
    # <name>-<8 hex>-node-0-<index>: 45 + 9 + 9 = 63 with 10 nodes.
    name = "t" * length
    found = diagnostics(tmp_path, trainjob(name, nodes=10))
    assert [d.code for d in found] == (["MG222"] if refused else [])


DEFAULTING = TRAINER_PLATFORM.replace(
    "      gpuQuota:\n        a100-80gb: 32\n",
    "      gpuQuota:\n        a100-80gb: 32\n      defaultFramework: trainjob\n",
    1,
)


def test_a_cluster_default_framework_applies_to_jobs_that_name_none(tmp_path: Path) -> None:
    job = trainjob()
    del job["spec"]["framework"]
    built = objects(tmp_path, job, platform=DEFAULTING)
    assert len(of_kind(built, "TrainJob")) == 1
    assert not of_kind(built, "PyTorchJob")


def test_without_a_default_a_job_naming_no_framework_is_pytorch(tmp_path: Path) -> None:
    job = trainjob()
    del job["spec"]["framework"]
    (problem,) = diagnostics(tmp_path, job)
    # PyTorch knows no `runtime`: the error is located, with PyTorch's fields as the hint.
    assert (problem.code, problem.field) == ("MG201", "spec.runtime")
    assert "elastic" in problem.hint


def test_errors_of_a_defaulted_job_list_its_workloads_fields(tmp_path: Path) -> None:
    job = trainjob(elastic={"minNodes": 1, "maxNodes": 2})
    del job["spec"]["framework"]
    (problem,) = diagnostics(tmp_path, job, platform=DEFAULTING)
    assert (problem.code, problem.field) == ("MG201", "spec.elastic")
    assert "runtime" in problem.hint
    assert (problem.location.line, problem.location.column) > (0, 0)


def test_the_default_applies_whatever_the_file_order(tmp_path: Path) -> None:
    """The Platform may come after the jobs: the jobs wait for it."""
    job = trainjob()
    del job["spec"]["framework"]
    root = tmp_path
    (root / "specs").mkdir()
    (root / "specs" / "a-job.yaml").write_text(yaml.safe_dump(job))
    (root / "specs" / "z-platform.yaml").write_text(DEFAULTING)
    from manifestgen.options import BuildOptions
    from manifestgen.pipeline import run

    result = run(BuildOptions(root=root, mode="validate", check_output=False))
    assert not [d for d in result.diagnostics if d.is_error]
    assert any(p.endswith("/trainjob.yaml") for p in result.tree)


def test_unknown_default_framework_is_a_platform_error(tmp_path: Path) -> None:
    platform = DEFAULTING.replace("defaultFramework: trainjob", "defaultFramework: trainjobs")
    found = diagnostics(tmp_path, framework_job("pytorch", nodes=1), platform=platform)
    assert [(d.code, d.field, d.hint) for d in found] == [
        ("MG306", "spec.clusters.train-a.defaultFramework", "did you mean 'trainjob'?")
    ]
