"""`validate <files>` checks the objects of the named files only (plus the Platform's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

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

    def record(manifests: list[Manifest], options: Any) -> list[Any]:
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
