"""Rules for specs that would build but that the API server or the cluster would refuse:
namespaces the cluster's own components live in, names that collide with what Kubernetes
creates itself, GPU resource names no node pool provides (core resources, MIG slices),
invalid networks."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import TYPE_CHECKING

from manifestgen.errors import Diagnostic
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform

if TYPE_CHECKING:
    from manifestgen.spec.training import TrainingJob

# Namespaces Kubernetes itself creates and runs in.
_SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
# Every namespace gets a ServiceAccount of this name from the API server.
_DEFAULT_SERVICE_ACCOUNT = "default"
# Resource names without a domain, and those in these domains, are the API server's own.
_CORE_DOMAINS = ("kubernetes.io", "k8s.io")
_MIG_PREFIX = "nvidia.com/mig-"


def _reserved_namespace(namespace: str, gitops_namespace: str) -> str:
    if namespace in _SYSTEM_NAMESPACES or namespace.startswith("kube-"):
        return "it belongs to Kubernetes itself"
    if namespace == gitops_namespace:
        return "Argo CD runs there (spec.gitops.argocdNamespace)"
    return ""


def check_team_namespaces(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """A team namespace gets a Pod Security label and network policies, and a removed team
    leaves it behind: none of that belongs in a namespace the cluster's own parts use."""
    spec = platform.model.spec
    for team_name, team in sorted(spec.teams.items()):
        why = _reserved_namespace(team.namespace, spec.gitops.argocd_namespace)
        if why:
            yield Diagnostic(
                "MG241",
                f"namespace {team.namespace!r} is reserved: {why}",
                platform.locate(("spec", "teams", team_name, "namespace")),
                field=f"spec.teams.{team_name}.namespace",
                hint=f"give the team a namespace of its own, e.g. ml-{team_name}",
            )


def _is_core_resource(name: str) -> bool:
    if "/" not in name:
        return True
    domain = name.split("/", 1)[0]
    return any(domain == core or domain.endswith(f".{core}") for core in _CORE_DOMAINS)


def check_gpu_resource_names(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """A GPU type's resourceName must be one a device plugin advertises and a node pool
    can provide: not a core resource, and not a MIG slice (those are declared under mig:)."""
    for gpu_name, gpu in sorted(platform.model.spec.gpus.items()):
        where = platform.locate(("spec", "gpus", gpu_name, "resourceName"))
        field = f"spec.gpus.{gpu_name}.resourceName"
        if _is_core_resource(gpu.resource_name):
            # `memory` or `cpu` would replace the container's own limit with the GPU count.
            yield Diagnostic(
                "MG243",
                f"resourceName {gpu.resource_name!r} is a core Kubernetes resource, "
                "not the extended resource a device plugin advertises",
                where,
                field=field,
                hint="use the device plugin's resource, e.g. nvidia.com/gpu",
            )
        elif gpu.resource_name.startswith(_MIG_PREFIX):
            # The slices follow from the MIG layout; a bare resource name would get a
            # pool with no mig.config label, no capacity Karpenter knows, and no pods.
            yield Diagnostic(
                "MG272",
                f"GPU type {gpu_name!r} names MIG slices ({gpu.resource_name}) as its "
                "resourceName: MIG GPU types declare their layout under mig:",
                where,
                field=field,
                hint=f"remove resourceName and add mig: {{devices: "
                f"{{{gpu.resource_name.removeprefix(_MIG_PREFIX)}: <instances per GPU>}}}}",
            )


def check_platform_cluster_rules(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    yield from check_team_namespaces(platform)
    yield from check_gpu_resource_names(platform)


def check_job_name(job: Parsed[TrainingJob], platform: Platform) -> Iterator[Diagnostic]:
    # The job's ServiceAccount is named after the job; `default` is the namespace's own.
    if job.model.metadata.name == _DEFAULT_SERVICE_ACCOUNT:
        yield Diagnostic(
            "MG242",
            "job name 'default' would take over the namespace's default ServiceAccount",
            job.locate(("metadata", "name")),
            field="metadata.name",
            hint="rename the job",
        )


def check_egress_networks(job: Parsed[TrainingJob], platform: Platform) -> Iterator[Diagnostic]:
    for index, rule in enumerate(job.model.spec.egress):
        try:
            ipaddress.ip_network(rule.cidr, strict=False)
        except ValueError:
            yield Diagnostic(
                "MG245",
                f"egress CIDR {rule.cidr!r} is not an IPv4 or IPv6 network",
                job.locate(("spec", "egress", index, "cidr")),
                field=f"spec.egress[{index}].cidr",
                hint="an IPv4 or IPv6 network such as 10.0.0.0/8 or 2001:db8::/32",
            )
