"""Compare two trees, cluster by cluster: the plan of what syncing the second one does.

A training job is identified by its directory (`<cluster>/<namespace>/<job>/`): its object
name hashes its rendered spec (expand/naming.py), so a changed job keeps its directory and
gets a new name, which Argo CD applies as a new object after pruning the old one
(history/jobs.py decides when a build keeps the old one instead). Claims and team
namespaces are annotated Prune=false,Delete=false: Argo CD leaves them on the cluster when
they leave the tree, and the plan says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from manifestgen.history.changes import changed_paths, summarize_paths
from manifestgen.plan.demand import Capacity, capacity
from manifestgen.plan.model import (
    Baseline,
    Checkpoints,
    ClusterPlan,
    FileChanges,
    GpuRow,
    JobChange,
    JobChangeKind,
    ObjectChange,
    Plan,
)
from manifestgen.plan.objects import (
    ClusterObjects,
    JobKey,
    Obj,
    Parsed,
    TreeObjects,
    sort_tree,
)

Quota = Mapping[tuple[str, str], int]  # (cluster, GPU type) -> GPUs


def file_changes(before: Mapping[str, bytes], after: Mapping[str, bytes]) -> FileChanges:
    return FileChanges(
        created=tuple(sorted(set(after) - set(before))),
        changed=tuple(sorted(p for p in set(before) & set(after) if before[p] != after[p])),
        deleted=tuple(sorted(set(before) - set(after))),
    )


def _claim_name(objects: ClusterObjects, key: JobKey) -> str | None:
    claim = objects.claims.get(key)
    return claim.name if claim is not None else None


def _start(before: ClusterObjects, after: ClusterObjects, key: JobKey) -> Checkpoints:
    """What a new job object starts from: a claim that already exists holds the last
    run's checkpoints; a claim created with it is empty."""
    claim = _claim_name(after, key)
    if claim is None:
        return "none"
    return "resumes" if _claim_name(before, key) == claim else "new-claim"


def _suspend_detail(old: Obj, new: Obj) -> str:
    paths = changed_paths(old.data.get("spec"), new.data.get("spec"), "spec")
    if paths and all(p.endswith("suspend") for p in paths):
        return "suspended" if _is_suspended(new.spec) else "resumed"
    return summarize_paths(paths) if paths else "metadata"


def _is_suspended(value: Any) -> bool:
    if isinstance(value, Mapping):
        return value.get("suspend") is True or any(_is_suspended(v) for v in value.values())
    return False


def _job_change(before: ClusterObjects, after: ClusterObjects, key: JobKey) -> JobChange | None:
    old, new = before.jobs.get(key), after.jobs.get(key)
    namespace, name = key
    if old is not None and new is not None:
        if old.name != new.name:
            start = _start(before, after, key)
            return JobChange(
                name, namespace, "recreated", old.name, new.name, start, _claim_name(after, key)
            )
        if old.data == new.data:
            return None
        return JobChange(
            name,
            namespace,
            "updated",
            old.name,
            new.name,
            "none",
            _claim_name(after, key),
            _suspend_detail(old, new),
        )
    if new is not None:
        return JobChange(
            name,
            namespace,
            "created",
            None,
            new.name,
            _start(before, after, key),
            _claim_name(after, key),
        )
    assert old is not None
    claim = _claim_name(before, key)
    # A Completed job keeps its directory (claim, config, service account); a deleted
    # spec leaves nothing behind in the tree but what Argo CD retains.
    change: JobChangeKind = "completed" if key in after.job_dirs else "deleted"
    return JobChange(
        name, namespace, change, old.name, None, "kept" if claim is not None else "none", claim
    )


def _moves(changes: list[JobChange]) -> list[JobChange]:
    """A job whose team moved to another namespace is one job recreated there, not one
    deleted and one created: its claim stays behind, so the new run starts empty."""
    deleted = {c.name: c for c in changes if c.change == "deleted"}
    created = {c.name: c for c in changes if c.change == "created"}
    moved = sorted(set(deleted) & set(created))
    found = [c for c in changes if c.name not in moved or c.change not in ("deleted", "created")]
    for name in moved:
        old, new = deleted[name], created[name]
        found.append(
            replace(
                new,
                change="recreated",
                before=old.before,
                detail=f"moves from namespace {old.namespace}",
            )
        )
    return sorted(found, key=lambda c: (c.namespace, c.name))


def _jobs(before: ClusterObjects, after: ClusterObjects) -> tuple[tuple[JobChange, ...], int]:
    keys = sorted(set(before.jobs) | set(after.jobs))
    changes = _moves([c for key in keys if (c := _job_change(before, after, key)) is not None])
    unchanged = len({name for _, name in keys}) - len(changes)
    return tuple(changes), unchanged


def _storage(obj: Obj) -> str:
    spec = obj.spec if isinstance(obj.spec, Mapping) else {}
    requests = (spec.get("resources") or {}).get("requests") or {}
    return str(requests.get("storage", "?"))


def _claim_changed(namespace: str, old: Obj, new: Obj) -> ObjectChange:
    if _storage(old) != _storage(new):
        detail = f"{_storage(old)} → {_storage(new)}"
    else:
        detail = summarize_paths(changed_paths(old.spec, new.spec, "spec"))
    return ObjectChange("PersistentVolumeClaim", new.name, namespace, "changed", detail)


def _claims(before: ClusterObjects, after: ClusterObjects) -> tuple[ObjectChange, ...]:
    found: list[ObjectChange] = []
    for key in sorted(set(before.claims) | set(after.claims)):
        old, new = before.claims.get(key), after.claims.get(key)
        if old is not None and new is not None and old.name == new.name:
            if old.spec != new.spec:
                found.append(_claim_changed(key[0], old, new))
            continue
        if old is not None:
            found.append(
                ObjectChange(
                    "PersistentVolumeClaim", old.name, key[0], "deleted", _storage(old), True
                )
            )
        if new is not None:
            found.append(
                ObjectChange("PersistentVolumeClaim", new.name, key[0], "created", _storage(new))
            )
    return tuple(found)


def _named(
    kind: str, before: Mapping[str, Obj], after: Mapping[str, Obj], *, retained: bool = False
) -> tuple[ObjectChange, ...]:
    found: list[ObjectChange] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old is None:
            found.append(ObjectChange(kind, name, "", "created"))
        elif new is None:
            found.append(ObjectChange(kind, name, "", "deleted", retained=retained))
        elif old.spec != new.spec:
            paths = changed_paths(old.spec, new.spec, "spec")
            found.append(ObjectChange(kind, name, "", "changed", summarize_paths(paths)))
    return tuple(found)


def _gpu_rows(
    cluster: str,
    before: Capacity,
    after: Capacity,
    quota_before: Quota | None,
    quota_after: Quota | None,
) -> tuple[GpuRow, ...]:
    types = set(before.limits) | set(after.limits) | set(before.demand) | set(after.demand)
    for quota in (quota_before or {}, quota_after or {}):
        types |= {gpu for (c, gpu) in quota if c == cluster}
    return tuple(
        GpuRow(
            gpu_type=gpu,
            resource=after.resources.get(gpu) or before.resources.get(gpu) or "nvidia.com/gpu",
            demand_before=before.demand.get(gpu, 0),
            demand_after=after.demand.get(gpu, 0),
            quota_before=None if quota_before is None else quota_before.get((cluster, gpu), 0),
            quota_after=None if quota_after is None else quota_after.get((cluster, gpu), 0),
            limits_before=tuple(sorted(before.limits.get(gpu, {}).items())),
            limits_after=tuple(sorted(after.limits.get(gpu, {}).items())),
        )
        for gpu in sorted(types)
    )


def _cluster(
    name: str,
    before: ClusterObjects,
    after: ClusterObjects,
    quota_before: Quota | None,
    quota_after: Quota | None,
) -> ClusterPlan:
    jobs, unchanged = _jobs(before, after)
    return ClusterPlan(
        name=name,
        jobs=jobs,
        unchanged_jobs=unchanged,
        claims=_claims(before, after),
        namespaces=_named("Namespace", before.namespaces, after.namespaces, retained=True),
        node_pools=_named("NodePool", before.node_pools, after.node_pools),
        gpus=_gpu_rows(name, capacity(before), capacity(after), quota_before, quota_after),
        files=file_changes(before.files, after.files),
        removed=bool(before.files) and not after.files,
    )


def compute_plan(
    baseline: Baseline,
    before: Mapping[str, bytes],
    after: Mapping[str, bytes],
    quota_before: Quota | None,
    quota_after: Quota | None,
) -> Plan:
    """The plan of replacing tree `before` by tree `after`.

    `quota_before` is None when the baseline does not say (out/ records no quota).
    """
    parsed: Parsed = {}
    old, new = sort_tree(before, parsed), sort_tree(after, parsed)
    names = sorted(set(old.clusters) | set(new.clusters))
    return Plan(
        baseline=baseline,
        clusters=tuple(
            _cluster(
                name,
                old.clusters.get(name, ClusterObjects()),
                new.clusters.get(name, ClusterObjects()),
                quota_before,
                quota_after,
            )
            for name in names
        ),
        argocd=file_changes(old.argocd, new.argocd),
    )


__all__ = ["Quota", "TreeObjects", "compute_plan", "file_changes"]
