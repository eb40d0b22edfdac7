"""What out/ held when a build last looked at it, and a cheap test that it still does.

A build records, at its end, every entry of out/ with its stat signature (type, mode,
size, modification and change times, inode) and every regular file's sha256. A later
run proves out/ unchanged by a stat walk alone: any write, rename, chmod or hard link
moves a file's change time, which no program can set back. That proof has the hole git
calls "racily clean": a file changed within the filesystem's timestamp granularity of
the moment it was recorded can keep its signature, so an entry whose times are not
clearly older than the recording (by `_RACY_NS`) is proved by its content instead.

The walk follows no symbolic link and opens files with O_NOFOLLOW, like the scan of
out/ (write/scan.py) whose classification of generated files it repeats.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manifestgen.render.yaml import is_generated
from manifestgen.write.scan import read_no_follow

# Wider than the timestamp granularity of the filesystems out/ lives on (ext4, xfs,
# btrfs, tmpfs: a clock tick; a few network filesystems: up to a second).
_RACY_NS = 2_000_000_000
_MANIFEST_SUFFIXES = (".yaml", ".yml")

# (relative path, type "d"/"f"/"o", mode, size, mtime_ns, ctime_ns, inode)
Signature = tuple[str, str, int, int, int, int, int]


@dataclass(frozen=True)
class OutState:
    """Every entry of out/ (sorted signatures) and the sha256 of every regular file;
    `owned` are the files a build generated (manifestgen's exact header)."""

    entries: tuple[Signature, ...]
    digests: Mapping[str, str]
    owned: frozenset[str]
    recorded_ns: int

    def fingerprint(self) -> str:
        """The content of out/ (not its stat signatures): equal for equal trees."""
        code = hashlib.sha256()
        for rel, kind, mode, *_ in self.entries:
            code.update(f"{rel}\0{kind}\0{mode}\0{self.digests.get(rel, '')}\n".encode())
        return code.hexdigest()

    def racy(self, entry: Signature) -> bool:
        return max(entry[4], entry[5]) >= self.recorded_ns - _RACY_NS

    def encode(self) -> dict[str, Any]:
        return {
            "entries": [list(entry) for entry in self.entries],
            "digests": dict(self.digests),
            "owned": sorted(self.owned),
            "recorded_ns": self.recorded_ns,
        }


def decode_state(value: Any) -> OutState | None:
    """An OutState from its JSON form; None for anything malformed."""
    try:
        entries = tuple(_signature(item) for item in value["entries"])
        digests = {str(rel): str(sha) for rel, sha in value["digests"].items()}
        owned = frozenset(str(rel) for rel in value["owned"])
        recorded = int(value["recorded_ns"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return OutState(entries, digests, owned, recorded)


def _signature(item: Any) -> Signature:
    rel, kind, mode, size, mtime, ctime, inode = item
    return (str(rel), str(kind), int(mode), int(size), int(mtime), int(ctime), int(inode))


def signatures(out_dir: Path) -> tuple[Signature, ...]:
    """The stat signatures of out_dir and everything in it; none when out/ is absent."""
    try:
        top = os.lstat(out_dir)
    except FileNotFoundError:
        return ()
    found = [_entry(".", top)]
    if stat.S_ISDIR(top.st_mode):
        found += _walk(str(out_dir), "")
    return tuple(sorted(found))


def _entry(rel: str, info: os.stat_result) -> Signature:
    mode = info.st_mode
    kind = "d" if stat.S_ISDIR(mode) else "f" if stat.S_ISREG(mode) else "o"
    return (rel, kind, mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _walk(directory: str, prefix: str) -> Iterator[Signature]:
    with os.scandir(directory) as entries:
        for item in entries:
            rel = prefix + item.name
            info = item.stat(follow_symlinks=False)
            yield _entry(rel, info)
            if stat.S_ISDIR(info.st_mode):
                yield from _walk(item.path, rel + "/")


def record(
    out_dir: Path, known: Mapping[str, bytes] | None = None, since: int | None = None
) -> OutState | None:
    """The state of out/ now: signatures, then the content of every regular file.

    `known` are files whose content the caller saw in out/ (compared or wrote) at or
    after the time `since`; they are not read again. That is sound because an entry
    changed after `since` counts as racy (proved by content on the next run), and so
    does anything changed during the walk: the record is dated `since`, else now."""
    recorded = time.time_ns() if since is None else since
    entries = signatures(out_dir)
    digests: dict[str, str] = {}
    owned = set()
    for rel, kind, *_ in entries:
        if kind != "f":
            continue
        content = (
            known[rel] if known is not None and rel in known else read_no_follow(out_dir / rel)
        )
        digests[rel] = hashlib.sha256(content).hexdigest()
        if rel.endswith(_MANIFEST_SUFFIXES) and is_generated(content):
            owned.add(rel)
    after = signatures(out_dir)
    if after != entries:
        return None  # something changed out/ while it was read: no state to trust
    return OutState(entries, digests, frozenset(owned), recorded)


def still_holds(out_dir: Path, state: OutState) -> tuple[bool, bool]:
    """Whether out/ still holds what `state` recorded, and whether a fresh record would
    have fewer racy entries (worth storing again).

    Entries are compared by signature; racy ones also by content."""
    entries = signatures(out_dir)
    if entries != state.entries:
        return False, False
    racy = [entry for entry in entries if state.racy(entry)]
    for rel, kind, *_ in racy:
        if kind != "f":
            continue
        try:
            content = read_no_follow(out_dir / rel)
        except OSError:
            return False, False
        if hashlib.sha256(content).hexdigest() != state.digests.get(rel):
            return False, False
    settled = bool(racy) and any(
        max(entry[4], entry[5]) < time.time_ns() - _RACY_NS for entry in racy
    )
    return True, settled
