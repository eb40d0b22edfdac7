"""Concurrent builds serialise on a lock of out/; readers never see a half-replaced tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

from manifestgen import pipeline
from manifestgen.options import BuildOptions
from manifestgen.write import out_lock, read_out, write_tree
from tests.support import REPO_ROOT, run_cli, tree_bytes
from tests.write.conftest import JOB_DIR


def _build_command(repo: Path) -> list[str]:
    return [sys.executable, "-m", "manifestgen", "build", "--root", str(repo), "--no-output-check"]


def test_two_builds_at_once_both_succeed_and_out_is_complete(repo: Path) -> None:
    expected = tree_bytes(repo / "out")
    for attempt in range(5):
        shutil.rmtree(repo / "out")
        if attempt % 2:  # half the pairs start from a stale out/
            (repo / "out" / JOB_DIR).mkdir(parents=True)
        builds = [
            subprocess.Popen(_build_command(repo), cwd=REPO_ROOT, stdout=subprocess.PIPE)
            for _ in range(2)
        ]
        outputs = [build.communicate()[0].decode() for build in builds]
        assert [build.returncode for build in builds] == [0, 0], outputs
        assert tree_bytes(repo / "out") == expected
        assert sorted(p.name for p in repo.iterdir()) == ["out", "specs"]
        assert run_cli("check", "--root", repo, "--no-output-check").code == 0


def test_a_build_that_cannot_get_the_lock_fails_clearly(repo: Path) -> None:
    (repo / "out" / JOB_DIR / "serviceaccount.yaml").unlink()
    with out_lock(repo / "out", shared=False, timeout=1):
        for command in ("build", "check"):
            result = run_cli(command, "--root", repo, "--no-output-check", "--lock-timeout", "0.2")
            assert result.code == 1
            assert (
                "out: error[MG507] out/ is locked: another manifestgen build held the lock for "
                "more than 0.2 s" in result.stdout.splitlines()
            )
    assert not (repo / "out" / JOB_DIR / "serviceaccount.yaml").exists()
    assert run_cli("build", "--root", repo, "--no-output-check").code == 0


def test_a_build_waits_for_the_lock(repo: Path) -> None:
    (repo / "out" / JOB_DIR / "serviceaccount.yaml").unlink()
    lock = out_lock(repo / "out", shared=True, timeout=1)  # a reader holds out/
    lock.__enter__()
    timer = threading.Timer(0.3, lock.__exit__, (None, None, None))
    timer.start()
    try:
        result = run_cli("build", "--root", repo, "--no-output-check", "--lock-timeout", "30")
    finally:
        timer.join()
    assert result.code == 0, result.stdout
    assert (repo / "out" / JOB_DIR / "serviceaccount.yaml").is_file()


def test_readers_see_the_old_or_the_new_tree_never_a_mix(repo: Path) -> None:
    out = repo / "out"
    first = dict(pipeline.run(BuildOptions(root=repo, mode="check", check_output=False)).tree)
    spec = repo / "specs" / "job.yaml"
    spec.write_text(spec.read_text().replace("nodes: 1", "nodes: 2"))
    second = dict(pipeline.run(BuildOptions(root=repo, mode="check", check_output=False)).tree)
    assert first != second
    stop = threading.Event()
    failures: list[BaseException] = []

    def keep_building() -> None:
        try:
            for index in range(30):
                write_tree(out, second if index % 2 else first)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            stop.set()

    writer = threading.Thread(target=keep_building)
    writer.start()
    seen = 0
    while not stop.is_set():
        owned = dict(read_out(out).owned)
        assert owned in (first, second)
        seen += 1
    writer.join()
    assert not failures
    assert seen > 0
