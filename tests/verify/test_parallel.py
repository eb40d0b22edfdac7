"""Spreading the work over processes changes nothing in the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.corpus import write_corpus
from manifestgen.verify.inputs import Source
from manifestgen.verify.runner import (
    PARALLEL_MIN_BYTES,
    available_cores,
    chunks,
    planned_workers,
)

from .conftest import config_map, deployment, verify_cli


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~300 valid resources of 22 kinds, plus a few broken ones spread among them."""
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root, 300, per_file=20, seed=3)
    (root / "builtin" / "manifests-0003.yaml").write_text(
        json.dumps(deployment("bad", replicas="x")) + "\n---\nbroken: [\n"
    )
    (root / "custom" / "manifests-0002.yaml").write_text(json.dumps(config_map("Bad_Name")))
    return root


def test_one_and_two_workers_give_identical_output(corpus: Path, crds_dir: Path) -> None:
    runs = {
        (workers, fmt): verify_cli(
            corpus, "--crds", crds_dir, "--workers", workers, "--format", fmt, "-v"
        )
        for workers in ("1", "2")
        for fmt in ("text", "json")
    }
    assert runs["1", "text"].code == runs["2", "text"].code == 1
    assert runs["1", "text"].stdout == runs["2", "text"].stdout
    assert runs["1", "json"].stdout == runs["2", "json"].stdout
    lines = runs["1", "text"].stdout.splitlines()
    assert any(":1:Deployment/bad: spec.replicas:" in line for line in lines)
    assert any("Bad_Name" in line for line in lines)
    assert "1 file error" in lines[-1]


def test_the_corpus_generator_emits_valid_resources(corpus: Path, crds_dir: Path) -> None:
    document = json.loads(verify_cli(corpus, "--crds", crds_dir, "--format", "json").stdout)
    kinds = document["summary"]["kinds"]
    assert len(kinds) == 22
    assert document["summary"]["total"]["invalid"] == 2  # the two broken ones only


def _sources(*sizes: int) -> list[Source]:
    return [Source(f"f{i}", size=size) for i, size in enumerate(sizes)]


def test_chunks_are_contiguous_and_balanced_by_size() -> None:
    runs = chunks(_sources(10, 10, 10, 10, 40, 10, 10), 3)
    assert [[s.name for s in run] for run in runs] == [
        ["f0", "f1", "f2", "f3"],
        ["f4"],
        ["f5", "f6"],
    ]


def test_workers_are_used_only_for_large_inputs() -> None:
    assert planned_workers(None, _sources(1000, 1000)) == 1
    assert planned_workers(None, _sources(PARALLEL_MIN_BYTES, 1)) == min(available_cores(), 2)
    assert planned_workers(4, _sources(1, 1)) == 2  # never more than inputs
    assert planned_workers(3, _sources(1, 1, 1, 1)) == 3
