"""The child-name rule, for build and `verify` alike: an operator's longest child name
must fit in a 63-character DNS-1035 label, or the operator cannot create it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from manifestgen.kinds.catalog import row_of

MAX_CHILD_NAME = 63
# The API server appends five random characters to `generateName`.
GENERATED_SUFFIX = 5


@dataclass(frozen=True)
class OverlongChild:
    kind: str
    field: str  # "name" or "generateName"
    name: str  # the object's name (generateName with stand-ins for the suffix)
    child: str
    what: str

    @property
    def excess(self) -> int:
        return len(self.child) - MAX_CHILD_NAME


def object_name(metadata: Mapping[str, Any]) -> tuple[str, str] | None:
    """("name", name), or ("generateName", prefix + stand-ins for the server's suffix)."""
    name, generate_name = metadata.get("name"), metadata.get("generateName")
    if isinstance(name, str) and name:
        return "name", name
    if isinstance(generate_name, str) and generate_name:
        return "generateName", generate_name + "x" * GENERATED_SUFFIX
    return None


def overlong_child(obj: Mapping[str, Any]) -> OverlongChild | None:
    """The longest name the kind's operator derives from `obj`'s name, if over 63.

    None for kinds without a known operator and for objects without a usable name.
    """
    row = row_of(obj) if isinstance(obj, Mapping) else None
    metadata, spec = obj.get("metadata"), obj.get("spec")
    named = object_name(metadata) if isinstance(metadata, Mapping) else None
    if row is None or row.children is None or named is None:
        return None
    field, name = named
    found = row.children(name, spec if isinstance(spec, Mapping) else {})
    longest = max(found, key=lambda c: len(c[0]), default=None)
    if longest is None or len(longest[0]) <= MAX_CHILD_NAME:
        return None
    return OverlongChild(row.kind, field, name, *longest)
