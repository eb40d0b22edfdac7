"""Rules of a job's metrics endpoint: a port nothing else in the pod listens on, and a
cluster whose Prometheus will scrape it."""

from __future__ import annotations

from collections.abc import Iterator

from manifestgen.errors import Diagnostic, Severity
from manifestgen.spec.resolve import ResolvedJob

# Ports the operators and launchers listen on inside training pods.
RESERVED_PORTS = {
    2222: "the TFJob operator's tfjob-port",
    6666: "the JAXJob operator's jaxjob-port",
    9999: "the XGBoostJob operator's xgboostjob-port",
    23456: "the PyTorchJob operator's pytorchjob-port (torchrun's rendezvous)",
    29400: "torchrun's default c10d rendezvous port",
    29500: "torch.distributed's default MASTER_PORT",
    36543: "the PaddleJob operator's master port",
}


def check_metrics(job: ResolvedJob) -> Iterator[Diagnostic]:
    metrics = job.job.spec.metrics
    if metrics is None:
        return
    used = RESERVED_PORTS.get(metrics.port)
    if used is not None:
        yield Diagnostic(
            "MG387",
            f"metrics port {metrics.port} is {used}: the metrics endpoint cannot listen there",
            job.source.locate(("spec", "metrics", "port")),
            field="spec.metrics.port",
            hint="serve metrics on another port, e.g. 9090",
        )
    if job.cluster.monitoring is None:
        yield Diagnostic(
            "MG388",
            f"cluster {job.cluster_name!r} has no monitoring: nothing scrapes the job's "
            "metrics, and no PodMonitor or alert is generated",
            job.source.locate(("spec", "metrics")),
            field="spec.metrics",
            severity=Severity.WARNING,
            hint=f"ask the platform team to set clusters.{job.cluster_name}.monitoring",
        )
