"""Kubernetes resource quantities: parsing for arithmetic, formatting for output."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Plain enough for JavaScript too: the exported JSON Schema carries it for editors.
QUANTITY_PATTERN = r"^([+]?[0-9]+(?:\.[0-9]*)?|[+]?\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$"
_QUANTITY = re.compile(QUANTITY_PATTERN)

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: dict[str, Decimal | int] = {
    "m": Decimal("0.001"),
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
}


def is_quantity(text: str) -> bool:
    return _QUANTITY.match(text) is not None


def parse_quantity(text: str) -> Decimal:
    """The value of a quantity such as `500Gi`, `8`, `250m` (raises ValueError if malformed)."""
    match = _QUANTITY.match(text)
    if match is None:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    number, suffix = match.groups()
    try:
        value = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise ValueError(f"not a Kubernetes quantity: {text!r}") from exc
    if suffix in _BINARY:
        return value * _BINARY[suffix]
    if suffix in _DECIMAL:
        return value * Decimal(_DECIMAL[suffix])
    return value


def format_bytes(value: int) -> str:
    """Bytes as the largest binary suffix that divides them exactly (`16Gi`, `1536Mi`)."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = _BINARY[suffix]
        if value >= unit and value % unit == 0:
            return f"{value // unit}{suffix}"
    return str(value)
