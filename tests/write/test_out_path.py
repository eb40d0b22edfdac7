"""An --out that would make the repository (or anything outside it) out/ is refused, exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from manifestgen.render.yaml import header
from tests.support import run_cli, tree_bytes


@pytest.fixture
def planted(repo: Path) -> Path:
    """A header-bearing file outside out/ that a build into the wrong place would prune."""
    path = repo / "docs" / "example.yaml"
    path.parent.mkdir()
    path.write_text(header("docs") + "kind: Example\n")
    return path


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "is the repository root"),
        ("", "is the repository root"),
        ("docs/..", "is the repository root"),
        ("..", "is outside the repository"),
        ("../elsewhere", "is outside the repository"),
        ("specs", "contains the specs (specs)"),
        ("specs/out", "is inside the specs (specs)"),
    ],
)
def test_dangerous_out_is_a_usage_error(repo: Path, planted: Path, out: str, message: str) -> None:
    before = tree_bytes(repo.parent)
    for command in ("build", "check"):
        result = run_cli(command, "--root", repo, "--no-output-check", "--out", out)
        assert result.code == 2, (command, result.stdout)
        assert message in result.stderr
    assert tree_bytes(repo.parent) == before


def test_out_reached_through_a_symlinked_parent_is_outside(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, repo / "gen", target_is_directory=True)
    result = run_cli("build", "--root", repo, "--no-output-check", "--out", "gen/out")
    assert result.code == 2
    assert "--out gen/out is outside the repository" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_out_that_is_a_file_is_a_usage_error(repo: Path) -> None:
    (repo / "out.txt").write_text("x\n")
    result = run_cli("build", "--root", repo, "--no-output-check", "--out", "out.txt")
    assert result.code == 2
    assert "--out out.txt is not a directory" in result.stderr


def test_nested_out_inside_the_repository_builds(repo: Path) -> None:
    result = run_cli("build", "--root", repo, "--no-output-check", "--out", "deploy/out")
    assert result.code == 0, result.stdout + result.stderr
    assert tree_bytes(repo / "deploy" / "out") == tree_bytes(repo / "out")


def test_validate_ignores_out(repo: Path) -> None:
    assert run_cli("validate", "--root", repo, "--no-output-check", "--out", ".").code == 0
