"""A built repository to attack: the minimal golden case, with out/ and a place outside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import CASES, make_repo, run_cli

MINIMAL = CASES / "golden" / "minimal" / "specs"
JOB_DIR = "train-a/team-vision/mnist"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo", MINIMAL)
    result = run_cli("build", "--root", root, "--no-output-check")
    assert result.code == 0, result.stdout
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory outside the repository that no build may write to."""
    place = tmp_path / "outside"
    place.mkdir()
    (place / "victim.txt").write_text("precious\n")
    return place
