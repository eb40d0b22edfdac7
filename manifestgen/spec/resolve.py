"""Join each TrainingJob with the Platform entries it names, and apply platform defaults.

The result, `ResolvedJob`, carries every value the expanders need already decided
(nproc, /dev/shm size, access mode, run policy), so expansion is pure layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from manifestgen.digest import digest
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Cluster, GpuType, Platform, Team
from manifestgen.spec.quantity import format_bytes, parse_quantity

if TYPE_CHECKING:
    from manifestgen.spec.training import RunPolicy, TrainingJob


@dataclass(frozen=True)
class EffectiveRunPolicy:
    backoff_limit: int
    active_deadline_seconds: int | None
    ttl_seconds_after_finished: int | None
    clean_pod_policy: str


@dataclass(frozen=True)
class ResolvedJob:
    """A TrainingJob with its references resolved and its defaults applied."""

    source: Parsed[TrainingJob]
    platform: Platform
    team_name: str
    team: Team
    cluster_name: str
    cluster: Cluster
    gpu_type_name: str | None
    gpu_type: GpuType | None
    processes_per_node: int
    shared_memory: str
    checkpoint_access_mode: str | None
    run_policy: EffectiveRunPolicy

    @property
    def job(self) -> TrainingJob:
        return self.source.model

    @property
    def name(self) -> str:
        return self.job.metadata.name

    @property
    def namespace(self) -> str:
        return self.team.namespace

    @property
    def spec_path(self) -> str:
        return self.source.document.path

    @cached_property
    def document_digest(self) -> str:
        """Digest of the whole spec document; every object of the job records it."""
        return digest(self.source.document.data)

    @property
    def priority(self) -> str | None:
        """The job's priority level: its own, else the Platform's default."""
        return self.job.spec.priority or self.platform.spec.priorities.default

    @property
    def mig_profile(self) -> str | None:
        return self.job.spec.gpu.mig_profile if self.job.spec.gpu else None

    @property
    def gpus_per_node(self) -> int:
        """Whole GPUs a pod takes: MIG slices count as the GPUs they are cut from.

        A GPU partitioned for the job's profile serves nothing else, so n slices of a
        profile a GPU holds k of take ceil(n / k) GPUs (of the quota, and of the node).
        """
        gpu = self.job.spec.gpu
        if gpu is None:
            return 0
        if gpu.mig_profile is None or self.gpu_type is None or self.gpu_type.mig is None:
            return gpu.per_node
        per_gpu = self.gpu_type.mig.devices.get(gpu.mig_profile, 0)
        return -(-gpu.per_node // per_gpu) if per_gpu else gpu.per_node

    @property
    def slices_per_node(self) -> int:
        """MIG slices a pod asks for (0 for whole GPUs)."""
        gpu = self.job.spec.gpu
        return gpu.per_node if gpu is not None and gpu.mig_profile is not None else 0

    @property
    def efa_per_node(self) -> int:
        # EFA only pays off across nodes; single-node jobs use NVLink and keep the devices free.
        if self.gpu_type is None or self.max_nodes < 2 or not self.gpu_type.efa_per_node:
            return 0
        if self.slices_per_node:
            # NCCL does not drive MIG instances: there is no GPU traffic for EFA to carry.
            return 0
        # A pod that takes part of a node's GPUs gets the same share of its EFA interfaces
        # (at least one), so the node's other GPUs can still be scheduled with theirs.
        share = self.gpu_type.efa_per_node * self.gpus_per_node
        return max(1, -(-share // self.gpu_type.gpus_per_node))

    @property
    def max_nodes(self) -> int:
        return self.job.spec.max_nodes


def effective_run_policy(
    spec_policy: RunPolicy, platform: Platform, *, spot: bool
) -> EffectiveRunPolicy:
    defaults = platform.spec.defaults
    deadline = _first(spec_policy.active_deadline_seconds, defaults.active_deadline_seconds)
    if deadline is None and spot:
        # Spot replicas restart on every exit code >= 128 (a reclaim, but also a segfault
        # or an OOM kill), and the operator's backoffLimit never counts those restarts:
        # the deadline is the one bound the operator honours.
        deadline = defaults.spot_active_deadline_seconds
    return EffectiveRunPolicy(
        backoff_limit=(
            defaults.backoff_limit
            if spec_policy.backoff_limit is None
            else spec_policy.backoff_limit
        ),
        active_deadline_seconds=deadline,
        ttl_seconds_after_finished=_first(
            spec_policy.ttl_seconds_after_finished, defaults.ttl_seconds_after_finished
        ),
        clean_pod_policy=spec_policy.clean_pod_policy or defaults.clean_pod_policy,
    )


def _first(value: int | None, default: int | None) -> int | None:
    return value if value is not None else default


def default_shared_memory(memory: str, fraction: float) -> str:
    """A share of the memory request, rounded down to a whole MiB so it prints cleanly."""
    mib = 2**20
    size = int(parse_quantity(memory) * Decimal(str(fraction))) // mib * mib
    return format_bytes(max(size, 64 * mib))


def resolve(platform: Platform, job: Parsed[TrainingJob]) -> ResolvedJob | None:
    """Join a job with its team, cluster and GPU type; None if a reference is unknown."""
    spec = job.model.spec
    team = platform.spec.teams.get(spec.team)
    cluster = platform.spec.clusters.get(spec.cluster)
    gpu_type = platform.spec.gpus.get(spec.gpu.type) if spec.gpu else None
    if team is None or cluster is None or (spec.gpu is not None and gpu_type is None):
        return None
    gpus = spec.gpu.per_node if spec.gpu else 0
    access_mode = None
    if spec.checkpoints is not None:
        access_mode = spec.checkpoints.access_mode or (
            "ReadWriteMany" if spec.multi_node else "ReadWriteOnce"
        )
    return ResolvedJob(
        source=job,
        platform=platform,
        team_name=spec.team,
        team=team,
        cluster_name=spec.cluster,
        cluster=cluster,
        gpu_type_name=spec.gpu.type if spec.gpu else None,
        gpu_type=gpu_type,
        processes_per_node=spec.processes_per_node or spec.processes_per_pod or max(gpus, 1),
        shared_memory=spec.shared_memory
        or default_shared_memory(
            spec.resources.memory, platform.spec.defaults.shared_memory_fraction
        ),
        checkpoint_access_mode=access_mode,
        run_policy=effective_run_policy(
            spec.run_policy, platform, spot=spec.capacity_type == "spot"
        ),
    )
