"""argoproj.io/v1alpha1 Application and AppProject (Argo CD v3), as a generator emits them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from manifestgen.check.models.base import KubeModel, ObjectMeta


class ApplicationSourceDirectory(KubeModel):
    recurse: bool | None = None
    include: str | None = None
    exclude: str | None = None
    jsonnet: dict[str, Any] | None = None


class ApplicationSource(KubeModel):
    repo_url: str = Field(alias="repoURL")
    target_revision: str | None = Field(default=None, alias="targetRevision")
    path: str | None = None
    chart: str | None = None
    ref: str | None = None
    name: str | None = None
    directory: ApplicationSourceDirectory | None = None
    # Tool-specific blocks manifestgen does not emit: accepted as the CRD accepts them,
    # checked only when the Argo CD CRD itself is configured.
    helm: dict[str, Any] | None = None
    kustomize: dict[str, Any] | None = None
    plugin: dict[str, Any] | None = None


class ApplicationDestination(KubeModel):
    server: str | None = None
    name: str | None = None
    namespace: str | None = None

    @model_validator(mode="after")
    def _server_or_name(self) -> ApplicationDestination:
        # The CRD allows both; Argo CD rejects an application that sets both or neither.
        if (self.server is None) == (self.name is None):
            raise PydanticCustomError(
                "server_or_name", "must set exactly one of 'server' or 'name'"
            )
        return self


class RetryBackoff(KubeModel):
    duration: str | None = None
    factor: int | None = None
    max_duration: str | None = Field(default=None, alias="maxDuration")


class RetryStrategy(KubeModel):
    limit: int | None = None
    backoff: RetryBackoff | None = None
    refresh: bool | None = None


class SyncPolicyAutomated(KubeModel):
    prune: bool | None = None
    self_heal: bool | None = Field(default=None, alias="selfHeal")
    allow_empty: bool | None = Field(default=None, alias="allowEmpty")
    enabled: bool | None = None


class ManagedNamespaceMetadata(KubeModel):
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class SyncPolicy(KubeModel):
    automated: SyncPolicyAutomated | None = None
    sync_options: list[str] | None = Field(default=None, alias="syncOptions")
    retry: RetryStrategy | None = None
    managed_namespace_metadata: ManagedNamespaceMetadata | None = Field(
        default=None, alias="managedNamespaceMetadata"
    )


class ResourceIgnoreDifferences(KubeModel):
    group: str | None = None
    kind: str
    name: str | None = None
    namespace: str | None = None
    json_pointers: list[str] | None = Field(default=None, alias="jsonPointers")
    jq_path_expressions: list[str] | None = Field(default=None, alias="jqPathExpressions")
    managed_fields_managers: list[str] | None = Field(default=None, alias="managedFieldsManagers")


class Info(KubeModel):
    name: str
    value: str


class ApplicationSpec(KubeModel):
    project: str
    source: ApplicationSource | None = None
    sources: list[ApplicationSource] | None = None
    destination: ApplicationDestination
    sync_policy: SyncPolicy | None = Field(default=None, alias="syncPolicy")
    ignore_differences: list[ResourceIgnoreDifferences] | None = Field(
        default=None, alias="ignoreDifferences"
    )
    revision_history_limit: int | None = Field(default=None, alias="revisionHistoryLimit")
    info: list[Info] | None = None


class Application(KubeModel):
    """argoproj.io/v1alpha1 Application."""

    api_version: Literal["argoproj.io/v1alpha1"] = Field(alias="apiVersion")
    kind: Literal["Application"]
    metadata: ObjectMeta
    spec: ApplicationSpec


class GroupKind(KubeModel):
    group: str
    kind: str


class ClusterResourceRestriction(GroupKind):
    name: str | None = None


class ProjectDestination(KubeModel):
    # In a project a destination is a pattern pair; "*" for both is common.
    server: str | None = None
    name: str | None = None
    namespace: str | None = None


class ProjectRole(KubeModel):
    name: str
    description: str | None = None
    policies: list[str] | None = None
    groups: list[str] | None = None


class AppProjectSpec(KubeModel):
    description: Annotated[str, StringConstraints(max_length=255)] | None = None
    source_repos: list[str] | None = Field(default=None, alias="sourceRepos")
    source_namespaces: list[str] | None = Field(default=None, alias="sourceNamespaces")
    destinations: list[ProjectDestination] | None = None
    cluster_resource_whitelist: list[ClusterResourceRestriction] | None = Field(
        default=None, alias="clusterResourceWhitelist"
    )
    cluster_resource_blacklist: list[ClusterResourceRestriction] | None = Field(
        default=None, alias="clusterResourceBlacklist"
    )
    namespace_resource_whitelist: list[GroupKind] | None = Field(
        default=None, alias="namespaceResourceWhitelist"
    )
    namespace_resource_blacklist: list[GroupKind] | None = Field(
        default=None, alias="namespaceResourceBlacklist"
    )
    roles: list[ProjectRole] | None = None


class AppProject(KubeModel):
    """argoproj.io/v1alpha1 AppProject."""

    api_version: Literal["argoproj.io/v1alpha1"] = Field(alias="apiVersion")
    kind: Literal["AppProject"]
    metadata: ObjectMeta
    spec: AppProjectSpec
