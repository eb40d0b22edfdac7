"""Each directory under tests/cases/invalid is a repository with mistakes in its specs;
`expected.txt` holds the exact report `manifestgen validate` must give."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import assert_golden_text
from tests.support import CASE_PLATFORM, CASES, make_repo, run_cli

INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_reports_exact_diagnostics(case: Path, tmp_path: Path) -> None:
    platform = None if (case / "NO_PLATFORM").exists() else CASE_PLATFORM
    root = make_repo(tmp_path, case / "specs", platform=platform)
    result = run_cli("validate", "--root", root, "--no-output-check")
    assert_golden_text(case / "expected.txt", result.stdout)
    has_errors = " error[" in result.stdout
    assert result.code == (1 if has_errors else 0)
    assert result.stderr == ""
