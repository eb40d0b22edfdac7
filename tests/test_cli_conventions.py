"""Conventions users expect from a validator CLI: -q/-v, colour, --version, completion."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
from pathlib import Path

import pytest

from manifestgen import __version__
from manifestgen.cli.main import COMMANDS
from tests.support import CASES, make_repo, run_cli, venv_tool

MINIMAL = CASES / "golden" / "minimal" / "specs"
BAD = CASES / "invalid" / "unknown-field" / "specs"
RED = "\033[1;31m"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", MINIMAL)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_version_after_every_subcommand(command: str) -> None:
    result = run_cli(command, "--version")
    assert (result.code, result.stdout) == (0, f"manifestgen {__version__}\n")


def test_quiet_prints_errors_only(repo: Path) -> None:
    clean = run_cli("validate", "--root", repo, "-q")
    assert (clean.code, clean.stdout) == (0, "")  # no MG402 note, no summary line
    spec = repo / "specs" / "job.yaml"
    spec.write_text(spec.read_text().replace("mnist:1.0.0", "mnist:latest"))
    shutil.copytree(BAD, repo / "specs" / "bad")
    normal = run_cli("validate", "--root", repo)
    assert "warning[MG228]" in normal.stdout
    assert "note[MG402]" in normal.stdout
    failing = run_cli("validate", "--root", repo, "-q")
    assert failing.code == 1
    headlines = [line for line in failing.stdout.splitlines() if not line.startswith("  ")]
    assert len(headlines) == 4
    assert all("error[" in line for line in headlines)


def test_quiet_and_verbose_exclude_each_other(repo: Path) -> None:
    assert run_cli("check", "--root", repo, "-q", "-v").code == 2


def test_github_notes_only_when_verbose(repo: Path) -> None:
    quiet_run = run_cli("validate", "--root", repo, "--format", "github")
    assert quiet_run.code == 0
    assert "::notice" not in quiet_run.stdout  # a clean run annotates nothing
    verbose = run_cli("validate", "--root", repo, "--format", "github", "-v")
    assert "::notice file=specs/platform.yaml" in verbose.stdout
    assert "title=MG402" in verbose.stdout


def test_colour_is_chosen_by_flag_then_no_color(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(BAD, repo / "specs" / "bad")
    assert RED not in run_cli("validate", "--root", repo).stdout  # not a terminal
    forced = run_cli("validate", "--root", repo, "--color", "always").stdout
    assert f"{RED}error[MG201]\033[0m spec.resourcez" in forced
    monkeypatch.setenv("NO_COLOR", "1")
    assert RED in run_cli("validate", "--root", repo, "--color", "always").stdout
    assert RED not in run_cli("validate", "--root", repo, "--color", "auto").stdout


def test_colour_auto_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from manifestgen.cli.conventions import use_color

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color("auto", Terminal())  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color("auto", Terminal())  # type: ignore[arg-type]
    assert not use_color("never", Terminal())  # type: ignore[arg-type]


def _complete(tmp_path: Path, line: str) -> list[str]:
    """What bash offers after `line` (ending in the word being completed)."""
    script = tmp_path / "completion.bash"
    script.write_text(run_cli("completion", "bash").stdout)
    words = line.split(" ")
    array = " ".join(f"'{w}'" for w in words)
    program = (
        f"source {script}\nCOMP_WORDS=({array})\nCOMP_CWORD={len(words) - 1}\n"
        'COMP_LINE="$*"\n_manifestgen\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        [shutil.which("bash") or "bash", "-c", program],
        capture_output=True,
        text=True,
        check=True,
    )
    return [word for word in done.stdout.splitlines() if word]


def test_bash_completion_from_the_parser(tmp_path: Path) -> None:
    assert _complete(tmp_path, "manifestgen ve") == ["verify"]
    assert set(_complete(tmp_path, "manifestgen build --f")) == {
        "--fail-on-change",
        "--format",
    }
    assert _complete(tmp_path, "manifestgen check --format j") == ["json"]
    assert _complete(tmp_path, "manifestgen verify --missing-schema w") == ["warn"]
    assert _complete(tmp_path, "manifestgen completion z") == ["zsh"]
    assert _complete(tmp_path, "manifestgen build --root ") == []  # bash completes paths


def test_zsh_script_wraps_the_bash_function() -> None:
    result = run_cli("completion", "zsh")
    assert result.code == 0
    assert result.stdout.startswith("#compdef manifestgen\n")
    assert "bashcompinit" in result.stdout
    assert "complete -o default -F _manifestgen manifestgen" in result.stdout


def test_completion_script_is_valid_bash(tmp_path: Path) -> None:
    script = tmp_path / "completion.bash"
    script.write_text(run_cli("completion", "bash").stdout)
    subprocess.run([venv_tool("bash"), "-n", str(script)], check=True)


def test_verify_quiet_prints_errors_only(tmp_path: Path) -> None:
    manifests = tmp_path / "m.yaml"
    manifests.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n---\n"
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
    )
    normal = run_cli("verify", "--no-cache", "--missing-schema", "warn", manifests)
    assert "warning: no schema for example.com/v1/Widget" in normal.stdout
    quiet = run_cli("verify", "--no-cache", "--missing-schema", "warn", "-q", manifests)
    assert quiet.code == 1
    assert quiet.stdout.splitlines() == [
        line for line in normal.stdout.splitlines() if "ConfigMap/Bad_Name" in line
    ]


def _on_a_terminal(repo: Path, env: dict[str, str]) -> str:
    """`manifestgen validate` with its output on a real pseudo-terminal."""
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            [venv_tool("manifestgen"), "validate", "--root", str(repo)],
            stdout=follower,
            stderr=follower,
            env=env,
            check=False,
            timeout=120,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything is read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return b"".join(chunks).decode()


def test_colour_on_a_real_terminal_unless_no_color(repo: Path) -> None:
    shutil.copytree(BAD, repo / "specs" / "bad")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert RED in _on_a_terminal(repo, env)
    assert RED not in _on_a_terminal(repo, {**env, "NO_COLOR": "1"})
