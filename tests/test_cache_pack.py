"""The cache pack: one verified file for the entries a run reads by the thousand, which
only ever answers what the store itself holds under the same key."""

from __future__ import annotations

from pathlib import Path

from manifestgen.cache_pack import REPACK_AFTER, PackedStore
from manifestgen.cache_store import JsonStore

KIND = "spec-load"


def _filled(tmp_path: Path, count: int) -> JsonStore:
    store = JsonStore(tmp_path / "cache")
    packed = PackedStore(store, KIND)
    for index in range(count):
        packed.write(f"key-{index}", {"value": index})
    packed.close()
    return store


def _single_entries(store: JsonStore) -> list[Path]:
    return sorted((store.directory / KIND).rglob("*.json"))


def test_a_second_run_reads_its_entries_from_the_pack(tmp_path: Path) -> None:
    store = _filled(tmp_path, 40)
    for entry in _single_entries(store):
        entry.unlink()  # only the pack is left
    again = PackedStore(store, KIND)
    assert [again.read(f"key-{i}") for i in range(40)] == [{"value": i} for i in range(40)]


def test_a_damaged_pack_falls_back_to_the_single_entries(tmp_path: Path) -> None:
    store = _filled(tmp_path, 40)
    (pack,) = sorted((store.directory / f"{KIND}-pack").rglob("*.json"))
    pack.write_bytes(pack.read_bytes().replace(b'"value": 7', b'"value": 8'))
    again = PackedStore(store, KIND)
    assert again.read("key-7") == {"value": 7}  # from its own entry, not the edited pack


def test_a_key_outside_the_pack_is_read_from_its_entry(tmp_path: Path) -> None:
    store = _filled(tmp_path, 40)
    store.write(KIND, "later", {"value": "later"})
    assert PackedStore(store, KIND).read("later") == {"value": "later"}
    assert PackedStore(store, KIND).read("missing") is None


def test_a_few_entries_outside_do_not_rewrite_a_large_pack(tmp_path: Path) -> None:
    store = _filled(tmp_path, 40)
    (pack,) = sorted((store.directory / f"{KIND}-pack").rglob("*.json"))
    before = pack.read_bytes()
    run = PackedStore(store, KIND)
    for index in range(40):
        run.read(f"key-{index}")
    for index in range(REPACK_AFTER):
        run.write(f"new-{index}", {"value": index})
    run.close()
    assert pack.read_bytes() == before
    run.write("one-more", {"value": 0})
    run.close()
    assert pack.read_bytes() != before


def test_the_pack_holds_what_the_store_holds_whatever_the_run_did(tmp_path: Path) -> None:
    store = JsonStore(tmp_path / "cache")
    run = PackedStore(store, KIND)
    value = {"data": [1, 2]}
    run.write("key", value)
    value["data"].append(3)  # the caller changes what it wrote: the pack must not see it
    run.close()
    for entry in _single_entries(store):
        entry.unlink()
    assert PackedStore(store, KIND).read("key") == {"data": [1, 2]}


def test_the_pack_drops_entries_no_run_uses_any_more(tmp_path: Path) -> None:
    store = _filled(tmp_path, 40)
    run = PackedStore(store, KIND)
    for index in range(REPACK_AFTER + 1):
        run.write(f"new-{index}", {"value": index})
    run.close()
    for entry in _single_entries(store):
        entry.unlink()
    again = PackedStore(store, KIND)
    assert again.read("key-0") is None
    assert again.read("new-0") == {"value": 0}
