"""The Platform's Kubeflow Trainer runtimes: what a `framework: trainjob` job runs on.

A runtime is platform-owned: the ML policy (how the Trainer wires the nodes together),
the default image and node count. The job brings the rest (image, command, resources,
placement) in its TrainJob. Each runtime becomes one ClusterTrainingRuntime per cluster,
named after its content (expand/runtimes.py), so editing one never changes a running job.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from manifestgen.spec.base import SpecModel
from manifestgen.spec.image import check_image


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
