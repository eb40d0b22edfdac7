"""`validate <files>` checks the objects of the named files only (plus the Platform's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import manifestgen.history as history
import manifestgen.history.jobs as history_jobs
import manifestgen.pipeline as pipeline
from manifestgen.manifest import Manifest
from manifestgen.options import BuildOptions
from tests.bundle import PLATFORM, job_spec


def _repo(root: Path) -> None:
    (root / "specs").mkdir(parents=True)
    (root / "specs" / "platform.yaml").write_text(PLATFORM)
    for name in ("one", "two"):
        (root / "specs" / f"{name}.yaml").write_text(yaml.safe_dump(job_spec(name)))


@pytest.mark.parametrize(
    ("named", "sources"),
    [
        (("specs/one.yaml",), {"specs/one.yaml", "specs/platform.yaml"}),
        (("specs/platform.yaml",), {"specs/one.yaml", "specs/two.yaml", "specs/platform.yaml"}),
        ((), {"specs/one.yaml", "specs/two.yaml", "specs/platform.yaml"}),
    ],
)
def test_only_reported_objects_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: tuple[str, ...], sources: set[str]
) -> None:
    _repo(tmp_path)
    seen: list[Manifest] = []

    def record(manifests: list[Manifest], options: Any, memo: Any = None) -> list[Any]:
        seen.extend(manifests)
        return []

    monkeypatch.setattr(pipeline, "check_credentials", record)
    options = BuildOptions(
        root=tmp_path, mode="validate", only=tuple(Path(p) for p in named), check_output=False
    )
    result = pipeline.run(options)
    assert result.ok, result.diagnostics
    assert {m.origin.document.path for m in seen} == sources
    # Every job is still expanded: node pools and quotas sum over all of them.
    assert result.stats.jobs == 2


def test_validate_of_one_file_weighs_only_its_jobs_against_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous build is read for the named file's jobs only; a build reads them all."""
    _repo(tmp_path)
    assert pipeline.run(BuildOptions(root=tmp_path, check_output=False)).ok
    settled: list[str] = []
    real = history_jobs.settle_job

    def record(job: Any, *args: Any) -> Any:
        settled.append(job.name)
        return real(job, *args)

    monkeypatch.setattr(history, "settle_job", record)
    named = BuildOptions(
        root=tmp_path, mode="validate", only=(Path("specs/one.yaml"),), check_output=False
    )
    assert pipeline.run(named).ok
    assert settled == ["one"]
    settled.clear()
    assert pipeline.run(BuildOptions(root=tmp_path, mode="check", check_output=False)).ok
    assert sorted(settled) == ["one", "two"]
