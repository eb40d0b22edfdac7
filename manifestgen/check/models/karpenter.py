"""karpenter.sh/v1 NodePool (Karpenter v1.x), as a generator emits it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from manifestgen.check.models.base import KubeModel, LabelValue, ObjectMeta, Quantity

_QUALIFIED_KEY = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(\/))?"
    r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"
)
# Go durations limited to s/m/h, as the CRD spells them, or "Never".
Duration = Annotated[str, StringConstraints(pattern=r"^(([0-9]+(s|m|h))+|Never)$")]
LabelKey = Annotated[str, StringConstraints(max_length=316, pattern=_QUALIFIED_KEY)]
TaintKey = Annotated[str, StringConstraints(min_length=1, pattern=_QUALIFIED_KEY)]
TaintValue = Annotated[str, StringConstraints(pattern=_QUALIFIED_KEY)]
Operator = Literal["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Gte", "Lte"]
Effect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class Budget(KubeModel):
    """How many nodes disruption may take at once, optionally on a schedule."""

    nodes: Annotated[str, StringConstraints(pattern=r"^((100|[0-9]{1,2})%|[0-9]+)$")]
    reasons: (
        Annotated[list[Literal["Underutilized", "Empty", "Drifted"]], Field(max_length=50)] | None
    ) = None
    schedule: (
        Annotated[
            str,
            StringConstraints(
                pattern=r"^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)\s(.+)\s(.+)\s(.+)\s(.+))$"
            ),
        ]
        | None
    ) = None
    duration: (
        Annotated[str, StringConstraints(pattern=r"^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$")]
        | None
    ) = None


class Disruption(KubeModel):
    consolidation_policy: Literal["WhenEmpty", "WhenEmptyOrUnderutilized", "Balanced"] | None = (
        Field(default=None, alias="consolidationPolicy")
    )
    consolidate_after: Duration = Field(alias="consolidateAfter")
    budgets: Annotated[list[Budget], Field(max_length=50)] | None = None


class NodeClassReference(KubeModel):
    group: Annotated[str, StringConstraints(min_length=1, pattern=r"^[^/]*$")]
    kind: Annotated[str, StringConstraints(min_length=1)]
    name: Annotated[str, StringConstraints(min_length=1)]


class NodeSelectorRequirement(KubeModel):
    key: LabelKey
    operator: Operator
    values: list[LabelValue] | None = None
    min_values: Annotated[int, Field(ge=1, le=50)] | None = Field(default=None, alias="minValues")


class Taint(KubeModel):
    key: TaintKey
    value: TaintValue | None = None
    effect: Effect


class NodeClaimTemplateMetadata(KubeModel):
    labels: Annotated[dict[str, LabelValue], Field(max_length=100)] | None = None
    annotations: dict[str, str] | None = None


class NodeClaimTemplateSpec(KubeModel):
    node_class_ref: NodeClassReference = Field(alias="nodeClassRef")
    requirements: Annotated[list[NodeSelectorRequirement], Field(max_length=100)]
    taints: list[Taint] | None = None
    startup_taints: list[Taint] | None = Field(default=None, alias="startupTaints")
    expire_after: Duration | None = Field(default=None, alias="expireAfter")
    termination_grace_period: (
        Annotated[str, StringConstraints(pattern=r"^([0-9]+(s|m|h))+$")] | None
    ) = Field(default=None, alias="terminationGracePeriod")


class NodeClaimTemplate(KubeModel):
    metadata: NodeClaimTemplateMetadata | None = None
    spec: NodeClaimTemplateSpec


class NodePoolSpec(KubeModel):
    template: NodeClaimTemplate
    disruption: Disruption | None = None
    limits: dict[str, Quantity] | None = None
    weight: Annotated[int, Field(ge=1, le=100)] | None = None
    replicas: Annotated[int, Field(ge=0)] | None = None


class NodePool(KubeModel):
    """karpenter.sh/v1 NodePool."""

    api_version: Literal["karpenter.sh/v1"] = Field(alias="apiVersion")
    kind: Literal["NodePool"]
    metadata: ObjectMeta
    spec: NodePoolSpec
