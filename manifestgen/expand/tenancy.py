"""A team namespace's guardrails: ResourceQuota, LimitRange, the engineers' Role and its
RoleBinding, a `default` ServiceAccount without a token, and its Pod Security labels.

All of it follows `teams.<name>.tenancy` in the Platform (spec/tenancy.py); a team
without it gets only its namespace, as before. What the quota admits is checked against
the pods the jobs really make in spec/tenancy_rules.py.
"""

from __future__ import annotations

from typing import Any

from manifestgen.expand.labels import RETAINED, SYNC_WAVE, TEAM_LABEL, metadata, provenance
from manifestgen.kinds.catalog import deployed_by, wave
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform, PlatformSpec, Team
from manifestgen.spec.tenancy import NamespaceQuota, Tenancy

GUARDRAIL_NAME = "manifestgen"
READ = ["get", "list", "watch"]
RBAC_GROUP = "rbac.authorization.k8s.io"
# What engineers read beside the kinds manifestgen deploys: the pods the operators make,
# their logs, the Services the operators name after jobs, and events. Never secrets, and
# no subresource that runs or reaches into a container (exec, attach, portforward).
EXTRA_READS: tuple[tuple[str, str], ...] = (
    ("", "events"),
    ("", "pods"),
    ("", "pods/log"),
    ("", "services"),
    ("events.k8s.io", "events"),
)


def security_profile(spec: PlatformSpec, team: Team) -> str:
    tenancy = team.tenancy
    if tenancy is not None and tenancy.security_profile is not None:
        return tenancy.security_profile
    return spec.defaults.security_profile


def pod_security_labels(spec: PlatformSpec, team: Team) -> dict[str, str]:
    return {"pod-security.kubernetes.io/enforce": security_profile(spec, team)}


def quota_hard(quota: NamespaceQuota) -> dict[str, str]:
    """The quota's `hard` map. Training pods set requests equal to limits, so CPU and
    memory are bounded on both; extended resources can only be quota'd by request."""
    hard: dict[str, str] = {f"requests.{name}": str(n) for name, n in quota.gpus.items()}
    for resource in ("cpu", "memory"):
        value = getattr(quota, resource)
        if value is not None:
            hard[f"requests.{resource}"] = hard[f"limits.{resource}"] = value
    if quota.claims is not None:
        hard["persistentvolumeclaims"] = str(quota.claims)
    if quota.storage is not None:
        hard["requests.storage"] = quota.storage
    return dict(sorted(hard.items()))


def engineer_rules() -> list[dict[str, Any]]:
    """Read-only rules over every namespaced kind the clusters' Applications deploy (from
    the catalog, so a new job kind is readable the day it is emitted) and the pods."""
    pairs = {(k.group, k.plural) for k in deployed_by("cluster") if k.namespaced}
    pairs |= set(EXTRA_READS)
    groups: dict[str, set[str]] = {}
    for group, resource in pairs:
        groups.setdefault(group, set()).add(resource)
    return [
        {"apiGroups": [group], "resources": sorted(resources), "verbs": list(READ)}
        for group, resources in sorted(groups.items())
    ]


def role_name(team_name: str) -> str:
    return f"{team_name}-engineers"


class _Builder:
    """The objects of one team on one cluster, sharing their origin and annotations."""

    def __init__(self, platform: Parsed[Platform], team_name: str, cluster: str) -> None:
        self.platform = platform
        self.team_name = team_name
        self.team = platform.model.spec.teams[team_name]
        self.cluster = cluster
        self.part = ("spec", "teams", team_name, "tenancy")

    @property
    def tenancy(self) -> Tenancy:
        assert self.team.tenancy is not None
        return self.team.tenancy

    def manifest(
        self, api_version: str, kind: str, name: str, body: dict[str, Any], **extra: str
    ) -> Manifest:
        team_part = ("spec", "teams", self.team_name)
        annotations = {
            **provenance(self.platform.document.path, self.tenancy.model_dump(mode="json")),
            SYNC_WAVE: wave(api_version, kind),
            **extra,
        }
        obj = {
            "apiVersion": api_version,
            "kind": kind,
            "metadata": metadata(
                name,
                namespace=self.team.namespace,
                labels={TEAM_LABEL: self.team_name},
                annotations=annotations,
            ),
            **body,
        }
        return Manifest(obj, Origin(self.platform.document, team_part), Target(self.cluster))

    def resource_quota(self) -> Manifest | None:
        quota = self.tenancy.quota_on(self.cluster)
        if quota is None:
            return None
        body = {"spec": {"hard": quota_hard(quota)}}
        return self.manifest("v1", "ResourceQuota", GUARDRAIL_NAME, body)

    def limit_range(self) -> Manifest:
        defaults = self.tenancy.container_defaults
        amounts = {"cpu": defaults.cpu, "memory": defaults.memory}
        limit: dict[str, Any] = {
            "default": dict(amounts),
            "defaultRequest": dict(amounts),
            "type": "Container",
        }
        # A max makes the LimitRanger refuse any container without a limit for that
        # resource, so it never names GPUs (most containers have none): cpu and memory
        # only, which the defaults always give a limit.
        quota = self.tenancy.quota_on(self.cluster)
        most = {r: getattr(quota, r) for r in ("cpu", "memory")} if quota else {}
        most = {r: v for r, v in most.items() if v is not None}
        if most:
            limit["max"] = most
        body = {"spec": {"limits": [dict(sorted(limit.items()))]}}
        return self.manifest("v1", "LimitRange", GUARDRAIL_NAME, body)

    def role(self) -> Manifest:
        return self.manifest(
            f"{RBAC_GROUP}/v1", "Role", role_name(self.team_name), {"rules": engineer_rules()}
        )

    def role_binding(self) -> Manifest:
        name = role_name(self.team_name)
        body = {
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": name},
            "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": self.tenancy.engineers}],
        }
        return self.manifest(f"{RBAC_GROUP}/v1", "RoleBinding", name, body)

    def default_service_account(self) -> Manifest:
        # A pod that names no ServiceAccount (one made by hand or by a tool) would run as
        # `default` with an API token mounted; jobs' own accounts already mount none. The
        # controller owns the object: never prune or delete it, only set the flag.
        body = {"automountServiceAccountToken": False}
        return self.manifest("v1", "ServiceAccount", "default", body, **RETAINED)


def team_objects(platform: Parsed[Platform], team_name: str, cluster: str) -> list[Manifest]:
    """The guardrails of a team's namespace on a cluster; none without `tenancy`."""
    if platform.model.spec.teams[team_name].tenancy is None:
        return []
    build = _Builder(platform, team_name, cluster)
    found = [
        build.resource_quota(),
        build.limit_range(),
        build.role(),
        build.role_binding(),
        build.default_service_account(),
    ]
    return [m for m in found if m is not None]
