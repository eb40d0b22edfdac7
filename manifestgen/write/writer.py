"""Atomic update of out/: build the new directory beside it, then swap.

The new tree is assembled in a sibling staging directory (hard links for unchanged
files, fresh files for changed ones), then two renames put it in place. An
interrupted build leaves either the old out/ or the new one; the next run finishes or
undoes a half-done swap. Only files that start with manifestgen's header are ever
removed; anything else in out/ is carried over untouched.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from manifestgen.render.tree import OutputTree
from manifestgen.write.drift import compare_tree


@dataclass(frozen=True)
class WriteResult:
    written: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def _siblings(out_dir: Path) -> tuple[Path, Path]:
    return (
        out_dir.parent / f".{out_dir.name}.manifestgen-staging",
        out_dir.parent / f".{out_dir.name}.manifestgen-backup",
    )


def recover(out_dir: Path) -> None:
    """Finish or undo a swap that an earlier run did not complete."""
    staging, backup = _siblings(out_dir)
    if backup.exists():
        if out_dir.exists():
            shutil.rmtree(backup)
        else:
            backup.rename(out_dir)
    if staging.exists():
        shutil.rmtree(staging)


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _prune_empty_dirs(root: Path, removed: tuple[str, ...]) -> None:
    for rel in removed:
        parent = (root / rel).parent
        while parent != root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


class WriteConflict(Exception):
    """Hand-written files stand where generated ones must go; nothing was written."""

    def __init__(self, paths: tuple[str, ...]) -> None:
        super().__init__(", ".join(paths))
        self.paths = paths


def write_tree(out_dir: Path, tree: OutputTree) -> WriteResult:
    """Make out_dir hold `tree`, removing generated files no spec produces any more."""
    recover(out_dir)
    drift = compare_tree(out_dir, tree)
    if drift.conflicts:
        raise WriteConflict(drift.conflicts)
    if drift.clean:
        return WriteResult((), ())
    staging, backup = _siblings(out_dir)
    if out_dir.exists():
        # Hard links: unchanged files cost nothing, and _write_file replaces rather
        # than edits, so the live out/ is never modified in place.
        shutil.copytree(out_dir, staging, copy_function=os.link, symlinks=True)
    else:
        staging.mkdir(parents=True)
    written = tuple(sorted((*drift.missing, *drift.stale)))
    for rel in written:
        _write_file(staging / rel, tree[rel])
    for rel in drift.extra:
        (staging / rel).unlink()
    _prune_empty_dirs(staging, drift.extra)
    if out_dir.exists():
        out_dir.rename(backup)
    staging.rename(out_dir)
    shutil.rmtree(backup, ignore_errors=True)
    return WriteResult(written, drift.extra)
