"""Keep running work running: what a build does to a job that is already in out/.

A training job's name hashes its rendered spec, so any rendering change is a new object
that Argo CD creates while pruning the old one: the run restarts, and a finished run
trains again. That is right when the job's own spec changed, and wrong when only the
Platform or manifestgen changed. So, per job, against the previous build:

- same name as before: nothing to decide;
- the job's spec changed: the new object replaces the old one, with a note;
- only the Platform or manifestgen changed: the previous object is kept as it was
  (name and spec; metadata and the suspend flag follow the spec), with a note, unless
  the build is asked to recreate the job;
- the previous object cannot be kept (edited by hand, moved to another namespace):
  an error until the build is asked to recreate the job.

Decisions depend only on the specs and out/, so a kept job is as deterministic as any.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from manifestgen.errors import Diagnostic, Severity
from manifestgen.expand.katib import EXPERIMENT
from manifestgen.expand.labels import DIGEST_ANNOTATION, RUN_DIGEST_ANNOTATION
from manifestgen.expand.naming import job_object_name
from manifestgen.expand.pod import checkpoint_claim_name
from manifestgen.expand.workload import (
    dequeued,
    set_suspended,
    suspended,
    training_job_metadata,
)
from manifestgen.history.changes import changed_paths, references, summarize_paths
from manifestgen.history.previous import PreviousBuild
from manifestgen.kinds.catalog import ApiKind
from manifestgen.manifest import Manifest
from manifestgen.render import layout
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.workloads import WORKLOADS


@dataclass(frozen=True)
class Recreate:
    """Jobs the build may recreate although their spec did not change."""

    names: Collection[str] = ()
    every: bool = False

    def allows(self, job: ResolvedJob) -> bool:
        return (
            self.every or job.name in self.names or f"{job.cluster_name}/{job.name}" in self.names
        )


@dataclass(frozen=True)
class _Previous:
    path: str
    obj: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.obj.get("metadata", {}).get("name", ""))

    def annotation(self, key: str) -> str | None:
        value = (self.obj.get("metadata", {}).get("annotations") or {}).get(key)
        return None if value is None else str(value)


# The kinds a training object can have, whichever workload emitted it.
_JOB_KINDS: tuple[ApiKind, ...] = tuple(
    sorted(
        {EXPERIMENT, *(w.kind for w in WORKLOADS.values())}, key=lambda k: (k.kind, k.api_version)
    )
)


def _kind_of(obj: dict[str, Any]) -> ApiKind | None:
    for kind in _JOB_KINDS:
        if (obj.get("apiVersion"), obj.get("kind")) == (kind.api_version, kind.kind):
            return kind
    return None


def _find_previous(job: ResolvedJob, previous: PreviousBuild) -> _Previous | None:
    """The job's object in the last build: in its namespace, else in any other."""
    for namespace in (job.namespace, "*"):
        for kind in _JOB_KINDS:
            pattern = layout.job_object(job.cluster_name, namespace, job.name, kind.kind)
            for rel in previous.find(pattern):
                obj = previous.object_at(rel)
                if obj is not None and _kind_of(obj) is not None:
                    return _Previous(rel, obj)
    return None


def _spec_changed(current: Manifest, before: _Previous) -> bool:
    # The run digest leaves out the job's state; builds older than it only recorded
    # the digest of the whole document, which is as good when the state is unset.
    key = RUN_DIGEST_ANNOTATION if before.annotation(RUN_DIGEST_ANNOTATION) else DIGEST_ANNOTATION
    now = str(current.obj["metadata"]["annotations"][key])
    return before.annotation(key) != now


def _why_not_kept(
    job: ResolvedJob, current: Manifest, before: _Previous, previous: PreviousBuild
) -> str | None:
    """Why the previous object may not be carried over, or None when it may: it must be
    what manifestgen generated (its name still hashes its spec), in the job's namespace,
    and refer to the objects this build generates beside it under the same names."""
    kind = _kind_of(before.obj)
    spec = before.obj.get("spec")
    if _namespace_of(before) != job.namespace:
        return f"it moves from namespace {_namespace_of(before)!r} to {job.namespace!r}"
    config = previous.object_at(
        layout.job_object(job.cluster_name, job.namespace, job.name, "ConfigMap")
    )
    hyperparameters = (config or {}).get("data") or {}
    if (
        kind is None
        or not isinstance(spec, dict)
        or job_object_name(job.name, spec, hyperparameters, kind.suspend or ()) != before.name
    ):
        return f"the previous object in out/ ({before.path}) was not generated as it stands"
    missing = sorted(references(before.obj) - references(current.obj))
    if missing:
        return (
            f"it refers to {', '.join(missing)}, which the new rendering renames or no longer uses"
        )
    return None


def _kept(job: ResolvedJob, current: Manifest, before: _Previous) -> Manifest:
    kind = _kind_of(before.obj)
    assert kind is not None  # _why_not_kept checked it
    spec = before.obj["spec"]
    if kind.suspend is not None:
        spec = set_suspended(spec, kind.suspend, suspended(job))
    obj = {**before.obj, "metadata": training_job_metadata(job, before.name), "spec": spec}
    return Manifest(obj, current.origin, current.target)


def _namespace_of(before: _Previous) -> str:
    return before.path.split("/")[1]


def _resume(job: ResolvedJob, before: _Previous) -> str:
    if job.job.spec.checkpoints is None:
        return "it has no checkpoints, so the new run trains from the start"
    if _namespace_of(before) != job.namespace:
        return (
            f"its checkpoints stay in namespace {_namespace_of(before)!r}, so the new run "
            "starts with an empty claim"
        )
    return f"the new run can resume from the checkpoints in claim {checkpoint_claim_name(job)!r}"


def _note(
    code: str, job: ResolvedJob, message: str, hint: str = "", severity: Severity = Severity.NOTE
) -> Diagnostic:
    return Diagnostic(
        code,
        message,
        job.source.locate(("metadata", "name")),
        field="metadata.name",
        severity=severity,
        hint=hint,
    )


def _recreate_hint(job: ResolvedJob) -> str:
    return f"to restart it with the new rendering, build with `--recreate {job.name}`"


def settle_job(
    job: ResolvedJob, current: Manifest | None, previous: PreviousBuild, recreate: Recreate
) -> tuple[Manifest | None, list[Diagnostic]]:
    """The job object this build emits for `job`, and what it says about the choice."""
    if current is not None and previous.name_at(layout.path_of(current)) == current.name:
        return current, []  # the object the last build wrote: nothing to decide
    before = _find_previous(job, previous)
    if before is None:
        return current, []
    if current is None:
        return None, [_completed(job, before)]
    if before.name == current.name and before.path == layout.path_of(current):
        return current, []
    if _spec_changed(current, before):
        return current, [_recreated(job, current, before, "its spec changed")]
    if recreate.allows(job):
        return current, [_recreated(job, current, before, "requested with --recreate")]
    why_not = _why_not_kept(job, current, before, previous)
    if why_not is None:
        return _kept(job, current, before), [_keeping(job, current, before)]
    return current, [_blocked(job, current, before, why_not)]


def _completed(job: ResolvedJob, before: _Previous) -> Diagnostic:
    if dequeued(job):
        return _note(
            "MG360",
            job,
            f"job {job.name!r} is Suspended on a Kueue cluster: {before.obj.get('kind')} "
            f"{before.name!r} is no longer generated, so Argo CD deletes it and its quota is "
            "free; its claim and config stay, and Running queues it again",
        )
    return _note(
        "MG525",
        job,
        f"job {job.name!r} is Completed: {before.obj.get('kind')} {before.name!r} is no longer "
        "generated, so Argo CD deletes it and it never trains again; its claim and config stay",
    )


def _recreated(job: ResolvedJob, current: Manifest, before: _Previous, cause: str) -> Diagnostic:
    return _note(
        "MG524",
        job,
        f"job {job.name!r} will be recreated ({cause}): Argo CD deletes {before.name!r} and "
        f"creates {current.name!r}; {_resume(job, before)}",
    )


def _difference(current: Manifest, before: _Previous) -> str:
    paths = changed_paths(before.obj.get("spec"), current.obj.get("spec"), "spec")
    return summarize_paths(paths) if paths else "the object's identity"


def _keeping(job: ResolvedJob, current: Manifest, before: _Previous) -> Diagnostic:
    return _note(
        "MG523",
        job,
        f"job {job.name!r} keeps its object {before.name!r}: a Platform or manifestgen "
        f"change (not its spec) would recreate it as {current.name!r} "
        f"(changes {_difference(current, before)}); {_resume(job, before)}",
        _recreate_hint(job),
    )


def _blocked(job: ResolvedJob, current: Manifest, before: _Previous, why: str) -> Diagnostic:
    return _note(
        "MG526",
        job,
        f"a Platform or manifestgen change (not its spec) recreates job {job.name!r} as "
        f"{current.name!r} and {why}, so the running {before.name!r} cannot be kept; "
        f"{_resume(job, before)}",
        _recreate_hint(job),
        Severity.ERROR,
    )
