"""A persistent cache of parsed CRD files and prepared (strict) schemas, keyed by content.

Parsing a 600 KB CRD with libyaml takes ~30 ms and the 59 upstream CRDs ~1.2 s; a cold
pre-commit hook pays that on every commit. Entries are keyed by the sha256 of the CRD
file's bytes (and, for prepared schemas, by the preparation code's version and the
Kubernetes version), so an edited CRD or a new manifestgen release never reads a stale
entry. Entries are JSON, not pickle: a cache file can never execute code.

A cache entry decides what validation accepts, so it is never trusted blindly: each
file stores the sha256 of its payload, checked on every read, so a corrupt, truncated
or edited entry is a miss and is rebuilt; and a cache directory that another user could
write to (not ours, or group- or world-writable) is not used at all. A damaged or
unwritable cache is only ever a miss; it never fails a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from manifestgen.check.strict import PreparedSchema

CACHE_ENV = "MANIFESTGEN_CACHE_DIR"
# v2: a header line with the key and the payload's sha256, then the payload.
_LAYOUT = "v2"


def default_cache_directory() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "manifestgen"


class DiskCache:
    """Prepared schemas (`get`/`put`) and parsed CRD files (`get_crd_file`/`put_crd_file`)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / _LAYOUT

    def _path(self, kind: str, key: str) -> Path:
        name = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.directory / kind / name[:2] / f"{name}.json"

    def _read(self, kind: str, key: str) -> Any:
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

    def _write(self, kind: str, key: str, value: Any) -> None:
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

    def get(self, key: str) -> PreparedSchema | None:
        value = self._read("prepared", key)
        if not isinstance(value, dict) or not isinstance(value.get("schema"), dict):
            return None
        return PreparedSchema(
            schema=value["schema"],
            translated_patterns=tuple(value.get("translated", ())),
            skipped_patterns=tuple(value.get("skipped", ())),
        )

    def put(self, key: str, prepared: PreparedSchema) -> None:
        value = {
            "schema": prepared.schema,
            "translated": list(prepared.translated_patterns),
            "skipped": list(prepared.skipped_patterns),
        }
        self._write("prepared", key, value)

    def get_crd_file(self, digest: str) -> list[dict[str, Any]] | None:
        value = self._read("crd-file", digest)
        return value if isinstance(value, list) else None

    def put_crd_file(self, digest: str, versions: list[dict[str, Any]]) -> None:
        self._write("crd-file", digest, versions)


def schema_cache(directory: Path | None = None) -> DiskCache:
    """The on-disk cache at `directory`, or at $MANIFESTGEN_CACHE_DIR / ~/.cache/manifestgen."""
    return DiskCache(directory if directory is not None else default_cache_directory())
