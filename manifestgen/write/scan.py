"""What out/ holds, read without following a single symbolic link.

out/ is committed to git, and git stores symbolic links: a pull request can plant one
anywhere under out/. Nothing here opens a path that could be a link (entries are
classified with lstat semantics and files are opened with O_NOFOLLOW), so reading
out/ can never read, or lead a later write to, a file outside it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from manifestgen.render.yaml import is_generated

_MANIFEST_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class OutScan:
    """The entries of out/, relative POSIX paths in sorted order.

    `owned` maps generated files (an exact manifestgen header) to their bytes;
    `foreign` are other regular files; `unsafe` are symbolic links and special files
    (never followed or read); `read_only` are directories their owner may not write
    ("." for out/ itself).
    """

    owned: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    foreign: tuple[str, ...] = ()
    unsafe: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()


@dataclass
class _Found:
    owned: dict[str, bytes] = field(default_factory=dict)
    foreign: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)


def scan_out(out_dir: Path) -> OutScan:
    """Classify everything under out_dir; an absent out_dir is an empty scan."""
    try:
        top = os.lstat(out_dir)
    except FileNotFoundError:
        return OutScan()
    if not stat.S_ISDIR(top.st_mode):
        # The out/-path checks refuse this before a build; a reader still must not follow it.
        return OutScan(unsafe=(".",))
    found = _Found()
    _walk(out_dir, "", top, found)
    return OutScan(
        MappingProxyType(dict(sorted(found.owned.items()))),
        tuple(sorted(found.foreign)),
        tuple(sorted(found.unsafe)),
        tuple(sorted(found.read_only)),
    )


def _walk(directory: Path, prefix: str, info: os.stat_result, found: _Found) -> None:
    if not info.st_mode & stat.S_IWUSR:
        found.read_only.append(prefix.rstrip("/") or ".")
    with os.scandir(directory) as entries:
        children = sorted(entries, key=lambda entry: entry.name)
    for entry in children:
        rel = prefix + entry.name
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            _walk(Path(entry.path), rel + "/", entry.stat(follow_symlinks=False), found)
        elif not stat.S_ISREG(mode):
            found.unsafe.append(rel)
        elif entry.name.endswith(_MANIFEST_SUFFIXES) and is_generated(
            content := read_no_follow(Path(entry.path))
        ):
            found.owned[rel] = content
        else:
            found.foreign.append(rel)


def read_no_follow(path: Path) -> bytes:
    """The bytes of a regular file, refusing a symbolic link planted in its place."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(f"not a regular file: {path}")
        chunks = []
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)
