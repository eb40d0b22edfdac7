"""Fixtures for the output-validator tests: validators (built once) and sample objects.

The samples are what manifestgen's generators emit for each kind; tests get deep copies,
so they can break them freely.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from manifestgen.check import OutputValidator
from tests.conftest import shared_crds_dir

from .samples import SAMPLES
from .support import Sample

KUBERNETES_VERSION = "1.33"


@pytest.fixture(scope="session")
def sample() -> Sample:
    """A fresh deep copy of the sample object of a kind."""

    def make(kind: str) -> dict[str, Any]:
        # A JSON round trip, not deepcopy: samples share sub-objects (the pod template of
        # Master and Worker), and a test that breaks one must not break the other.
        copied: dict[str, Any] = json.loads(json.dumps(SAMPLES[kind]))
        return copied

    return make


@pytest.fixture(scope="session")
def all_crds(crds_dir: Path) -> OutputValidator:
    """A validator with every upstream CRD loaded (they take a couple of seconds to read)."""
    return OutputValidator.create(KUBERNETES_VERSION, [crds_dir])


@pytest.fixture(scope="session")
def no_crds() -> OutputValidator:
    """A validator without CRDs: built-in schemas, and the generic check of custom kinds."""
    return OutputValidator.create(KUBERNETES_VERSION)


def _crd_files_for_collection() -> list[str]:
    # Parametrization happens before fixtures exist; the tests still use `crds_dir`.
    root = shared_crds_dir()
    if not root.is_dir():
        return []
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.yaml")
        if b"kind: CustomResourceDefinition" in path.read_bytes()
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`crd_file`: every CRD file under the CRD test data, relative to `crds_dir`."""
    if "crd_file" in metafunc.fixturenames:
        files = _crd_files_for_collection()
        metafunc.parametrize("crd_file", files, ids=files)
