"""Labels and annotations every generated object carries."""

from __future__ import annotations

from typing import Any

from manifestgen.digest import digest

MANAGED_BY = {"app.kubernetes.io/managed-by": "manifestgen"}
JOB_LABEL = "manifestgen.io/job"
TEAM_LABEL = "manifestgen.io/team"
POOL_LABEL = "manifestgen.io/node-pool"  # on nodes: the NodePool that made them
SOURCE_ANNOTATION = "manifestgen.io/source"
DIGEST_ANNOTATION = "manifestgen.io/spec-digest"
# On training jobs: the job's own spec without its state; see history/jobs.py.
RUN_DIGEST_ANNOTATION = "manifestgen.io/run-digest"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
COMPARE_OPTIONS = "argocd.argoproj.io/compare-options"

# What must outlive its spec (checkpoint claims, team namespaces that hold them): Argo CD
# never prunes it, nor deletes it with the Application, and once it is no longer in Git
# it does not keep the Application OutOfSync for ever.
RETAINED = {SYNC_OPTIONS: "Prune=false,Delete=false", COMPARE_OPTIONS: "IgnoreExtraneous"}


def provenance(source_path: str, spec_content: Any) -> dict[str, str]:
    """Where an object came from: the spec file and a digest of the spec part it reflects."""
    return provenance_of(source_path, digest(spec_content))


def provenance_of(source_path: str, content_digest: str) -> dict[str, str]:
    """`provenance` with the digest already computed (a job's objects share one)."""
    return {SOURCE_ANNOTATION: source_path, DIGEST_ANNOTATION: f"sha256:{content_digest[:16]}"}


def job_labels(job_name: str, team: str) -> dict[str, str]:
    return {**MANAGED_BY, JOB_LABEL: job_name, TEAM_LABEL: team}


def metadata(
    name: str,
    *,
    namespace: str | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = {**MANAGED_BY, **(labels or {})}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta
