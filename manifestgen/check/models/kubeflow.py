"""kubeflow.org/v1 PyTorchJob (Kubeflow Training Operator v1.9), as a generator emits it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from manifestgen.check.models.base import KubeModel, ObjectMeta, PodTemplateSpec, Quantity


class SchedulingPolicy(KubeModel):
    """Gang-scheduling settings (Volcano / scheduler-plugins)."""

    min_available: int | None = Field(default=None, alias="minAvailable")
    queue: str | None = None
    min_resources: dict[str, Quantity] | None = Field(default=None, alias="minResources")
    priority_class: str | None = Field(default=None, alias="priorityClass")
    schedule_timeout_seconds: int | None = Field(default=None, alias="scheduleTimeoutSeconds")


class RunPolicy(KubeModel):
    """How the job runs and is cleaned up."""

    clean_pod_policy: Literal["None", "All", "Running"] | None = Field(
        default=None, alias="cleanPodPolicy"
    )
    ttl_seconds_after_finished: int | None = Field(default=None, alias="ttlSecondsAfterFinished")
    active_deadline_seconds: int | None = Field(default=None, alias="activeDeadlineSeconds")
    backoff_limit: int | None = Field(default=None, alias="backoffLimit")
    suspend: bool | None = None
    managed_by: str | None = Field(default=None, alias="managedBy")
    scheduling_policy: SchedulingPolicy | None = Field(default=None, alias="schedulingPolicy")


class RdzvConf(KubeModel):
    key: str | None = None
    value: str | None = None


class ElasticPolicy(KubeModel):
    """torchrun elastic settings. `nProcPerNode` here is the deprecated integer form."""

    min_replicas: int | None = Field(default=None, alias="minReplicas")
    max_replicas: int | None = Field(default=None, alias="maxReplicas")
    max_restarts: int | None = Field(default=None, alias="maxRestarts")
    rdzv_backend: str | None = Field(default=None, alias="rdzvBackend")
    rdzv_host: str | None = Field(default=None, alias="rdzvHost")
    rdzv_port: int | None = Field(default=None, alias="rdzvPort")
    rdzv_id: str | None = Field(default=None, alias="rdzvId")
    rdzv_conf: list[RdzvConf] | None = Field(default=None, alias="rdzvConf")
    standalone: bool | None = None
    n_proc_per_node: int | None = Field(default=None, alias="nProcPerNode")
    # autoscaling/v2 MetricSpec objects: passed through, not modelled.
    metrics: list[dict[str, Any]] | None = None


class ReplicaSpec(KubeModel):
    """One replica group (Master or Worker)."""

    replicas: int | None = None
    restart_policy: Literal["Always", "OnFailure", "Never", "ExitCode"] | None = Field(
        default=None, alias="restartPolicy"
    )
    template: PodTemplateSpec | None = None


class PyTorchJobSpec(KubeModel):
    # A string since v1.7: "auto", "cpu", "gpu" or a number such as "4".
    nproc_per_node: str | None = Field(default=None, alias="nprocPerNode")
    elastic_policy: ElasticPolicy | None = Field(default=None, alias="elasticPolicy")
    run_policy: RunPolicy | None = Field(default=None, alias="runPolicy")
    pytorch_replica_specs: dict[Literal["Master", "Worker"], ReplicaSpec] = Field(
        alias="pytorchReplicaSpecs"
    )


class PyTorchJob(KubeModel):
    """kubeflow.org/v1 PyTorchJob."""

    api_version: Literal["kubeflow.org/v1"] = Field(alias="apiVersion")
    kind: Literal["PyTorchJob"]
    metadata: ObjectMeta
    spec: PyTorchJobSpec
