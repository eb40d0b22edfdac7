"""How a cluster queues jobs (Kueue) and how the Platform ranks them (priorities).

A cluster's `scheduling` names its queueing system and, for Kueue, the queue design:
one ClusterQueue per team with nominal quotas per GPU type and capacity type (and for
CPU pods per capacity type), an optional cohort the team's queue borrows from and lends
to, and a preemption policy. `priorities` are Platform-wide: each becomes a
PriorityClass on every cluster and a WorkloadPriorityClass on Kueue clusters.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from manifestgen.spec.base import INT32_MAX, DnsLabel, Quantity, SpecModel

CapacityType = Literal["on-demand", "spot"]
KueueApiVersion = Literal["v1beta1", "v1beta2"]
# User-defined PriorityClasses must stay below the system classes (2,000,000,000 and up).
MAX_PRIORITY = 1_000_000_000


class GpuQuota(SpecModel):
    """GPUs of one type and capacity type a team's ClusterQueue holds; CPU, memory and
    EFA quotas of the flavor follow from the whole nodes those GPUs need. A MIG type's
    GPUs are whole GPUs too (as in gpuQuota): the queue holds the slices they are cut into."""

    gpus: int = Field(
        ge=0,
        le=INT32_MAX,
        description="Nominal quota: GPUs the team owns (whole GPUs of a MIG type, held as "
        "their slices).",
    )
    borrowing_limit: int | None = Field(
        default=None,
        ge=0,
        le=INT32_MAX,
        description="Most GPUs the team may borrow from its cohort on top. Unset: no limit "
        "(needs a cohort).",
    )
    lending_limit: int | None = Field(
        default=None,
        ge=0,
        le=INT32_MAX,
        description="Most of its GPUs the cohort may borrow while the team does not use them. "
        "Unset: all of them (needs a cohort).",
    )


class CpuQuota(SpecModel):
    """CPU pods (CPU-only jobs, launchers, parameter servers) of one capacity type."""

    cpu: int = Field(ge=0, le=1_000_000, description="Nominal quota in vCPUs.")
    memory: Quantity = Field(description="Nominal quota of memory, e.g. 256Gi.")


class Preemption(SpecModel):
    reclaim_within_cohort: Literal["Never", "LowerPriority", "Any"] = Field(
        default="Any",
        description="Whether a pending job may preempt jobs of other queues that borrowed "
        "this queue's quota.",
    )
    within_cluster_queue: Literal["Never", "LowerPriority", "LowerOrNewerEqualPriority"] = Field(
        default="LowerPriority",
        description="Whether a pending job may preempt the team's own lower-priority jobs.",
    )


class TeamQueue(SpecModel):
    """A team's ClusterQueue on one cluster; the team namespace gets its LocalQueue."""

    cohort: DnsLabel | None = Field(
        default=None,
        description="Cohort whose queues share unused quota. Unset: the queue never borrows "
        "or lends.",
    )
    gpus: dict[DnsLabel, dict[CapacityType, GpuQuota]] = Field(
        default_factory=dict, description="GPU quotas: GPU type, then capacity type."
    )
    cpus: dict[CapacityType, CpuQuota] = Field(
        default_factory=dict, description="CPU pod quotas by capacity type."
    )
    preemption: Preemption = Field(
        default_factory=Preemption, description="What a pending job of the queue may preempt."
    )


class Scheduling(SpecModel):
    """The cluster's queueing system and, for Kueue, its queues."""

    system: Literal["none", "kueue", "volcano", "coscheduling"] = Field(
        default="none",
        description="none: jobs start when created; kueue: jobs are created suspended and "
        "Kueue admits them against their team's quota; volcano, coscheduling: each job's pods "
        "are gang-scheduled (all or none) by Volcano or the scheduler-plugins coscheduling "
        "plugin.",
    )
    kueue_api_version: KueueApiVersion = Field(
        default="v1beta2",
        description="API version of the Kueue objects, one the cluster's Kueue serves "
        "(v1beta2 from Kueue 0.15).",
    )
    queues: dict[DnsLabel, TeamQueue] = Field(
        default_factory=dict,
        description="Each team's queue on this cluster, by team: a Kueue ClusterQueue (and "
        "LocalQueue), or on Volcano a Queue holding the sum of the team's quotas.",
    )

    @property
    def kueue(self) -> bool:
        return self.system == "kueue"


class PriorityLevel(SpecModel):
    value: int = Field(
        ge=-MAX_PRIORITY,
        le=MAX_PRIORITY,
        description="Higher is more important: admitted first, preempts lower.",
    )
    description: str = Field(default="", max_length=200, description="What the level is for.")


class Priorities(SpecModel):
    """Priority levels jobs choose with `priority:`."""

    levels: dict[DnsLabel, PriorityLevel] = Field(
        default_factory=dict,
        description="Level name (not starting with system-) to value; each becomes a "
        "PriorityClass and, on Kueue clusters, a WorkloadPriorityClass.",
    )
    default: DnsLabel | None = Field(
        default=None, description="Level of jobs that choose none. Unset: no priority."
    )

    @model_validator(mode="after")
    def _default_is_a_level(self) -> Priorities:
        reserved = sorted(name for name in self.levels if name.startswith("system-"))
        if reserved:
            raise ValueError(f"level {reserved[0]!r}: names starting with system- are reserved")
        if self.default is not None and self.default not in self.levels:
            known = ", ".join(sorted(self.levels)) or "none"
            raise ValueError(f"default {self.default!r} is not a level (levels: {known})")
        return self
