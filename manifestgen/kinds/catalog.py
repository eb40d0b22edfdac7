"""One row per Kubernetes kind manifestgen emits or knows an operator of.

Everything that depends on a kind rather than on a spec is read from its row: the Argo CD
AppProject whitelists, the health checks in `argocd-cm`, the sync waves, the names its
operator derives from an object's name (checked at build and by `verify`), where its pod
templates sit (for error mapping and for checking them when no CRD is configured), and
where its suspend and gang-scheduling fields live. Adding a kind is adding a row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from manifestgen.kinds import children as ch

# Argo CD applies lower waves first and waits for them to be healthy.
WAVE_CLUSTER = "0"  # namespaces and their quotas, node classes, node pools
WAVE_SUPPORT = "1"  # service accounts, config maps, claims, network policies
WAVE_JOB = "2"  # training jobs, inference services and their scalers

# A path inside an object; "*" matches every key of a map (replica types).
TemplatePath = tuple[str, ...]
GroupVersionKind = tuple[str, str, str]

# Which Application deploys objects of the kind: a cluster's (out/<cluster>), the one
# that holds Argo CD's own objects (out/argocd), or none (known only to `verify`).
App = Literal["cluster", "argocd", "none"]

# Whose specs produce a namespaced kind, and so whose Application deploys it (see
# render/layout.py): the Platform's (a namespace's guardrails and queue, the cluster's
# monitoring), a team's (what its jobs and services expand into), or both (a namespace's
# `default` ServiceAccount is the Platform's, each job's own account the team's). A team's
# AppProject admits the team kinds and refuses the Platform's: a commit to a team
# directory cannot raise its own quota or grant itself a Role. Cluster-scoped kinds are
# always the Platform's.
Owner = Literal["platform", "team", "both"]


@dataclass(frozen=True)
class ApiKind:
    group: str
    version: str
    kind: str
    namespaced: bool
    app: App = "cluster"
    owner: Owner = "platform"
    wave: str | None = None
    # File name of the Argo CD health check (Lua) shipped beside this module.
    health: str | None = None
    # Where the object embeds PodTemplateSpecs.
    pod_templates: tuple[TemplatePath, ...] = ()
    # The pods and Services the operator names after the object (see children.py).
    children: ch.Children | None = None
    # The operator requires the object's own name to be a DNS-1035 label.
    dns1035_name: bool = False
    # Where the spec's suspend flag lives: the operator stops and resumes in place.
    suspend: tuple[str, ...] | None = None
    # Where the operator reads its gang-scheduling policy (minAvailable, queue, priority).
    gang: tuple[str, ...] | None = None
    # What Kueue writes into a queued object beyond its suspend flag, as jq paths for
    # Argo CD's ignoreDifferences (pod-template labels are added for every kind).
    kueue_mutates: tuple[str, ...] = ()
    # Fields of the spec that webhooks or controllers write (jq path expressions): Argo CD
    # must ignore them, or the object is OutOfSync for ever.
    ignored: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def gvk(self) -> GroupVersionKind:
        return (self.group, self.version, self.kind)

    @property
    def plural(self) -> str:
        """The resource name RBAC rules use, as the kinds' CRDs and the API server spell
        it: the kind in lower case, -s gets -es, a consonant and -y gets -ies (NetworkPolicy:
        networkpolicies, NodeOverlay: nodeoverlays). A test checks it against the CRDs."""
        lower = self.kind.lower()
        if lower.endswith("s"):
            return lower + "es"
        if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
            return lower[:-1] + "ies"
        return lower + "s"

    def health_script(self) -> str | None:
        if self.health is None:
            return None
        return resources.files("manifestgen.kinds").joinpath(self.health).read_text("utf-8")


_KUBEFLOW_HEALTH = "kubeflow_job_health.lua"
# The `manager` of the runtime patch manifestgen writes into a TrainJob.
TRAINJOB_PATCH_MANAGER = "manifestgen.io/trainingjob"
_RUN_POLICY_SUSPEND = ("runPolicy", "suspend")
_RUN_POLICY_GANG = ("runPolicy", "schedulingPolicy")


def _kubeflow_v1(kind: str, replica_key: str, app: App = "cluster") -> ApiKind:
    """The Training Operator v1 kinds share their shape: replica specs, run policy, status,
    and a webhook that refuses a name that is not a DNS-1035 label."""
    return ApiKind(
        "kubeflow.org",
        "v1",
        kind,
        namespaced=True,
        app=app,
        owner="team",
        wave=WAVE_JOB,
        health=_KUBEFLOW_HEALTH,
        pod_templates=(("spec", replica_key, "*", "template"),),
        children=ch.kubeflow_v1(replica_key),
        dns1035_name=True,
        suspend=_RUN_POLICY_SUSPEND,
        gang=_RUN_POLICY_GANG,
    )


KUEUE_GROUP = "kueue.x-k8s.io"
KUEUE_VERSIONS = ("v1beta1", "v1beta2")


def _kueue(
    kind: str, namespaced: bool = False, wave_: str = WAVE_CLUSTER, health: str | None = None
) -> tuple[ApiKind, ...]:
    """A Kueue kind in each API version manifestgen emits (the Platform picks one per
    cluster: the one its Kueue serves)."""
    return tuple(
        ApiKind(KUEUE_GROUP, version, kind, namespaced=namespaced, wave=wave_, health=health)
        for version in KUEUE_VERSIONS
    )


_QUEUE_HEALTH = "kueue_queue_health.lua"


KINDS: tuple[ApiKind, ...] = (
    # Cluster-scoped objects of each cluster's Application.
    ApiKind("", "v1", "Namespace", namespaced=False, wave=WAVE_CLUSTER),
    ApiKind("karpenter.k8s.aws", "v1", "EC2NodeClass", namespaced=False, wave=WAVE_CLUSTER),
    ApiKind("karpenter.sh", "v1", "NodePool", namespaced=False, wave=WAVE_CLUSTER),
    # The MIG slices of a pool's nodes, for Karpenter's scheduling simulation. In the jobs'
    # wave, the last: an overlay Karpenter has not validated (feature gate off) stays
    # Progressing, and in an earlier wave it would hold back every job of the cluster.
    ApiKind(
        "karpenter.sh",
        "v1alpha1",
        "NodeOverlay",
        namespaced=False,
        wave=WAVE_JOB,
        health="nodeoverlay_health.lua",
    ),
    # Priorities and queues: before the jobs that name them.
    ApiKind("scheduling.k8s.io", "v1", "PriorityClass", namespaced=False, wave=WAVE_CLUSTER),
    *_kueue("ResourceFlavor"),
    *_kueue("ClusterQueue", health=_QUEUE_HEALTH),
    *_kueue("WorkloadPriorityClass"),
    *_kueue("LocalQueue", namespaced=True, wave_=WAVE_SUPPORT, health=_QUEUE_HEALTH),
    ApiKind(
        "scheduling.volcano.sh",
        "v1beta1",
        "Queue",
        namespaced=False,
        wave=WAVE_CLUSTER,
        health="volcano_queue_health.lua",
    ),
    # The gang of a JobSet, Job or RayJob (expand/pod_group.py), before the job: the
    # schedulers write only its status, and it has no health to wait for.
    ApiKind(
        "scheduling.volcano.sh",
        "v1beta1",
        "PodGroup",
        namespaced=True,
        owner="team",
        wave=WAVE_SUPPORT,
    ),
    ApiKind(
        "scheduling.x-k8s.io",
        "v1alpha1",
        "PodGroup",
        namespaced=True,
        owner="team",
        wave=WAVE_SUPPORT,
    ),
    # The Platform's Kubeflow Trainer runtimes, applied before the TrainJobs naming them.
    ApiKind(
        "trainer.kubeflow.org",
        "v1alpha1",
        "ClusterTrainingRuntime",
        namespaced=False,
        wave=WAVE_CLUSTER,
        pod_templates=(
            ("spec", "template", "spec", "replicatedJobs", "*", "template", "spec", "template"),
        ),
    ),
    # What a job needs beside its training object.
    ApiKind("", "v1", "ConfigMap", namespaced=True, owner="team", wave=WAVE_SUPPORT),
    ApiKind("", "v1", "PersistentVolumeClaim", namespaced=True, owner="team", wave=WAVE_SUPPORT),
    ApiKind("", "v1", "ServiceAccount", namespaced=True, owner="both", wave=WAVE_SUPPORT),
    ApiKind(
        "networking.k8s.io", "v1", "NetworkPolicy", namespaced=True, owner="team", wave=WAVE_SUPPORT
    ),
    # The headless Service a plain Job's pods find each other through (`subdomain`).
    ApiKind("", "v1", "Service", namespaced=True, owner="team", wave=WAVE_SUPPORT),
    # prometheus-operator: what Prometheus scrapes and the alerts it evaluates.
    ApiKind(
        "monitoring.coreos.com",
        "v1",
        "PodMonitor",
        namespaced=True,
        owner="team",
        wave=WAVE_SUPPORT,
    ),
    ApiKind("monitoring.coreos.com", "v1", "ServiceMonitor", namespaced=True, wave=WAVE_SUPPORT),
    ApiKind(
        "monitoring.coreos.com",
        "v1",
        "PrometheusRule",
        namespaced=True,
        owner="both",
        wave=WAVE_SUPPORT,
    ),
    # A team namespace's guardrails (expand/tenancy.py): in place before any job's pods.
    # The quota and the container defaults share their Namespace's wave: Argo CD applies a
    # wave's objects kind by kind, Namespace first, so they exist within moments of the
    # namespace, before the team's Application (which waits for the namespace) can create
    # a pod in it.
    ApiKind("", "v1", "ResourceQuota", namespaced=True, wave=WAVE_CLUSTER),
    ApiKind("", "v1", "LimitRange", namespaced=True, wave=WAVE_CLUSTER),
    ApiKind("rbac.authorization.k8s.io", "v1", "Role", namespaced=True, wave=WAVE_SUPPORT),
    ApiKind("rbac.authorization.k8s.io", "v1", "RoleBinding", namespaced=True, wave=WAVE_SUPPORT),
    # Training jobs.
    _kubeflow_v1("PyTorchJob", "pytorchReplicaSpecs"),
    # The operator's TFJob webhook refuses names that are not DNS-1035 labels ("3d-unet").
    _kubeflow_v1("TFJob", "tfReplicaSpecs"),
    # So do the XGBoostJob, PaddleJob and JAXJob webhooks.
    _kubeflow_v1("XGBoostJob", "xgbReplicaSpecs"),
    _kubeflow_v1("PaddleJob", "paddleReplicaSpecs"),
    _kubeflow_v1("JAXJob", "jaxReplicaSpecs"),
    # Kubeflow Trainer v2: the pods come from the ClusterTrainingRuntime it names, patched
    # by `runtimePatches`, whose pod templates carry the pod settings of each job.
    ApiKind(
        "trainer.kubeflow.org",
        "v1alpha1",
        "TrainJob",
        namespaced=True,
        owner="team",
        wave=WAVE_JOB,
        health="trainjob_health.lua",
        pod_templates=(
            (
                *("spec", "runtimePatches", "*", "trainingRuntimeSpec", "template", "spec"),
                *("replicatedJobs", "*", "template", "spec", "template"),
            ),
        ),
        children=ch.trainjob,
        dns1035_name=True,
        suspend=("suspend",),
        # The Trainer's webhook stamps each runtime patch with the time it was written;
        # Kueue adds a patch of its own.
        # Kueue puts the flavor's placement in a runtime patch of its own manager.
        kueue_mutates=('.spec.runtimePatches[] | select(.manager == "kueue.x-k8s.io/manager")',),
        ignored=(
            ".spec.runtimePatches[].time",
            f'.spec.runtimePatches[] | select(.manager != "{TRAINJOB_PATCH_MANAGER}")',
        ),
    ),
    # A tuned job's Katib Experiment: its trial template is the training object; Katib
    # creates one per trial (see expand/katib.py).
    ApiKind(
        "kubeflow.org",
        "v1beta1",
        "Experiment",
        namespaced=True,
        owner="team",
        wave=WAVE_JOB,
        health="katib_experiment_health.lua",
        pod_templates=(("spec", "trialTemplate", "trialSpec", "spec", "*", "*", "template"),),
        children=ch.katib_experiment,
        # Katib's webhook: `^[a-z]([-a-z0-9]*[a-z0-9])?`, at most 40 characters.
        dns1035_name=True,
    ),
    # KubeRay: the RayJob makes its RayCluster, and deletes it when the job ends.
    ApiKind(
        "ray.io",
        "v1",
        "RayJob",
        namespaced=True,
        owner="team",
        wave=WAVE_JOB,
        health="rayjob_health.lua",
        pod_templates=(
            ("spec", "rayClusterSpec", "headGroupSpec", "template"),
            ("spec", "rayClusterSpec", "workerGroupSpecs", "*", "template"),
            ("spec", "submitterPodTemplate"),
        ),
        children=ch.rayjob,
        # KubeRay refuses a RayJob whose name is not a DNS-1035 label.
        dns1035_name=True,
        suspend=("suspend",),
    ),
    # A plain Indexed Job (`framework: job`). Argo CD's built-in Job health reads a Job
    # that Kueue resumed (Suspended=False) as Healthy while it runs: ours replaces it.
    ApiKind(
        "batch",
        "v1",
        "Job",
        namespaced=True,
        owner="team",
        wave=WAVE_JOB,
        health="batch_job_health.lua",
        pod_templates=(("spec", "template"),),
        children=ch.indexed_job,
        suspend=("suspend",),
    ),
    # JobSet v0.10 or later (`framework: jobset`: failure rules on Job messages). Its
    # webhook requires the child Job names `<name>-<replicatedJob>-<index>` to be DNS-1035
    # labels, so the name must be one too.
    ApiKind(
        "jobset.x-k8s.io",
        "v1alpha2",
        "JobSet",
        namespaced=True,
        owner="team",
        wave=WAVE_JOB,
        health="jobset_health.lua",
        pod_templates=(("spec", "replicatedJobs", "*", "template", "spec", "template"),),
        children=ch.jobset,
        dns1035_name=True,
        suspend=("suspend",),
    ),
    # Model serving (ModelService documents).
    ApiKind(
        "serving.kserve.io",
        "v1beta1",
        "InferenceService",
        namespaced=True,
        owner="team",
        wave=WAVE_JOB,
        health="inferenceservice_health.lua",
        children=ch.inference_service,
        dns1035_name=True,
    ),
    ApiKind(
        "keda.sh",
        "v1alpha1",
        "ScaledObject",
        namespaced=True,
        # With its InferenceService, in the last wave, whose health a sync never waits
        # for: KEDA reports Ready once KServe has created the Deployment it scales.
        owner="team",
        wave=WAVE_JOB,
        health="scaledobject_health.lua",
    ),
    # Kinds whose operators `verify` knows, not emitted yet (app "none").
    ApiKind(
        "kubeflow.org",
        "v2beta1",
        "MPIJob",
        namespaced=True,
        owner="team",
        wave=WAVE_JOB,
        health=_KUBEFLOW_HEALTH,
        pod_templates=(("spec", "mpiReplicaSpecs", "*", "template"),),
        children=ch.mpi_v2beta1,
        suspend=_RUN_POLICY_SUSPEND,
        gang=_RUN_POLICY_GANG,
    ),
    # Argo CD's own objects, in out/argocd.
    ApiKind("argoproj.io", "v1alpha1", "AppProject", namespaced=True, app="argocd"),
    ApiKind("argoproj.io", "v1alpha1", "Application", namespaced=True, app="argocd"),
    ApiKind("argoproj.io", "v1alpha1", "ApplicationSet", namespaced=True, app="argocd"),
    # The deprecated Training Operator v1 MPIJob: `verify` knows it, nothing emits it.
    ApiKind(
        "kubeflow.org",
        "v1",
        "MPIJob",
        namespaced=True,
        app="none",
        pod_templates=(("spec", "mpiReplicaSpecs", "*", "template"),),
        children=ch.kubeflow_v1("mpiReplicaSpecs"),
    ),
)

BY_GVK: Mapping[GroupVersionKind, ApiKind] = {row.gvk: row for row in KINDS}


def lookup(api_version: str, kind: str) -> ApiKind | None:
    group, _, version = api_version.rpartition("/")
    return BY_GVK.get((group, version, kind))


def wave(api_version: str, kind: str) -> str:
    """The sync wave objects of a kind are applied in."""
    row = lookup(api_version, kind)
    if row is None or row.wave is None:
        raise KeyError(f"no sync wave for {api_version} {kind}: add it to the catalog")
    return row.wave


def row_of(obj: Mapping[str, Any]) -> ApiKind | None:
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    return lookup(api_version, kind)


def deployed_by(app: App) -> Iterator[ApiKind]:
    return (row for row in KINDS if row.app == app)


def pod_template_paths(obj: Mapping[str, Any], row: ApiKind) -> tuple[tuple[str | int, ...], ...]:
    """The concrete paths of every pod template inside `obj`, "*" expanded over its keys."""
    return tuple(path for template in row.pod_templates for path in _expand(obj, template))


def pod_spec_paths(obj: Mapping[str, Any], row: ApiKind) -> tuple[tuple[str | int, ...], ...]:
    """The concrete paths of every pod spec inside `obj`, "*" expanded over its keys."""
    return tuple((*path, "spec") for path in pod_template_paths(obj, row))


def _expand(node: Any, pattern: TemplatePath) -> Iterator[tuple[str | int, ...]]:
    if not pattern:
        yield ()
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        items: list[tuple[str | int, Any]] = []
        if isinstance(node, Mapping):
            items = sorted(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        for key, child in items:
            yield from ((key, *tail) for tail in _expand(child, rest))
    elif isinstance(node, Mapping) and head in node:
        yield from ((head, *tail) for tail in _expand(node[head], rest))
