"""Symbolic links in out/ (git stores them) are reported and never followed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support import run_cli, tree_bytes
from tests.write.conftest import JOB_DIR


def _snapshot(place: Path) -> dict[str, bytes]:
    return tree_bytes(place)


def test_planted_temporary_file_link_is_reported_and_not_written_through(
    repo: Path, outside: Path
) -> None:
    job = repo / "out" / JOB_DIR
    (job / "serviceaccount.yaml").unlink()  # so the build has a file to write there
    os.symlink(outside / "victim.txt", job / ".serviceaccount.yaml.tmp")
    before = _snapshot(outside)
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 1, result.stdout
    assert (
        f"out/{JOB_DIR}/.serviceaccount.yaml.tmp: error[MG505] symbolic link or special file "
        "in out/: manifestgen never follows or writes through it" in result.stdout.splitlines()
    )
    assert _snapshot(outside) == before
    assert not (job / "serviceaccount.yaml").exists()  # nothing was written


def test_symlinked_job_directory_is_reported_and_not_written_through(
    repo: Path, outside: Path
) -> None:
    job = repo / "out" / JOB_DIR
    for path in job.iterdir():
        path.unlink()
    job.rmdir()
    os.symlink(outside, job, target_is_directory=True)
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 1, result.stdout
    assert f"out/{JOB_DIR}: error[MG505]" in result.stdout
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert os.path.islink(job)


def test_check_reports_symlinks(repo: Path, outside: Path) -> None:
    os.symlink(outside / "victim.txt", repo / "out" / "train-a" / "notes.yaml")
    result = run_cli("check", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert "out/train-a/notes.yaml: error[MG505]" in result.stdout


def test_special_file_is_reported_and_never_opened(repo: Path) -> None:
    os.mkfifo(repo / "out" / "train-a" / "pipe.yaml")  # opening it would block forever
    result = run_cli("check", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert "out/train-a/pipe.yaml: error[MG505]" in result.stdout


def test_symlinked_out_is_refused(tmp_path: Path, repo: Path) -> None:
    real = tmp_path / "real-out"
    (repo / "out").rename(real)
    os.symlink(real, repo / "out", target_is_directory=True)
    before = tree_bytes(real)
    for command in ("build", "check"):
        result = run_cli(command, "--root", repo, "--no-output-check")
        assert result.code == 2, result.stdout
        assert "--out out is a symbolic link" in result.stderr
    assert os.path.islink(repo / "out")
    assert tree_bytes(real) == before


def test_planted_staging_and_backup_links_are_never_followed(repo: Path, outside: Path) -> None:
    for name in (".out.manifestgen-staging", ".out.manifestgen-backup"):
        os.symlink(outside, repo / name, target_is_directory=True)
    (repo / "out" / JOB_DIR / "serviceaccount.yaml").unlink()
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 0, result.stdout
    assert (repo / "out" / JOB_DIR / "serviceaccount.yaml").is_file()
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]


def test_unreadable_out_is_a_located_error_for_check(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path).name == "team-vision":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run_cli("check", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert "out: error[MG509] cannot read out/: Permission denied" in result.stdout
