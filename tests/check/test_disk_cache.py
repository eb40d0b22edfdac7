"""The on-disk cache: a second run reads no CRD YAML, and a damaged cache is only a miss."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifestgen.check import OutputValidator, crds
from manifestgen.check.disk_cache import schema_cache

PYTORCHJOB = {
    "apiVersion": "kubeflow.org/v1",
    "kind": "PyTorchJob",
    "metadata": {"name": "demo", "namespace": "ml"},
    "spec": {
        "pytorchReplicaSpecs": {
            "Master": {
                "replicas": 1,
                "template": {
                    "spec": {"containers": [{"name": "pytorch", "image": "ghcr.io/acme/x:1"}]}
                },
            }
        }
    },
}


def _crd(crds_dir: Path) -> Path:
    return crds_dir / "kubeflow-training-operator" / "kubeflow.org_pytorchjobs.yaml"


@pytest.fixture(autouse=True)
def _fresh_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crds, "_PARSED", {})


def test_second_run_reads_parsed_crds_from_disk(
    tmp_path: Path, crds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = schema_cache(tmp_path)
    first = OutputValidator.create("1.33", [_crd(crds_dir)], cache=cache)
    assert first.check(PYTORCHJOB).ok

    def no_parsing(*args: object) -> None:
        raise AssertionError("the CRD file was parsed again")

    monkeypatch.setattr(crds, "_PARSED", {})
    monkeypatch.setattr(crds, "_parse_crd_file", no_parsing)
    second = OutputValidator.create("1.33", [_crd(crds_dir)], cache=schema_cache(tmp_path))
    assert second.check(PYTORCHJOB).ok
    bad = {**PYTORCHJOB, "spec": {**PYTORCHJOB["spec"], "resourcez": 1}}  # type: ignore[dict-item]
    assert [p.path for p in second.check(bad).problems] == [("spec", "resourcez")]


def test_damaged_cache_entries_are_misses(tmp_path: Path, crds_dir: Path) -> None:
    cache = schema_cache(tmp_path)
    OutputValidator.create("1.33", [_crd(crds_dir)], cache=cache).check(PYTORCHJOB)
    entries = list(tmp_path.rglob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text("{not json")
    crds._PARSED.clear()
    again = OutputValidator.create("1.33", [_crd(crds_dir)], cache=schema_cache(tmp_path))
    assert again.check(PYTORCHJOB).ok


def test_unwritable_cache_never_fails_a_run(tmp_path: Path, crds_dir: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    validator = OutputValidator.create("1.33", [_crd(crds_dir)], cache=schema_cache(blocker))
    assert validator.check(PYTORCHJOB).ok
