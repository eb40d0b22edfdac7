"""The Platform's Kubeflow Trainer runtimes: what a `framework: trainjob` job runs on.

A runtime is platform-owned: the ML policy (how the Trainer wires the nodes together),
the default image and node count. The job brings the rest (image, command, resources,
placement) in its TrainJob. Each runtime becomes one ClusterTrainingRuntime per cluster,
named after its content (expand/runtimes.py), so editing one never changes a running job.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from manifestgen.spec.base import Quantity, SpecModel
from manifestgen.spec.image import check_image


class Initializers(SpecModel):
    """The Trainer's dataset and model initializers: a runtime with them runs the
    fine-tuning blueprints (a job's `finetune:`). Each downloads its STORAGE_URI into the
    shared workspace before the trainer node starts."""

    dataset_image: Annotated[str, AfterValidator(check_image)] = Field(
        min_length=1,
        max_length=512,
        description="Image of the dataset initializer (the Trainer's dataset-initializer, "
        "pinned, or your mirror of it).",
        json_schema_extra={"pattern": r"^[^\s]+$"},
    )
    model_image: Annotated[str, AfterValidator(check_image)] = Field(
        min_length=1,
        max_length=512,
        description="Image of the model initializer (the Trainer's model-initializer).",
        json_schema_extra={"pattern": r"^[^\s]+$"},
    )
    cpu: Quantity = Field(default="2", description="CPU of each initializer (requests = limits).")
    memory: Quantity = Field(
        default="8Gi", description="Memory of each initializer (requests = limits)."
    )


class TrainingRuntime(SpecModel):
    """One runtime of the Platform, keyed by a short name such as `torch-distributed`."""

    ml_policy: Literal["torch", "jax"] = Field(
        description="How the Trainer starts the nodes: torch (torchrun; it sets PET_NNODES, "
        "PET_NPROC_PER_NODE, PET_NODE_RANK, PET_MASTER_ADDR and PET_MASTER_PORT) or jax (one "
        "process per node; it sets JAX_NUM_PROCESSES, JAX_PROCESS_ID and "
        "JAX_COORDINATOR_ADDRESS).",
    )
    image: Annotated[str, AfterValidator(check_image)] = Field(
        min_length=1,
        max_length=512,
        description="Image of the runtime's node container; a job's own image replaces it.",
        json_schema_extra={"pattern": r"^[^\s]+$"},
    )
    num_nodes: int = Field(
        default=1,
        ge=1,
        le=1000,
        description="The runtime's mlPolicy.numNodes: the nodes of a TrainJob that sets none "
        "(those manifestgen generates always set theirs).",
    )
    initializers: Initializers | None = Field(
        default=None,
        description="Dataset and model initializers before the trainer node: the runtime of "
        "fine-tuning blueprints, and only of them.",
    )

    @model_validator(mode="after")
    def _initializers_run_torchtune(self) -> TrainingRuntime:
        if self.initializers is not None and self.ml_policy != "torch":
            raise ValueError("initializers are for torchtune fine-tuning: use mlPolicy torch")
        return self
