"""LLM fine-tuning blueprints: a TrainJob with initializers and a generated torchtune command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen.errors import Severity
from tests.bundle import of_kind
from tests.workloads.support import crd_diagnostics, framework_job, kind_problems
from tests.workloads.test_trainjob import TRAINER_PLATFORM, diagnostics, objects

TORCHTUNE_RUNTIME = """\
    torchtune:
      mlPolicy: torch
      image: ghcr.io/acme/torchtune:0.6.1
      initializers:
        datasetImage: ghcr.io/acme/dataset-initializer:v2.3.0
        modelImage: ghcr.io/acme/model-initializer:v2.3.0
"""
PLATFORM = TRAINER_PLATFORM.replace("  runtimes:\n", "  runtimes:\n" + TORCHTUNE_RUNTIME, 1)
BLUEPRINT = {
    "baseModel": "hf://meta-llama/Llama-3.2-3B-Instruct",
    "dataset": "hf://tatsu-lab/alpaca",
    "token": {"secret": "huggingface"},
}


def finetune_job(name: str = "tune", gpus: int = 4, **spec: Any) -> Any:
    """A LoRA fine-tune of Llama 3.2 3B on `gpus` A100s; a None in `finetune` drops a field."""
    blueprint = {**BLUEPRINT, **spec.pop("finetune", {})}
    fields: dict[str, Any] = {
        "runtime": "torchtune",
        "command": None,
        "args": [],
        "nodes": 1,
        "gpu": {"type": "a100-80gb", "perNode": gpus},
        "checkpoints": {"size": "200Gi"},
        "finetune": {k: v for k, v in blueprint.items() if v is not None},
        **spec,
    }
    return framework_job("trainjob", name, **fields)


def trainjob(root: Path, job: Any) -> dict[str, Any]:
    (obj,) = of_kind(objects(root, job, platform=PLATFORM), "TrainJob")
    return obj


def codes(root: Path, *jobs: Any) -> list[tuple[str, str, Severity]]:
    return sorted(
        (d.code, d.field, d.severity)
        for d in diagnostics(root, *jobs, platform=PLATFORM)
        if d.code.startswith("MG3")
    )


def test_blueprint_objects_pass_the_real_crds(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [
        finetune_job("lora"),
        finetune_job("qlora", gpus=1, finetune={"method": "qlora"}),
        finetune_job(
            "full",
            nodes=2,
            gpu={"type": "a100-80gb", "perNode": 8},
            finetune={"baseModel": "hf://meta-llama/Llama-3.3-70B-Instruct", "method": "full"},
        ),
    ]
    found = crd_diagnostics(tmp_path, jobs, crds_dir, PLATFORM)
    assert kind_problems(found, "TrainJob") == []
    assert kind_problems(found, "ClusterTrainingRuntime") == []
    assert not [d for d in found if d.is_error]


def test_runtime_runs_the_initializers_before_the_node(tmp_path: Path) -> None:
    found = objects(tmp_path, finetune_job(), platform=PLATFORM)
    (runtime,) = of_kind(found, "ClusterTrainingRuntime")
    assert runtime["metadata"]["labels"]["trainer.kubeflow.org/framework"] == "torchtune"
    jobs = runtime["spec"]["template"]["spec"]["replicatedJobs"]
    assert [j["name"] for j in jobs] == ["dataset-initializer", "model-initializer", "node"]
    assert jobs[2]["dependsOn"] == [
        {"name": "dataset-initializer", "status": "Complete"},
        {"name": "model-initializer", "status": "Complete"},
    ]
    for job in jobs[:2]:
        labels = job["template"]["metadata"]["labels"]
        assert labels["trainer.kubeflow.org/trainjob-ancestor-step"] == job["name"]
        (container,) = job["template"]["spec"]["template"]["spec"]["containers"]
        # The Trainer's webhook wants this mount; the initializers write under /workspace.
        assert container["volumeMounts"] == [{"mountPath": "/workspace", "name": "initializer"}]
        assert container["resources"]["limits"] == {"cpu": "2", "memory": "8Gi"}


def test_initializers_download_into_the_checkpoint_claim(tmp_path: Path) -> None:
    spec = trainjob(tmp_path, finetune_job())["spec"]
    token = {"secretKeyRef": {"key": "token", "name": "huggingface"}}
    assert spec["initializer"] == {
        "dataset": {
            "env": [{"name": "ACCESS_TOKEN", "valueFrom": token}],
            "storageUri": "hf://tatsu-lab/alpaca",
        },
        "model": {
            "env": [{"name": "ACCESS_TOKEN", "valueFrom": token}],
            "storageUri": "hf://meta-llama/Llama-3.2-3B-Instruct",
        },
    }
    (patch,) = spec["runtimePatches"]
    jobs = patch["trainingRuntimeSpec"]["template"]["spec"]["replicatedJobs"]
    assert [j["name"] for j in jobs] == ["dataset-initializer", "model-initializer", "node"]
    for job in jobs[:2]:
        pod = job["template"]["spec"]["template"]
        assert pod["spec"]["volumes"] == [
            {"name": "initializer", "persistentVolumeClaim": {"claimName": "tune-checkpoints"}}
        ]
        assert pod["spec"]["serviceAccountName"] == "tune"
        assert pod["metadata"]["labels"]["manifestgen.io/job"] == "tune"
        # They download on CPU nodes: no GPU placement.
        assert "nodeSelector" not in pod["spec"]


@pytest.mark.parametrize(
    ("gpus", "nodes", "method", "base", "expected"),
    [
        (4, 1, "lora", "llama3_2/3B", ["--nnodes=1", "--nproc_per_node=4", "lora_finetune_distributed", "--config", "llama3_2/3B_lora"]),
        (1, 1, "qlora", "llama3_2/3B", ["lora_finetune_single_device", "--config", "llama3_2/3B_qlora_single_device"]),
        (1, 1, "full", "llama3_2/3B", ["full_finetune_single_device", "--config", "llama3_2/3B_full_single_device"]),
        (8, 2, "full", "llama3_3/70B", ["--nnodes=2", "--nproc_per_node=8", "full_finetune_distributed", "--config", "llama3_3/70B_full_multinode"]),
    ],
)  # fmt: skip
def test_command_runs_the_recipe_for_the_method_and_gpus(
    tmp_path: Path, gpus: int, nodes: int, method: str, base: str, expected: list[str]
) -> None:
    blueprint = {"method": method, "model": base}
    job = finetune_job(nodes=nodes, gpus=gpus, finetune=blueprint, args=["batch_size=8"])
    trainer = trainjob(tmp_path, job)["spec"]["trainer"]
    command = trainer["command"]
    assert command[:2] == ["tune", "run"]
    assert command[2 : 2 + len(expected)] == expected
    assert "output_dir=/checkpoints/output" in command
    assert "checkpointer.checkpoint_dir=/checkpoints/model" in command
    assert "tokenizer.path=/checkpoints/model/original/tokenizer.model" in command
    assert trainer["args"] == ["batch_size=8"]
    lora = [part for part in command if part.startswith("model.lora_")]
    assert lora == ([] if method == "full" else ["model.lora_rank=16", "model.lora_alpha=32"])


def test_qwen_reads_its_bpe_tokenizer_files(tmp_path: Path) -> None:
    blueprint = {"baseModel": "hf://Qwen/Qwen2.5-1.5B-Instruct", "token": None}
    command = trainjob(tmp_path, finetune_job(finetune=blueprint))["spec"]["trainer"]["command"]
    assert "tokenizer.path=/checkpoints/model/vocab.json" in command
    assert "tokenizer.merges_file=/checkpoints/model/merges.txt" in command


def test_a_fine_tune_claim_is_read_write_many_by_default(tmp_path: Path) -> None:
    found = objects(tmp_path, finetune_job(), platform=PLATFORM)
    (claim,) = of_kind(found, "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]


def test_blueprint_needs_a_runtime_with_initializers(tmp_path: Path) -> None:
    job = finetune_job(runtime="torch-distributed")
    assert codes(tmp_path, job) == [("MG307", "spec.runtime", Severity.ERROR)]
    plain = framework_job("trainjob", "plain", runtime="torchtune", command=["torchrun"])
    assert ("MG307", "spec.runtime", Severity.ERROR) in codes(tmp_path, plain)


def test_methods_torchtune_ships_no_config_for_are_refused(tmp_path: Path) -> None:
    jobs = [
        # QLoRA of the small Llamas runs on one device only.
        finetune_job("qlora-multi", finetune={"method": "qlora"}),
        # LoRA never runs on several nodes; only the 70B model has a multinode config.
        finetune_job("lora-nodes", nodes=2, finetune={"method": "lora"}),
        finetune_job("qwen-qlora", gpus=1, finetune={"method": "qlora", "model": "qwen2_5/1.5B"}),
    ]
    assert codes(tmp_path, *jobs) == [("MG308", "spec.finetune.method", Severity.ERROR)] * 3


def test_gated_models_need_a_token(tmp_path: Path) -> None:
    gated = finetune_job("gated", finetune={"token": None})
    assert codes(tmp_path, gated) == [("MG309", "spec.finetune.baseModel", Severity.ERROR)]
    qwen = finetune_job(
        "open", finetune={"baseModel": "hf://Qwen/Qwen2.5-1.5B-Instruct", "token": None}
    )
    assert codes(tmp_path, qwen) == [("MG309", "spec.finetune.baseModel", Severity.WARNING)]


def test_uri_schemes_and_unknown_models(tmp_path: Path) -> None:
    job = finetune_job(finetune={"baseModel": "gs://bucket/llama", "dataset": "pvc://data/alpaca"})
    assert codes(tmp_path, job) == [
        ("MG310", "spec.finetune.baseModel", Severity.ERROR),
        ("MG310", "spec.finetune.dataset", Severity.ERROR),
        ("MG311", "spec.finetune.baseModel", Severity.ERROR),
    ]
    named = finetune_job(finetune={"baseModel": "s3://models/llama-3b", "model": "llama3_2/3B"})
    assert codes(tmp_path, named) == []


def test_workspace_must_be_a_shared_claim(tmp_path: Path) -> None:
    missing = finetune_job("missing", checkpoints=None)
    assert codes(tmp_path, missing) == [("MG312", "spec.finetune", Severity.ERROR)]
    rwo = finetune_job("rwo", checkpoints={"size": "1Ti", "accessMode": "ReadWriteOnce"})
    assert codes(tmp_path, rwo) == [("MG312", "spec.checkpoints.accessMode", Severity.ERROR)]


def test_command_and_owned_settings_are_the_blueprints(tmp_path: Path) -> None:
    job = finetune_job(command=["tune", "run"], args=["batch_size=2", "output_dir=/tmp/out"])
    assert codes(tmp_path, job) == [
        ("MG313", "spec.args.1", Severity.ERROR),
        ("MG313", "spec.command", Severity.ERROR),
    ]


def test_the_name_budget_counts_the_initializer_pods(tmp_path: Path) -> None:
    # 36 characters + the hash fit a node pod, not `<name>-<hash>-dataset-initializer-0-0`.
    job = finetune_job("a" * 36)
    found = [d for d in diagnostics(tmp_path, job, platform=PLATFORM) if d.code == "MG222"]
    (problem,) = found
    assert "dataset initializer pod" in problem.message


@pytest.mark.parametrize("system", ["volcano", "coscheduling"])
def test_a_gang_scheduled_cluster_refuses_a_fine_tune(tmp_path: Path, system: str) -> None:
    # The Trainer's PodGroup counts the initializer pods and the node pods, which never
    # exist together: the node job starts only once the initializers are Complete.
    anchor = "      gpuQuota:\n        a100-80gb: 32\n"
    assert anchor in PLATFORM
    gang = PLATFORM.replace(anchor, anchor + f"      scheduling:\n        system: {system}\n", 1)
    found = [
        (d.code, d.field)
        for d in diagnostics(tmp_path, finetune_job(), platform=gang)
        if d.code.startswith("MG3")
    ]
    assert found == [("MG307", "spec.cluster")]


def test_a_lora_rank_vllm_cannot_serve_is_refused(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, finetune_job(finetune={"loraRank": 24}), platform=PLATFORM)
    (problem,) = [d for d in found if d.is_error]
    assert problem.field == "spec.finetune.loraRank"
    assert "vLLM" in problem.message


def test_the_network_policy_lets_the_initializers_download(tmp_path: Path) -> None:
    found = objects(tmp_path, finetune_job(), platform=PLATFORM)
    (policy,) = of_kind(found, "NetworkPolicy")
    https = {
        "ports": [{"port": 443, "protocol": "TCP"}],
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
    }
    assert https in policy["spec"]["egress"]
    plain = objects(
        tmp_path / "plain", framework_job("trainjob", "plain", runtime="torch-distributed")
    )
    (policy,) = of_kind(plain, "NetworkPolicy")
    assert https not in policy["spec"]["egress"]
