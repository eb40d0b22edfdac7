"""Build the test Platform with `spec.gitops` settings, checked against the real CRDs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from manifestgen.errors import Diagnostic
from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from tests.bundle import job_spec
from tests.support import CASE_PLATFORM, venv_tool


def platform_with(**gitops: Any) -> dict[str, Any]:
    platform: dict[str, Any] = yaml.safe_load(CASE_PLATFORM.read_text(encoding="utf-8"))
    platform["spec"]["gitops"].update(gitops)
    return platform


def build(
    root: Path, crds: Path, platform: dict[str, Any]
) -> tuple[dict[str, bytes], tuple[Diagnostic, ...]]:
    """The tree `build` would write, checked against the upstream CRDs, and the diagnostics."""
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "specs" / "platform.yaml").write_text(yaml.safe_dump(platform), encoding="utf-8")
    cpu_job = job_spec("nlp-b", team="nlp", cluster="train-b", processesPerNode=2)
    del cpu_job["spec"]["gpu"]
    cpu_job["spec"]["resources"] = {"cpu": 8, "memory": "32Gi"}
    jobs = [job_spec("vision-a"), cpu_job]
    (root / "specs" / "jobs.yaml").write_text(yaml.safe_dump_all(jobs), encoding="utf-8")
    result = run(BuildOptions(root=root, mode="validate", crds=(crds,), previous_build=False))
    return dict(result.tree), result.diagnostics


def argocd_objects(root: Path, crds: Path, **gitops: Any) -> dict[str, dict[str, Any]]:
    """out/argocd's objects by file name, after asserting the build is clean, every kind
    was checked against its upstream CRD, and `kubectl kustomize` renders each of them."""
    tree, diagnostics = build(root, crds, platform_with(**gitops))
    problems = [d for d in diagnostics if d.is_error or d.code == "MG402"]
    assert not problems, problems
    out = root / "out"
    for path, data in tree.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    rendered = subprocess.run(
        [venv_tool("kubectl"), "kustomize", str(out / "argocd")],
        capture_output=True,
        text=True,
        check=True,
    )
    objects = {
        path.removeprefix("argocd/"): yaml.safe_load(data)
        for path, data in tree.items()
        if path.startswith("argocd/") and not path.endswith("kustomization.yaml")
    }
    assert len(list(yaml.safe_load_all(rendered.stdout))) == len(objects)
    return objects


def sync_options(obj: dict[str, Any]) -> set[str]:
    value = obj["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-options", "")
    return {option for option in value.split(",") if option}
