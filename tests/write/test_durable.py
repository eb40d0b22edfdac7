"""Without syncfs, the written files and then their directories are fsynced, many at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from manifestgen.write import durable


def _tree(root: Path) -> list[Path]:
    written = []
    for index in range(40):
        directory = root / f"cluster-{index % 4}" / f"job-{index % 10}"
        directory.mkdir(parents=True, exist_ok=True)
        durable.create_file(directory / f"file-{index}.yaml", b"x\n")
        written.append(directory / f"file-{index}.yaml")
    return written


def test_every_file_then_every_directory_is_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _tree(tmp_path / "staging")
    synced: list[Path] = []
    lock = threading.Lock()

    def record(path: Path) -> None:
        with lock:
            synced.append(path)

    monkeypatch.setattr(durable, "_syncfs", lambda root: False)
    monkeypatch.setattr(durable, "_fsync_path", record)
    durable.flush_tree(tmp_path / "staging", written)
    directories = {tmp_path / "staging", *(p.parent for p in written)}
    directories |= {p.parent.parent for p in written}
    assert sorted(synced[: len(written)]) == sorted(written)
    assert sorted(synced[len(written) :]) == sorted(directories)


def test_the_fsyncs_are_in_flight_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One fsync after another would leave the first call waiting here for a second one
    # that never starts: the barrier breaks and the flush fails.
    written = _tree(tmp_path / "staging")
    barrier = threading.Barrier(2, timeout=10)
    first_two = iter(range(2))

    def meet(path: Path) -> None:
        if next(first_two, None) is not None:
            barrier.wait()

    monkeypatch.setattr(durable, "_syncfs", lambda root: False)
    monkeypatch.setattr(durable, "_fsync_path", meet)
    durable.flush_tree(tmp_path / "staging", written)


def test_a_failed_fsync_fails_the_flush(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = _tree(tmp_path / "staging")
    real = durable._fsync_path

    def fail_one(path: Path) -> None:
        if path == written[7]:
            raise OSError(5, "Input/output error", str(path))
        real(path)

    monkeypatch.setattr(durable, "_syncfs", lambda root: False)
    monkeypatch.setattr(durable, "_fsync_path", fail_one)
    with pytest.raises(OSError, match="Input/output error"):
        durable.flush_tree(tmp_path / "staging", written)
