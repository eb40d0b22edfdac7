"""Jobs of one framework, built alone or against the real upstream CRDs, for workload tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from manifestgen.errors import Diagnostic
from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from tests.bundle import PLATFORM, build_objects, job_spec, of_kind


def framework_job(framework: str, name: str = "train", **spec: Any) -> dict[str, Any]:
    """A CPU job of `framework` running a script of its own; None removes a field."""
    fields: dict[str, Any] = {
        "framework": framework,
        "command": ["python", "-m", "model.train"],
        "args": [],
        "nodes": 4,
        "gpu": None,
        "resources": {"cpu": 8, "memory": "32Gi"},
    }
    job = job_spec(name, **{**fields, **spec})
    job["spec"] = {k: v for k, v in job["spec"].items() if v is not None}
    return job


def built(root: Path, kind: str, job: dict[str, Any]) -> dict[str, Any]:
    """The one object of `kind` that `job` builds into."""
    (obj,) = of_kind(build_objects(root, [job]), kind)
    return obj


def crd_diagnostics(
    root: Path, jobs: list[dict[str, Any]], crds: Path, platform: str = PLATFORM
) -> tuple[Diagnostic, ...]:
    """The diagnostics of a validate run that checks the generated objects against `crds`."""
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "specs" / "platform.yaml").write_text(platform, encoding="utf-8")
    (root / "specs" / "jobs.yaml").write_text(yaml.safe_dump_all(jobs), encoding="utf-8")
    options = BuildOptions(root=root, mode="validate", crds=(crds,), use_cache=False)
    return run(options).diagnostics


def kind_problems(diagnostics: tuple[Diagnostic, ...], kind: str) -> list[Diagnostic]:
    """Schema failures (MG401, MG405) and unchecked-kind notes (MG402) that name `kind`."""
    return [
        d
        for d in diagnostics
        if d.code in ("MG401", "MG402", "MG405") and (kind in d.message or d.code != "MG402")
    ]
