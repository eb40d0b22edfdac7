"""Build specs in a throw-away repository and read back the generated objects, for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from manifestgen.errors import Diagnostic
from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from tests.support import CASE_PLATFORM

PLATFORM = CASE_PLATFORM.read_text(encoding="utf-8")


def job_spec(name: str = "train", **spec: Any) -> dict[str, Any]:
    """A valid TrainingJob on the test Platform; keyword arguments replace spec fields, and
    None leaves one out (a spec cannot say null, MG630)."""
    base: dict[str, Any] = {
        "team": "vision",
        "cluster": "train-a",
        "image": "ghcr.io/acme/train:1.0.0",
        "command": ["torchrun"],
        "args": ["train.py"],
        "nodes": 2,
        "gpu": {"type": "a100-80gb", "perNode": 8},
        "resources": {"cpu": 90, "memory": "900Gi"},
    }
    return {
        "apiVersion": "manifestgen.io/v1alpha1",
        "kind": "TrainingJob",
        "metadata": {"name": name},
        "spec": {key: value for key, value in {**base, **spec}.items() if value is not None},
    }


def compile_specs(
    root: Path, jobs: list[dict[str, Any]], platform: str = PLATFORM
) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    """The generated objects by out/ path, and the diagnostics (no output check)."""
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "specs" / "platform.yaml").write_text(platform, encoding="utf-8")
    (root / "specs" / "jobs.yaml").write_text(yaml.safe_dump_all(jobs), encoding="utf-8")
    result = run(BuildOptions(root=root, mode="validate", check_output=False))
    objects = {
        path: yaml.safe_load(data)
        for path, data in result.tree.items()
        if not path.endswith("kustomization.yaml")
    }
    return objects, result.diagnostics


def build_objects(
    root: Path, jobs: list[dict[str, Any]], platform: str = PLATFORM
) -> dict[str, Any]:
    objects, diagnostics = compile_specs(root, jobs, platform)
    errors = [d for d in diagnostics if d.is_error]
    assert not errors, errors
    return objects


def of_kind(objects: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [obj for _, obj in sorted(objects.items()) if obj["kind"] == kind]


def codes(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    return [d.code for d in diagnostics if d.is_error]
