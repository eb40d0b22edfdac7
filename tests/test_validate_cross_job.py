"""validate of one file expands only its jobs, yet rules across jobs still see them all."""

from __future__ import annotations

from pathlib import Path

import yaml

from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from tests.bundle import PLATFORM, job_spec


def test_a_claim_another_files_job_has_is_refused_when_validating_one_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "platform.yaml").write_text(PLATFORM)
    shared = {"size": "100Gi", "claimName": "shared-ckpt"}
    for name in ("one", "two"):
        job = job_spec(name, checkpoints=shared)
        (tmp_path / "specs" / f"{name}.yaml").write_text(yaml.safe_dump(job))
    options = BuildOptions(
        root=tmp_path, mode="validate", only=(Path("specs/one.yaml"),), check_output=False
    )
    result = run(options)
    assert [(d.code, d.location.path) for d in result.diagnostics if d.is_error] == [
        ("MG260", "specs/one.yaml")
    ]
    # Only the named file's job was expanded.
    assert any("/one/" in path for path in result.tree)
    assert not any("/two/" in path for path in result.tree)
