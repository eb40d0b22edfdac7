"""JAX on the Kubeflow Training Operator v1 (1.9 or later): a JAXJob.

JAX runs one process per host that drives all of the host's accelerators, and
`jax.distributed.initialize` joins the processes through a coordinator. The operator
runs `nodes` equal `Worker`s, worker 0 being the coordinator, and sets in each pod
COORDINATOR_ADDRESS and COORDINATOR_PORT (worker 0's Service and its `jaxjob-port`),
NUM_PROCESSES (= nodes) and PROCESS_ID (the pod's index); the script passes them to
`jax.distributed.initialize`. So each pod runs one process with all the pod's GPUs:
processesPerNode is 1, whatever the GPUs per node, and a launcher of several processes
per pod would give them all one PROCESS_ID.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from manifestgen.kinds.catalog import BY_GVK
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.workloads import rank_per_pod as rp
from manifestgen.workloads.base import Workload
from manifestgen.workloads.run_policy import run_policy

OPERATOR = rp.Operator(
    kind="JAXJob",
    container="jax",
    port_name="jaxjob-port",
    port=6666,
    env=(
        "COORDINATOR_ADDRESS",
        "COORDINATOR_PORT",
        "NUM_PROCESSES",
        "PROCESS_ID",
        "PYTHONUNBUFFERED",
    ),
)


class JAXSpec(rp.OneProcessPerPod):
    framework: Literal["jax"] = Field(
        description="JAX: a Kubeflow JAXJob, nodes equal Workers, one process per pod "
        "driving all its GPUs."
    )


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    worker = rp.replica(job, job.job.spec.nodes, rp.template(OPERATOR, job))
    return {"jaxReplicaSpecs": {"Worker": worker}, "runPolicy": run_policy(job)}


JAX = Workload(
    framework="jax",
    kind=BY_GVK[("kubeflow.org", "v1", "JAXJob")],
    spec_model=JAXSpec,
    build_spec=build_spec,
    summary="JAX: nodes equal Workers, one process per pod with all its GPUs",
    rules=(*rp.rules(OPERATOR), rp.no_launcher(OPERATOR)),
)
