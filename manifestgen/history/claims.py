"""Claim names are chosen in specs (`checkpoints.claimName`): two claims must not share one."""

from __future__ import annotations

from collections.abc import Sequence

from manifestgen.errors import Diagnostic
from manifestgen.manifest import Manifest

_CLAIM_NAME = ("spec", "checkpoints", "claimName")


def _names_it(manifest: Manifest) -> bool:
    checkpoints = manifest.origin.document.data.get("spec", {}).get("checkpoints")
    return isinstance(checkpoints, dict) and "claimName" in checkpoints


def duplicate_claims(manifests: Sequence[Manifest]) -> list[Diagnostic]:
    """An error at each spec that names a claim another job's claim already has."""
    groups: dict[tuple[str, str, str], list[Manifest]] = {}
    for manifest in manifests:
        if manifest.kind == "PersistentVolumeClaim":
            cluster = manifest.target.cluster or ""
            namespace = str(manifest.obj["metadata"].get("namespace", ""))
            groups.setdefault((cluster, namespace, manifest.name), []).append(manifest)
    found: list[Diagnostic] = []
    for (_, namespace, name), members in groups.items():
        if len(members) < 2:
            continue
        # Blame the specs that chose the name; a default name clashes only with a chosen one.
        for manifest in [m for m in members if _names_it(m)] or members:
            others = sorted({m.origin.document.path for m in members if m is not manifest})
            found.append(
                Diagnostic(
                    "MG260",
                    f"claim {name!r} in namespace {namespace!r} is also the checkpoint claim "
                    f"of {', '.join(others)}",
                    manifest.origin.document.locate(_CLAIM_NAME, key=True),
                    field="spec.checkpoints.claimName",
                    hint="give each job its own claim: two runs writing one claim overwrite "
                    "each other's checkpoints",
                )
            )
    return found
