"""A Platform runtime edit against the previous build: running TrainJobs keep their runtime."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.lifecycle_support import build, codes, edit
from tests.workloads.test_trainjob import TRAINER_PLATFORM, trainjob

JOB = "out/train-a/team-vision/bert/trainjob.yaml"


def _repo(root: Path) -> Path:
    (root / "specs").mkdir(parents=True)
    (root / "specs" / "platform.yaml").write_text(TRAINER_PLATFORM)
    (root / "specs" / "bert.yaml").write_text(yaml.safe_dump(trainjob()))
    return root


def _runtimes(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "out" / "train-a" / "cluster").glob("clustertrain*"))


def _runtime_ref(root: Path) -> str:
    return str(yaml.safe_load((root / JOB).read_text())["spec"]["runtimeRef"]["name"])


def test_a_runtime_edit_keeps_the_running_job_and_its_runtime(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert build(root).ok
    (before,) = _runtimes(root)
    ref = _runtime_ref(root)
    edit(root / "specs" / "platform.yaml", "pytorch:2.5.1", "pytorch:2.6.0")
    result = build(root)
    assert result.ok, result.diagnostics
    assert codes(result) == ["MG523"]
    # The kept TrainJob still names the old runtime, which stays until no job names it.
    assert _runtime_ref(root) == ref
    assert _runtimes(root) == [before]


def test_recreating_the_job_moves_it_to_the_new_runtime(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert build(root).ok
    (before,) = _runtimes(root)
    edit(root / "specs" / "platform.yaml", "pytorch:2.5.1", "pytorch:2.6.0")
    result = build(root, recreate=("bert",))
    assert result.ok, result.diagnostics
    (after,) = _runtimes(root)
    assert after != before
    assert after == f"clustertrainingruntime-{_runtime_ref(root)}.yaml"


def test_a_kept_job_whose_runtime_left_out_is_an_error(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert build(root).ok
    for path in (root / "out" / "train-a" / "cluster").glob("clustertrain*"):
        path.unlink()
    edit(root / "specs" / "platform.yaml", "pytorch:2.5.1", "pytorch:2.6.0")
    result = build(root, mode="validate")
    problems = [d for d in result.diagnostics if d.code == "MG305"]
    assert [(d.location.path, d.field) for d in problems] == [("specs/bert.yaml", "spec.runtime")]
