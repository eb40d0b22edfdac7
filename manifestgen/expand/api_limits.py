"""Limits the API server enforces on what a job expands into, checked before anything is
written: a bundle that breaks one would build, then fail its sync wave on the cluster."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from manifestgen.errors import Diagnostic, JsonPath
from manifestgen.expand.pod import HPARAM_DIR, SHM_PATH, hyperparameter_data
from manifestgen.spec.resolve import ResolvedJob

# The API server refuses a ConfigMap whose keys and values together exceed 1 MiB.
CONFIGMAP_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class _Mount:
    path: str
    spec_path: JsonPath
    field: str
    holds: str


def _mounts(job: ResolvedJob) -> Iterator[_Mount]:
    """Every volume mount of the training container, in the container's order."""
    spec = job.job.spec
    yield _Mount(SHM_PATH, ("spec", "sharedMemory"), "spec.sharedMemory", "the /dev/shm volume")
    if spec.fixed_hyperparameters:
        yield _Mount(
            HPARAM_DIR, ("spec", "hyperparameters"), "spec.hyperparameters", "the hyperparameters"
        )
    if spec.checkpoints is not None:
        path: JsonPath = ("spec", "checkpoints", "mountPath")
        yield _Mount(spec.checkpoints.mount_path, path, "spec.checkpoints.mountPath", "checkpoints")
    for index, dataset in enumerate(spec.datasets):
        field = f"spec.datasets[{index}].mountPath"
        path = ("spec", "datasets", index, "mountPath")
        yield _Mount(dataset.mount_path, path, field, f"dataset {dataset.claim!r}")


def check_mount_paths(job: ResolvedJob) -> Iterator[Diagnostic]:
    """Two volumes at one path: the API server rejects the pod template."""
    taken: dict[str, str] = {}
    for mount in _mounts(job):
        key = posixpath.normpath(mount.path)
        if key in taken:
            yield Diagnostic(
                "MG244",
                f"mount path {mount.path!r} is already used by {taken[key]}",
                job.source.locate(mount.spec_path),
                field=mount.field,
                hint="give each volume its own mount path",
            )
        taken.setdefault(key, mount.holds)


def check_hyperparameter_size(job: ResolvedJob) -> Iterator[Diagnostic]:
    data = hyperparameter_data(job)
    size = sum(len(k.encode()) + len(v.encode()) for k, v in data.items())
    if size > CONFIGMAP_MAX_BYTES:
        yield Diagnostic(
            "MG246",
            f"hyperparameters take {size} bytes in their ConfigMap; the API server allows "
            f"at most {CONFIGMAP_MAX_BYTES} (1 MiB)",
            job.source.locate(("spec", "hyperparameters"), key=True),
            field="spec.hyperparameters",
            hint="keep large inputs (vocabularies, configs) in the image or a dataset claim",
        )


def api_limit_problems(job: ResolvedJob) -> list[Diagnostic]:
    return [*check_mount_paths(job), *check_hyperparameter_size(job)]
