"""Fixtures for the CEL tests: the real upstream CRD schemas, read once per session."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from manifestgen.check.cel import CelEvaluator
from tests.cel.crds import SchemaLoader, VersionsLoader, load_yaml


@pytest.fixture(scope="session")
def crd_versions(crds_dir: Path) -> VersionsLoader:
    """Each version's schema of a CRD, by version name, storage version first."""
    cache: dict[str, dict[str, Mapping[str, Any]]] = {}

    def load(relative: str) -> dict[str, Mapping[str, Any]]:
        if relative not in cache:
            crd = load_yaml(crds_dir / relative)
            versions = sorted(crd["spec"]["versions"], key=lambda v: not v.get("storage"))
            cache[relative] = {v["name"]: v["schema"]["openAPIV3Schema"] for v in versions}
        return cache[relative]

    return load


@pytest.fixture(scope="session")
def crd_schema(crd_versions: VersionsLoader) -> SchemaLoader:
    """The openAPIV3Schema of one version of a CRD (its storage version by default)."""

    def load(relative: str, version: str | None = None) -> Mapping[str, Any]:
        versions = crd_versions(relative)
        return versions[version] if version else next(iter(versions.values()))

    return load


@pytest.fixture(scope="session")
def evaluator() -> CelEvaluator:
    return CelEvaluator()
