"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit on a temporary repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support import CASES, REPO_ROOT, make_repo, run_cli, venv_tool

HOOKS = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }


def _try_hook(
    repo: Path, hook: str, env: dict[str, str], *files: str
) -> subprocess.CompletedProcess[str]:
    args = ["--files", *files] if files else ["--all-files"]
    return subprocess.run(
        [venv_tool("pre-commit"), "try-repo", str(REPO_ROOT), hook, *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def test_hooks_are_declared_as_documented() -> None:
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert set(by_id) == {"manifestgen-validate", "manifestgen-check-rendered"}
    assert by_id["manifestgen-validate"]["language"] == "python"
    assert by_id["manifestgen-validate"]["types_or"] == ["yaml"]
    assert by_id["manifestgen-check-rendered"]["pass_filenames"] is False


def test_hooks_run_through_pre_commit(tmp_path: Path, hook_env: dict[str, str]) -> None:
    repo = make_repo(tmp_path / "repo", CASES / "golden" / "minimal" / "specs")
    assert run_cli("build", "--root", repo, "--no-output-check").code == 0
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "specs")

    clean = _try_hook(repo, "manifestgen-validate", hook_env, "specs/job.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    bad = CASES / "invalid" / "unknown-field" / "specs" / "job.yaml"
    shutil.copy(bad, repo / "specs" / "typo.yaml")
    _git(repo, "add", ".")
    failing = _try_hook(repo, "manifestgen-validate", hook_env, "specs/typo.yaml")
    assert failing.returncode == 1
    assert (
        "specs/typo.yaml:10:3: error[MG201] spec.resourcez: unknown field 'resourcez'"
        in failing.stdout
    )

    (repo / "specs" / "typo.yaml").unlink()
    current = _try_hook(repo, "manifestgen-check-rendered", hook_env)
    assert current.returncode == 0, current.stdout + current.stderr

    spec = repo / "specs" / "job.yaml"
    spec.write_text(spec.read_text().replace("cpu: 4", "cpu: 6"))
    _git(repo, "add", ".")
    drifted = _try_hook(repo, "manifestgen-check-rendered", hook_env)
    assert drifted.returncode == 1
    assert "error[MG502] file is stale" in drifted.stdout
