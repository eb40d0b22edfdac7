"""The build against the previous one in out/: keep running jobs, refuse immutable edits.

Everything here reads out/ and never writes it; `write/` stays the one place that does.
"""

from __future__ import annotations

from collections.abc import Sequence

from manifestgen.errors import Diagnostic
from manifestgen.expand.workload import emitted_kind
from manifestgen.history.immutable import ClaimClass, check_immutable
from manifestgen.history.jobs import Recreate, settle_job
from manifestgen.history.previous import PreviousBuild
from manifestgen.manifest import Manifest
from manifestgen.render import layout
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.storage import claim_class

__all__ = ["PreviousBuild", "Recreate", "reconcile"]


def _job_path(job: ResolvedJob) -> str:
    kind = emitted_kind(job).kind
    return layout.job_object(job.cluster_name, job.namespace, job.name, kind)


def _claim_classes(jobs: Sequence[ResolvedJob]) -> dict[str, ClaimClass]:
    """What the cluster's storage-class catalog knows of each checkpoint claim's class."""
    found: dict[str, ClaimClass] = {}
    for job in jobs:
        chosen = claim_class(job)
        if chosen is not None:
            path = layout.job_object(
                job.cluster_name, job.namespace, job.name, "PersistentVolumeClaim"
            )
            found[path] = (chosen[0], chosen[1].expandable)
    return found


def reconcile(
    manifests: Sequence[Manifest],
    jobs: Sequence[ResolvedJob],
    previous: PreviousBuild,
    recreate: Recreate,
    only: frozenset[str] | None = None,
) -> tuple[list[Manifest], list[Diagnostic]]:
    """The manifests this build emits, given what the previous build left in out/.

    `only`: the spec files whose jobs to weigh against out/ (validate of named files,
    whose other diagnostics are not reported); None for all.
    """
    if only is not None:
        jobs = [job for job in jobs if job.spec_path in only]
    by_path = {layout.path_of(m): m for m in manifests}
    settled: dict[str, Manifest | None] = {}
    diagnostics: list[Diagnostic] = []
    for job in jobs:
        path = _job_path(job)
        emitted, found = settle_job(job, by_path.get(path), previous, recreate)
        diagnostics += found
        settled[path] = emitted
    paths = [layout.path_of(m) for m in manifests]
    result = [settled.get(p, m) for p, m in zip(paths, manifests, strict=True)]
    kept = [m for m in result if m is not None]
    # A kept job from another kind sits at its old path: add what was not in the list.
    kept += [m for path, m in settled.items() if m is not None and layout.path_of(m) != path]
    weighed = kept if only is None else [m for m in kept if m.origin.document.path in only]
    diagnostics += check_immutable(weighed, previous, _claim_classes(jobs))
    return kept, diagnostics
