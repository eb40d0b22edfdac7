"""What a plan says, as frozen values the formatters (Markdown, JSON, SVG) only read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

JobChangeKind = Literal["created", "recreated", "updated", "completed", "deleted"]
# What a created or recreated job starts from; "kept" for a deleted job's retained claim.
Checkpoints = Literal["resumes", "new-claim", "none", "kept"]
ObjectChangeKind = Literal["created", "changed", "deleted"]


@dataclass(frozen=True)
class Baseline:
    """What the plan compares with: out/ on disk, or out/ at a git commit."""

    out_dir: str
    ref: str | None = None
    commit: str | None = None

    @property
    def label(self) -> str:
        return f"{self.out_dir}/" if self.ref is None else f"{self.out_dir}/ at {self.ref}"


@dataclass(frozen=True)
class JobChange:
    name: str
    namespace: str
    change: JobChangeKind
    before: str | None  # object name in the baseline
    after: str | None  # object name the specs build
    checkpoints: Checkpoints
    claim: str | None
    detail: str = ""


@dataclass(frozen=True)
class ObjectChange:
    """A claim, namespace or node pool created, changed or deleted."""

    kind: str
    name: str
    namespace: str
    change: ObjectChangeKind
    detail: str = ""
    # Argo CD never prunes or deletes it (Prune=false,Delete=false): a deleted one stays.
    retained: bool = False


@dataclass(frozen=True)
class GpuRow:
    gpu_type: str
    resource: str
    demand_before: int
    demand_after: int
    quota_before: int | None  # None: the baseline does not say (out/ records no quota)
    quota_after: int | None
    limits_before: tuple[tuple[str, int], ...]  # (capacity type, pool limit), sorted
    limits_after: tuple[tuple[str, int], ...]

    @property
    def over_quota(self) -> bool:
        return self.quota_after is not None and self.demand_after > self.quota_after

    @property
    def changed(self) -> bool:
        return (
            self.demand_before != self.demand_after
            or (self.quota_before is not None and self.quota_before != self.quota_after)
            or self.limits_before != self.limits_after
        )


@dataclass(frozen=True)
class FileChanges:
    created: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.created) + len(self.changed) + len(self.deleted)


@dataclass(frozen=True)
class ClusterPlan:
    name: str
    jobs: tuple[JobChange, ...]
    unchanged_jobs: int
    claims: tuple[ObjectChange, ...]
    namespaces: tuple[ObjectChange, ...]
    node_pools: tuple[ObjectChange, ...]
    gpus: tuple[GpuRow, ...]
    # Every file of the cluster (job objects, claims and pools included) that changes.
    files: FileChanges
    # The cluster left the Platform: out/<cluster> is gone, and with it what its
    # Application syncs. Argo CD prunes nothing when an Application's path disappears.
    removed: bool = False

    @property
    def changed(self) -> bool:
        return self.files.count > 0


@dataclass(frozen=True)
class Plan:
    baseline: Baseline
    clusters: tuple[ClusterPlan, ...]
    argocd: FileChanges

    @property
    def changed(self) -> bool:
        return self.argocd.count > 0 or any(c.changed for c in self.clusters)
