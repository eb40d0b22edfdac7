"""The registry of workloads: one module each, selected by the spec's `framework`.

`TrainingJobDocument` is what a TrainingJob document parses into: its spec is the
variant of the workload its `framework` names (PyTorch when unset), so a field only one
workload understands (PyTorch's `elastic`) is an unknown field on any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Union

from pydantic import Discriminator, Field, Tag

from manifestgen.spec import training
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import TrainingJobSpec
from manifestgen.workloads.base import Workload
from manifestgen.workloads.indexed_job import INDEXED_JOB
from manifestgen.workloads.jax import JAX
from manifestgen.workloads.jobset import JOBSET
from manifestgen.workloads.mpi import MPI
from manifestgen.workloads.paddle import PADDLE
from manifestgen.workloads.pytorch import PYTORCH
from manifestgen.workloads.ray import RAY
from manifestgen.workloads.tensorflow import TENSORFLOW
from manifestgen.workloads.trainjob import TRAINJOB
from manifestgen.workloads.xgboost import XGBOOST

WORKLOADS: Mapping[str, Workload] = {
    w.framework: w
    for w in (PYTORCH, TENSORFLOW, XGBOOST, PADDLE, JAX, MPI, TRAINJOB, RAY, JOBSET, INDEXED_JOB)
}

DEFAULT_FRAMEWORK = "pytorch"

# Frameworks users ask for that have no workload yet: a clear "not yet", not a typo hint.
PLANNED: Mapping[str, str] = {}

TAG_PREFIX = "workload:"  # a union tag can never be mistaken for a spec key


def _tag(value: Any) -> str | None:
    framework = (
        value.get("framework", DEFAULT_FRAMEWORK)
        if isinstance(value, dict)
        else getattr(value, "framework", None)
    )
    return f"{TAG_PREFIX}{framework}" if isinstance(framework, str) else None


def framework_choices() -> str:
    return ", ".join(repr(name) for name in sorted(WORKLOADS))


_VARIANTS: Any = Union[  # noqa: UP007 - built from the registry at import time
    tuple(Annotated[w.spec_model, Tag(f"{TAG_PREFIX}{w.framework}")] for w in WORKLOADS.values())
]


class TrainingJobDocument(training.TrainingJob):
    """One training run, owned by an ML team."""

    spec: Annotated[
        _VARIANTS,
        Discriminator(
            _tag,
            custom_error_type="unknown_framework",
            custom_error_message=f"framework must be one of {framework_choices()}",
        ),
        Field(description="What to run, where, on what."),
    ]


def workload_of(job: ResolvedJob) -> Workload:
    return WORKLOADS[job.job.spec.framework]


def spec_models() -> tuple[type[TrainingJobSpec], ...]:
    return tuple(w.spec_model for w in WORKLOADS.values())


# The public name: what users construct in Python and what documents parse into.
TrainingJob = TrainingJobDocument
