"""The seam for a persistent cache of prepared (strict) CRD schemas.

Preparing a schema is pure: the same CRD bytes, the same Kubernetes version and the same
preparation code always give the same result. `prepared_key` combines the three, so a
cache keyed by it never serves a stale schema. The validator keeps its own in-memory
results; an on-disk implementation of `PreparedSchemaCache` can be passed to
`OutputValidator.create(..., cache=...)` to share them between runs.
"""

from __future__ import annotations

from typing import Protocol

from manifestgen.check.strict import PREPARE_VERSION, PreparedSchema


class PreparedSchemaCache(Protocol):
    """Where prepared CRD schemas may be kept between runs."""

    def get(self, key: str) -> PreparedSchema | None:
        """The schema stored under `key`, if any."""

    def put(self, key: str, prepared: PreparedSchema) -> None:
        """Store `prepared` under `key`."""


def prepared_key(crd_digest: str, kubernetes_version: str) -> str:
    """The cache key of one CRD version prepared for one Kubernetes version."""
    return f"prepare-v{PREPARE_VERSION}/k8s-{kubernetes_version}/{crd_digest}"


class MemoryCache:
    """A dict-backed `PreparedSchemaCache` (tests, and sharing between validators)."""

    def __init__(self) -> None:
        self.entries: dict[str, PreparedSchema] = {}

    def get(self, key: str) -> PreparedSchema | None:
        return self.entries.get(key)

    def put(self, key: str, prepared: PreparedSchema) -> None:
        self.entries[key] = prepared
