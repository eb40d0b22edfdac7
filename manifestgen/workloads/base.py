"""What a workload provides: its spec variant, its training object, its rules.

A workload is one way to run a TrainingJob (PyTorchJob, TFJob, ...). Its module owns
everything that differs between workloads: the spec fields only it understands (the
variant model, selected by `framework`), the spec of the object it emits, the launch
checks its users need, and any further objects it needs. What is the same for every
workload (pod template, claims, network policy, naming, metadata) stays in expand/, and
what depends on the Kubernetes kind (waves, health, child names, suspend field) is read
from the kind's catalog row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from manifestgen.errors import Diagnostic
from manifestgen.kinds.catalog import ApiKind
from manifestgen.manifest import Manifest
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import TrainingJobSpec

WorkloadRule = Callable[[ResolvedJob], Iterator[Diagnostic]]
S = TypeVar("S", bound=TrainingJobSpec)


def _no_objects(job: ResolvedJob) -> tuple[Manifest, ...]:
    return ()


def _no_egress(job: ResolvedJob) -> list[dict[str, Any]]:
    return []


def _no_ingress(job: ResolvedJob) -> list[dict[str, Any]]:
    return []


@dataclass(frozen=True)
class Workload:
    # The value of the spec's `framework` that selects this workload.
    framework: str
    # The catalog row of the training object it emits.
    kind: ApiKind
    # Its spec variant: the shared fields plus its own.
    spec_model: type[TrainingJobSpec]
    # The training object's spec (everything but metadata; suspend is set generically).
    build_spec: Callable[[ResolvedJob], dict[str, Any]]
    # One line for the README and `manifestgen schema --reference`.
    summary: str
    # Checks only this workload needs (launch commands, its own fields).
    rules: tuple[WorkloadRule, ...] = ()
    # Objects it emits beside the training object, in the job's directory.
    extra_objects: Callable[[ResolvedJob], tuple[Manifest, ...]] = _no_objects
    # Ingress rules the job's NetworkPolicy adds to "from the job's own pods": for an
    # operator that talks to the job's pods itself (one policy per job, one file per kind).
    network_ingress: Callable[[ResolvedJob], list[dict[str, Any]]] = _no_ingress
    # Egress rules it adds beside the spec's `egress`: for downloads the workload itself makes.
    network_egress: Callable[[ResolvedJob], list[dict[str, Any]]] = _no_egress


def spec_of(job: ResolvedJob, model: type[S]) -> S:
    """The job's spec as the workload's own variant (the parser chose it by `framework`)."""
    spec = job.job.spec
    if not isinstance(spec, model):
        raise TypeError(f"{job.name}: spec is {type(spec).__name__}, not {model.__name__}")
    return spec
