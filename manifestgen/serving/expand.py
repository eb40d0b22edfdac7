"""What one ModelService expands into: a ServiceAccount, a NetworkPolicy, the KServe
InferenceService and, in Standard mode, the KEDA ScaledObject that scales its predictor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from manifestgen.expand.gpu_resources import gpu_amounts, gpu_placement
from manifestgen.expand.labels import (
    SYNC_OPTIONS,
    SYNC_WAVE,
    job_labels,
    metadata,
    provenance_of,
)
from manifestgen.expand.monitoring import GPU_UTIL, MIG_ACTIVITY
from manifestgen.expand.pod import CAPACITY_TYPE_LABEL
from manifestgen.kinds.catalog import wave
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.serving.resolve import ResolvedService

ISVC_API = "serving.kserve.io/v1beta1"
KEDA_API = "keda.sh/v1alpha1"
DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode"
AUTOSCALER_CLASS = "serving.kserve.io/autoscalerClass"
STORAGE_READONLY = "storage.kserve.io/readonly"
# The label KServe puts on every pod of an InferenceService.
ISVC_POD_LABEL = "serving.kserve.io/inferenceservice"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
# The containers the predictor's model container is named, in KServe's pods.
PREDICTOR_SUFFIX = "-predictor"
# Requests waiting in a vLLM-based runtime (the Hugging Face runtime's default backend).
QUEUE_DEPTH = "vllm:num_requests_waiting"


def _annotations(service: ResolvedService, kind: tuple[str, str], **extra: str) -> dict[str, str]:
    return {
        **provenance_of(service.spec_path, service.document_digest),
        SYNC_WAVE: wave(*kind),
        **extra,
    }


def _metadata(service: ResolvedService, kind: tuple[str, str], **extra: str) -> dict[str, Any]:
    return metadata(
        service.name,
        namespace=service.namespace,
        labels=job_labels(service.name, service.team_name),
        annotations=_annotations(service, kind, **extra),
    )


def _manifest(service: ResolvedService, obj: dict[str, Any], origin: Origin) -> Manifest:
    return Manifest(obj, origin, Target(service.cluster_name, owner=service.name))


def gpu_resources(service: ResolvedService) -> dict[str, str]:
    """The GPU part of a predictor pod's resources: whole GPUs or MIG slices, as for jobs."""
    gpu = service.service.spec.gpu
    if service.gpu_type is None or gpu is None:
        return {}
    return gpu_amounts(service.gpu_type, gpu.count, gpu.mig_profile)


def resources(service: ResolvedService) -> dict[str, Any]:
    spec = service.service.spec
    amounts = {"cpu": spec.resources.cpu, "memory": spec.resources.memory}
    amounts |= gpu_resources(service)
    ordered = dict(sorted(amounts.items()))
    return {"limits": ordered, "requests": dict(ordered)}


def placement(service: ResolvedService) -> dict[str, Any]:
    """GPU predictors on the GPU node pools training uses; CPU ones on general nodes."""
    if service.gpu_type is None:
        return {}
    gpu = gpu_placement(service.gpu_type)
    selector = {CAPACITY_TYPE_LABEL: service.capacity_type, **gpu["nodeSelector"]}
    return {"nodeSelector": dict(sorted(selector.items())), "tolerations": gpu["tolerations"]}


def _env(service: ResolvedService) -> list[dict[str, Any]]:
    spec = service.service.spec
    variables: list[dict[str, Any]] = [
        {"name": name, "value": value} for name, value in sorted(spec.env.items())
    ]
    variables += [
        {"name": s.env, "valueFrom": {"secretKeyRef": {"key": s.key, "name": s.secret}}}
        for s in spec.secrets
    ]
    return sorted(variables, key=lambda v: str(v["name"]))


def _model(service: ResolvedService) -> dict[str, Any]:
    spec = service.service.spec
    model_format: dict[str, str] = {"name": spec.model_format}
    if spec.model_format_version is not None:
        model_format["version"] = spec.model_format_version
    model: dict[str, Any] = {
        "modelFormat": model_format,
        "resources": resources(service),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
        "storageUri": service.storage_uri,
    }
    if spec.runtime is not None:
        model["runtime"] = spec.runtime
    args = [*service.model_args, *spec.args]
    if args:
        model["args"] = args
    variables = _env(service)
    if variables:
        model["env"] = variables
    return dict(sorted(model.items()))


def _scaling(service: ResolvedService) -> dict[str, Any]:
    spec = service.service.spec
    scaling: dict[str, Any] = {
        "maxReplicas": spec.replicas.max,
        "minReplicas": spec.replicas.min,
    }
    if service.mode == "Knative":
        # The Knative Pod Autoscaler follows requests in flight per pod.
        scaling |= {"scaleMetric": service.metric, "scaleTarget": service.target}
        if spec.canary_traffic_percent is not None:
            scaling["canaryTrafficPercent"] = spec.canary_traffic_percent
    return scaling


def predictor(service: ResolvedService) -> dict[str, Any]:
    uid = service.platform.spec.defaults.run_as_user
    spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "labels": job_labels(service.name, service.team_name),
        "model": _model(service),
        "securityContext": {
            "fsGroup": uid,
            "runAsGroup": uid,
            "runAsNonRoot": True,
            "runAsUser": uid,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "serviceAccountName": service.name,
        **placement(service),
        **_scaling(service),
    }
    return dict(sorted(spec.items()))


def inference_service(service: ResolvedService) -> Manifest:
    extra = {
        DEPLOYMENT_MODE: service.mode,
        # The claim (or download) is the trained model: the predictor must not change it.
        STORAGE_READONLY: "true",
        SYNC_OPTIONS: "SkipDryRunOnMissingResource=true",
    }
    if service.uses_keda:
        # "external": KServe creates no HPA; the ScaledObject below owns the replicas.
        extra[AUTOSCALER_CLASS] = "external"
    obj = {
        "apiVersion": ISVC_API,
        "kind": "InferenceService",
        "metadata": _metadata(service, (ISVC_API, "InferenceService"), **extra),
        "spec": {"predictor": predictor(service)},
    }
    path = ("spec", "predictor")
    field_map = (
        ((*path, "model", "storageUri"), ("spec", "model")),
        ((*path, "model", "modelFormat"), ("spec", "modelFormat")),
        ((*path, "model", "runtime"), ("spec", "runtime")),
        ((*path, "model", "args"), ("spec", "args")),
        ((*path, "model", "env"), ("spec", "env")),
        ((*path, "model", "resources"), ("spec", "resources")),
        ((*path, "minReplicas"), ("spec", "replicas")),
        ((*path, "maxReplicas"), ("spec", "replicas")),
        ((*path, "nodeSelector"), ("spec", "gpu")),
        ((*path, "tolerations"), ("spec", "gpu")),
    )
    return _manifest(service, obj, Origin(service.source.document, ("spec",), field_map))


def deployment_name(service: ResolvedService) -> str:
    """The Deployment KServe's Standard mode creates for the predictor."""
    return f"{service.name}{PREDICTOR_SUFFIX}"


def prometheus_query(service: ResolvedService) -> str:
    """The sum over the predictor's pods (AverageValue: KEDA divides it by the target per
    pod). The DCGM exporter's `namespace` and `pod` labels name the pod a GPU serves."""
    selector = f'namespace="{service.namespace}",pod=~"{deployment_name(service)}-.*"'
    if service.metric == "queue-depth":
        return f"sum({QUEUE_DEPTH}{{{selector}}})"
    if service.mig_profile is not None:
        # GPU_UTIL is not reported for MIG slices: their engine activity (0-1) as percent.
        return f"sum({MIG_ACTIVITY}{{{selector}}}) * 100"
    return f"sum({GPU_UTIL}{{{selector}}})"


def scaled_object(service: ResolvedService) -> Manifest | None:
    if not service.uses_keda:
        return None
    spec = service.service.spec
    trigger = {
        "metadata": {
            # KEDA reads every metadata value as a string; a number is refused.
            "query": prometheus_query(service),
            "serverAddress": service.serving.prometheus_address,
            "threshold": str(service.target),
        },
        "metricType": "AverageValue",
        "name": service.metric,
        "type": "prometheus",
    }
    obj = {
        "apiVersion": KEDA_API,
        "kind": "ScaledObject",
        "metadata": _metadata(
            service,
            (KEDA_API, "ScaledObject"),
            **{SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"},
        ),
        "spec": {
            "maxReplicaCount": spec.replicas.max,
            "minReplicaCount": spec.replicas.min,
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": deployment_name(service),
            },
            "triggers": [trigger],
        },
    }
    return _manifest(service, obj, Origin(service.source.document, ("spec", "autoscaling")))


def service_account(service: ResolvedService) -> Manifest:
    extra = {}
    role = service.service.spec.model.role_arn
    if role is not None:
        extra[IRSA_ANNOTATION] = role
    obj = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "automountServiceAccountToken": False,
        "metadata": _metadata(service, ("v1", "ServiceAccount"), **extra),
    }
    return _manifest(service, obj, Origin(service.source.document, ("spec", "model")))


def _from_namespace(namespace: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def network_policy(service: ResolvedService) -> Manifest:
    serving = service.serving
    pods = {"matchLabels": {ISVC_POD_LABEL: service.name}}
    monitoring = service.cluster.monitoring
    prometheus = monitoring.prometheus.namespace if monitoring else serving.prometheus_namespace
    sources = [serving.gateway_namespace, prometheus]
    if service.mode == "Knative":
        # The activator proxies requests while the revision scales up from zero.
        sources.append(serving.knative_namespace)
    dns = {
        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
        "to": [
            {
                **_from_namespace("kube-system"),
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
    }
    egress: list[dict[str, Any]] = [dns]
    if not service.storage_uri.startswith("pvc://"):
        # Object stores have no fixed addresses: HTTPS anywhere, for the download.
        egress.append(
            {
                "ports": [{"port": 443, "protocol": "TCP"}],
                "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
            }
        )
    for rule in service.service.spec.egress:
        entry: dict[str, Any] = {"to": [{"ipBlock": {"cidr": rule.cidr}}]}
        if rule.ports:
            entry["ports"] = [{"port": port, "protocol": rule.protocol} for port in rule.ports]
        egress.append(entry)
    obj = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(service, ("networking.k8s.io/v1", "NetworkPolicy")),
        "spec": {
            "egress": egress,
            "ingress": [{"from": [_from_namespace(ns) for ns in sorted(set(sources))]}],
            "podSelector": pods,
            "policyTypes": ["Ingress", "Egress"],
        },
    }
    return _manifest(service, obj, Origin(service.source.document, ("spec", "egress")))


SERVICE_EXPANDERS: tuple[Callable[[ResolvedService], Manifest | None], ...] = (
    service_account,
    network_policy,
    inference_service,
    scaled_object,
)


def expand_service(service: ResolvedService) -> list[Manifest]:
    return [m for expander in SERVICE_EXPANDERS if (m := expander(service)) is not None]
