"""The pod template every training replica runs: resources, placement, volumes, security.

Job kinds wrap this template; keeping it in one place means every kind gets the same
GPU limits, /dev/shm mount, EFA devices, do-not-disrupt and Pod Security settings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from manifestgen.expand.cpu_pool import SIDE_POD_CAPACITY, cpu_placement
from manifestgen.expand.gpu_resources import gpu_amounts, gpu_placement
from manifestgen.expand.labels import JOB_LABEL, job_labels
from manifestgen.expand.monitoring import metrics_port
from manifestgen.spec.resolve import ResolvedJob, default_shared_memory

if TYPE_CHECKING:
    from manifestgen.spec.training import SidePods

SHM_VOLUME = "dshm"
SHM_PATH = "/dev/shm"
HPARAM_VOLUME = "hyperparameters"
HPARAM_DIR = "/etc/manifestgen/hyperparameters"
CHECKPOINT_VOLUME = "checkpoints"
EFA_RESOURCE = "vpc.amazonaws.com/efa"
CAPACITY_TYPE_LABEL = "karpenter.sh/capacity-type"
ZONE_LABEL = "topology.kubernetes.io/zone"
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
# Below the two-minute spot interruption notice, leaving Karpenter time to react to it.
SPOT_GRACE_SECONDS = 90


def checkpoint_claim_name(job: ResolvedJob) -> str:
    # Stable across spec changes, so a new run resumes from the last one's checkpoints.
    checkpoints = job.job.spec.checkpoints
    if checkpoints is not None and checkpoints.claim_name is not None:
        return checkpoints.claim_name
    return f"{job.name}-checkpoints"


def hyperparameters_name(job: ResolvedJob) -> str:
    return f"{job.name}-hyperparameters"


def hyperparameter_data(job: ResolvedJob) -> dict[str, str]:
    """ConfigMap values are strings; JSON keeps 0.001, true and "text" distinguishable.

    Only the fixed values: a tuned one differs per trial (see `substitute`)."""
    return {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in sorted(job.job.spec.fixed_hyperparameters.items())
    }


# How a command, an argument or an environment value names a hyperparameter.
HPARAM_REFERENCE = re.compile(r"\$\{hyperparameters\.([-._a-zA-Z0-9]+)\}")
# What Katib replaces with each trial's value (its TrialTemplateParamReplaceFormat).
TRIAL_PARAMETER = "${{trialParameters.{}}}"


def substitute(job: ResolvedJob, text: str) -> str:
    """`text` with every `${hyperparameters.<key>}` replaced: by the value of a fixed one,
    by Katib's `${trialParameters.<key>}` for a tuned one. An undefined key stays as
    written (spec rule MG253 reports it)."""
    fixed = hyperparameter_data(job)
    tuned = job.job.spec.search_spaces

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in tuned:
            return TRIAL_PARAMETER.format(key)
        return fixed.get(key, match.group(0))

    return HPARAM_REFERENCE.sub(value, text)


def resources(job: ResolvedJob) -> dict[str, Any]:
    """The complete block, requests equal to limits: a partial block loses GPUs or nproc."""
    spec = job.job.spec
    amounts: dict[str, Any] = {"cpu": spec.resources.cpu, "memory": spec.resources.memory}
    if job.gpu_type is not None and spec.gpu is not None:
        amounts |= gpu_amounts(job.gpu_type, spec.gpu.per_node, spec.gpu.mig_profile)
    if job.efa_per_node:
        amounts[EFA_RESOURCE] = str(job.efa_per_node)
    return {"limits": dict(sorted(amounts.items())), "requests": dict(sorted(amounts.items()))}


def env(job: ResolvedJob) -> list[dict[str, Any]]:
    spec = job.job.spec
    variables: list[dict[str, Any]] = [
        {"name": name, "value": substitute(job, value)} for name, value in sorted(spec.env.items())
    ]
    variables += [
        {"name": s.env, "valueFrom": {"secretKeyRef": {"name": s.secret, "key": s.key}}}
        for s in sorted(spec.secrets, key=lambda s: s.env)
    ]
    if spec.fixed_hyperparameters:
        variables.append({"name": "HYPERPARAMETERS_DIR", "value": HPARAM_DIR})
    return sorted(variables, key=lambda v: str(v["name"]))


def side_resources(side: SidePods) -> dict[str, Any]:
    amounts = {"cpu": side.cpu, "memory": side.memory}
    return {"limits": dict(amounts), "requests": dict(amounts)}


def volumes_and_mounts(
    job: ResolvedJob, shared_memory: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    spec = job.job.spec
    shm = shared_memory or job.shared_memory
    volumes: list[dict[str, Any]] = [
        {"name": SHM_VOLUME, "emptyDir": {"medium": "Memory", "sizeLimit": shm}}
    ]
    mounts: list[dict[str, Any]] = [{"name": SHM_VOLUME, "mountPath": SHM_PATH}]
    if spec.fixed_hyperparameters:
        volumes.append({"name": HPARAM_VOLUME, "configMap": {"name": hyperparameters_name(job)}})
        mounts.append({"name": HPARAM_VOLUME, "mountPath": HPARAM_DIR, "readOnly": True})
    if spec.checkpoints is not None:
        volumes.append(
            {
                "name": CHECKPOINT_VOLUME,
                "persistentVolumeClaim": {"claimName": checkpoint_claim_name(job)},
            }
        )
        mounts.append({"name": CHECKPOINT_VOLUME, "mountPath": spec.checkpoints.mount_path})
    for index, dataset in enumerate(spec.datasets):
        name = f"dataset-{index}"
        volumes.append(
            {"name": name, "persistentVolumeClaim": {"claimName": dataset.claim, "readOnly": True}}
        )
        mounts.append({"name": name, "mountPath": dataset.mount_path, "readOnly": True})
    return volumes, mounts


def container_security(job: ResolvedJob) -> dict[str, Any]:
    # The same for both profiles, EFA or not. RDMA pins memory, but pinning needs
    # IPC_LOCK only when RLIMIT_MEMLOCK is finite; the EKS AL2023 AMIs run containers
    # with an unlimited memlock limit, and IPC_LOCK is outside even the baseline
    # profile's capability list, so asking for it would get every EFA pod rejected.
    return {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def pod_security(job: ResolvedJob) -> dict[str, Any]:
    uid = job.platform.spec.defaults.run_as_user
    return {
        "fsGroup": uid,
        "runAsGroup": uid,
        "runAsNonRoot": True,
        "runAsUser": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def placement(job: ResolvedJob, zone_peers: Mapping[str, str] | None = None) -> dict[str, Any]:
    capacity = job.job.spec.capacity_type
    selector: dict[str, str] = {CAPACITY_TYPE_LABEL: capacity}
    placed: dict[str, Any] = {}
    if job.gpu_type is not None:
        gpu = gpu_placement(job.gpu_type)
        selector |= gpu["nodeSelector"]
        placed["tolerations"] = gpu["tolerations"]
    else:
        cpu = cpu_placement(capacity)
        selector |= cpu["nodeSelector"]
        placed["tolerations"] = cpu["tolerations"]
    placed["nodeSelector"] = dict(sorted(selector.items()))
    if job.efa_per_node:
        placed["affinity"] = same_zone(job, zone_peers)
    return placed


def same_zone(job: ResolvedJob, peers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """All pods of an EFA job in one zone: EFA traffic does not cross zones (or subnets).

    Pod affinity rather than a fixed zone: the first pod goes wherever the GPUs are,
    and the rest follow it. `peers`: labels (the operator's replica type or role) that
    narrow whom the GPU pods follow, for workloads whose CPU side pods carry the job label
    too: one scheduled first would pull every GPU pod into a zone that may have no GPUs.
    """
    term = {
        "labelSelector": {
            "matchLabels": dict(sorted({JOB_LABEL: job.name, **(peers or {})}.items()))
        },
        "topologyKey": ZONE_LABEL,
    }
    return {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}


def side_placement() -> dict[str, Any]:
    cpu = cpu_placement(SIDE_POD_CAPACITY)
    selector = {CAPACITY_TYPE_LABEL: SIDE_POD_CAPACITY, **cpu["nodeSelector"]}
    return {"nodeSelector": dict(sorted(selector.items())), "tolerations": cpu["tolerations"]}


def pod_template(
    job: ResolvedJob,
    container_name: str,
    side: SidePods | None = None,
    zone_peers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The PodTemplateSpec of one replica; `container_name` is what the operator expects.

    `side`: the template of a workload's helper pods (launcher, parameter server): the
    job's container, volumes and security, with their own CPU and memory, on the
    on-demand CPU pool.
    """
    spec = job.job.spec
    shm = None
    if side is not None:
        fraction = job.platform.spec.defaults.shared_memory_fraction
        shm = default_shared_memory(side.memory, fraction)
    volumes, mounts = volumes_and_mounts(job, shm)
    container: dict[str, Any] = {"name": container_name, "image": spec.image}
    if spec.command:
        container["command"] = [substitute(job, part) for part in spec.command]
    if spec.args:
        container["args"] = [substitute(job, part) for part in spec.args]
    variables = env(job)
    if variables:
        container["env"] = variables
    port = metrics_port(job) if side is None else None
    if port is not None:
        # Only the training pods serve the job's metrics; the PodMonitor finds them by name.
        container["ports"] = [port]
    container |= {
        "resources": resources(job) if side is None else side_resources(side),
        "securityContext": container_security(job),
        "volumeMounts": mounts,
    }
    pod: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "containers": [container],
        **(placement(job, zone_peers) if side is None else side_placement()),
        "securityContext": pod_security(job),
        "serviceAccountName": job.name,
        "volumes": volumes,
    }
    priority = job.priority
    if priority is not None:
        pod["priorityClassName"] = priority
        pod = dict(sorted(pod.items()))
    metadata: dict[str, Any] = {"labels": job_labels(job.name, job.team_name)}
    capacity = job.job.spec.capacity_type if side is None else SIDE_POD_CAPACITY
    if capacity == "spot":
        # A reclaimed spot node gives about two minutes' notice. do-not-disrupt would keep
        # Karpenter from draining the pods in that window, so they would die without
        # SIGTERM; instead they get most of the window to write a last checkpoint.
        pod["terminationGracePeriodSeconds"] = SPOT_GRACE_SECONDS
    else:
        # Consolidation and drift must not evict running training on on-demand nodes.
        metadata["annotations"] = {DO_NOT_DISRUPT: "true"}
    return {"metadata": metadata, "spec": pod}


def add_port(container: dict[str, Any], port: dict[str, Any]) -> None:
    """Add an operator's port to a container, beside a metrics port, sorted by number."""
    ports = [*container.get("ports", []), port]
    container["ports"] = sorted(ports, key=lambda p: int(p["containerPort"]))


# Where each part of a replica's pod spec comes from in the TrainingJob spec.
POD_FIELD_MAP: tuple[tuple[tuple[str | int, ...], tuple[str | int, ...]], ...] = (
    (("containers", 0, "image"), ("spec", "image")),
    (("containers", 0, "command"), ("spec", "command")),
    (("containers", 0, "args"), ("spec", "args")),
    (("containers", 0, "env"), ("spec", "env")),
    (("containers", 0, "resources"), ("spec", "resources")),
    (("containers", 0, "ports"), ("spec", "metrics")),
    (("volumes",), ("spec",)),
    (("nodeSelector",), ("spec", "capacityType")),
    (("tolerations",), ("spec", "gpu")),
)
