"""manifestgen's on-disk cache: JSON entries keyed by content, verified on every read.

Entries are JSON, not pickle: a cache file can never execute code. A cache entry can
decide what a run accepts, so it is never trusted blindly: each file stores its key and
the sha256 of its payload, both checked on every read, so a corrupt, truncated or edited
entry is a miss; and a cache directory that another user could write to (not ours, or
group- or world-writable) is not used at all. A damaged or unwritable cache is only ever
a miss; it never fails a run. Deleting the directory is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

CACHE_ENV = "MANIFESTGEN_CACHE_DIR"
# v2: a header line with the key and the payload's sha256, then the payload.
_LAYOUT = "v2"


def default_cache_directory() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "manifestgen"


class JsonStore:
    """Entries of plain JSON under `directory`, by kind and key; see the module docstring."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / _LAYOUT

    def _path(self, kind: str, key: str) -> Path:
        name = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.directory / kind / name[:2] / f"{name}.json"

    def read(self, kind: str, key: str) -> Any:
        if not self._trusted():
            return None
        try:
            header, payload = self._path(kind, key).read_bytes().split(b"\n", 1)
            meta = json.loads(header)
            if not isinstance(meta, dict) or meta.get("key") != key:
                return None
            if meta.get("sha256") != hashlib.sha256(payload).hexdigest():
                return None
            return json.loads(payload)
        except (OSError, ValueError):
            return None

    def write(self, kind: str, key: str, value: Any) -> None:
        path = self._path(kind, key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        payload = json.dumps(value).encode("utf-8")
        header = json.dumps({"key": key, "sha256": hashlib.sha256(payload).hexdigest()})
        try:
            self.directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.directory.mkdir(mode=0o700, exist_ok=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            if not self._trusted():
                return
            temporary.write_bytes(header.encode("utf-8") + b"\n" + payload)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)

    def _trusted(self) -> bool:
        """Whether only we can write the cache: ours, and not group- or world-writable."""
        for directory in (self.directory.parent, self.directory):
            try:
                info = directory.stat()
            except OSError:
                return False
            if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return False
        return True
