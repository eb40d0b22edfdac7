"""What the Platform says about isolating one team from the others (`teams.<name>.tenancy`).

A team with `tenancy` gets, in its namespace on each of its clusters, a ResourceQuota
(when a quota applies there), a LimitRange, a read-only Role for its engineers bound to
their group, and a `default` ServiceAccount that mounts no token; its namespace enforces
its own Pod Security profile. See expand/tenancy.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from manifestgen.spec.base import INT32_MAX, DnsLabel, Quantity, SpecModel

SecurityProfile = Literal["restricted", "baseline"]

# An extended resource name as the device plugins advertise it (nvidia.com/gpu).
ResourceName = Annotated[
    str,
    Field(
        pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)"
        r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
        max_length=253,
    ),
]


class NamespaceQuota(SpecModel):
    """The most the team's pods and claims may hold in its namespace on one cluster, all
    of its jobs together. Unset entries are not limited."""

    gpus: dict[ResourceName, Annotated[int, Field(ge=0, le=INT32_MAX)]] = Field(
        default_factory=dict,
        description="GPUs the team's pods may request together, per GPU resource name "
        "(e.g. nvidia.com/gpu: 64).",
    )
    cpu: Quantity | None = Field(
        default=None, description="CPU the team's pods may request (and limit) together."
    )
    memory: Quantity | None = Field(
        default=None, description="Memory the team's pods may request (and limit) together."
    )
    claims: int | None = Field(
        default=None, ge=0, le=INT32_MAX, description="Most PersistentVolumeClaims."
    )
    storage: Quantity | None = Field(
        default=None, description="Storage the team's claims may request together."
    )


class ContainerDefaults(SpecModel):
    """What the LimitRange gives a container that sets no cpu or memory: a pod made by
    something other than manifestgen would otherwise be refused by the quota."""

    cpu: Quantity = Field(default="100m", description="CPU request and limit.")
    memory: Quantity = Field(default="128Mi", description="Memory request and limit.")


class Tenancy(SpecModel):
    """Guardrails of the team's namespaces and who may look into them."""

    engineers: str = Field(
        min_length=1,
        max_length=253,
        pattern=r"^\S+$",
        description="Group of the team's engineers as the API server's authenticator names "
        "it (e.g. an OIDC group): bound to a read-only Role in the team's namespaces.",
    )
    security_profile: SecurityProfile | None = Field(
        default=None,
        description="Pod Security Standard the team's namespaces enforce; unset: "
        "defaults.securityProfile.",
    )
    quota: NamespaceQuota | None = Field(
        default=None, description="The namespace quota on every cluster of the team."
    )
    cluster_quotas: dict[DnsLabel, NamespaceQuota] = Field(
        default_factory=dict,
        description="Quotas for single clusters, in place of `quota` there.",
    )
    container_defaults: ContainerDefaults = Field(
        default_factory=ContainerDefaults,
        description="Requests and limits of containers that set none.",
    )

    def quota_on(self, cluster: str) -> NamespaceQuota | None:
        return self.cluster_quotas.get(cluster, self.quota)

    def quota_path(self, cluster: str) -> tuple[str, ...]:
        """Where the quota that applies on `cluster` is written, under the team."""
        if cluster in self.cluster_quotas:
            return ("tenancy", "clusterQuotas", cluster)
        return ("tenancy", "quota")
