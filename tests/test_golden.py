"""Golden cases: each tests/cases/golden/<name>/specs builds into exactly <name>/expected/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.golden import regenerating
from tests.support import CASES, make_repo, run_cli, tree_bytes

GOLDEN = sorted(p for p in (CASES / "golden").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_case_builds_expected_tree(case: Path, tmp_path: Path, crds_dir: Path) -> None:
    root = make_repo(tmp_path, case / "specs")
    result = run_cli("build", "--root", root, "--crds", crds_dir)
    assert result.code == 0, result.stdout
    expected = case / "expected"
    if regenerating():
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(root / "out", expected)
    assert tree_bytes(root / "out") == tree_bytes(expected)
