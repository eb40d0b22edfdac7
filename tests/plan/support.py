"""A throw-away repository for plans: the test Platform, a few jobs, a build, git commits."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from manifestgen.options import BuildOptions
from manifestgen.plan import PlanOptions, PlanResult, make_plan
from tests.lifecycle_support import JOB as GPU_JOB
from tests.lifecycle_support import SMALL as CPU_JOB
from tests.support import CASE_PLATFORM, run_cli

# GPU_JOB: two nodes of eight A100s with checkpoints; CPU_JOB: one CPU node; both on train-a.
__all__ = ["CPU_JOB", "GPU_JOB", "build", "commit_all", "edit", "git", "make_plan_repo", "plan"]

_GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def make_plan_repo(root: Path, jobs: dict[str, str] | None = None) -> Path:
    """specs/ with the test Platform and `jobs` (file name → YAML), built into out/."""
    (root / "specs" / "jobs").mkdir(parents=True)
    (root / "specs" / "platform.yaml").write_text(CASE_PLATFORM.read_text())
    for name, text in (
        jobs if jobs is not None else {"big.yaml": GPU_JOB, "mnist.yaml": CPU_JOB}
    ).items():
        (root / "specs" / "jobs" / name).write_text(text)
    build(root)
    return root


def build(root: Path) -> None:
    result = run_cli("build", "--root", root, "--no-output-check")
    assert result.code == 0, result.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=root,
        env={**os.environ, **_GIT_ENV},
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def commit_all(root: Path, message: str = "change") -> None:
    if not (root / ".git").exists():
        git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def plan(root: Path, base: str | None = None) -> PlanResult:
    options = BuildOptions(root=root, check_output=False)
    return make_plan(PlanOptions(options, base))
