"""The swap of out/ survives a failure, Ctrl-C or SIGKILL at every step, and says what it did."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from manifestgen import pipeline
from manifestgen.options import BuildOptions
from manifestgen.write import durable, swap
from tests.support import REPO_ROOT, run_cli, tree_bytes
from tests.write.conftest import JOB_DIR

BEFORE_SWAP = ("recovered", "staging-created", "files-written", "flushed")
# With two renames instead of one exchange there is a step between them.
CASES = [
    *((True, step) for step in (*BEFORE_SWAP, "swapped")),
    *((False, step) for step in (*BEFORE_SWAP, "out-moved", "swapped")),
]
IDS = [f"{'exchange' if exchange else 'two-renames'}-{step}" for exchange, step in CASES]


def _edit_spec(repo: Path) -> dict[str, bytes]:
    """Change the job so a build has work to do; returns the tree it will write."""
    spec = repo / "specs" / "job.yaml"
    spec.write_text(spec.read_text().replace("mnist:1.0.0", "mnist:1.0.1"))
    result = pipeline.run(BuildOptions(root=repo, mode="check", check_output=False))
    return dict(result.tree)


def _no_leftovers(repo: Path) -> bool:
    return sorted(p.name for p in repo.iterdir()) == ["out", "specs"]


def _prepare(
    repo: Path, monkeypatch: pytest.MonkeyPatch, use_exchange: bool
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The old and the new tree of a build about to run, by exchange or by two renames."""
    if not use_exchange:
        monkeypatch.setattr(swap, "_exchange", lambda first, second: False)
    old = tree_bytes(repo / "out")
    return old, _edit_spec(repo)


def _inject(monkeypatch: pytest.MonkeyPatch, at: str, action: object) -> list[str]:
    seen: list[str] = []

    def checkpoint(step: str) -> None:
        seen.append(step)
        if step == at and callable(action):
            action()

    monkeypatch.setattr(swap, "checkpoint", checkpoint)
    return seen


@pytest.mark.parametrize("use_exchange", [True, False], ids=["exchange", "two-renames"])
def test_every_step_is_a_checkpoint(
    repo: Path, monkeypatch: pytest.MonkeyPatch, use_exchange: bool
) -> None:
    _prepare(repo, monkeypatch, use_exchange)
    seen = _inject(monkeypatch, "", None)
    assert run_cli("build", "--root", repo, "--no-output-check").code == 0
    middle = () if use_exchange else ("out-moved",)
    assert seen == [*BEFORE_SWAP, *middle, "swapped"]


@pytest.mark.parametrize(("use_exchange", "step"), CASES, ids=IDS)
def test_failure_at_any_step_leaves_old_or_new_and_no_staging(
    repo: Path, monkeypatch: pytest.MonkeyPatch, use_exchange: bool, step: str
) -> None:
    old, new = _prepare(repo, monkeypatch, use_exchange)

    def fail() -> None:
        raise OSError(errno.EIO, "Input/output error")

    _inject(monkeypatch, step, fail)
    result = run_cli("build", "--root", repo, "--no-output-check")
    if step == "swapped":  # out/ is already new; a failed directory sync does not undo it
        assert result.code == 0, result.stdout
        assert tree_bytes(repo / "out") == new
    else:
        assert result.code == 1
        assert "out: error[MG504] cannot write out/: Input/output error" in result.stdout
        assert tree_bytes(repo / "out") == old
    assert _no_leftovers(repo)


@pytest.mark.parametrize(("use_exchange", "step"), CASES, ids=IDS)
def test_ctrl_c_at_any_step_says_truly_what_out_holds(
    repo: Path, monkeypatch: pytest.MonkeyPatch, use_exchange: bool, step: str
) -> None:
    old, new = _prepare(repo, monkeypatch, use_exchange)
    _inject(monkeypatch, step, lambda: os.kill(os.getpid(), signal.SIGINT))
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 3
    if step in BEFORE_SWAP:
        assert result.stderr == "manifestgen: interrupted; out/ was left as it was\n"
        assert tree_bytes(repo / "out") == old
    else:  # the signal was held until the swap was done
        assert result.stderr == "manifestgen: interrupted; out/ already holds the new build\n"
        assert tree_bytes(repo / "out") == new
    assert _no_leftovers(repo)


_KILL_AT = """
import os, signal, sys
from manifestgen.write import swap
from manifestgen.cli.main import main
step, exchange, root = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
def checkpoint(at):
    if at == step:
        os.kill(os.getpid(), signal.SIGKILL)
swap.checkpoint = checkpoint
if not exchange:
    swap._exchange = lambda first, second: False
sys.exit(main(["build", "--root", root, "--no-output-check"]))
"""


@pytest.mark.parametrize(("use_exchange", "step"), CASES, ids=IDS)
def test_sigkill_at_any_step_is_recovered_by_the_next_build(
    repo: Path, use_exchange: bool, step: str
) -> None:
    old = tree_bytes(repo / "out")
    new = _edit_spec(repo)
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_AT, step, "1" if use_exchange else "0", str(repo)],
        cwd=REPO_ROOT,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if step == "out-moved":  # the one moment two renames leave no out/
        assert not (repo / "out").exists()
    else:
        assert tree_bytes(repo / "out") in (old, new)
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 0, result.stdout
    assert tree_bytes(repo / "out") == new
    assert _no_leftovers(repo)


def test_read_only_out_is_a_clear_error_and_leaves_nothing(repo: Path) -> None:
    job = repo / "out" / JOB_DIR
    old = tree_bytes(repo / "out")
    _edit_spec(repo)
    job.chmod(0o555)
    try:
        result = run_cli("build", "--root", repo, "--no-output-check")
    finally:
        job.chmod(0o755)
    assert result.code == 1
    assert (
        f"out/{JOB_DIR}: error[MG508] directory is read-only: manifestgen will not replace out/"
        in result.stdout.splitlines()
    )
    assert tree_bytes(repo / "out") == old
    assert _no_leftovers(repo)


def test_leftover_with_read_only_directories_is_removed(repo: Path) -> None:
    leftover = repo / ".out.manifestgen-staging-old" / "train-a"
    leftover.mkdir(parents=True)
    (leftover / "a.yaml").write_text("x\n")
    leftover.chmod(0o500)
    _edit_spec(repo)
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 0, result.stdout
    assert _no_leftovers(repo)


def _count_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        calls.append(descriptor)
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    return calls


def test_one_flush_for_the_whole_tree(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_fsyncs(monkeypatch)
    files = len(tree_bytes(repo / "out"))
    for path in sorted((repo / "out").rglob("*.yaml"), reverse=True):
        path.unlink()
    assert run_cli("build", "--root", repo, "--no-output-check").code == 0
    assert len(tree_bytes(repo / "out")) == files
    assert len(calls) <= 1  # syncfs for the files, one fsync for the renamed directory


def test_without_syncfs_every_written_file_is_fsynced(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = _count_fsyncs(monkeypatch)
    monkeypatch.setattr(durable, "_syncfs", lambda root: False)
    new = _edit_spec(repo)
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 0
    written = result.stdout.split("wrote ")[1].split(" ")[0]
    # each written file, each directory holding one (staging included), and out/'s parent
    assert len(synced) >= int(written) + 2
    assert tree_bytes(repo / "out") == new
