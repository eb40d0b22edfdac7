"""Shared pieces of the fallback models: the base config, metadata and Kubernetes scalars.

The models mirror the upstream CRDs field for field (camelCase aliases, the same enums
and required fields), restricted to what a generator plausibly emits. They are strict:
no coercion of "4" to 4, no unknown fields, so they catch what a strict CRD schema would.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StringConstraints
from pydantic_core import PydanticCustomError

from manifestgen.check.messages import KNOWN_PATTERNS, describe_value, short_value

_QUANTITY_PATTERN = next(p for p, meaning in KNOWN_PATTERNS.items() if "quantity" in meaning)
_QUANTITY = re.compile(_QUANTITY_PATTERN)


class KubeModel(BaseModel):
    """Base of every fallback model: frozen, strict, unknown fields forbidden, camelCase."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        validate_by_name=False,
        validate_by_alias=True,
    )


def _int_or_string(value: object) -> int | str:
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    raise PydanticCustomError(
        "int_or_string",
        "must be an integer or a string (got {got})",
        {"got": describe_value(value)},
    )


def _quantity(value: object) -> int | float | str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _QUANTITY.fullmatch(value):
        return value
    got = short_value(value) if isinstance(value, str) else describe_value(value)
    raise PydanticCustomError(
        "quantity", "must be a quantity such as '500m', '2' or '16Gi' (got {got})", {"got": got}
    )


IntOrString = Annotated[int | str, PlainValidator(_int_or_string)]
Quantity = Annotated[int | float | str, PlainValidator(_quantity)]
# A label value as Kubernetes validates it: at most 63 characters, may be empty.
LabelValue = Annotated[
    str, StringConstraints(max_length=63, pattern=r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
]
# A pod template: checked against the Kubernetes PodTemplateSpec schema, not by pydantic.
PodTemplateSpec = dict[str, Any]


class ObjectMeta(KubeModel):
    """The metadata a generator sets.

    Names, label syntax and null values are judged by the metadata rules (as for every
    other source), so null map values are let through here rather than reported twice.
    """

    name: str | None = None
    generate_name: str | None = Field(default=None, alias="generateName")
    namespace: str | None = None
    labels: dict[str, str | None] | None = None
    annotations: dict[str, str | None] | None = None
    finalizers: list[str] | None = None
    # `kubectl create --dry-run -o yaml` writes `creationTimestamp: null`; accept it as
    # the API server does.
    creation_timestamp: str | None = Field(default=None, alias="creationTimestamp")
