"""Monitoring: PodMonitors for jobs' metrics, the DCGM ServiceMonitor, the alert rules, and
the NetworkPolicy hole Prometheus scrapes through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import promql_parser
import pytest

from manifestgen.expand.monitoring import idle_expr, restarts_expr
from tests.bundle import PLATFORM, build_objects, compile_specs, job_spec, of_kind
from tests.workloads.support import crd_diagnostics, kind_problems

_MONITORING = """\
      monitoring:
        prometheus:
          namespace: observability
          monitorLabels: {release: kube-prometheus-stack}
          ruleLabels: {role: alert-rules}
"""
MONITORED = PLATFORM.replace("      gpuQuota:\n", _MONITORING + "      gpuQuota:\n", 1)
METRICS = {"port": 9090}


def monitored(tmp_path: Path, **spec: Any) -> dict[str, Any]:
    return build_objects(tmp_path, [job_spec(**{"metrics": METRICS, **spec})], MONITORED)


def the(objects: dict[str, Any], kind: str, namespace: str | None = None) -> dict[str, Any]:
    found = [
        o
        for o in of_kind(objects, kind)
        if namespace is None or o["metadata"].get("namespace") == namespace
    ]
    (obj,) = found
    return obj


def test_the_training_container_serves_a_named_metrics_port(tmp_path: Path) -> None:
    (job,) = of_kind(monitored(tmp_path), "PyTorchJob")
    for replica in job["spec"]["pytorchReplicaSpecs"].values():
        (container,) = replica["template"]["spec"]["containers"]
        assert container["ports"] == [{"containerPort": 9090, "name": "metrics", "protocol": "TCP"}]


def test_a_pod_monitor_selects_the_jobs_pods_by_name(tmp_path: Path) -> None:
    monitor = the(monitored(tmp_path), "PodMonitor")
    assert monitor["metadata"]["namespace"] == "team-vision"
    # The Prometheus' podMonitorSelector wants this label.
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["selector"] == {"matchLabels": {"manifestgen.io/job": "train"}}
    # The series' job label is the TrainingJob's name, not <namespace>/<monitor>.
    assert monitor["spec"]["jobLabel"] == "manifestgen.io/job"
    assert monitor["spec"]["podMetricsEndpoints"] == [
        {"interval": "30s", "path": "/metrics", "port": "metrics"}
    ]


def test_prometheus_may_scrape_the_metrics_port_and_nothing_else(tmp_path: Path) -> None:
    policy = the(monitored(tmp_path), "NetworkPolicy")
    own, scrape = policy["spec"]["ingress"]
    assert own == {"from": [{"podSelector": {"matchLabels": {"manifestgen.io/job": "train"}}}]}
    assert scrape == {
        "from": [
            {
                # One peer with both selectors: Prometheus pods in its namespace only.
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "observability"}
                },
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
            }
        ],
        "ports": [{"port": 9090, "protocol": "TCP"}],
    }


def test_jobs_without_metrics_keep_their_ingress_closed(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [job_spec()], MONITORED)
    assert len(the(objects, "NetworkPolicy")["spec"]["ingress"]) == 1
    assert of_kind(objects, "PodMonitor") == []
    # The cluster's own monitoring is there all the same.
    assert the(objects, "ServiceMonitor")["metadata"]["name"] == "manifestgen-dcgm-exporter"


def test_the_dcgm_monitor_keeps_the_training_pods_labels(tmp_path: Path) -> None:
    monitor = the(monitored(tmp_path), "ServiceMonitor")
    assert monitor["metadata"]["namespace"] == "observability"
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["gpu-operator"]}
    assert monitor["spec"]["selector"] == {"matchLabels": {"app": "nvidia-dcgm-exporter"}}
    (endpoint,) = monitor["spec"]["endpoints"]
    # Without honorLabels the exporter's own namespace and pod would win, and the GPU
    # metrics would name the exporter as exported_namespace/exported_pod.
    assert endpoint["honorLabels"] is True
    assert endpoint["port"] == "gpu-metrics"


def test_the_argocd_project_admits_the_prometheus_namespace(tmp_path: Path) -> None:
    projects = of_kind(monitored(tmp_path), "AppProject")
    # The platform project (the one that may create cluster-scoped objects) syncs the monitors.
    (project,) = [p for p in projects if p["spec"]["clusterResourceWhitelist"]]
    namespaces = {d["namespace"] for d in project["spec"]["destinations"]}
    assert "observability" in namespaces
    # ... as a destination only: the project may not create that namespace.
    named = {e.get("name") for e in project["spec"]["clusterResourceWhitelist"]}
    assert "observability" not in named
    # No team's project reaches the Prometheus namespace.
    for team in projects:
        if team is not project:
            assert "observability" not in {d["namespace"] for d in team["spec"]["destinations"]}


def _rules(objects: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        rule
        for obj in of_kind(objects, "PrometheusRule")
        for group in obj["spec"]["groups"]
        for rule in group["rules"]
    ]


def test_every_alert_is_valid_promql(tmp_path: Path) -> None:
    rules = _rules(monitored(tmp_path))
    assert sorted(r["alert"] for r in rules) == [
        "TrainingGpuIdle",
        "TrainingNoProgress",
        "TrainingPodRestarting",
    ]
    for rule in rules:
        assert promql_parser.parse(rule["expr"]) is not None, rule["alert"]


def test_the_no_progress_alert_watches_the_jobs_counter(tmp_path: Path) -> None:
    objects = monitored(tmp_path, metrics={"port": 9090, "progressMetric": "steps_total"})
    (rule,) = [r for r in _rules(objects) if r["alert"] == "TrainingNoProgress"]
    assert rule["expr"] == (
        'sum by (namespace, job) (rate(steps_total{namespace="team-vision", job="train"}'
        "[10m])) == 0"
    )
    rule_object = the(objects, "PrometheusRule", "team-vision")
    assert rule_object["metadata"]["labels"]["role"] == "alert-rules"


@pytest.mark.parametrize("build", [idle_expr, restarts_expr])
def test_cluster_alerts_parse_for_many_namespaces(build: Any) -> None:
    expr = build(["team-a", "team-b", "ml-research"])
    assert promql_parser.parse(expr) is not None
    assert 'namespace=~"team-a|team-b|ml-research"' in expr


def test_a_promql_mistake_would_be_caught() -> None:
    with pytest.raises(ValueError, match="parenthesis"):
        promql_parser.parse("sum by (namespace (rate(x[5m]))")


def test_operator_ports_and_metrics_sit_together(tmp_path: Path) -> None:
    job = job_spec(framework="tensorflow", command=["python"], metrics={"port": 8000})
    objects = build_objects(tmp_path, [job], MONITORED)
    (tfjob,) = of_kind(objects, "TFJob")
    (worker,) = tfjob["spec"]["tfReplicaSpecs"].values()
    (container,) = worker["template"]["spec"]["containers"]
    assert [p["name"] for p in container["ports"]] == ["tfjob-port", "metrics"]


def test_monitoring_objects_pass_the_real_crds(tmp_path: Path, crds_dir: Path) -> None:
    jobs = [job_spec(metrics={"port": 9090, "path": "/stats", "interval": "1m"})]
    diagnostics = crd_diagnostics(tmp_path, jobs, crds_dir, MONITORED)
    assert [d for d in diagnostics if d.is_error] == []
    for kind in ("PodMonitor", "ServiceMonitor", "PrometheusRule"):
        assert kind_problems(diagnostics, kind) == [], kind


def test_a_cluster_without_monitoring_gets_none(tmp_path: Path) -> None:
    objects, diagnostics = compile_specs(tmp_path, [job_spec(metrics=METRICS)])
    assert [d.code for d in diagnostics] == ["MG388"]
    for kind in ("PodMonitor", "ServiceMonitor", "PrometheusRule"):
        assert of_kind(objects, kind) == []
