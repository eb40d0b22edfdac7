"""A TrainJob's fine-tuning blueprint (`finetune:`): initializers, torchtune command, checks.

The runtime (expand/runtimes.py) holds the dataset-initializer and model-initializer jobs
the Trainer fills in from `spec.initializer`, and the node job that waits for both. The
job's checkpoint claim is the workspace: the initializers write `dataset/` and `model/`
at /workspace, the trainer mounts the same claim at `checkpoints.mountPath` and writes
`output/epoch_<n>/` there, where a ModelService finds it.

The torchtune command is written out whole rather than left to the Trainer's torchtune
plugin: that plugin acts only on a command of exactly `tune run` and reads the model
from a runtime named `torchtune-<model>-<size>`, which a content-named runtime is not.
A plain torch runtime hands the node torchrun's PET_* variables, which `tune run`'s
torchrun options read for what the command does not set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from manifestgen.errors import Diagnostic, Severity
from manifestgen.expand.gang import cluster_gang_system
from manifestgen.expand.pod import checkpoint_claim_name, container_security, pod_security
from manifestgen.expand.runtimes import (
    DATASET_INITIALIZER,
    INITIALIZER_VOLUME,
    MODEL_INITIALIZER,
)
from manifestgen.spec.finetune import (
    INITIALIZER_SCHEMES,
    OWNED_SETTINGS,
    TORCHTUNE_MODELS,
    FineTune,
    placement,
    recipe_and_config,
    scheme,
)
from manifestgen.spec.resolve import ResolvedJob

# The initializers read their settings from upper-cased env names (the Trainer's
# pkg/initializers: STORAGE_URI, ACCESS_TOKEN); a runtime patch cannot set env, so
# the token goes in spec.initializer.<step>.env.
ACCESS_TOKEN = "ACCESS_TOKEN"
_FIELD = ("spec", "finetune")


def finetune_of(job: ResolvedJob) -> FineTune | None:
    found = getattr(job.job.spec, "finetune", None)
    return found if isinstance(found, FineTune) else None


def workspace(job: ResolvedJob) -> str:
    """Where the trainer node mounts the workspace (the job's checkpoint claim)."""
    checkpoints = job.job.spec.checkpoints
    return checkpoints.mount_path.rstrip("/") if checkpoints is not None else "/checkpoints"


def last_epoch_dir(finetune: FineTune) -> str:
    """The output torchtune writes after the last epoch, relative to the workspace."""
    return f"output/epoch_{finetune.epochs - 1}"


def initializer_spec(job: ResolvedJob, finetune: FineTune) -> dict[str, Any]:
    """TrainJob `spec.initializer`: what each initializer downloads, with the token."""
    env = []
    if finetune.token is not None:
        ref = {"key": finetune.token.key, "name": finetune.token.secret}
        env = [{"name": ACCESS_TOKEN, "valueFrom": {"secretKeyRef": ref}}]
    steps = {"dataset": finetune.dataset, "model": finetune.base_model}
    return {
        step: {"storageUri": uri, **({"env": env} if env else {})} for step, uri in steps.items()
    }


def _settings(job: ResolvedJob, finetune: FineTune, model: str) -> list[str]:
    root = workspace(job)
    settings = [
        f"output_dir={root}/output",
        f"checkpointer.checkpoint_dir={root}/model",
        *(f"{key}={root}/model/{file}" for key, file in TORCHTUNE_MODELS[model].tokenizer),
        # The Trainer's torchtune runtimes read the dataset the same way.
        "dataset=torchtune.datasets.instruct_dataset",
        "dataset.source=parquet",
        f"dataset.data_dir={root}/dataset/data",
        f"epochs={finetune.epochs}",
    ]
    if finetune.method != "full":
        settings += [
            f"model.lora_rank={finetune.lora_rank}",
            f"model.lora_alpha={2 * finetune.lora_rank}",
            # The adapter alone: a server loads it over the base model in model/; merged
            # weights beside an adapter make a directory no loader reads as one model.
            "save_adapter_weights_only=True",
        ]
    return settings


def trainer_command(job: ResolvedJob, finetune: FineTune) -> list[str] | None:
    """`tune run` with the recipe and config for the method and GPUs, and the workspace
    paths; None for a model outside the table (a rule reports it)."""
    model = finetune.torchtune_model
    if model is None:
        return None
    nodes, processes = job.job.spec.nodes, job.processes_per_node
    where = placement(nodes, processes)
    recipe, config = recipe_and_config(model, finetune.method, where)
    command = ["tune", "run"]
    if where != "single_device":
        # Any torchrun option makes `tune run` start torchrun; the rest (rank, master)
        # come from the Trainer's PET_* variables.
        command += [f"--nnodes={nodes}", f"--nproc_per_node={processes}"]
    return [*command, recipe, "--config", config, *_settings(job, finetune, model)]


def initializer_patches(job: ResolvedJob, pod: dict[str, Any]) -> list[dict[str, Any]]:
    """Runtime patches of the two initializer jobs: the workspace claim as the volume the
    runtime mounts, and the job's labels, ServiceAccount and security (its NetworkPolicy
    and Pod Security apply to them as to the trainer). No GPU placement: they download."""
    claim = {"persistentVolumeClaim": {"claimName": checkpoint_claim_name(job)}}
    patches = []
    for name in (DATASET_INITIALIZER, MODEL_INITIALIZER):
        spec = {
            "containers": [{"name": name, "securityContext": container_security(job)}],
            "securityContext": pod_security(job),
            "serviceAccountName": job.name,
            "volumes": [{"name": INITIALIZER_VOLUME, **claim}],
        }
        template = {"metadata": pod["metadata"], "spec": spec}
        patches.append({"name": name, "template": {"spec": {"template": template}}})
    return patches


def download_egress(job: ResolvedJob) -> list[dict[str, Any]]:
    """HTTPS anywhere for a fine-tune's initializers: the Hugging Face Hub and S3 have no
    fixed addresses (the NetworkPolicy selects all the job's pods by its label)."""
    if finetune_of(job) is None:
        return []
    return [
        {"ports": [{"port": 443, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}
    ]


def _diagnostic(
    job: ResolvedJob,
    code: str,
    message: str,
    path: tuple[str | int, ...],
    hint: str,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    return Diagnostic(
        code,
        message,
        job.source.locate(path),
        field=".".join(str(p) for p in path),
        severity=severity,
        hint=hint,
    )


def check_runtime_initializers(job: ResolvedJob) -> Iterator[Diagnostic]:
    """A blueprint needs the initializers; a runtime with them expects a blueprint (its
    node waits for downloads that only a fine-tune's initializer section defines)."""
    spec = job.job.spec
    name = getattr(spec, "runtime", "")
    runtime = job.platform.spec.runtimes.get(name)
    finetune = finetune_of(job)
    if runtime is None or (finetune is not None) == (runtime.initializers is not None):
        return
    if finetune is not None:
        with_them = sorted(n for n, r in job.platform.spec.runtimes.items() if r.initializers)
        yield _diagnostic(
            job,
            "MG307",
            f"runtime {name!r} has no initializers to download the base model and dataset",
            ("spec", "runtime"),
            f"use a runtime with initializers ({', '.join(with_them)})"
            if with_them
            else f"add `initializers:` to runtimes.{name} in the Platform",
        )
    else:
        yield _diagnostic(
            job,
            "MG307",
            f"runtime {name!r} runs the dataset and model initializers, which need a "
            "`finetune:` section saying what they download",
            ("spec", "runtime"),
            "add `finetune:` (baseModel, dataset, method), or use a runtime without initializers",
        )


def check_gang(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The Trainer sizes a TrainJob's PodGroup to the pods of every replicated job, the
    initializers' included, but the node pods exist only once the initializers are done:
    a gang that waits for all of them never starts."""
    gang = cluster_gang_system(job.cluster.scheduling)
    if finetune_of(job) is None or gang is None:
        return
    yield _diagnostic(
        job,
        "MG307",
        f"cluster {job.cluster_name!r} gang-schedules with {gang}: the PodGroup would wait "
        "for the trainer pods, which start only after the initializer pods finish",
        ("spec", "cluster"),
        "run the fine-tune on a cluster without a gang scheduler",
    )


def check_uris(job: ResolvedJob) -> Iterator[Diagnostic]:
    finetune = finetune_of(job)
    if finetune is None:
        return
    for key, uri in (("baseModel", finetune.base_model), ("dataset", finetune.dataset)):
        if scheme(uri) in INITIALIZER_SCHEMES:
            continue
        yield _diagnostic(
            job,
            "MG310",
            f"the Trainer's initializers cannot download {scheme(uri)}:// URIs",
            (*_FIELD, key),
            "use hf://<org>/<repo> or s3://<bucket>/<path>; copy other sources to S3",
        )


def check_model(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The method, on this many nodes and GPUs, must be a config torchtune ships."""
    finetune = finetune_of(job)
    if finetune is None:
        return
    model = finetune.torchtune_model
    if model is None:
        known = ", ".join(f"{k} (hf://{v.hf_repo})" for k, v in TORCHTUNE_MODELS.items())
        yield _diagnostic(
            job,
            "MG311",
            f"no torchtune recipe is known for base model {finetune.base_model!r}",
            (*_FIELD, "baseModel"),
            f"set finetune.model to the torchtune model it is: {known}",
        )
        return
    where = placement(job.job.spec.nodes, job.processes_per_node)
    configs = TORCHTUNE_MODELS[model].configs
    if (finetune.method, where) in configs:
        return
    offered = "; ".join(f"{m} {_placement_text(p)}" for m, p in sorted(configs))
    yield _diagnostic(
        job,
        "MG308",
        f"torchtune has no {finetune.method} recipe config for {model} {_placement_text(where)}",
        (*_FIELD, "method"),
        f"{model} offers: {offered}",
    )


def _placement_text(where: str) -> str:
    return {
        "single_device": "on one GPU",
        "distributed": "on several GPUs of one node",
        "multinode": "on several nodes",
    }[where]


def check_token(job: ResolvedJob) -> Iterator[Diagnostic]:
    """A gated Hugging Face model downloads only with a token; others may need one."""
    finetune = finetune_of(job)
    if finetune is None or finetune.token is not None or finetune.hf_repo is None:
        return
    model = finetune.torchtune_model
    gated = model is not None and TORCHTUNE_MODELS[model].gated
    yield _diagnostic(
        job,
        "MG309",
        f"hf://{finetune.hf_repo} "
        + ("is gated: the model initializer cannot download it without a token"
           if gated else "is read without a Hugging Face token; a gated or private "
           "repository then fails to download"),
        (*_FIELD, "baseModel"),
        "set finetune.token: {secret: <Secret in the team namespace>, key: token}",
        Severity.ERROR if gated else Severity.WARNING,
    )  # fmt: skip


def check_workspace(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The initializers and the trainer are different pods, often on different nodes
    (CPU and GPU): the claim they share must be ReadWriteMany."""
    if finetune_of(job) is None:
        return
    checkpoints = job.job.spec.checkpoints
    if checkpoints is None:
        yield _diagnostic(
            job,
            "MG312",
            "a fine-tune needs a checkpoint claim: it is the workspace the initializers "
            "download into and the trainer writes its output to",
            _FIELD,
            "add `checkpoints: {size: ..., storageClass: <a ReadWriteMany class>}`",
        )
    elif job.checkpoint_access_mode != "ReadWriteMany":
        yield _diagnostic(
            job,
            "MG312",
            f"the workspace claim is {job.checkpoint_access_mode}, but the initializer and "
            "trainer pods that share it run on different nodes",
            ("spec", "checkpoints", "accessMode"),
            "remove accessMode (a fine-tune's claim is ReadWriteMany) and use a class that "
            "supports it (EFS, FSx)",
        )


def check_owned(job: ResolvedJob) -> Iterator[Diagnostic]:
    """The blueprint writes the command and the settings its paths depend on."""
    if finetune_of(job) is None:
        return
    spec = job.job.spec
    if spec.command:
        yield _diagnostic(
            job,
            "MG313",
            "a fine-tune's command is generated (tune run <recipe> --config <config>)",
            ("spec", "command"),
            "remove command; put torchtune settings such as batch_size=8 in args",
        )
    for index, arg in enumerate(spec.args):
        key = arg.split("=", 1)[0]
        if key in OWNED_SETTINGS:
            yield _diagnostic(
                job,
                "MG313",
                f"{key} is set by the fine-tune (workspace paths, epochs, LoRA rank)",
                ("spec", "args", index),
                "remove it; epochs and loraRank are finetune fields",
            )


RULES = (
    check_runtime_initializers,
    check_gang,
    check_uris,
    check_model,
    check_token,
    check_workspace,
    check_owned,
)
