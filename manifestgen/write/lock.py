"""One build at a time per out/: an advisory lock on the directory that holds out/.

The lock is flock(2) on the parent directory rather than on out/ (which a build
replaces) or on a lock file (which would be one more planted-path risk and a stray
file in the repository). The kernel drops it when the process exits, even on SIGKILL,
so a crashed build never leaves a stale lock. Builds take it exclusively for the whole
write step; readers (`check`) take it shared, so they see out/ before or after a build,
never during one.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from manifestgen.errors import ManifestgenError
from manifestgen.options import DEFAULT_LOCK_TIMEOUT

__all__ = ["DEFAULT_LOCK_TIMEOUT", "LockTimeout", "out_lock"]

_POLL_SECONDS = 0.05


class LockTimeout(ManifestgenError):
    """Another manifestgen run held out/ for longer than the timeout."""

    def __init__(self, timeout: float) -> None:
        super().__init__(f"another manifestgen build held the lock for more than {timeout:g} s")
        self.timeout = timeout


@contextmanager
def out_lock(out_dir: Path, *, shared: bool, timeout: float) -> Iterator[None]:
    """Hold the lock of out_dir (shared for readers) until the block ends."""
    descriptor = os.open(out_dir.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _acquire(descriptor, fcntl.LOCK_SH if shared else fcntl.LOCK_EX, timeout)
        yield
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


def _acquire(descriptor: int, mode: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(timeout) from None
            time.sleep(_POLL_SECONDS)
