"""Atomic update of out/: stage the new tree beside it, flush it once, swap it in.

The staging directory is made fresh for each build; unchanged files are hard links to
the live ones (they cost nothing and the live out/ is never edited in place), changed
files are created new. Only files that start with manifestgen's exact header are ever
removed; other files are carried over untouched. Nothing is written while out/ holds
a symbolic link, a special file, a read-only directory, or a hand-written file where a
generated one must go: those are reported instead.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from manifestgen.render.tree import OutputTree
from manifestgen.report.progress import report
from manifestgen.write import swap
from manifestgen.write.drift import Drift, compare
from manifestgen.write.durable import create_file, flush_tree, sync_directory
from manifestgen.write.lock import DEFAULT_LOCK_TIMEOUT, LockTimeout, out_lock
from manifestgen.write.scan import OutScan, scan_out


@dataclass(frozen=True)
class WriteResult:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    # Hand-written files carried over: kept, and reported (MG506).
    foreign: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


class WriteRefused(Exception):
    """out/ holds something that must not be written over or through; nothing was written."""

    def __init__(self, drift: Drift, read_only: tuple[str, ...]) -> None:
        super().__init__(", ".join((*drift.conflicts, *drift.unsafe, *read_only)))
        self.drift = drift
        self.read_only = read_only


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a write; `replaced` says whether out/ already holds the new tree."""

    def __init__(self, replaced: bool) -> None:
        super().__init__()
        self.replaced = replaced


@dataclass
class _Progress:
    replaced: bool = False


def write_tree(
    out_dir: Path, tree: OutputTree, *, timeout: float = DEFAULT_LOCK_TIMEOUT
) -> WriteResult:
    """Make out_dir hold `tree`, removing generated files no spec produces any more."""
    _check_relative(tree)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    progress = _Progress()
    try:
        with out_lock(out_dir, shared=False, timeout=timeout):
            return _write_locked(out_dir, tree, progress)
    except KeyboardInterrupt as interrupt:
        raise Interrupted(progress.replaced) from interrupt


def recover(out_dir: Path, *, timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
    """Finish a swap an earlier run did not complete, so out/ is the last build again.

    Called before the previous build is read. If another build holds out/, nothing is
    done here: that build recovers, and this one's write step waits for it or says so.
    """
    if not out_dir.parent.is_dir():
        return
    try:
        with out_lock(out_dir, shared=False, timeout=timeout):
            swap.recover(out_dir)
    except LockTimeout:
        pass


def _write_locked(out_dir: Path, tree: OutputTree, progress: _Progress) -> WriteResult:
    swap.recover(out_dir)
    swap.checkpoint("recovered")
    scan = scan_out(out_dir)
    drift = compare(scan, tree)
    if drift.conflicts or drift.unsafe or scan.read_only:
        raise WriteRefused(drift, scan.read_only)
    if not drift.clean:
        _replace(out_dir, tree, scan, drift, progress)
    written = tuple(sorted((*drift.missing, *drift.stale)))
    return WriteResult(written, drift.extra, drift.foreign)


def _replace(
    out_dir: Path, tree: OutputTree, scan: OutScan, drift: Drift, progress: _Progress
) -> None:
    staging = swap.new_staging(out_dir)
    # What to delete on the way out, however it is taken: the new tree until the swap,
    # the old one after it (at the staging name after an exchange, else the backup).
    leftover: Path | None = staging
    try:
        swap.checkpoint("staging-created")
        written = _stage(staging, out_dir, scan, tree, drift)
        swap.checkpoint("files-written")
        flush_tree(staging, written)
        swap.checkpoint("flushed")
        with swap.held_signals():
            leftover = swap.swap(staging, out_dir)
            progress.replaced = True
        # out/ is the new tree from here on: a failure to persist the rename must not
        # report the build as failed.
        with contextlib.suppress(OSError):
            swap.checkpoint("swapped")
            sync_directory(out_dir.parent)
    finally:
        with contextlib.suppress(OSError):
            swap.discard(leftover)


def _stage(
    staging: Path, out_dir: Path, scan: OutScan, tree: OutputTree, drift: Drift
) -> list[Path]:
    """Fill staging: links to the files kept, new files for the ones written."""
    dropped = {*drift.extra, *drift.stale}
    kept = [rel for rel in (*scan.owned, *scan.foreign) if rel not in dropped]
    made: set[Path] = {staging}
    for rel in sorted(kept):
        target = staging / rel
        _make_parents(target.parent, made)
        os.link(out_dir / rel, target, follow_symlinks=False)
    written = []
    changed = sorted((*drift.missing, *drift.stale))
    for done, rel in enumerate(changed, start=1):
        report("writing files", done, len(changed))
        target = staging / rel
        _make_parents(target.parent, made)
        create_file(target, tree[rel])
        written.append(target)
    return written


def _make_parents(directory: Path, made: set[Path]) -> None:
    # Every directory in staging is made here, by this run: none can be a planted link.
    if directory in made:
        return
    _make_parents(directory.parent, made)
    os.mkdir(directory)
    made.add(directory)


def _check_relative(tree: OutputTree) -> None:
    for rel in tree:
        path = PurePosixPath(rel)
        if path.is_absolute() or ".." in path.parts or rel != path.as_posix():
            raise ValueError(f"output path escapes out/: {rel!r}")
