"""One file for the cache entries a run reads by the thousand.

A validate of one file in a repository of 1,000 specs reads the load-cache entry of every
spec and the cached demand of every other job: 2,000 small files, whose opening and
verifying cost more than their content. A pack holds the entries of one kind that a run
used, in one entry of the store (so verified like any other): the next run reads it once
and looks its keys up there first. Each packed entry keeps its full key, so a pack hit
is exactly the entry the store holds under that key; a damaged pack is a miss as a whole.

Entries are still written one by one as well, so a missing, stale or damaged pack only
means reading the single files. A run rewrites the pack when it had to go past it for
more than a few entries (a run that changes one spec does not rewrite 1,000 entries);
what the pack then holds is what that run used, so entries no spec needs any more drop
out of it.
"""

from __future__ import annotations

from typing import Any

from manifestgen.cache_store import JsonStore

# Entries a run may read or write outside the pack before it is rewritten: reading a
# handful of single files costs less than rewriting a pack of a thousand entries.
REPACK_AFTER = 16


class PackedStore:
    """`read`/`write` of one kind of entry of `store`, through its pack; `close` at the end."""

    def __init__(self, store: JsonStore, kind: str) -> None:
        self._store = store
        self._kind = kind
        self._packed = self._read_pack()
        self._used: list[str] = []
        self._outside = 0

    def _read_pack(self) -> dict[str, Any]:
        found = self._store.read(f"{self._kind}-pack", self._kind)
        return found if isinstance(found, dict) else {}

    def read(self, key: str) -> Any:
        value = self._packed.get(key)
        if value is None:
            value = self._store.read(self._kind, key)
            if value is None:
                return None
            self._outside += 1
        self._used.append(key)
        return value

    def write(self, key: str, value: Any) -> None:
        self._store.write(self._kind, key, value)
        self._used.append(key)
        self._outside += 1

    def close(self) -> None:
        """Rewrite the pack if this run went past it for more than a few entries.

        The entries are read again from the store, not taken from what the run was given:
        whatever the run did with its values, the pack holds what the store holds.
        """
        if not self._outside or (self._outside <= REPACK_AFTER < len(self._used)):
            return
        packed = self._read_pack()
        fresh: dict[str, Any] = {}
        for key in sorted(set(self._used)):
            value = packed.get(key)
            if value is None:
                value = self._store.read(self._kind, key)
            if value is not None:
                fresh[key] = value
        self._store.write(f"{self._kind}-pack", self._kind, fresh)
