"""Claim names are chosen in specs (`checkpoints.claimName`): two claims must not share one.

Decided on the resolved jobs, not on generated objects, so that a run that expands only
some jobs (validate of named files) still sees every job's claim.
"""

from __future__ import annotations

from collections.abc import Sequence

from manifestgen.errors import Diagnostic
from manifestgen.expand.pod import checkpoint_claim_name
from manifestgen.spec.resolve import ResolvedJob

_CLAIM_NAME = ("spec", "checkpoints", "claimName")


def _names_it(job: ResolvedJob) -> bool:
    checkpoints = job.job.spec.checkpoints
    return checkpoints is not None and checkpoints.claim_name is not None


def duplicate_claims(jobs: Sequence[ResolvedJob]) -> list[Diagnostic]:
    """An error at each spec that names a claim another job's claim already has."""
    groups: dict[tuple[str, str, str], list[ResolvedJob]] = {}
    for job in jobs:
        if job.job.spec.checkpoints is not None and job.checkpoint_access_mode is not None:
            key = (job.cluster_name, job.namespace, checkpoint_claim_name(job))
            groups.setdefault(key, []).append(job)
    found: list[Diagnostic] = []
    for (_, namespace, name), members in groups.items():
        if len(members) < 2:
            continue
        # Blame the specs that chose the name; a default name clashes only with a chosen one.
        for job in [j for j in members if _names_it(j)] or members:
            others = sorted({j.spec_path for j in members if j is not job})
            found.append(
                Diagnostic(
                    "MG260",
                    f"claim {name!r} in namespace {namespace!r} is also the checkpoint claim "
                    f"of {', '.join(others)}",
                    job.source.locate(_CLAIM_NAME, key=True),
                    field="spec.checkpoints.claimName",
                    hint="give each job its own claim: two runs writing one claim overwrite "
                    "each other's checkpoints",
                )
            )
    return found
