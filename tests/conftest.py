"""Shared fixtures: where the upstream CRDs used as test data live, hypothesis profiles."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO_ROOT = Path(__file__).resolve().parent.parent

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "ci",
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config: pytest.Config) -> None:
    # Hermetic: never read or write the user's cache of parsed CRDs.
    os.environ["MANIFESTGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="manifestgen-cache-")


def shared_crds_dir() -> Path:
    """The real upstream CRDs: $MANIFESTGEN_TEST_CRDS, else ../shared/crds beside the checkout."""
    configured = os.environ.get("MANIFESTGEN_TEST_CRDS")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "crds"


@pytest.fixture(scope="session")
def crds_dir() -> Path:
    path = shared_crds_dir()
    if not path.is_dir():
        pytest.fail(f"upstream CRDs not found at {path}; set MANIFESTGEN_TEST_CRDS")
    return path
