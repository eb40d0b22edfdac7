"""torchrun on a plain Kubernetes Job (batch/v1), for clusters without a training operator.

An Indexed Job with `parallelism = completions = nodes` runs one pod per index; the Job
controller names each pod's host `<job>-<index>`, and a headless Service named after the
TrainingJob (the pods' `subdomain`) gives the first pod the DNS name the c10d rendezvous
listens on, `<job>-0.<service>`. The Service selects the pods by the TrainingJob's label,
not by the Job's name, so it stays the same when a changed spec makes a new Job.

Failures (see indexed_pods): a pod with the `DisruptionTarget` condition (a spot reclaim,
a drain, a preemption) is replaced without counting against `backoffLimit`, and torchrun
on the other pods waits for it and restarts its workers (`PET_MAX_RESTARTS`, the run
policy's backoffLimit); any other exit of the training container fails the Job. Index 0
hosts the rendezvous, so losing it ends the run: the others cannot reach the store and
exit with an error (MG320 warns on spot; a JobSet restarts all pods together instead).
`backoffLimitPerIndex` is not used: it retries one index while the others keep running,
which helps independent work items but not one torchrun gang.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from manifestgen.errors import Diagnostic, Severity
from manifestgen.expand.labels import JOB_LABEL, SYNC_WAVE, job_labels, metadata, provenance_of
from manifestgen.kinds.catalog import BY_GVK, wave
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import TrainingJobSpec
from manifestgen.workloads import indexed_pods as ip
from manifestgen.workloads.base import Workload

# The label the Job controller gives each of its pods, holding the Job's name.
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
OPERATOR = ip.operator("Job", "JOB_NAME")


class IndexedJobSpec(TrainingJobSpec):
    framework: Literal["job"] = Field(
        description="A plain Kubernetes Indexed Job (batch/v1) running torchrun on `nodes` "
        "pods, for clusters without a training operator."
    )


def service_name(job: ResolvedJob) -> str:
    return job.name


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    nodes, policy = job.job.spec.nodes, job.run_policy
    pod = ip.pod_template(
        job,
        OPERATOR,
        JOB_NAME_LABEL,
        f"$(JOB_NAME)-0.{service_name(job)}",
        max_restarts=policy.backoff_limit,
    )
    pod["spec"] = dict(sorted({**pod["spec"], "subdomain": service_name(job)}.items()))
    spec: dict[str, Any] = {
        "backoffLimit": policy.backoff_limit,
        "completionMode": "Indexed",
        "completions": nodes,
        "parallelism": nodes,
        "podFailurePolicy": ip.pod_failure_policy("Ignore"),
        "template": pod,
    }
    if policy.active_deadline_seconds is not None:
        spec["activeDeadlineSeconds"] = policy.active_deadline_seconds
    if policy.ttl_seconds_after_finished is not None:
        spec["ttlSecondsAfterFinished"] = policy.ttl_seconds_after_finished
    return dict(sorted(spec.items()))


def headless_service(job: ResolvedJob) -> tuple[Manifest, ...]:
    """The Service behind the pods' `subdomain`: DNS names for the pods, no virtual IP.

    publishNotReadyAddresses: the rendezvous host's name must resolve while its pod
    starts, before anything would call it ready."""
    annotations = {
        **provenance_of(job.spec_path, job.document_digest),
        SYNC_WAVE: wave("v1", "Service"),
    }
    obj = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(
            service_name(job),
            namespace=job.namespace,
            labels=job_labels(job.name, job.team_name),
            annotations=annotations,
        ),
        "spec": {
            "clusterIP": "None",
            "ports": [
                {
                    "name": ip.RDZV_PORT_NAME,
                    "port": ip.RDZV_PORT,
                    "protocol": "TCP",
                    "targetPort": ip.RDZV_PORT,
                }
            ],
            "publishNotReadyAddresses": True,
            "selector": {JOB_LABEL: job.name},
        },
    }
    origin = Origin(job.source.document, ("metadata", "name"))
    return (Manifest(obj, origin, Target(job.cluster_name, owner=job.name)),)


def check_spot_rendezvous(job: ResolvedJob) -> Iterator[Diagnostic]:
    spec = job.job.spec
    if spec.capacity_type != "spot" or spec.nodes == 1:
        return
    yield Diagnostic(
        "MG320",
        "a plain Job survives the reclaim of any pod but the first, which hosts the "
        "rendezvous: losing it makes torchrun on the other pods exit, and the Job fails",
        job.source.locate(("spec", "capacityType")),
        field="spec.capacityType",
        severity=Severity.WARNING,
        hint="use framework: jobset, which restarts all pods together after a reclaim, "
        "or capacityType: on-demand",
    )


INDEXED_JOB = Workload(
    framework="job",
    kind=BY_GVK[("batch", "v1", "Job")],
    spec_model=IndexedJobSpec,
    build_spec=build_spec,
    summary="A plain Kubernetes Indexed Job: torchrun on nodes pods, a headless Service "
    "for the rendezvous, no operator.",
    rules=(*ip.rules(OPERATOR), check_spot_rendezvous),
    extra_objects=headless_service,
)
