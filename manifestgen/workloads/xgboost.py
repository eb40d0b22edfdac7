"""XGBoost on the Kubeflow Training Operator v1: an XGBoostJob.

The operator runs one `Master` (its admission webhook refuses any other count) and the
rest of the nodes as `Worker`s: the master is rank 0 and the address every worker meets
at, so `nodes` is the whole job and a one-node job is a master alone. Each pod runs one
process and gets MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK (plus WORKER_ADDRS and
WORKER_PORT for LightGBM); the script starts XGBoost's collective (its tracker on rank
0) from them. One process trains on one GPU, so more GPUs per pod stay idle.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from manifestgen.errors import Diagnostic
from manifestgen.kinds.catalog import BY_GVK
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.workloads import rank_per_pod as rp
from manifestgen.workloads.base import Workload
from manifestgen.workloads.run_policy import run_policy

OPERATOR = rp.Operator(
    kind="XGBoostJob",
    container="xgboost",
    port_name="xgboostjob-port",
    port=9999,
    env=(
        "MASTER_ADDR",
        "MASTER_PORT",
        "PYTHONUNBUFFERED",
        "RANK",
        "WORKER_ADDRS",
        "WORKER_PORT",
        "WORLD_SIZE",
    ),
)


class XGBoostSpec(rp.OneProcessPerPod):
    framework: Literal["xgboost"] = Field(
        description="XGBoost: a Kubeflow XGBoostJob, one Master (rank 0) and nodes - 1 "
        "Workers, one process per pod."
    )


def build_spec(job: ResolvedJob) -> dict[str, Any]:
    # One template each: the YAML dumper would turn a shared dict into an alias.
    replicas = {"Master": rp.replica(job, 1, rp.template(OPERATOR, job))}
    workers = job.job.spec.nodes - 1
    if workers:
        replicas["Worker"] = rp.replica(job, workers, rp.template(OPERATOR, job))
    return {"runPolicy": run_policy(job), "xgbReplicaSpecs": replicas}


def check_gpus(job: ResolvedJob) -> Iterator[Diagnostic]:
    gpus = job.gpus_per_node
    if gpus > 1:
        yield rp.warn(
            "MG290",
            f"an XGBoost process trains on one GPU, and each pod runs one: {gpus - 1} of "
            f"its {gpus} GPUs would stay idle",
            job,
            ("spec", "gpu", "perNode"),
            hint=f"use perNode: 1 and {job.job.spec.nodes * gpus} nodes for the same GPUs",
        )


XGBOOST = Workload(
    framework="xgboost",
    kind=BY_GVK[("kubeflow.org", "v1", "XGBoostJob")],
    spec_model=XGBoostSpec,
    build_spec=build_spec,
    summary="XGBoost (or LightGBM): one Master and nodes - 1 Workers, one process each",
    rules=(*rp.rules(OPERATOR), rp.no_launcher(OPERATOR), check_gpus),
)
