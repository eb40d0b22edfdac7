"""Built-in kind schemas kept in the disk cache: a hit is what building gives, and only
an entry for the same kind file, definitions and code is ever a hit."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifestgen.check import OutputValidator
from manifestgen.check.disk_cache import schema_cache
from manifestgen.check.kubernetes import POD_TEMPLATE_SPEC, KubernetesSchemas, select_version

JOB = ("batch", "v1", "Job")


def _schemas(cache: Path | None) -> KubernetesSchemas:
    store = schema_cache(cache) if cache is not None else None
    return KubernetesSchemas(select_version("1.33"), store)


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "v2" / "kind-schema").rglob("*.json"))


def test_a_hit_is_what_building_gives_and_reads_no_definitions(tmp_path: Path) -> None:
    built = _schemas(None).kind_schema(*JOB)
    _schemas(tmp_path).kind_schema(*JOB)  # fills the cache
    again = _schemas(tmp_path)
    assert again.kind_schema(*JOB) == built
    # Neither the 1.4 MB definitions file parsed nor any definition rewritten.
    assert "_definitions" not in vars(again)


def test_named_definitions_are_cached_too(tmp_path: Path) -> None:
    built = _schemas(None).definition_schema(POD_TEMPLATE_SPEC)
    assert _schemas(tmp_path).definition_schema(POD_TEMPLATE_SPEC) == built
    again = _schemas(tmp_path)
    assert again.definition_schema(POD_TEMPLATE_SPEC) == built
    assert "_definitions" not in vars(again)


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    built = _schemas(None).kind_schema(*JOB)
    _schemas(tmp_path).kind_schema(*JOB)
    (entry,) = _entries(tmp_path)
    stored = entry.read_bytes()
    assert b'"object"' in stored
    entry.write_bytes(stored.replace(b'"object"', b'"string"'))
    assert _schemas(tmp_path).kind_schema(*JOB) == built


def test_another_kind_file_is_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _schemas(tmp_path).kind_schema(*JOB)
    # A changed bundle (another kubernetes-validate release) must not read the old entry.
    monkeypatch.setattr(KubernetesSchemas, "_bundle_digest", "another bundle")
    assert _schemas(tmp_path).kind_schema(*JOB) is not None
    assert len(_entries(tmp_path)) == 2


def test_the_output_validator_uses_the_disk_cache(tmp_path: Path) -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "demo", "namespace": "ml"},
        "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "b"}]}}},
    }
    first = OutputValidator.create("1.33", cache=schema_cache(tmp_path)).check(job)
    assert _entries(tmp_path)
    second = OutputValidator.create("1.33", cache=schema_cache(tmp_path)).check(job)
    assert first == second
    assert first.source == "kubernetes"
