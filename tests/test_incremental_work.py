"""A build where one spec changed expands, checks and renders that spec's objects only."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen import pipeline
from manifestgen.check import OutputValidator
from manifestgen.expand import workload
from manifestgen.options import BuildOptions
from manifestgen.pipeline import credentials, expansion_cache
from manifestgen.render.yaml import render_document
from tests.bundle import job_spec
from tests.support import CASE_PLATFORM, tree_bytes

JOBS = ("alpha", "beta", "gamma")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "specs").mkdir(parents=True)
    (root / "specs" / "platform.yaml").write_text(CASE_PLATFORM.read_text(), encoding="utf-8")
    for name in JOBS:
        _write_job(root, name, nodes=1)
    return root


def _write_job(root: Path, name: str, **spec: Any) -> None:
    text = yaml.safe_dump(job_spec(name, **spec))
    (root / "specs" / f"{name}.yaml").write_text(text, encoding="utf-8")


class _Work:
    """Which spec files' objects were expanded, credential-searched, checked and rendered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.expanded: Counter[str] = Counter()
        self.searched: Counter[str] = Counter()
        self.checked = 0
        self.rendered: Counter[str | None] = Counter()
        expand = workload.expand_job
        search = credentials._value_findings

        def counted_expand(job: Any) -> Any:
            self.expanded[job.spec_path] += 1
            return expand(job)

        def counted_render(obj: Mapping[str, Any], source: str | None) -> bytes:
            self.rendered[source] += 1
            return render_document(obj, source)

        def counted_search(obj: Any) -> Any:
            annotations = obj.get("metadata", {}).get("annotations", {})
            self.searched[annotations.get("manifestgen.io/source", "")] += 1
            return search(obj)

        monkeypatch.setattr("manifestgen.pipeline.expansion_cache.expand_job", counted_expand)
        monkeypatch.setattr(pipeline, "render_document", counted_render)
        monkeypatch.setattr(credentials, "_value_findings", counted_search)
        check = OutputValidator.check

        def counted_check(validator: OutputValidator, obj: Mapping[str, Any]) -> Any:
            self.checked += 1
            return check(validator, obj)

        monkeypatch.setattr(OutputValidator, "check", counted_check)


def _build(root: Path, **options: Any) -> pipeline.BuildResult:
    result = pipeline.run(BuildOptions(root=root, cache_dir=root.parent / "cache", **options))
    assert result.ok, result.diagnostics
    return result


def test_one_changed_spec_costs_that_specs_work(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(repo)
    work = _Work(monkeypatch)
    _write_job(repo, "beta", nodes=2)
    result = _build(repo)
    assert result.written is not None
    assert result.written.changed
    assert dict(work.expanded) == {"specs/beta.yaml": 1}
    # beta's objects, and the cluster-wide ones its change moves (node pools, quotas,
    # kustomizations): never alpha's or gamma's.
    assert work.rendered["specs/beta.yaml"] >= 1
    assert work.rendered["specs/alpha.yaml"] == work.rendered["specs/gamma.yaml"] == 0
    assert work.checked < len(result.tree)
    assert work.searched
    assert not any("alpha" in s or "gamma" in s for s in work.searched)


def test_nothing_changed_is_all_answered(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _build(repo)
    work = _Work(monkeypatch)
    result = _build(repo)
    assert result.written is not None
    assert not result.written.changed
    assert not work.expanded
    assert not work.rendered
    assert work.checked == 0
    assert not work.searched


def test_cached_work_gives_the_same_tree_and_diagnostics(repo: Path, tmp_path: Path) -> None:
    _build(repo)
    _write_job(repo, "beta", nodes=2)
    twin = tmp_path / "twin" / "repo"
    shutil.copytree(repo, twin)
    cached = _build(repo)
    cold = pipeline.run(BuildOptions(root=twin, use_cache=False))
    assert cached.diagnostics == cold.diagnostics
    assert tree_bytes(repo / "out") == tree_bytes(twin / "out")


def test_damaged_entries_are_misses(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _build(repo)
    before = tree_bytes(repo / "out")
    for entry in (repo.parent / "cache").rglob("*.json"):
        header = entry.read_bytes().split(b"\n", 1)[0]
        entry.write_bytes(header + b'\n{"objects": [], "problems": []}')
    work = _Work(monkeypatch)
    result = _build(repo)
    assert sorted(work.expanded) == [f"specs/{name}.yaml" for name in JOBS]
    assert result.written is not None
    assert not result.written.changed
    assert tree_bytes(repo / "out") == before


def test_well_formed_entries_of_wrong_shape_are_misses(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Entries the store accepts (their digest matches) but that hold nonsense.
    from manifestgen.cache_store import JsonStore

    _build(repo)
    store = JsonStore(repo.parent / "cache")
    for entry in (store.directory / "job-expansion").rglob("*.json"):
        key = yaml.safe_load(entry.read_bytes().split(b"\n", 1)[0])["key"]
        jobs = store.read("job-expansion", key)
        nonsense = {"objects": [{"obj": [1]}], "problems": "x"}
        store.write("job-expansion", key, dict.fromkeys(jobs, nonsense))
    for entry in (store.directory / "object-memo").rglob("*.json"):
        key = yaml.safe_load(entry.read_bytes().split(b"\n", 1)[0])["key"]
        store.write("object-memo", key, {"r\0x": 1, "k\0bad": ["crd", 1, [], ""]})
    work = _Work(monkeypatch)
    result = _build(repo)
    assert sorted(work.expanded) == [f"specs/{name}.yaml" for name in JOBS]
    assert result.written is not None
    assert not result.written.changed


def test_an_entry_of_another_manifestgen_is_ignored(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from manifestgen.pipeline import object_memo

    _build(repo)
    monkeypatch.setattr(expansion_cache, "installation", lambda: "another manifestgen")
    monkeypatch.setattr(object_memo, "installation", lambda: "another manifestgen")
    work = _Work(monkeypatch)
    _build(repo)
    assert sorted(work.expanded) == [f"specs/{name}.yaml" for name in JOBS]
    assert work.rendered


def test_no_cache_reads_and_writes_nothing(repo: Path) -> None:
    pipeline.run(BuildOptions(root=repo, use_cache=False, cache_dir=repo.parent / "cache"))
    assert not (repo.parent / "cache").exists()
