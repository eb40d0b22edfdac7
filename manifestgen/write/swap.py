"""Replacing out/ with a staged tree so that every moment of the swap is recoverable.

The new tree is staged in a fresh sibling directory (`.out.manifestgen-staging-*`,
made by mkdtemp, so no planted name is ever reused). On Linux one renameat2(2) with
RENAME_EXCHANGE swaps it with out/: out/ is the old or the new tree at every instant,
and the old tree is left at the staging name to be deleted. Elsewhere two renames
(out/ to `.out.manifestgen-backup-*`, then staging to out/) leave a moment with no
out/; `recover` puts the backup back if a run died there. Signals that would stop the
process are held for the few system calls of the swap, so Ctrl-C never lands between
them. Every step calls `checkpoint`, a seam where tests inject failures and kills.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

_STAGING = "manifestgen-staging"
_BACKUP = "manifestgen-backup"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def checkpoint(step: str) -> None:
    """Called between the steps of a write; does nothing (tests replace it)."""


def leftovers(out_dir: Path) -> list[Path]:
    """Staging and backup directories an earlier run left beside out_dir (links excluded)."""
    if not out_dir.parent.is_dir():
        return []
    prefixes = (f".{out_dir.name}.{_STAGING}", f".{out_dir.name}.{_BACKUP}")
    found = []
    for entry in sorted(os.scandir(out_dir.parent), key=lambda e: e.name):
        if entry.name.startswith(prefixes) and entry.is_dir(follow_symlinks=False):
            found.append(Path(entry.path))
    return found


def recover(out_dir: Path) -> None:
    """Finish an interrupted swap: put a backup back if out/ is gone, drop the rest."""
    remaining = leftovers(out_dir)
    backups = [p for p in remaining if p.name.startswith(f".{out_dir.name}.{_BACKUP}")]
    if backups and not os.path.lexists(out_dir):
        os.rename(backups[0], out_dir)
        remaining.remove(backups[0])
    for path in remaining:
        discard(path)


def new_staging(out_dir: Path) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{_STAGING}-", dir=out_dir.parent))
    # mkdtemp makes it 0700; out/ should get the permissions a plain mkdir would give.
    os.chmod(staging, 0o777 & ~_umask())
    return staging


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def swap(staging: Path, out_dir: Path) -> Path | None:
    """Put staging in out_dir's place; returns where the old tree now is, if any."""
    if not os.path.lexists(out_dir):
        os.rename(staging, out_dir)
        return None
    if _exchange(staging, out_dir):
        return staging
    backup = staging.with_name(staging.name.replace(_STAGING, _BACKUP, 1))
    os.rename(out_dir, backup)
    try:
        checkpoint("out-moved")
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(backup, out_dir)
        raise
    return backup


def _exchange(first: Path, second: Path) -> bool:
    """Atomically exchange two directories; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is None:
        return False
    paths = (os.fsencode(first), os.fsencode(second))
    if function(_AT_FDCWD, paths[0], _AT_FDCWD, paths[1], _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a filesystem without RENAME_EXCHANGE: two renames instead
    raise OSError(error, os.strerror(error), str(second))


def discard(path: Path | None) -> None:
    """Delete a staging or old tree, even one whose directories were made read-only."""
    if path is None or not os.path.lexists(path):
        return
    try:
        shutil.rmtree(path)
    except OSError:
        # An entry of a read-only directory cannot be removed: open them up, then retry.
        _make_writable(path)
        shutil.rmtree(path)


def _make_writable(path: str | Path) -> None:
    mode = os.lstat(path).st_mode
    if not stat.S_ISDIR(mode):
        return
    if stat.S_IMODE(mode) & stat.S_IRWXU != stat.S_IRWXU:
        os.chmod(path, stat.S_IMODE(mode) | stat.S_IRWXU)
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _make_writable(entry.path)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends (main thread only).

    The signals are caught by a handler that only records them, then delivered again,
    to the handlers they had, once the block is done. A handler, unlike a signal mask,
    is the process's: a signal the kernel hands to another thread (any thread that does
    not block it may receive a process-directed signal) is held all the same.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, frame: object) -> None:
        pending.append(signum)

    previous = {held: signal.signal(held, hold) for held in _HELD_SIGNALS}
    try:
        yield
    finally:
        for held, handler in previous.items():
            # None: a handler Python did not install; the default is what it was.
            signal.signal(held, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)
