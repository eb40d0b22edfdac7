"""The persistent-cache seam: prepared schemas are keyed by content and reused."""

from __future__ import annotations

from pathlib import Path

from manifestgen.check import MemoryCache, OutputValidator

from .support import Sample


def test_prepared_schemas_are_stored_and_reused(crds_dir: Path, sample: Sample) -> None:
    cache = MemoryCache()
    path = crds_dir / "karpenter" / "karpenter.sh_nodepools.yaml"
    first = OutputValidator.create("1.33", [path], cache=cache)
    assert first.check(sample("NodePool")).problems == ()
    assert len(cache.entries) == 1
    (key,) = cache.entries
    # Keyed by preparation code version, Kubernetes version and CRD content digest.
    assert key.startswith("prepare-v")
    assert "/k8s-1.33/" in key
    assert key.endswith(":nodepools.karpenter.sh/v1")

    stored = cache.entries[key]
    second = OutputValidator.create("1.33", [path], cache=cache)
    assert second.strict_crd_schema("karpenter.sh", "v1", "NodePool") is stored.schema
    assert second.check(sample("NodePool")).problems == ()


def test_a_different_kubernetes_version_is_a_different_entry(crds_dir: Path) -> None:
    cache = MemoryCache()
    path = crds_dir / "karpenter" / "karpenter.sh_nodepools.yaml"
    for version in ("1.32", "1.33"):
        OutputValidator.create(version, [path], cache=cache).strict_crd_schema(
            "karpenter.sh", "v1", "NodePool"
        )
    assert len(cache.entries) == 2
