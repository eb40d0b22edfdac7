"""The base of every spec model, and the constrained string types specs share."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from manifestgen.spec.quantity import QUANTITY_PATTERN, is_quantity

# The API server holds most integer fields as int32 (replicas, backoffLimit,
# ttlSecondsAfterFinished, ports) and rejects larger values; every integer a spec can
# carry into an object is bounded by it, so an overflow is a located spec error.
INT32_MAX = 2**31 - 1

API_GROUP = "manifestgen.io"
# Spelled out and Final, so that type checkers see the Literal the models require.
API_VERSION: Final = "manifestgen.io/v1alpha1"


class SpecModel(BaseModel):
    """Frozen, closed, type-exact: a typo or a `"4"` where 4 belongs is an error, not a guess."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        alias_generator=to_camel,
        populate_by_name=True,
        defer_build=True,
    )


# RFC 1035 label: what Services and pod hostnames derived from job names require.
DNS_LABEL = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
# patternErrorMessage: what yaml-language-server shows instead of the bare pattern.
DnsLabel = Annotated[
    str,
    Field(
        pattern=DNS_LABEL,
        min_length=1,
        max_length=63,
        json_schema_extra={
            "patternErrorMessage": "use lower-case letters, digits and '-', starting with a letter"
        },
    ),
]
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
DnsSubdomain = Annotated[str, Field(pattern=DNS_SUBDOMAIN, min_length=1, max_length=253)]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=253)]
AbsolutePath = Annotated[str, Field(pattern=r"^/[^\x00]*$", max_length=4096)]


def _quantity_text(value: Any) -> Any:
    # YAML writes `cpu: 8` as an int; Kubernetes wants the text "8". Accept numbers, never bools.
    if isinstance(value, bool):
        raise ValueError(f"must be a quantity such as 8, 500m or 512Gi (got {value!r})")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return value


def _check_quantity(value: str) -> str:
    if not is_quantity(value):
        raise ValueError(f"must be a quantity such as 8, 500m or 512Gi (got {value!r})")
    return value


Quantity = Annotated[
    str,
    BeforeValidator(_quantity_text),
    AfterValidator(_check_quantity),
    # `pattern` constrains only strings and `minimum` only numbers: together, what
    # _quantity_text and _check_quantity accept.
    Field(
        json_schema_extra={
            "type": ["string", "number"],
            "pattern": QUANTITY_PATTERN,
            "minimum": 0,
            "patternErrorMessage": "must be a quantity such as 8, 500m or 512Gi",
        }
    ),
]


def is_dns_label(text: str) -> bool:
    return len(text) <= 63 and re.match(DNS_LABEL, text) is not None
