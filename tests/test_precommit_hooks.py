"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit on a temporary repository.

Hermetic and fast: nothing is installed. Each test writes a `repo: local` configuration
holding the shipped hooks key for key (entry, files, types_or, pass_filenames,
always_run, require_serial), with two changes only: `language: system` and the entry's
`manifestgen` replaced by the one installed beside this Python. pre-commit itself then
selects files, applies the filters and runs the entries as it would for a user.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pre_commit.clientlib import load_config, load_manifest

from tests.support import CASES, REPO_ROOT, make_repo, run_cli, venv_tool

SHIPPED = REPO_ROOT / ".pre-commit-hooks.yaml"
HOOKS: list[dict[str, Any]] = yaml.safe_load(SHIPPED.read_text())
BY_ID = {hook["id"]: hook for hook in HOOKS}
MINIMAL = CASES / "golden" / "minimal" / "specs"
TYPO = CASES / "invalid" / "unknown-field" / "specs" / "job.yaml"
TYPO_LINE = "error[MG201] spec.resourcez: unknown field 'resourcez'"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    return {
        **env,
        "PRE_COMMIT_HOME": str(home),
        "PIP_NO_INDEX": "1",  # nothing may be fetched: the hooks need no install
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def _local_hook(hook: dict[str, Any], args: list[str]) -> dict[str, Any]:
    entry = str(hook["entry"])
    assert entry.startswith("manifestgen "), entry
    local = {**hook, "language": "system", "args": args}
    local["entry"] = venv_tool("manifestgen") + entry.removeprefix("manifestgen")
    return local


def _configure(repo: Path, args: list[str] | None = None, **overrides: Any) -> None:
    """`.pre-commit-config.yaml` running the shipped hooks with the installed manifestgen."""
    hooks = [{**_local_hook(hook, args or []), **overrides} for hook in HOOKS]
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def _repo(root: Path, **config: Any) -> Path:
    repo = make_repo(root, MINIMAL)
    assert run_cli("build", "--root", repo).code == 0
    _configure(repo, **config)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "specs")
    return repo


def _run(repo: Path, env: dict[str, str], *hooks: str) -> dict[str, str]:
    """`pre-commit run` on what is staged, as `git commit` runs it: output per hook id."""
    outputs: dict[str, str] = {}
    for hook in hooks:
        done = subprocess.run(
            [venv_tool("pre-commit"), "run", hook, "--color", "never"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        outputs[hook] = f"exit {done.returncode}\n{done.stdout}{done.stderr}"
    return outputs


def _passed(output: str) -> bool:
    return output.startswith("exit 0\n") and re.search(r"\.Passed$", output, re.M) is not None


def test_shipped_hooks_are_a_valid_pre_commit_manifest() -> None:
    hooks = load_manifest(str(SHIPPED))  # pre-commit's own schema, defaults applied
    assert [hook["id"] for hook in hooks] == [
        "manifestgen-validate",
        "manifestgen-check-rendered",
        "manifestgen-build",
    ]
    assert all(hook["minimum_pre_commit_version"] == "2.9.0" for hook in hooks)
    validate, check, build = hooks
    assert validate["types_or"] == ["yaml"]
    assert validate["pass_filenames"] is True
    for hook in (check, build):
        assert hook["pass_filenames"] is False
        assert hook["always_run"] is True


def test_readme_configuration_is_valid_for_pre_commit(tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## pre-commit set-up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert blocks, "the README shows a .pre-commit-config.yaml"
    ids = set(BY_ID)
    for index, block in enumerate(blocks):
        path = tmp_path / f"config-{index}.yaml"
        path.write_text(block)
        config = load_config(str(path))
        for repo in config["repos"]:
            assert re.fullmatch(r"[0-9a-f]{40}", repo["rev"]), "pin a full commit hash"
            assert {hook["id"] for hook in repo["hooks"]} <= ids


def test_validate_hook_reports_the_changed_spec(tmp_path: Path, hook_env: dict[str, str]) -> None:
    repo = _repo(tmp_path / "repo")
    shutil.copy(TYPO, repo / "specs" / "typo.yaml")
    _git(repo, "add", ".")
    out = _run(repo, hook_env, "manifestgen-validate", "manifestgen-check-rendered")
    assert out["manifestgen-validate"].startswith("exit 1\n")
    assert f"specs/typo.yaml:10:3: {TYPO_LINE}" in out["manifestgen-validate"]
    # The second hook does not repeat the error: it says out/ was not compared.
    check = out["manifestgen-check-rendered"]
    assert check.startswith("exit 1\n")
    assert TYPO_LINE not in check
    assert "error[MG602] out/ was not compared: the specs have 4 errors" in check


def test_a_commit_that_only_deletes_a_spec_is_stopped(
    tmp_path: Path, hook_env: dict[str, str]
) -> None:
    repo = _repo(tmp_path / "repo")
    _git(repo, "rm", "-q", "specs/job.yaml")
    check = _run(repo, hook_env, "manifestgen-check-rendered")["manifestgen-check-rendered"]
    assert check.startswith("exit 1\n"), check
    assert "out/train-a/team-vision/mnist/pytorchjob.yaml: error[MG503]" in check

    build = _run(repo, hook_env, "manifestgen-build")["manifestgen-build"]
    assert build.startswith("exit 1\n"), build  # it fixed out/; the commit must include it
    assert "error[MG601] out/ was not current" in build
    assert not (repo / "out" / "train-a" / "team-vision" / "mnist").exists()
    _git(repo, "add", "-A")
    again = _run(repo, hook_env, "manifestgen-build", "manifestgen-check-rendered")
    assert all(_passed(output) for output in again.values()), again


def test_a_platform_change_validates_every_job(tmp_path: Path, hook_env: dict[str, str]) -> None:
    repo = _repo(tmp_path / "repo")
    platform = repo / "specs" / "platform.yaml"
    text = platform.read_text()
    # The vision team loses the cluster its job runs on; only the Platform is staged.
    platform.write_text(text.replace("clusters: [train-a]\n", "clusters: [train-b]\n", 1))
    _git(repo, "add", ".")
    validate = _run(repo, hook_env, "manifestgen-validate")["manifestgen-validate"]
    assert validate.startswith("exit 1\n"), validate
    assert "specs/job.yaml:7:12: error[MG213]" in validate


def test_specs_in_a_sub_directory(tmp_path: Path, hook_env: dict[str, str]) -> None:
    top = tmp_path / "top"
    deploy = make_repo(top / "deploy", MINIMAL)
    assert run_cli("build", "--root", deploy).code == 0
    _configure(top, args=["--root", "deploy", "--format", "github"], files="^deploy/specs/")
    _git(top, "init", "-q", "-b", "main")
    _git(top, "add", ".")
    _git(top, "commit", "-q", "-m", "specs")
    shutil.copy(TYPO, deploy / "specs" / "typo.yaml")
    _git(top, "add", ".")
    out = _run(top, hook_env, "manifestgen-validate")["manifestgen-validate"]
    assert out.startswith("exit 1\n"), out  # not 2: the file is found
    # The annotation names the file as the repository (and GitHub) knows it.
    assert "::error file=deploy/specs/typo.yaml,line=10,col=3,title=MG201::" in out


def test_build_hook_rewrites_out_then_passes(tmp_path: Path, hook_env: dict[str, str]) -> None:
    repo = _repo(tmp_path / "repo")
    spec = repo / "specs" / "job.yaml"
    spec.write_text(spec.read_text().replace("cpu: 4", "cpu: 6"))
    _git(repo, "add", ".")
    first = _run(repo, hook_env, "manifestgen-check-rendered", "manifestgen-build")
    assert "error[MG502] file is stale" in first["manifestgen-check-rendered"]
    assert first["manifestgen-build"].startswith("exit 1\n")
    assert "cpu: '6'" in (repo / "out/train-a/team-vision/mnist/pytorchjob.yaml").read_text()
    _git(repo, "add", ".")
    second = _run(repo, hook_env, "manifestgen-build", "manifestgen-check-rendered")
    assert all(_passed(output) for output in second.values()), second
