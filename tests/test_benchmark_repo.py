"""The build benchmark's synthetic repository builds: its figures are of accepted specs."""

from __future__ import annotations

from pathlib import Path

from benchmarks.spec_repo import write_spec_repo
from tests.support import REPO_ROOT, run_cli


def test_the_synthetic_repository_builds_without_errors(tmp_path: Path) -> None:
    # 30 copies of the examples: far beyond the quotas of the example Platform alone.
    write_spec_repo(REPO_ROOT, tmp_path / "repo", 30)
    result = run_cli("validate", "--root", tmp_path / "repo", "--no-output-check")
    assert result.code == 0, result.stdout
    assert "0 errors, 0 warnings; 31 spec files" in result.stdout
