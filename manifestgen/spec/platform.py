"""The Platform document: what the platform team owns (clusters, GPU catalog, teams, defaults)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from manifestgen.spec.base import (
    API_VERSION,
    INT32_MAX,
    DnsLabel,
    DnsSubdomain,
    Quantity,
    SpecModel,
)
from manifestgen.spec.catalog.instances import InstanceType
from manifestgen.spec.json_schema import exactly_one_of
from manifestgen.spec.runtimes import TrainingRuntime
from manifestgen.spec.scheduling import Priorities, Scheduling
from manifestgen.spec.tenancy import Tenancy


class Metadata(SpecModel):
    name: DnsLabel = Field(description="Name of the document (an RFC 1035 label).")


MigProfileName = Annotated[str, Field(pattern=r"^[1-7]g\.[0-9]+gb$")]


class MigSettings(SpecModel):
    """How the GPU operator partitions the nodes of a MIG GPU type (see README "MIG")."""

    strategy: Literal["single", "mixed"] = Field(
        default="mixed",
        description="The GPU operator's MIG_STRATEGY on the cluster: mixed advertises "
        "nvidia.com/mig-<profile>; single advertises every slice as nvidia.com/gpu on "
        "nodes labelled <product>-MIG-<profile>.",
    )
    devices: dict[MigProfileName, Annotated[int, Field(ge=1, le=7)]] = Field(
        min_length=1,
        description="MIG instances each GPU of a node carries, by profile, e.g. "
        "{1g.10gb: 7}; profiles from NVIDIA's table for the GPU's product.",
    )
    config: str | None = Field(
        default=None,
        min_length=1,
        max_length=63,
        pattern=r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
        description="Value of the nvidia.com/mig.config node label: the mig-parted config "
        "that makes this layout. Unset: the GPU operator's built-in name (all-<profile> or "
        "all-balanced); required for any other layout.",
    )


class GpuType(SpecModel):
    """One entry of the GPU catalog, keyed by a short name such as `a100-80gb`."""

    # What _types_or_families checks, for editors.
    model_config = ConfigDict(json_schema_extra=exactly_one_of("instanceTypes", "instanceFamilies"))

    resource_name: str = Field(
        default="nvidia.com/gpu", description="Extended resource the device plugin advertises."
    )
    product: str = Field(
        min_length=1,
        max_length=63,
        pattern=r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
        description="Value of the `nvidia.com/gpu.product` node label, e.g. NVIDIA-A100-SXM4-80GB.",
    )
    instance_types: tuple[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")], ...] = Field(
        default=(), strict=False, description="EC2 instance types that carry this GPU."
    )
    instance_families: tuple[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")], ...] = Field(
        default=(),
        strict=False,
        description="EC2 instance families (e.g. p5) carrying this GPU, instead of instanceTypes.",
    )
    gpus_per_node: int = Field(ge=1, le=16, description="GPUs on each of those instance types.")
    efa_per_node: int = Field(
        default=0,
        ge=0,
        le=32,
        description="EFA interfaces per node (0 where the instance has none).",
    )
    mig: MigSettings | None = Field(
        default=None,
        description="The nodes' GPUs are partitioned into MIG instances; jobs ask for "
        "gpu.migProfile slices instead of whole GPUs.",
    )

    @model_validator(mode="after")
    def _types_or_families(self) -> GpuType:
        # A NodePool ANDs its requirements, so it cannot say "these types or these families".
        if bool(self.instance_types) == bool(self.instance_families):
            raise ValueError("give either instanceTypes or instanceFamilies (exactly one)")
        return self

    def instances(self) -> str:
        """The instance types and families, for messages."""
        return ", ".join((*self.instance_types, *(f"{f}.*" for f in self.instance_families)))


class NodeClass(SpecModel):
    """Settings of the Karpenter EC2NodeClass generated for a cluster's GPU node pools."""

    ami_alias: str = Field(
        default="al2023@latest",
        pattern=r"^[a-z0-9]+@[a-z0-9.-]+$",
        description="AMI alias the node class selects, family@version.",
    )
    role: str = Field(min_length=1, description="IAM role of the nodes.")
    subnet_selector: dict[str, str] = Field(min_length=1, description="Tags that select subnets.")
    security_group_selector: dict[str, str] = Field(
        min_length=1, description="Tags that select security groups."
    )
    root_volume_size: str = Field(
        default="200Gi", pattern=r"^[0-9]+(Gi|Ti)$", description="Size of each node's root volume."
    )


class ArgoCDDestination(SpecModel):
    server: str = Field(
        default="https://kubernetes.default.svc",
        pattern=r"^https://\S+$",
        description="API server URL of the cluster as Argo CD knows it.",
    )
    project: DnsLabel = Field(description="Argo CD AppProject generated for this cluster.")


class StorageClass(SpecModel):
    """A StorageClass that exists on the cluster, as far as claims need to know it."""

    read_write_many: bool = Field(
        default=False, description="Volumes can be mounted by many nodes (EFS, FSx for Lustre)."
    )
    binding_mode: Literal["Immediate", "WaitForFirstConsumer"] = Field(
        default="Immediate", description="The class's volumeBindingMode."
    )
    expandable: bool = Field(
        default=False, description="The class sets allowVolumeExpansion: claims may grow."
    )
    default: bool = Field(
        default=False, description="The cluster's default class, used when a claim names none."
    )


class Prometheus(SpecModel):
    """The prometheus-operator Prometheus that scrapes the cluster's training jobs."""

    namespace: DnsLabel = Field(
        default="monitoring", description="Namespace the Prometheus runs in."
    )
    pod_labels: dict[str, str] = Field(
        default_factory=lambda: {"app.kubernetes.io/name": "prometheus"},
        min_length=1,
        description="Labels of the Prometheus pods: the jobs' NetworkPolicies admit "
        "scrapes from them only.",
    )
    monitor_labels: dict[str, str] = Field(
        default_factory=dict,
        description="Labels its podMonitorSelector and serviceMonitorSelector need, e.g. "
        "{release: kube-prometheus-stack}.",
    )
    rule_labels: dict[str, str] = Field(
        default_factory=dict, description="Labels its ruleSelector needs."
    )


class DcgmExporter(SpecModel):
    """The GPU operator's DCGM exporter Service, scraped for GPU metrics."""

    namespace: DnsLabel = Field(
        default="gpu-operator", description="Namespace of the exporter's Service."
    )
    labels: dict[str, str] = Field(
        default_factory=lambda: {"app": "nvidia-dcgm-exporter"},
        min_length=1,
        description="Labels that select the exporter's Service.",
    )
    port: str = Field(
        default="gpu-metrics",
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        max_length=15,
        description="Name of the Service's metrics port.",
    )


class Monitoring(SpecModel):
    """prometheus-operator monitoring of the cluster's training (README "Monitoring")."""

    prometheus: Prometheus = Field(
        default_factory=Prometheus, description="The Prometheus that scrapes the jobs."
    )
    dcgm_exporter: DcgmExporter = Field(
        default_factory=DcgmExporter, description="The DCGM exporter of the GPU nodes."
    )


class Serving(SpecModel):
    """How KServe runs on a cluster, for the ModelService documents deployed there."""

    deployment_mode: Literal["Standard", "Knative"] = Field(
        description="KServe deployment mode of the cluster's InferenceServices: Standard "
        "(formerly RawDeployment: a Deployment scaled by a generated KEDA ScaledObject) or "
        "Knative (formerly Serverless: Knative revisions, scale-to-zero, canary traffic)."
    )
    prometheus_address: str = Field(
        default="http://prometheus-operated.monitoring.svc:9090",
        pattern=r"^https?://\S+$",
        description="Prometheus server the KEDA triggers query (Standard mode).",
    )
    prometheus_namespace: DnsLabel = Field(
        default="monitoring",
        description="Namespace of the Prometheus that scrapes the predictors' metrics.",
    )
    ingress_domain: str = Field(
        default="example.com",
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
        max_length=253,
        description="KServe's ingressDomain: hosts are `<name>-<namespace>.<domain>`.",
    )
    gateway_namespace: DnsLabel = Field(
        default="istio-system",
        description="Namespace of the ingress gateway pods that reach the predictors.",
    )
    knative_namespace: DnsLabel = Field(
        default="knative-serving",
        description="Namespace of Knative's activator (Knative mode), which proxies "
        "requests while a service scales from zero.",
    )


class Cluster(SpecModel):
    kubernetes_version: str = Field(
        pattern=r"^1\.[0-9]{2}$", description='Minor version, e.g. "1.33"; picks the schemas.'
    )
    argocd: ArgoCDDestination = Field(description="How Argo CD reaches the cluster.")
    node_class: NodeClass = Field(description="The EC2NodeClass of the GPU node pools.")
    gpu_quota: dict[DnsLabel, Annotated[int, Field(ge=0, le=INT32_MAX)]] = Field(
        default_factory=dict,
        description="Most GPUs of each catalog type the cluster's node pools may hold, "
        "all capacity types together.",
    )
    storage_classes: dict[DnsSubdomain, StorageClass] = Field(
        default_factory=dict,
        description="The cluster's storage classes; when given, checkpoint claims are checked "
        "against them.",
    )
    cpu_quota: int = Field(
        default=512,
        ge=1,
        le=1_000_000,
        description="Most vCPUs the cluster's CPU node pools may hold together (whole nodes).",
    )
    scheduling: Scheduling = Field(
        default_factory=Scheduling, description="Queueing system and team queues (Kueue)."
    )
    monitoring: Monitoring | None = Field(
        default=None,
        description="prometheus-operator runs here: scrape the DCGM exporter and the jobs' "
        "metrics, and alert on idle GPUs, restarts and stalled training.",
    )
    default_framework: DnsLabel | None = Field(
        default=None,
        description="The workload of this cluster's TrainingJobs that set no framework. "
        "Unset: pytorch.",
    )
    serving: Serving | None = Field(
        default=None,
        description="KServe on the cluster; unset: ModelService documents may not use it.",
    )


class Team(SpecModel):
    namespace: DnsLabel = Field(description="Namespace the team's jobs run in, on each cluster.")
    clusters: tuple[DnsLabel, ...] = Field(
        strict=False, min_length=1, description="Clusters the team's jobs may run on."
    )
    registries: tuple[Annotated[str, Field(min_length=1)], ...] = Field(
        strict=False,
        min_length=1,
        description="Image prefixes the team may run, e.g. ghcr.io/acme/; a prefix "
        "matches only up to a whole name component.",
    )
    tenancy: Tenancy | None = Field(default=None, description="Quota, limits, RBAC, Pod Security.")


class Defaults(SpecModel):
    backoff_limit: int = Field(
        default=3, ge=0, le=100, description="Retries before a job fails, for jobs that set none."
    )
    ttl_seconds_after_finished: int | None = Field(
        default=None, ge=0, le=INT32_MAX, description="Left unset by default: a TTL fights Argo CD."
    )
    active_deadline_seconds: int | None = Field(
        default=None,
        ge=1,
        le=INT32_MAX,
        description="Seconds a job may run, for jobs that set none. Unset: no limit "
        "(spot jobs: spotActiveDeadlineSeconds).",
    )
    spot_active_deadline_seconds: int = Field(
        default=604800,
        ge=1,
        le=INT32_MAX,
        description="Deadline of spot jobs that set none (7 days): bounds their restarts.",
    )
    clean_pod_policy: Literal["None", "All", "Running"] = Field(
        default="Running", description="Pods deleted when a job ends, for jobs that set none."
    )
    security_profile: Literal["restricted", "baseline"] = Field(
        default="restricted", description="Pod Security Standard the team namespaces enforce."
    )
    run_as_user: int = Field(
        default=1000, ge=1, le=INT32_MAX, description="UID training containers run as."
    )
    shared_memory_fraction: float = Field(
        default=0.25, gt=0, lt=1, description="/dev/shm size as a share of memory when unset."
    )


class NodeOverhead(SpecModel):
    """What a node keeps for itself, subtracted from an instance type to get allocatable."""

    vm_memory_overhead_percent: float = Field(
        default=0.075,
        ge=0,
        lt=1,
        description="Share of memory the hypervisor and OS keep (Karpenter's "
        "VM_MEMORY_OVERHEAD_PERCENT).",
    )
    eviction_memory: Quantity = Field(
        default="100Mi", description="The kubelet's memory.available eviction threshold."
    )
    system_reserved_cpu: Quantity = Field(default="0", description="kubelet systemReserved cpu.")
    system_reserved_memory: Quantity = Field(
        default="0", description="kubelet systemReserved memory."
    )
    daemonset_cpu: Quantity = Field(
        default="1", description="CPU the DaemonSets on a GPU node request together."
    )
    daemonset_memory: Quantity = Field(
        default="2Gi", description="Memory the DaemonSets on a GPU node request together."
    )


class GitOps(SpecModel):
    repo_url: str = Field(alias="repoURL", min_length=1, description="Git URL Argo CD reads.")
    target_revision: str = Field(
        default="main", min_length=1, description="Branch, tag or commit Argo CD syncs."
    )
    path: str = Field(
        default="out",
        pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$",
        description="Directory of the generated manifests in the repository.",
    )
    argocd_namespace: DnsLabel = Field(default="argocd", description="Namespace Argo CD runs in.")
    applications: Literal["perCluster", "applicationSet", "none"] = Field(
        default="perCluster",
        description="How clusters and teams get their Argo CD Applications (per cluster, one "
        "for the Platform's part and one per team): perCluster (one file each), "
        "applicationSet (two ApplicationSets with list generators make them) or none (they "
        "are managed elsewhere; AppProjects and health checks are still generated).",
    )
    resources_finalizer: bool = Field(
        default=False,
        description="Put resources-finalizer.argocd.argoproj.io on the generated Applications: "
        "deleting one then deletes what it deployed (retained claims and namespaces excepted).",
    )
    root_application: bool = Field(
        default=True,
        description="Generate the app-of-apps Application `manifestgen` that syncs out/argocd "
        "itself: the one object applied by hand.",
    )
    root_project: DnsLabel = Field(
        default="default",
        description="AppProject of the root Application; it must exist before the root is "
        "applied and admit Applications, AppProjects, ApplicationSets and ConfigMaps in the "
        "Argo CD namespace.",
    )


class PlatformSpec(SpecModel):
    clusters: dict[DnsLabel, Cluster] = Field(
        min_length=1, description="Clusters jobs run on, by name."
    )
    gpus: dict[DnsLabel, GpuType] = Field(
        default_factory=dict, description="The GPU catalog: GPU types jobs may ask for, by name."
    )
    instance_types: dict[
        Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*\.[a-z0-9-]+$")], InstanceType
    ] = Field(
        default_factory=dict,
        description="Instance types to add to the built-in catalog, or to replace entries of it.",
    )
    node_overhead: NodeOverhead = Field(
        default_factory=NodeOverhead, description="What a node keeps for itself."
    )
    teams: dict[DnsLabel, Team] = Field(min_length=1, description="Teams that own jobs, by name.")
    runtimes: dict[DnsLabel, TrainingRuntime] = Field(
        default_factory=dict,
        description="Kubeflow Trainer runtimes TrainJobs run on, by name; each cluster gets a "
        "ClusterTrainingRuntime named after its content.",
    )
    defaults: Defaults = Field(
        default_factory=Defaults, description="Settings of jobs that set none themselves."
    )
    priorities: Priorities = Field(
        default_factory=Priorities, description="Priority levels jobs choose from."
    )
    crds: tuple[str, ...] = Field(
        strict=False,
        default=(),
        description="CRD files or directories (repo-relative) to check output against.",
    )
    gitops: GitOps = Field(description="The repository Argo CD syncs out/ from.")


class Platform(SpecModel):
    """Owned by the platform team: one per repository."""

    api_version: Literal["manifestgen.io/v1alpha1"] = Field(
        alias="apiVersion", description="manifestgen.io/v1alpha1."
    )
    kind: Literal["Platform"] = Field(description="Platform.")
    metadata: Metadata = Field(description="The Platform's name.")
    spec: PlatformSpec = Field(description="Clusters, GPU catalog, teams and defaults.")


assert API_VERSION == "manifestgen.io/v1alpha1"  # the Literal above must follow the constant
