"""Loaded spec files, cached by content: a repeated run reads JSON instead of YAML.

Loading (the input guard, then libyaml's events into data and positions) is most of what
a run does per spec. An entry is keyed by the file's bytes and by the loader's own code,
so an edited spec, or any change to how specs are read, is a miss. Only files that load
without a diagnostic are stored, and only when their data survives JSON unchanged
(string keys, no NaN): whatever a cache hit returns is what loading the file would.
The store (manifestgen/cache_store.py) verifies every entry it reads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from manifestgen.cache_pack import PackedStore
from manifestgen.cache_store import JsonStore
from manifestgen.errors import Diagnostic
from manifestgen.source.document import SourceDocument
from manifestgen.source.positions import Positions

Loaded = tuple[tuple[SourceDocument, ...], tuple[Diagnostic, ...]]
_KIND = "spec-load"


@cache
def _loader_version() -> str:
    """A digest of the code that turns text into documents."""
    here = Path(__file__).parent
    code = hashlib.sha256()
    for module in sorted(here.glob("*.py")):
        code.update(module.name.encode() + b"\0" + module.read_bytes())
    return code.hexdigest()


def _key(text: str) -> str:
    return (
        f"{_loader_version()}:{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}"
    )


def _encode(documents: tuple[SourceDocument, ...]) -> list[Any]:
    return [
        {
            "data": doc.data,
            "root": list(doc.positions.root),
            "entries": [[list(path), list(entry)] for path, entry in doc.positions.entries.items()],
        }
        for doc in documents
    ]


def _decode(path: str, value: Any) -> tuple[SourceDocument, ...] | None:
    if not isinstance(value, list):
        return None
    documents = []
    try:
        for index, item in enumerate(value):
            line, column = item["root"]
            stored = item["entries"]
            if not isinstance(stored, list):
                return None
            # The index of every value's position is built if a location is asked for.
            positions = Positions((int(line), int(column)), stored=stored)
            documents.append(SourceDocument(path, index, item["data"], positions))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return tuple(documents)


def _survives_json(documents: tuple[SourceDocument, ...], stored: list[Any]) -> bool:
    try:
        again = json.loads(json.dumps(stored, allow_nan=False))
    except (TypeError, ValueError):
        return False
    return [d["data"] for d in again] == [doc.data for doc in documents]


class LoadCache:
    """`load(path, text)` through the cache; `loader` does the real work on a miss.

    The entries are read through their pack (manifestgen/cache_pack.py): `close` when
    the run has loaded its specs."""

    def __init__(self, store: JsonStore, loader: Callable[[str, str], Loaded]) -> None:
        self._store = PackedStore(store, _KIND)
        self._loader = loader

    def close(self) -> None:
        self._store.close()

    def load(self, path: str, text: str) -> Loaded:
        key = _key(text)
        documents = _decode(path, self._store.read(key))
        if documents is not None:
            return documents, ()
        documents, problems = self._loader(path, text)
        if not problems and all(doc.valid for doc in documents):
            stored = _encode(documents)
            if _survives_json(documents, stored):
                self._store.write(key, stored)
        return documents, problems
