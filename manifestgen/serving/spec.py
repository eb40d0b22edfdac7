"""The ModelService document: a trained model served by KServe."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from manifestgen.spec.base import DnsLabel, EnvName, Quantity, SpecModel
from manifestgen.spec.platform import Metadata
from manifestgen.spec.training import Egress, SecretEnv

# Object stores KServe's storage initializer downloads from.
STORE_URI = r"^(s3|gs|hf)://[^\s/]+(/\S*)?$"
# A path inside a claim: relative, no `..` component.
CLAIM_PATH = r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/?$"


class Model(SpecModel):
    """Where the model files are: a TrainingJob's checkpoint claim, or an object store."""

    job: DnsLabel | None = Field(
        default=None,
        description="A TrainingJob of the same team and cluster; its checkpoint claim is "
        "served (pvc://<claim>/<path>), found from the job so a renamed claim follows.",
    )
    path: Annotated[str, Field(pattern=CLAIM_PATH, max_length=1024)] | None = Field(
        default=None,
        description="Directory of the model inside the job's checkpoint claim. Unset for a "
        "fine-tune: its last epoch's output (with the base model, for an adapter).",
    )
    uri: Annotated[str, Field(pattern=STORE_URI, max_length=2048)] | None = Field(
        default=None, description="An object-store URI instead of a job: s3://, gs:// or hf://."
    )
    role_arn: Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/\S+$")] | None = (
        Field(
            default=None,
            description="IAM role the predictor's ServiceAccount assumes to read an s3:// URI "
            "(EKS IRSA annotation).",
        )
    )

    @model_validator(mode="after")
    def _one_source(self) -> Model:
        if (self.job is None) == (self.uri is None):
            raise ValueError("give either job (with path) or uri (exactly one)")
        if ".." in (self.path or "").split("/"):
            raise ValueError("`path` must stay inside the claim: no `..`")
        if self.uri is not None and self.path is not None:
            raise ValueError("`path` belongs to a model from a job; put it in the uri")
        if self.role_arn is not None and not (self.uri or "").startswith("s3://"):
            raise ValueError("roleArn is for an s3:// uri")
        return self


class ServingGpu(SpecModel):
    type: DnsLabel = Field(description="A GPU type from the Platform's catalog.")
    count: int = Field(
        default=1, ge=1, le=16, description="GPUs (or MIG slices) per predictor pod."
    )
    mig_profile: Annotated[str, Field(pattern=r"^[1-7]g\.[0-9]+gb$")] | None = Field(
        default=None,
        description="A MIG profile the GPU type's nodes carry, e.g. 1g.10gb: count then "
        "counts slices of that profile.",
    )


class Replicas(SpecModel):
    min: int = Field(
        default=1,
        ge=0,
        le=1000,
        description="Fewest predictor pods; 0 (scale to zero) needs the Knative mode.",
    )
    max: int = Field(default=1, ge=1, le=1000, description="Most predictor pods.")

    @model_validator(mode="after")
    def _ordered(self) -> Replicas:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is more than max ({self.max})")
        return self


ScaleMetric = Literal["gpu-utilization", "queue-depth", "concurrency"]


class Autoscaling(SpecModel):
    metric: ScaleMetric | None = Field(
        default=None,
        description="What replicas follow: gpu-utilization (DCGM_FI_DEV_GPU_UTIL, percent "
        "per pod) or queue-depth (vllm:num_requests_waiting per pod), both through KEDA in "
        "Standard mode; concurrency (requests in flight per pod) in Knative mode. Unset: "
        "gpu-utilization (GPU services) or queue-depth in Standard mode, concurrency in "
        "Knative mode.",
    )
    target: int = Field(
        default=0,
        ge=0,
        le=100_000,
        description="Target value of the metric per pod. 0: 70 (GPU %), 10 (queued "
        "requests) or 4 (concurrent requests).",
    )


class ServingResources(SpecModel):
    cpu: Quantity = Field(description="CPU per predictor pod (requests = limits).")
    memory: Quantity = Field(description="Memory per predictor pod (requests = limits).")


class ModelServiceSpec(SpecModel):
    team: DnsLabel = Field(description="Team of the Platform that owns the service.")
    cluster: DnsLabel = Field(description="Cluster it runs on; the cluster must set `serving`.")
    model: Model = Field(description="Where the model files are.")
    model_format: DnsLabel = Field(
        description="KServe model format, e.g. huggingface, pytorch, sklearn, onnx."
    )
    model_format_version: str | None = Field(
        default=None, min_length=1, max_length=63, description="Version of the model format."
    )
    runtime: DnsLabel | None = Field(
        default=None,
        description="ServingRuntime or ClusterServingRuntime name, e.g. "
        "kserve-huggingfaceserver. Unset: KServe picks one supporting the format.",
    )
    args: tuple[str, ...] = Field(
        default=(), strict=False, description="Arguments added to the runtime's."
    )
    env: dict[EnvName, str] = Field(
        default_factory=dict, description="Environment variables of the predictor."
    )
    secrets: tuple[SecretEnv, ...] = Field(
        default=(), strict=False, description="Environment variables set from Secrets."
    )
    gpu: ServingGpu | None = Field(
        default=None,
        description="GPUs per predictor pod, on the GPU node pools training uses. Unset: CPU "
        "only, on the cluster's general nodes.",
    )
    resources: ServingResources = Field(description="CPU and memory per predictor pod.")
    capacity_type: Literal["on-demand", "spot"] = Field(
        default="on-demand", description="EC2 capacity the GPU nodes are bought as."
    )
    replicas: Replicas = Field(default_factory=Replicas, description="Predictor pod counts.")
    autoscaling: Autoscaling = Field(
        default_factory=Autoscaling, description="What the replica count follows."
    )
    canary_traffic_percent: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Share of traffic the latest revision gets while the previous one keeps "
        "the rest (Knative mode only).",
    )
    egress: tuple[Egress, ...] = Field(
        default=(),
        strict=False,
        description="Networks the predictor may reach besides DNS and its model store.",
    )


class ModelService(SpecModel):
    """A model served by KServe, owned by an ML team."""

    api_version: Literal["manifestgen.io/v1alpha1"] = Field(
        alias="apiVersion", description="manifestgen.io/v1alpha1."
    )
    kind: Literal["ModelService"] = Field(description="ModelService.")
    metadata: Metadata = Field(description="The service's name, unique within its namespace.")
    spec: ModelServiceSpec = Field(description="What to serve, where, on what.")
