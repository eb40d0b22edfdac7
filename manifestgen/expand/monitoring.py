"""prometheus-operator objects: what Prometheus scrapes and which alerts it evaluates.

Per cluster with `monitoring`, in the Prometheus' namespace: a ServiceMonitor for the GPU
operator's DCGM exporter, and a PrometheusRule with the alerts every training job gets
(GPUs idle while allocated, containers restarting). Per job with `metrics`, in its team
namespace: a PodMonitor for its metrics port, and a PrometheusRule whose alert fires when
its progress counter stops growing (a hung NCCL collective, a dead data loader).

Monitors are per job, not per team: each job says its own port, path and interval, and
its monitor and alert come and go with its spec. The job label of the scraped series is
the job's name (`jobLabel` reads the pods' `manifestgen.io/job` label), so alerts and
dashboards name the TrainingJob, not a pod or a hashed job object.
"""

from __future__ import annotations

from typing import Any

from manifestgen.expand.labels import (
    JOB_LABEL,
    SYNC_WAVE,
    job_labels,
    metadata,
    provenance,
    provenance_of,
)
from manifestgen.kinds.catalog import wave
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Monitoring, Platform
from manifestgen.spec.resolve import ResolvedJob

API = "monitoring.coreos.com/v1"
METRICS_PORT_NAME = "metrics"
DCGM_MONITOR = "manifestgen-dcgm-exporter"
CLUSTER_RULES = "manifestgen-training"
# The DCGM exporter's per-pod GPU metrics (with the pod-resources mapping the GPU
# operator enables): whole GPUs report utilisation in percent, MIG instances only the
# graphics-engine activity ratio (DCGM_FI_DEV_GPU_UTIL is not supported on MIG).
GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL"
MIG_ACTIVITY = "DCGM_FI_PROF_GR_ENGINE_ACTIVE"
IDLE_PERCENT = 5
IDLE_FOR = "30m"
RESTARTS = 3
STALL_WINDOW = "10m"
STALL_FOR = "15m"


def metrics_port(job: ResolvedJob) -> dict[str, Any] | None:
    metrics = job.job.spec.metrics
    if metrics is None:
        return None
    return {"containerPort": metrics.port, "name": METRICS_PORT_NAME, "protocol": "TCP"}


def with_metrics_port(job: ResolvedJob, ports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A container's ports with the job's metrics port, sorted by number."""
    port = metrics_port(job)
    return sorted([*ports, port] if port else ports, key=lambda p: int(p["containerPort"]))


def scrape_ingress(job: ResolvedJob) -> dict[str, Any] | None:
    """The NetworkPolicy ingress rule that lets the cluster's Prometheus scrape the job."""
    monitoring, metrics = job.cluster.monitoring, job.job.spec.metrics
    if monitoring is None or metrics is None:
        return None
    prometheus = monitoring.prometheus
    return {
        "from": [
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": prometheus.namespace}
                },
                "podSelector": {"matchLabels": dict(sorted(prometheus.pod_labels.items()))},
            }
        ],
        "ports": [{"port": metrics.port, "protocol": "TCP"}],
    }


def _job_meta(job: ResolvedJob, kind: str, name: str, extra: dict[str, str]) -> dict[str, Any]:
    annotations = {**provenance_of(job.spec_path, job.document_digest), SYNC_WAVE: wave(API, kind)}
    labels = {**extra, **job_labels(job.name, job.team_name)}
    return metadata(name, namespace=job.namespace, labels=labels, annotations=annotations)


def pod_monitor(job: ResolvedJob) -> Manifest | None:
    monitoring, metrics = job.cluster.monitoring, job.job.spec.metrics
    if monitoring is None or metrics is None:
        return None
    obj = {
        "apiVersion": API,
        "kind": "PodMonitor",
        "metadata": _job_meta(job, "PodMonitor", job.name, monitoring.prometheus.monitor_labels),
        "spec": {
            "jobLabel": JOB_LABEL,
            "podMetricsEndpoints": [
                {"interval": metrics.interval, "path": metrics.path, "port": METRICS_PORT_NAME}
            ],
            "selector": {"matchLabels": {JOB_LABEL: job.name}},
        },
    }
    return Manifest(
        obj, Origin(job.source.document, ("spec", "metrics")), Target(job.cluster_name, job.name)
    )


def progress_expr(job: ResolvedJob) -> str:
    metrics = job.job.spec.metrics
    assert metrics is not None
    selector = f'namespace="{job.namespace}", job="{job.name}"'
    return (
        f"sum by (namespace, job) (rate({metrics.progress_metric}{{{selector}}}"
        f"[{STALL_WINDOW}])) == 0"
    )


def progress_rule(job: ResolvedJob) -> Manifest | None:
    monitoring, metrics = job.cluster.monitoring, job.job.spec.metrics
    if monitoring is None or metrics is None:
        return None
    rule = {
        "alert": "TrainingNoProgress",
        "annotations": {
            "description": f"{metrics.progress_metric} of job {job.name} has not grown for "
            f"{STALL_FOR} while it runs: a hung collective (NCCL) or a stalled input pipeline.",
            "summary": f"Training job {job.name} makes no progress",
        },
        "expr": progress_expr(job),
        "for": STALL_FOR,
        "labels": {"severity": "warning", "team": job.team_name},
    }
    name = f"{job.name}-progress"
    obj = {
        "apiVersion": API,
        "kind": "PrometheusRule",
        "metadata": _job_meta(job, "PrometheusRule", name, monitoring.prometheus.rule_labels),
        "spec": {"groups": [{"name": f"manifestgen.{job.name}", "rules": [rule]}]},
    }
    return Manifest(
        obj, Origin(job.source.document, ("spec", "metrics")), Target(job.cluster_name, job.name)
    )


def _namespaces_regex(namespaces: list[str]) -> str:
    return "|".join(namespaces)


def idle_expr(namespaces: list[str]) -> str:
    ns = f'namespace=~"{_namespaces_regex(namespaces)}"'
    whole = f"max by (namespace, pod) ({GPU_UTIL}{{{ns}}}) < {IDLE_PERCENT}"
    sliced = (
        f'max by (namespace, pod) ({MIG_ACTIVITY}{{{ns}, GPU_I_ID!=""}}) < {IDLE_PERCENT / 100}'
    )
    return f"({whole}) or ({sliced})"


def restarts_expr(namespaces: list[str]) -> str:
    ns = f'namespace=~"{_namespaces_regex(namespaces)}"'
    return (
        f"sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{{{ns}}}"
        f"[1h])) >= {RESTARTS}"
    )


def cluster_rules(namespaces: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "alert": "TrainingGpuIdle",
            "annotations": {
                "description": "The GPUs of pod {{ $labels.namespace }}/{{ $labels.pod }} "
                f"have been below {IDLE_PERCENT}% busy for {IDLE_FOR}: allocated, not used.",
                "summary": "Training pod holds idle GPUs",
            },
            "expr": idle_expr(namespaces),
            "for": IDLE_FOR,
            "labels": {"severity": "warning"},
        },
        {
            "alert": "TrainingPodRestarting",
            "annotations": {
                "description": "Containers of pod {{ $labels.namespace }}/{{ $labels.pod }} "
                f"restarted {RESTARTS} or more times in the last hour.",
                "summary": "Training pod keeps restarting",
            },
            "expr": restarts_expr(namespaces),
            "for": "0m",
            "labels": {"severity": "warning"},
        },
    ]


def _cluster_meta(
    platform: Parsed[Platform], cluster: str, kind: str, name: str, labels: dict[str, str]
) -> dict[str, Any]:
    spec = platform.model.spec
    monitoring = spec.clusters[cluster].monitoring
    assert monitoring is not None
    content = monitoring.model_dump(mode="json", by_alias=True)
    annotations = {**provenance(platform.document.path, content), SYNC_WAVE: wave(API, kind)}
    return metadata(
        name, namespace=monitoring.prometheus.namespace, labels=labels, annotations=annotations
    )


def dcgm_monitor(
    platform: Parsed[Platform], cluster: str, monitoring: Monitoring
) -> dict[str, Any]:
    exporter = monitoring.dcgm_exporter
    return {
        "apiVersion": API,
        "kind": "ServiceMonitor",
        "metadata": _cluster_meta(
            platform, cluster, "ServiceMonitor", DCGM_MONITOR, monitoring.prometheus.monitor_labels
        ),
        "spec": {
            # The exporter labels each series with the pod using the GPU; honouring them
            # keeps `namespace` and `pod` those of the training pod, not of the exporter.
            "endpoints": [
                {"honorLabels": True, "interval": "15s", "path": "/metrics", "port": exporter.port}
            ],
            "namespaceSelector": {"matchNames": [exporter.namespace]},
            "selector": {"matchLabels": dict(sorted(exporter.labels.items()))},
        },
    }


def cluster_monitoring(
    platform: Parsed[Platform], cluster: str, namespaces: list[str]
) -> list[Manifest]:
    """The DCGM ServiceMonitor and the cluster's training alerts, when it has monitoring."""
    monitoring = platform.model.spec.clusters[cluster].monitoring
    if monitoring is None or not namespaces:
        return []
    part = ("spec", "clusters", cluster, "monitoring")
    rules = {
        "apiVersion": API,
        "kind": "PrometheusRule",
        "metadata": _cluster_meta(
            platform, cluster, "PrometheusRule", CLUSTER_RULES, monitoring.prometheus.rule_labels
        ),
        "spec": {"groups": [{"name": "manifestgen.training", "rules": cluster_rules(namespaces)}]},
    }
    return [
        Manifest(obj, Origin(platform.document, part), Target(cluster))
        for obj in (dcgm_monitor(platform, cluster, monitoring), rules)
    ]
