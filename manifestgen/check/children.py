"""Names an operator derives from a job's name, as `verify` reports them.

The rule itself (see `manifestgen.kinds.names`) is the one the build applies too; this
module states it as object problems, with the DNS-1035 rule for kinds that need it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from manifestgen.check.metadata import dns1035_label
from manifestgen.check.problems import ObjectProblem
from manifestgen.kinds.catalog import row_of
from manifestgen.kinds.names import (
    GENERATED_SUFFIX,
    MAX_CHILD_NAME,
    OverlongChild,
    object_name,
    overlong_child,
)

__all__ = ["MAX_CHILD_NAME", "child_name_problems"]


def child_name_problems(obj: Mapping[str, Any]) -> list[ObjectProblem]:
    """Problems with the names an operator derives from `obj`'s name (rule "metadata")."""
    if not isinstance(obj, Mapping):
        return []
    row = row_of(obj)
    metadata = obj.get("metadata")
    named = object_name(metadata) if isinstance(metadata, Mapping) else None
    if row is None or row.children is None or named is None:
        return []
    problems: list[ObjectProblem] = []
    if row.dns1035_name and named[0] == "name":
        reason = dns1035_label(named[1])
        if reason is not None:
            problems.append(ObjectProblem(("metadata", "name"), f"{row.kind} {reason}", "metadata"))
    overlong = overlong_child(obj)
    if overlong is not None:
        problems.append(_too_long(overlong))
    return problems


def _too_long(found: OverlongChild) -> ObjectProblem:
    shown = found.child
    if found.field == "generateName":
        shown = found.child.replace(found.name, f"{found.name[:-GENERATED_SUFFIX]}*", 1)
    return ObjectProblem(
        ("metadata", found.field),
        f"too long for its children: the {found.kind} operator names {found.what} {shown!r} "
        f"({len(found.child)} characters, at most {MAX_CHILD_NAME}); "
        f"shorten the name by {found.excess}",
        "metadata",
    )
