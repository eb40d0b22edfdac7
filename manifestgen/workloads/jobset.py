"""torchrun on a JobSet (jobset.x-k8s.io/v1alpha2, JobSet v0.10 or later).

The job's `nodes` are split into `slices` equal Indexed Jobs of one replicated Job,
`node`: pods `<jobset>-node-<slice>-<index>`, all in one torchrun rendezvous hosted on
the first pod of the first slice. With `exclusiveTopology`, each slice runs alone in one
domain of a node label (the JobSet webhook places the slice's first pod and makes the
others follow it, and keeps other slices out), e.g. one network spine block per slice.

What this module decides, and why:
- The JobSet controller creates the headless Service itself (`network.enableDNSHostnames`),
  named after the JobSet, and sets every pod's `subdomain` to it. manifestgen emits no
  Service and sets no `subdomain`: the controller never updates an existing Service's
  selector, so a fixed name shared by the JobSets a changed spec makes in turn would keep
  selecting the first one's pods. The rendezvous is
  `$(JOBSET_NAME)-node-0-0.$(JOBSET_NAME)`, the name read from the pods' own label.
- Spot reclaims restart the JobSet without counting against `maxRestarts`; application
  errors fail it. The Jobs' pod failure policy fails a Job at once, with a message the
  Job controller writes as "Pod <ns>/<pod> has condition DisruptionTarget matching
  FailJob rule at index 0" or "Container pytorch for pod <ns>/<pod> failed with exit
  code <n> matching FailJob rule at index 1", and reason PodFailurePolicy; the JobSet's
  rules match reason and message (onJobFailureMessagePatterns, v0.10+) in order:
  Disruption → RestartJobSetAndIgnoreMaxRestarts, ApplicationError → FailJobSet,
  DeadlineExceeded → FailJobSet. Anything else (a pod that failed with no exit code,
  backoffLimit 0) restarts the JobSet and counts against maxRestarts = backoffLimit.
- What the JobSet webhook would default is written out (network, success and startup
  policies, restart strategy), so Argo CD sees no difference.
- activeDeadlineSeconds applies to each slice's Job: a restart starts it afresh.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Field

from manifestgen.errors import Diagnostic
from manifestgen.expand.gang import gang_system
from manifestgen.kinds.catalog import BY_GVK
from manifestgen.spec.base import SpecModel
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import TrainingJobSpec
from manifestgen.workloads import indexed_pods as ip
from manifestgen.workloads.base import Workload, spec_of

REPLICATED_JOB = "node"
# The label the JobSet controller gives each pod, holding the JobSet's name.
JOBSET_NAME_LABEL = "jobset.sigs.k8s.io/jobset-name"
EXCLUSIVE_TOPOLOGY = "alpha.jobset.sigs.k8s.io/exclusive-topology"
OPERATOR = ip.operator("JobSet", "JOBSET_NAME")

# A qualified Kubernetes label key: an optional DNS-subdomain prefix and a name.
LabelKey = Annotated[
    str,
    Field(
        pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
        r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
        max_length=317,
    ),
]

# The Job controller's messages for the two FailJob rules of indexed_pods.
DISRUPTION_MESSAGE = "has condition DisruptionTarget matching FailJob rule at index 0"
EXIT_CODE_MESSAGE = "failed with exit code [0-9]+ matching FailJob rule at index 1"


class JobSetOptions(SpecModel):
    slices: int = Field(
        default=1,
        ge=1,
        le=1000,
        description="Equal groups the nodes are split into, one Indexed Job each "
        "(nodes / slices pods); all of them in one torchrun rendezvous.",
    )
    exclusive_topology: LabelKey | None = Field(
        default=None,
        description="A node label (e.g. topology.k8s.aws/network-node-layer-3): each slice "
        "runs alone in one of its domains. Unset: no exclusive placement.",
    )


class JobSetSpec(TrainingJobSpec):
    framework: Literal["jobset"] = Field(
        description="A JobSet (jobset.x-k8s.io): torchrun on nodes pods in one or more "
        "slices, restarted together, spot reclaims not counted."
    )
    jobset: JobSetOptions = Field(
        default_factory=JobSetOptions, description="How the nodes are grouped and placed."
    )


def _spec(job: ResolvedJob) -> JobSetSpec:
    return spec_of(job, JobSetSpec)


def _failure_policy(job: ResolvedJob) -> dict[str, Any]:
    reason = ["PodFailurePolicy"]
    return {
        "maxRestarts": job.run_policy.backoff_limit,
        "restartStrategy": "Recreate",
        "rules": [
            {
                "action": "RestartJobSetAndIgnoreMaxRestarts",
                "name": "Disruption",
                "onJobFailureMessagePatterns": [DISRUPTION_MESSAGE],
                "onJobFailureReasons": reason,
            },
            {
                "action": "FailJobSet",
                "name": "ApplicationError",
                "onJobFailureMessagePatterns": [EXIT_CODE_MESSAGE],
                "onJobFailureReasons": reason,
            },
            {
                "action": "FailJobSet",
                "name": "DeadlineExceeded",
                "onJobFailureReasons": ["DeadlineExceeded"],
            },
        ],
    }


def _job_template(job: ResolvedJob) -> dict[str, Any]:
    options = _spec(job).jobset
    per_slice = job.job.spec.nodes // options.slices
    endpoint = f"$(JOBSET_NAME)-{REPLICATED_JOB}-0-0.$(JOBSET_NAME)"
    pod = ip.pod_template(job, OPERATOR, JOBSET_NAME_LABEL, endpoint, max_restarts=0)
    spec: dict[str, Any] = {
        # Every failure goes to the JobSet's failure policy at once.
        "backoffLimit": 0,
        "completionMode": "Indexed",
        "completions": per_slice,
        "parallelism": per_slice,
        "podFailurePolicy": ip.pod_failure_policy("FailJob"),
        "template": pod,
    }
    if job.run_policy.active_deadline_seconds is not None:
        spec["activeDeadlineSeconds"] = job.run_policy.active_deadline_seconds
    template: dict[str, Any] = {"spec": dict(sorted(spec.items()))}
    if options.exclusive_topology is not None:
        template["metadata"] = {"annotations": {EXCLUSIVE_TOPOLOGY: options.exclusive_topology}}
    return template


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    replicated = {
        "name": REPLICATED_JOB,
        "replicas": _spec(job).jobset.slices,
        "template": _job_template(job),
    }
    spec: dict[str, Any] = {
        "failurePolicy": _failure_policy(job),
        "network": {"enableDNSHostnames": True, "publishNotReadyAddresses": True},
        "replicatedJobs": [replicated],
        "startupPolicy": {"startupPolicyOrder": "AnyOrder"},
        "successPolicy": {"operator": "All"},
    }
    if job.run_policy.ttl_seconds_after_finished is not None:
        spec["ttlSecondsAfterFinished"] = job.run_policy.ttl_seconds_after_finished
    return dict(sorted(spec.items()))


def check_slices(job: ResolvedJob) -> Iterator[Diagnostic]:
    nodes, slices = job.job.spec.nodes, _spec(job).jobset.slices
    if nodes % slices == 0:
        return
    yield Diagnostic(
        "MG321",
        f"{nodes} nodes cannot be split into {slices} equal slices",
        job.source.locate(("spec", "jobset", "slices")),
        field="spec.jobset.slices",
        hint="make nodes a multiple of slices",
    )


def check_exclusive_gang(job: ResolvedJob) -> Iterator[Diagnostic]:
    """JobSet's pod webhook admits a slice's follower pods only once its leader pod is
    scheduled, and a gang scheduler binds the leader only once every pod exists: with
    both, no pod is ever placed."""
    topology, system = _spec(job).jobset.exclusive_topology, gang_system(job)
    if topology is None or system is None:
        return
    yield Diagnostic(
        "MG316",
        f"cluster {job.cluster_name!r} gang-schedules with {system}, and exclusive placement "
        "creates a slice's pods only once its first is scheduled: the gang never fills",
        job.source.locate(("spec", "jobset", "exclusiveTopology")),
        field="spec.jobset.exclusiveTopology",
        hint="remove exclusiveTopology on this cluster (the gang places every slice at "
        "once), or run on a cluster without a gang scheduler",
    )


JOBSET = Workload(
    framework="jobset",
    kind=BY_GVK[("jobset.x-k8s.io", "v1alpha2", "JobSet")],
    spec_model=JobSetSpec,
    build_spec=build_spec,
    summary="A JobSet: torchrun on nodes pods in equal slices, restarted together; spot "
    "reclaims do not count against maxRestarts.",
    rules=(*ip.rules(OPERATOR), check_slices, check_exclusive_gang),
)
