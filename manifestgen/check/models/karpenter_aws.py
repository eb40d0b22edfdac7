"""karpenter.k8s.aws/v1 EC2NodeClass (Karpenter AWS provider v1.x), as a generator emits it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from manifestgen.check.models.base import KubeModel, ObjectMeta

Tags = dict[str, str]
Enabled = Literal["enabled", "disabled"]


class _SelectorTerm(KubeModel):
    """A selector term must select by something; the CRD says so in CEL."""

    @model_validator(mode="after")
    def _not_empty(self) -> _SelectorTerm:
        if not self.model_fields_set:
            names = ", ".join(sorted(f.alias or n for n, f in type(self).model_fields.items()))
            raise PydanticCustomError(
                "empty_term", "must set at least one of: {names}", {"names": names}
            )
        return self


class AMISelectorTerm(_SelectorTerm):
    alias: Annotated[str, StringConstraints(max_length=30)] | None = None
    id: Annotated[str, StringConstraints(pattern=r"ami-[0-9a-z]+")] | None = None
    name: str | None = None
    owner: str | None = None
    ssm_parameter: str | None = Field(default=None, alias="ssmParameter")
    tags: Tags | None = None


class SubnetSelectorTerm(_SelectorTerm):
    tags: Tags | None = None
    id: Annotated[str, StringConstraints(pattern=r"subnet-[0-9a-z]+")] | None = None


class SecurityGroupSelectorTerm(_SelectorTerm):
    tags: Tags | None = None
    id: Annotated[str, StringConstraints(pattern=r"sg-[0-9a-z]+")] | None = None
    name: str | None = None


_VOLUME_SIZE = (
    r"^((?:[1-9][0-9]{0,3}|[1-4][0-9]{4}|[5][0-8][0-9]{3}|59000)Gi|"
    r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|[6][0-3][0-9]{3}|64000)G|"
    r"([1-9]||[1-5][0-7]|58)Ti|([1-9]||[1-5][0-9]|6[0-3]|64)T)$"
)


class BlockDevice(KubeModel):
    delete_on_termination: bool | None = Field(default=None, alias="deleteOnTermination")
    encrypted: bool | None = None
    iops: int | None = None
    kms_key_id: str | None = Field(default=None, alias="kmsKeyID")
    snapshot_id: str | None = Field(default=None, alias="snapshotID")
    throughput: int | None = None
    volume_initialization_rate: Annotated[int, Field(ge=100, le=300)] | None = Field(
        default=None, alias="volumeInitializationRate"
    )
    volume_size: Annotated[str, StringConstraints(pattern=_VOLUME_SIZE)] | None = Field(
        default=None, alias="volumeSize"
    )
    volume_type: Literal["standard", "io1", "io2", "gp2", "sc1", "st1", "gp3"] | None = Field(
        default=None, alias="volumeType"
    )


class BlockDeviceMapping(KubeModel):
    device_name: str | None = Field(default=None, alias="deviceName")
    ebs: BlockDevice | None = None
    root_volume: bool | None = Field(default=None, alias="rootVolume")


class MetadataOptions(KubeModel):
    http_endpoint: Enabled | None = Field(default=None, alias="httpEndpoint")
    http_protocol_ipv6: Enabled | None = Field(default=None, alias="httpProtocolIPv6")
    http_put_response_hop_limit: Annotated[int, Field(ge=1, le=64)] | None = Field(
        default=None, alias="httpPutResponseHopLimit"
    )
    http_tokens: Literal["required", "optional"] | None = Field(default=None, alias="httpTokens")


class KubeletConfiguration(KubeModel):
    cluster_dns: list[str] | None = Field(default=None, alias="clusterDNS")
    cpu_cfs_quota: bool | None = Field(default=None, alias="cpuCFSQuota")
    max_pods: Annotated[int, Field(ge=0)] | None = Field(default=None, alias="maxPods")
    pods_per_core: Annotated[int, Field(ge=0)] | None = Field(default=None, alias="podsPerCore")
    system_reserved: dict[str, str] | None = Field(default=None, alias="systemReserved")
    kube_reserved: dict[str, str] | None = Field(default=None, alias="kubeReserved")
    eviction_hard: dict[str, str] | None = Field(default=None, alias="evictionHard")
    eviction_soft: dict[str, str] | None = Field(default=None, alias="evictionSoft")
    eviction_soft_grace_period: dict[str, str] | None = Field(
        default=None, alias="evictionSoftGracePeriod"
    )
    eviction_max_pod_grace_period: int | None = Field(
        default=None, alias="evictionMaxPodGracePeriod"
    )
    image_gc_high_threshold_percent: Annotated[int, Field(ge=0, le=100)] | None = Field(
        default=None, alias="imageGCHighThresholdPercent"
    )
    image_gc_low_threshold_percent: Annotated[int, Field(ge=0, le=100)] | None = Field(
        default=None, alias="imageGCLowThresholdPercent"
    )


class EC2NodeClassSpec(KubeModel):
    ami_family: (
        Literal[
            "AL2", "AL2023", "Bottlerocket", "Custom", "Windows2019", "Windows2022", "Windows2025"
        ]
        | None
    ) = Field(default=None, alias="amiFamily")
    ami_selector_terms: Annotated[list[AMISelectorTerm], Field(min_length=1, max_length=30)] = (
        Field(alias="amiSelectorTerms")
    )
    subnet_selector_terms: Annotated[
        list[SubnetSelectorTerm], Field(min_length=1, max_length=30)
    ] = Field(alias="subnetSelectorTerms")
    security_group_selector_terms: Annotated[
        list[SecurityGroupSelectorTerm], Field(min_length=1, max_length=30)
    ] = Field(alias="securityGroupSelectorTerms")
    role: str | None = None
    instance_profile: str | None = Field(default=None, alias="instanceProfile")
    tags: Tags | None = None
    block_device_mappings: Annotated[list[BlockDeviceMapping], Field(max_length=50)] | None = Field(
        default=None, alias="blockDeviceMappings"
    )
    metadata_options: MetadataOptions | None = Field(default=None, alias="metadataOptions")
    kubelet: KubeletConfiguration | None = None
    user_data: str | None = Field(default=None, alias="userData")
    detailed_monitoring: bool | None = Field(default=None, alias="detailedMonitoring")
    associate_public_ip_address: bool | None = Field(default=None, alias="associatePublicIPAddress")
    instance_store_policy: Literal["RAID0"] | None = Field(
        default=None, alias="instanceStorePolicy"
    )
    context: str | None = None

    @model_validator(mode="after")
    def _one_identity(self) -> EC2NodeClassSpec:
        if (self.role is None) == (self.instance_profile is None):
            raise PydanticCustomError(
                "role_or_profile", "must specify exactly one of 'role' or 'instanceProfile'"
            )
        return self


class EC2NodeClass(KubeModel):
    """karpenter.k8s.aws/v1 EC2NodeClass."""

    api_version: Literal["karpenter.k8s.aws/v1"] = Field(alias="apiVersion")
    kind: Literal["EC2NodeClass"]
    metadata: ObjectMeta
    spec: EC2NodeClassSpec
