"""The TrainingJob document: what an ML engineer writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, model_validator

from manifestgen.spec.base import (
    INT32_MAX,
    AbsolutePath,
    DnsLabel,
    DnsSubdomain,
    EnvName,
    Quantity,
    SpecModel,
)
from manifestgen.spec.image import check_image
from manifestgen.spec.platform import Metadata
from manifestgen.spec.tuning import Choice, Range, SearchSpace, Tuning

# 7 slices of each of 16 GPUs: the most MIG instances a node can carry.
MAX_SLICES_PER_NODE = 112


class GpuRequest(SpecModel):
    type: DnsLabel = Field(description="A GPU type from the Platform's catalog.")
    per_node: int = Field(
        ge=1,
        le=MAX_SLICES_PER_NODE,
        description="GPUs per node (at most 16), or with migProfile MIG slices per node.",
    )
    mig_profile: Annotated[str, Field(pattern=r"^[1-7]g\.[0-9]+gb$")] | None = Field(
        default=None,
        description="A MIG profile the GPU type's nodes carry, e.g. 1g.10gb: perNode then "
        "counts slices of that profile.",
    )

    @model_validator(mode="after")
    def _whole_gpus(self) -> GpuRequest:
        if self.mig_profile is None and self.per_node > 16:
            raise ValueError("perNode must be at most 16 GPUs (more only as MIG slices)")
        return self


class Resources(SpecModel):
    cpu: Quantity = Field(description="CPU per node (requests = limits).")
    memory: Quantity = Field(description="Memory per node (requests = limits), /dev/shm included.")


class Dataset(SpecModel):
    claim: DnsSubdomain = Field(description="An existing PersistentVolumeClaim, mounted read-only.")
    mount_path: AbsolutePath = Field(description="Where the claim is mounted in every pod.")


class Checkpoints(SpecModel):
    size: Quantity = Field(description="Size of the checkpoint claim, e.g. 500Gi.")
    storage_class: DnsSubdomain | None = Field(default=None, description="Unset: cluster default.")
    claim_name: DnsSubdomain | None = Field(
        default=None,
        description="Name of the claim. Unset: `<job>-checkpoints`. A new name gives a new claim, "
        "the way to change a claim's class or access mode, which are immutable.",
    )
    mount_path: AbsolutePath = Field(
        default="/checkpoints", description="Where the claim is mounted in every pod."
    )
    access_mode: Literal["ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"] | None = Field(
        default=None, description="Unset: ReadWriteMany for multi-node jobs, else ReadWriteOnce."
    )


class SecretEnv(SpecModel):
    env: EnvName = Field(description="Environment variable to set.")
    secret: DnsSubdomain = Field(description="Name of an existing Secret in the team namespace.")
    key: str = Field(
        min_length=1,
        max_length=253,
        pattern=r"^[-._a-zA-Z0-9]+$",
        description="Key in the Secret whose value the variable gets.",
    )


class Egress(SpecModel):
    cidr: str = Field(
        pattern=r"^[0-9a-fA-F:.]+/[0-9]{1,3}$", description="Destination network, e.g. 10.0.0.0/8."
    )
    ports: tuple[Annotated[int, Field(ge=1, le=65535)], ...] = Field(
        default=(), strict=False, description="Destination ports. Empty: every port."
    )
    protocol: Literal["TCP", "UDP"] = Field(default="TCP", description="Protocol of the ports.")


class RunPolicy(SpecModel):
    backoff_limit: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Retries before the job fails. Unset: the Platform's.",
    )
    active_deadline_seconds: int | None = Field(
        default=None,
        ge=1,
        le=INT32_MAX,
        description="Seconds the job may run before it is stopped. Unset: the Platform's "
        "(for spot jobs, its spotActiveDeadlineSeconds).",
    )
    ttl_seconds_after_finished: int | None = Field(
        default=None,
        ge=0,
        le=INT32_MAX,
        description="Seconds after which the operator deletes the finished job; Argo CD then "
        "re-creates it (a warning, MG229).",
    )
    clean_pod_policy: Literal["None", "All", "Running"] | None = Field(
        default=None,
        description="Pods deleted when the job ends: None, All, or the Running ones. "
        "Unset: the Platform's.",
    )


HyperparameterValue = str | int | float | bool


def _entry_tag(value: Any) -> str:
    # A mapping is a search space (a list when it has oneOf, else a range); anything else
    # a plain value: one error per mistake, not one per member of the union.
    if isinstance(value, dict | Range | Choice):
        return "choice" if isinstance(value, Choice) or "oneOf" in value else "range"
    return "value"


HyperparameterEntry = Annotated[
    Annotated[HyperparameterValue, Tag("value")] | Annotated[Range, Tag("range")]
    | Annotated[Choice, Tag("choice")],
    Discriminator(_entry_tag),
]  # fmt: skip

# What the job should be doing; changing it never renames the job (see expand/naming.py).
JobState = Literal["Running", "Suspended", "Completed"]


@dataclass(frozen=True)
class SidePods:
    """CPU-only helper pods a workload runs beside its training nodes (an MPI launcher,
    TensorFlow parameter servers): on the cluster's on-demand CPU pool, counted in its
    cpuQuota, never on GPU nodes."""

    role: str
    replicas: int
    cpu: str
    memory: str
    # Where the spec asks for them, for locating diagnostics.
    field: tuple[str, ...] = ("spec",)


class Metrics(SpecModel):
    """The training container serves Prometheus metrics; see README "Monitoring"."""

    port: int = Field(ge=1024, le=65535, description="Container port of the metrics endpoint.")
    path: AbsolutePath = Field(default="/metrics", description="HTTP path of the endpoint.")
    interval: str = Field(
        default="30s", pattern=r"^[0-9]+(s|m)$", description="How often Prometheus scrapes it."
    )
    progress_metric: str = Field(
        default="training_steps_total",
        pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$",
        description="A counter the job increments every optimizer step; the job's "
        "no-progress alert fires when it stops growing while the pods run.",
    )


class TrainingJobSpec(SpecModel):
    """What every workload's spec has. Each workload (manifestgen.workloads) narrows
    `framework` to its own value and adds the fields only it understands."""

    team: DnsLabel = Field(
        description="Team of the Platform that owns the job; it runs in the team's namespace."
    )
    cluster: DnsLabel = Field(description="Cluster of the Platform, one the team may use.")
    framework: str = Field(description="The workload: which training operator runs the job.")
    image: Annotated[str, AfterValidator(check_image)] = Field(
        description="Container image, from one of the team's registries; pin a tag or digest.",
        # The full OCI grammar is checked in code (spec/image.py) for messages that say
        # what is wrong; the exported schema keeps a pattern editors can apply as you type.
        min_length=1,
        max_length=512,
        json_schema_extra={"pattern": r"^[^\s]+$"},
    )
    command: tuple[str, ...] = Field(
        default=(),
        strict=False,
        description="Entrypoint. Empty: the image's. Each framework says what it starts.",
    )
    args: tuple[str, ...] = Field(default=(), strict=False, description="Arguments of the command.")
    env: dict[EnvName, str] = Field(
        default_factory=dict, description="Environment variables of the training container."
    )
    nodes: int = Field(ge=1, le=1000, description="Nodes (pods) the job runs on.")
    gpu: GpuRequest | None = Field(default=None, description="Unset for CPU-only training.")
    resources: Resources = Field(description="CPU and memory per node.")
    shared_memory: Quantity | None = Field(
        default=None, description="Size of the memory-backed /dev/shm."
    )
    processes_per_node: int | None = Field(
        default=None, ge=1, le=256, description="Default: GPUs per node (1 for CPU jobs)."
    )
    capacity_type: Literal["on-demand", "spot"] = Field(
        default="on-demand", description="EC2 capacity the nodes are bought as."
    )
    datasets: tuple[Dataset, ...] = Field(
        default=(), strict=False, description="Existing claims mounted read-only."
    )
    checkpoints: Checkpoints | None = Field(
        default=None, description="A claim the job writes checkpoints to, kept between runs."
    )
    secrets: tuple[SecretEnv, ...] = Field(
        default=(), strict=False, description="Environment variables set from Secrets."
    )
    egress: tuple[Egress, ...] = Field(
        default=(),
        strict=False,
        description="Networks the pods may reach besides each other and DNS (all else is denied).",
    )
    metrics: Metrics | None = Field(
        default=None,
        description="A metrics endpoint Prometheus scrapes (a PodMonitor), with a no-progress "
        "alert; needs monitoring on the cluster.",
    )
    hyperparameters: dict[
        Annotated[str, Field(pattern=r"^[-._a-zA-Z0-9]+$")], HyperparameterEntry
    ] = Field(
        default_factory=dict,
        description="A ConfigMap mounted at $HYPERPARAMETERS_DIR "
        "(/etc/manifestgen/hyperparameters), one file per key, non-strings as JSON; "
        "changing them renames the job. A search space ({min, max, step?, distribution?} "
        "or {oneOf: [...]}) is tuned by `tuning` instead; command, args and env name any "
        "hyperparameter as ${hyperparameters.<key>}.",
    )
    tuning: Tuning | None = Field(
        default=None,
        description="Search the hyperparameters' spaces with a Katib Experiment: every "
        "trial runs this job with values Katib picks.",
    )
    run_policy: RunPolicy = Field(
        default_factory=RunPolicy, description="Retries, deadlines and pod clean-up."
    )
    priority: DnsLabel | None = Field(
        default=None,
        description="A priority level of the Platform. Unset: the Platform's default level.",
    )
    state: JobState = Field(
        default="Running",
        description="Running; Suspended (the operator deletes the pods and keeps the job, "
        "in place; on a Kueue cluster the job object is removed, freeing its quota); "
        "Completed (the job object is no longer generated, so it never trains again; its "
        "claim and config stay).",
    )

    @property
    def max_nodes(self) -> int:
        """The most GPU (or CPU) training nodes the job can run on at once."""
        return self.nodes

    @property
    def side_pods(self) -> tuple[SidePods, ...]:
        return ()

    @property
    def processes_per_pod(self) -> int | None:
        """None when a launcher in the pod starts processesPerNode processes (torchrun); a
        number when the operator gives each pod exactly that many ranks (XGBoost, JAX)."""
        return None

    @property
    def ttl_deletes_job(self) -> bool:
        """Whether runPolicy.ttlSecondsAfterFinished deletes the job object itself (which
        Argo CD then re-creates), rather than only what the job's operator made for it."""
        return True

    @property
    def concurrent_runs(self) -> int:
        """Runs of the job at once: the trials a tuning search runs in parallel, else 1."""
        return self.tuning.trials.parallel if self.tuning is not None else 1

    @property
    def fixed_hyperparameters(self) -> dict[str, HyperparameterValue]:
        return {k: v for k, v in self.hyperparameters.items() if not isinstance(v, Range | Choice)}

    @property
    def search_spaces(self) -> dict[str, SearchSpace]:
        return {k: v for k, v in self.hyperparameters.items() if isinstance(v, Range | Choice)}

    @property
    def multi_node(self) -> bool:
        """Pods on more than one node: a checkpoint claim they share must be ReadWriteMany
        (parallel trials of a tuning search count as more nodes)."""
        return self.max_nodes > 1 or bool(self.side_pods) or self.concurrent_runs > 1


class TrainingJob(SpecModel):
    """One training run, owned by an ML team.

    The spec here is typed as the part every workload shares; documents are parsed into
    `manifestgen.workloads.TrainingJobDocument`, whose spec is the workload's own model.
    """

    api_version: Literal["manifestgen.io/v1alpha1"] = Field(
        alias="apiVersion", description="manifestgen.io/v1alpha1."
    )
    kind: Literal["TrainingJob"] = Field(description="TrainingJob.")
    metadata: Metadata = Field(description="The job's name, unique within its team.")
    spec: TrainingJobSpec = Field(description="What to run, where, on what.")
