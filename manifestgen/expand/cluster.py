"""Per-cluster objects: team namespaces, the GPU EC2NodeClass and one NodePool per pool in use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from manifestgen.expand.argocd_apps import cluster_namespaces
from manifestgen.expand.cpu_pool import CPU_TAINT, cpu_demands, cpu_limits, cpu_requirements
from manifestgen.expand.gpu_pool import gpu_requirements
from manifestgen.expand.gpu_resources import node_labels, taint_key
from manifestgen.expand.kueue import expand_scheduling
from manifestgen.expand.labels import (
    POOL_LABEL,
    RETAINED,
    SYNC_OPTIONS,
    SYNC_WAVE,
    TEAM_LABEL,
    metadata,
    provenance,
)
from manifestgen.expand.mig_pool import overlay_spec, pool_limits
from manifestgen.expand.monitoring import cluster_monitoring
from manifestgen.expand.pod import CAPACITY_TYPE_LABEL
from manifestgen.expand.tenancy import pod_security_labels, team_objects
from manifestgen.expand.volcano import volcano_queues
from manifestgen.kinds.catalog import wave
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform, PlatformSpec
from manifestgen.spec.quota import PoolKey, pool_gpu_limits
from manifestgen.spec.resolve import ResolvedJob

NODE_CLASS_NAME = "manifestgen"


def _annotations(
    platform: Parsed[Platform], part: tuple[str, ...], of: tuple[str, str], **extra: str
) -> dict[str, str]:
    content = _subtree(platform.document.data, part)
    return {**provenance(platform.document.path, content), SYNC_WAVE: wave(*of), **extra}


def _subtree(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        data = data.get(part, {}) if isinstance(data, dict) else {}
    return data


# Katib's pod webhook, which injects the metrics collector into trial pods, only sees the
# pods of namespaces with this label (its MutatingWebhookConfiguration's namespaceSelector).
METRICS_COLLECTOR_INJECTION = {"katib.kubeflow.org/metrics-collector-injection": "enabled"}


def namespaces(
    platform: Parsed[Platform], cluster: str, tuning: frozenset[str] = frozenset()
) -> list[Manifest]:
    """The namespaces of the teams allowed on `cluster`; those of the `tuning` teams (a
    tuned job here) let Katib inject its metrics collector into their trials' pods."""
    spec = platform.model.spec
    result = []
    for team_name, team in sorted(spec.teams.items()):
        if cluster not in team.clusters:
            continue
        part = ("spec", "teams", team_name)
        labels = {TEAM_LABEL: team_name, **pod_security_labels(spec, team)}
        if team_name in tuning:
            labels |= METRICS_COLLECTOR_INJECTION
        obj = {
            "apiVersion": "v1",
            "kind": "Namespace",
            # Pruning a removed team's namespace would delete its checkpoint claims.
            "metadata": metadata(
                team.namespace,
                labels=labels,
                annotations=_annotations(platform, part, ("v1", "Namespace"), **RETAINED),
            ),
        }
        result.append(Manifest(obj, Origin(platform.document, part), Target(cluster)))
        result += team_objects(platform, team_name, cluster)
    return result


def node_class(platform: Parsed[Platform], cluster: str) -> Manifest:
    settings = platform.model.spec.clusters[cluster].node_class
    part = ("spec", "clusters", cluster, "nodeClass")
    obj = {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": metadata(
            NODE_CLASS_NAME,
            annotations=_annotations(
                platform,
                part,
                ("karpenter.k8s.aws/v1", "EC2NodeClass"),
                **{SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"},
            ),
        ),
        "spec": {
            "amiSelectorTerms": [{"alias": settings.ami_alias}],
            "blockDeviceMappings": [
                {
                    "deviceName": "/dev/xvda",
                    "ebs": {
                        "deleteOnTermination": True,
                        "encrypted": True,
                        "volumeSize": settings.root_volume_size,
                        "volumeType": "gp3",
                    },
                }
            ],
            "metadataOptions": {
                "httpEndpoint": "enabled",
                "httpProtocolIPv6": "disabled",
                "httpPutResponseHopLimit": 1,
                "httpTokens": "required",
            },
            "role": settings.role,
            "securityGroupSelectorTerms": [
                {"tags": dict(sorted(settings.security_group_selector.items()))}
            ],
            "subnetSelectorTerms": [{"tags": dict(sorted(settings.subnet_selector.items()))}],
        },
    }
    return Manifest(obj, Origin(platform.document, part), Target(cluster))


def pool_name(gpu_type: str | None, capacity_type: str) -> str:
    return f"gpu-{gpu_type}-{capacity_type}" if gpu_type else f"cpu-{capacity_type}"


def _requirements(
    platform: PlatformSpec, gpu_type: str | None, capacity: str
) -> list[dict[str, Any]]:
    reqs: list[dict[str, Any]] = [
        {"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": [capacity]}
    ]
    if gpu_type is None:
        reqs += cpu_requirements()
    else:
        reqs += gpu_requirements(platform, gpu_type)
    return reqs


def node_pool(
    platform: Parsed[Platform],
    cluster: str,
    gpu_type: str | None,
    capacity: str,
    cpu_limit: int = 0,
    gpu_limit: int = 0,
) -> Manifest:
    name = pool_name(gpu_type, capacity)
    spec_model = platform.model.spec
    labels = {POOL_LABEL: name}
    template_spec: dict[str, Any] = {
        # Long runs must not be replaced for age mid-epoch more often than monthly.
        "expireAfter": "720h",
        "nodeClassRef": {
            "group": "karpenter.k8s.aws",
            "kind": "EC2NodeClass",
            "name": NODE_CLASS_NAME,
        },
        "requirements": _requirements(spec_model, gpu_type, capacity),
        # How long a draining node waits for do-not-disrupt training pods before forcing them.
        "terminationGracePeriod": "24h",
    }
    limits: dict[str, str] = {}
    part: tuple[str, ...] = ("spec", "clusters", cluster)
    if gpu_type is not None:
        catalog = spec_model.gpus[gpu_type]
        labels |= node_labels(catalog)
        template_spec["taints"] = [
            {"effect": "NoSchedule", "key": taint_key(catalog), "value": "true"}
        ]
        limits |= pool_limits(catalog, gpu_limit)
        part = ("spec", "gpus", gpu_type)
    else:
        template_spec["taints"] = [CPU_TAINT]
        limits["cpu"] = str(cpu_limit)
    spec: dict[str, Any] = {
        "disruption": {
            "budgets": [{"nodes": "10%"}],
            "consolidateAfter": "10m",
            # Never consolidate a node that still runs training: only empty nodes go.
            "consolidationPolicy": "WhenEmpty",
        },
        "template": {"metadata": {"labels": dict(sorted(labels.items()))}, "spec": template_spec},
    }
    if limits:
        spec["limits"] = limits
    obj = {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": metadata(
            name,
            annotations=_annotations(
                platform,
                part,
                ("karpenter.sh/v1", "NodePool"),
                **{SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"},
            ),
        ),
        "spec": dict(sorted(spec.items())),
    }
    return Manifest(obj, Origin(platform.document, part), Target(cluster))


def node_overlay(
    platform: Parsed[Platform], cluster: str, gpu_type: str, pool: str
) -> Manifest | None:
    """The capacity of a MIG pool's nodes, for Karpenter's scheduling simulation."""
    spec = overlay_spec(platform.model.spec.gpus[gpu_type], pool)
    if spec is None:
        return None
    part = ("spec", "gpus", gpu_type, "mig")
    of = ("karpenter.sh/v1alpha1", "NodeOverlay")
    obj = {
        "apiVersion": of[0],
        "kind": of[1],
        "metadata": metadata(
            pool,
            annotations=_annotations(
                platform, part, of, **{SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"}
            ),
        ),
        "spec": spec,
    }
    return Manifest(obj, Origin(platform.document, part), Target(cluster))


def expand_cluster(
    platform: Parsed[Platform],
    cluster: str,
    jobs: Sequence[ResolvedJob],
    served: Mapping[PoolKey, int] | None = None,
) -> list[Manifest]:
    """Namespaces for the teams allowed here, the node pools this cluster's jobs use, and
    the cluster's monitoring.

    `served`: the GPUs model services want from each (cluster, GPU type, capacity) pool."""
    here = [j for j in jobs if j.cluster_name == cluster]
    tuning = frozenset(j.team_name for j in here if j.job.spec.tuning is not None)
    manifests = namespaces(platform, cluster, tuning)
    manifests += cluster_monitoring(
        platform, cluster, cluster_namespaces(platform.model.spec, cluster)
    )
    serving = {key: need for key, need in (served or {}).items() if key[0] == cluster}
    pools = sorted(
        {(j.gpu_type_name or "", j.job.spec.capacity_type) for j in here}
        | {("", capacity) for j in here for capacity in cpu_demands(j)}
        | {(gpu, capacity) for _, gpu, capacity in serving}
    )
    if pools:
        # The capacity types share the quota: their limits together never exceed it.
        quotas = platform.model.spec.clusters[cluster].gpu_quota
        gpus = pool_gpu_limits(
            jobs, serving, {(cluster, gpu): quotas.get(gpu, 0) for _, gpu, _ in serving}
        )
        manifests.append(node_class(platform, cluster))
        cpu = cpu_limits(platform.model, cluster, jobs)
        manifests += [
            node_pool(
                platform,
                cluster,
                gpu or None,
                capacity,
                cpu_limit=cpu.get(capacity, 0),
                gpu_limit=gpus.get((cluster, gpu, capacity), 0),
            )
            for gpu, capacity in pools
        ]
        manifests += [
            overlay
            for gpu, capacity in pools
            if gpu and (overlay := node_overlay(platform, cluster, gpu, pool_name(gpu, capacity)))
        ]
    manifests += expand_scheduling(platform, cluster)
    if platform.model.spec.clusters[cluster].scheduling.system == "volcano":
        manifests += volcano_queues(platform, cluster)
    return manifests
