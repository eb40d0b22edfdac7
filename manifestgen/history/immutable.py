"""Edits the API server would reject: an immutable field changed under the same name.

Argo CD applies a changed object as an update. For a field the API server will not
update (a claim's class or access modes, a smaller claim) the sync fails, and a failed
wave stops every later wave of the cluster's Application: every job waits. Compared
with the previous build in out/, such an edit is a located error before commit.

Claims may grow only where their storage class sets `allowVolumeExpansion`: the
cluster's storage-class catalog (`storageClasses`, `expandable`) says so. A class the
catalog does not list, or a cluster with no catalog, is unknown: growth is allowed there
with a note saying what it relies on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from manifestgen.errors import Diagnostic, JsonPath, Severity
from manifestgen.history.previous import PreviousBuild
from manifestgen.manifest import Manifest
from manifestgen.render import layout
from manifestgen.spec.quantity import parse_quantity

_UNSET = object()


@dataclass(frozen=True)
class Immutable:
    """A field of a kind the API server never updates; `spec_field` locates it in the spec."""

    kind: str
    path: tuple[str, ...]
    spec_field: JsonPath = ()


_CLAIM_HINT = (
    "keep the old value for this claim, or move the checkpoints to a new claim: set "
    "spec.checkpoints.claimName to a new name (the old claim stays on the cluster, never "
    "pruned; copy its data across)"
)

# One row per immutable field of a kind manifestgen generates under a stable name. Job
# objects are absent: their names hash their spec, so they are never edited in place.
IMMUTABLE_FIELDS: tuple[Immutable, ...] = (
    Immutable(
        "PersistentVolumeClaim",
        ("spec", "storageClassName"),
        ("spec", "checkpoints", "storageClass"),
    ),
    Immutable(
        "PersistentVolumeClaim", ("spec", "accessModes"), ("spec", "checkpoints", "accessMode")
    ),
    Immutable("PersistentVolumeClaim", ("spec", "volumeMode")),
    Immutable("PersistentVolumeClaim", ("spec", "volumeName")),
    Immutable("PersistentVolumeClaim", ("spec", "selector")),
    Immutable("PersistentVolumeClaim", ("spec", "dataSource")),
    # Never differs under one name (the LocalQueue is named after its ClusterQueue), but
    # the API server would refuse it, so a hand-edited out/ is caught too.
    Immutable("LocalQueue", ("spec", "clusterQueue")),
    Immutable("NodePool", ("spec", "template", "spec", "nodeClassRef", "group")),
    Immutable("NodePool", ("spec", "template", "spec", "nodeClassRef", "kind")),
)

_SIZE = ("spec", "resources", "requests", "storage")


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(obj, dict) or part not in obj:
            return _UNSET
        obj = obj[part]
    return obj


def _show(value: Any) -> str:
    return "unset" if value is _UNSET else repr(value)


def _locate_spec(manifest: Manifest, spec_field: JsonPath, path: tuple[str, ...]) -> Any:
    if spec_field:
        return manifest.origin.document.locate(spec_field, key=True)
    return manifest.origin.locate(path)


def _field_changes(manifest: Manifest, before: dict[str, Any]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for rule in IMMUTABLE_FIELDS:
        if rule.kind != manifest.kind:
            continue
        old, new = _get(before, rule.path), _get(manifest.obj, rule.path)
        if old == new:
            continue
        # Setting a class on a claim created without one is accepted only when it names
        # the class the cluster's default already gave it: manifestgen cannot know.
        severity = Severity.WARNING if old is _UNSET else Severity.ERROR
        found.append(
            Diagnostic(
                "MG520",
                f"{manifest.kind} {manifest.name!r} already exists with "
                f"{'.'.join(rule.path)} {_show(old)}; the API server rejects changing it to "
                f"{_show(new)}, and the failed sync blocks every later wave of the cluster",
                _locate_spec(manifest, rule.spec_field, rule.path),
                field=".".join(str(p) for p in rule.spec_field) or ".".join(rule.path),
                severity=severity,
                hint=_CLAIM_HINT if manifest.kind == "PersistentVolumeClaim" else "",
            )
        )
    return found


def _size(value: Any) -> Decimal | None:
    if value is _UNSET:
        return None
    try:
        return parse_quantity(str(value))
    except ValueError:
        return None


# A claim's class as the catalog knows it: (class name, expandable), or None if unknown.
ClaimClass = tuple[str, bool] | None


def _size_change(
    manifest: Manifest, before: dict[str, Any], claim_class: ClaimClass
) -> list[Diagnostic]:
    old_value, new_value = _get(before, _SIZE), _get(manifest.obj, _SIZE)
    old, new = _size(old_value), _size(new_value)
    if old is None or new is None or old == new:
        return []
    location = manifest.origin.document.locate(("spec", "checkpoints", "size"), key=True)
    if new < old:
        return [
            Diagnostic(
                "MG521",
                f"claim {manifest.name!r} already exists with {old_value}; a claim cannot "
                f"shrink to {new_value}, and the failed sync blocks every later wave",
                location,
                field="spec.checkpoints.size",
                hint=f"keep at least {old_value}, or {_CLAIM_HINT}",
            )
        ]
    if claim_class is not None and not claim_class[1]:
        return [
            Diagnostic(
                "MG527",
                f"claim {manifest.name!r} already exists with {old_value}; its storage class "
                f"{claim_class[0]!r} does not allow expansion, so it cannot grow to "
                f"{new_value}, and the failed sync blocks every later wave",
                location,
                field="spec.checkpoints.size",
                hint=f"keep {old_value}; if the StorageClass sets allowVolumeExpansion: true, "
                f"mark {claim_class[0]!r} expandable in the Platform's storageClasses; or "
                f"{_CLAIM_HINT}",
            )
        ]
    relies = (
        f"storage class {claim_class[0]!r} allows expansion"
        if claim_class is not None
        else "this needs a storage class with allowVolumeExpansion: true (the cluster's "
        "storageClasses do not list it)"
    )
    return [
        Diagnostic(
            "MG522",
            f"claim {manifest.name!r} grows from {old_value} to {new_value}: {relies}",
            location,
            field="spec.checkpoints.size",
            severity=Severity.NOTE,
        )
    ]


def check_immutable(
    manifests: list[Manifest],
    previous: PreviousBuild,
    claim_classes: Mapping[str, ClaimClass] | None = None,
) -> list[Diagnostic]:
    """Diagnostics for every object that would edit an immutable field of its previous self.

    `claim_classes` gives, by output path, what the catalog knows of a claim's class.
    """
    classes = claim_classes or {}
    kinds = {rule.kind for rule in IMMUTABLE_FIELDS}
    found: list[Diagnostic] = []
    for manifest in manifests:
        if manifest.kind not in kinds:
            continue
        path = layout.path_of(manifest)
        before = previous.object_at(path)
        if before is None or _get(before, ("metadata", "name")) != manifest.name:
            continue
        if before.get("kind") != manifest.kind:
            continue
        found += _field_changes(manifest, before)
        if manifest.kind == "PersistentVolumeClaim":
            found += _size_change(manifest, before, classes.get(path))
    return found
