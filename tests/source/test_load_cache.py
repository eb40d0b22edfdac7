"""The spec-load cache returns exactly what loading the file would, or misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifestgen.cache_store import JsonStore
from manifestgen.source import load_cache
from manifestgen.source.document import SourceDocument
from manifestgen.source.load_cache import LoadCache, Loaded
from manifestgen.source.loader import load_source

SPEC = "apiVersion: manifestgen.io/v1alpha1\nkind: TrainingJob\nmetadata:\n  name: a\n"


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: str, text: str) -> Loaded:
        self.calls += 1
        return load_source(path, text)


def _cache(tmp_path: Path) -> tuple[LoadCache, Counting]:
    loader = Counting()
    return LoadCache(JsonStore(tmp_path / "cache"), loader), loader


def test_a_hit_equals_a_load_and_skips_the_loader(tmp_path: Path) -> None:
    cache, loader = _cache(tmp_path)
    first = cache.load("specs/a.yaml", SPEC)
    second = cache.load("specs/b.yaml", SPEC)
    assert loader.calls == 1
    assert [d.data for d in second[0]] == [d.data for d in first[0]]
    assert [d.positions for d in second[0]] == [d.positions for d in first[0]]
    # The path is the caller's: one content, two files.
    assert [d.path for d in second[0]] == ["specs/b.yaml"]
    where = ("metadata", "name")
    assert second[0][0].locate(where).line == first[0][0].locate(where).line == 4


def test_files_with_diagnostics_are_never_stored(tmp_path: Path) -> None:
    cache, loader = _cache(tmp_path)
    broken = "a: 1\na: 2\n"
    assert cache.load("x.yaml", broken)[1]
    assert cache.load("x.yaml", broken)[1]
    assert loader.calls == 2


def test_data_json_would_change_is_never_stored() -> None:
    # The loader refuses such values itself (MG112, MG113); the cache does not rely on it.
    (document,), _ = load_source("x.yaml", SPEC)
    for data in ({1: "one"}, {"ratio": float("nan")}, {"when": (1, 2)}):
        changed = SourceDocument(document.path, 0, data, document.positions)
        assert not load_cache._survives_json((changed,), load_cache._encode((changed,)))
    assert load_cache._survives_json((document,), load_cache._encode((document,)))


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    cache, loader = _cache(tmp_path)
    cache.load("a.yaml", SPEC)
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_bytes(entry.read_bytes()[:-3])
    cache.load("a.yaml", SPEC)
    assert loader.calls == 2


def test_a_change_to_the_loader_code_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, loader = _cache(tmp_path)
    cache.load("a.yaml", SPEC)
    monkeypatch.setattr(load_cache, "_loader_version", lambda: "another loader")
    cache.load("a.yaml", SPEC)
    assert loader.calls == 2
