"""The committed artifacts are what the code generates: out/, schemas/ and the README reference."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from manifestgen.spec.reference import BEGIN, END, render_reference
from tests.support import REPO_ROOT, run_cli, venv_tool


def test_committed_out_is_current_and_valid_against_upstream_crds(crds_dir: Path) -> None:
    result = run_cli("check", "--root", REPO_ROOT, "--crds", crds_dir)
    assert result.code == 0, result.stdout
    assert " note[MG402]" not in result.stdout, "every generated kind must meet its upstream CRD"


def test_committed_schemas_are_current() -> None:
    result = run_cli("schema", "--root", REPO_ROOT, "--check")
    assert result.code == 0, result.stdout


def test_readme_spec_reference_is_current() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    assert readme[start:end] == render_reference(), "run: manifestgen schema --reference"


def test_examples_cover_the_promised_shapes() -> None:
    jobs = (REPO_ROOT / "specs" / "jobs").glob("*.yaml")
    texts = {p.stem: p.read_text() for p in jobs}
    assert any("nodes: 1" in t and "perNode: 8" in t for t in texts.values())
    assert any(
        "nodes: 4" in t and "a100" in t and "spot" in t and "elastic" in t and "checkpoints" in t
        for t in texts.values()
    )
    assert any("gpu:" not in t and "processesPerNode" in t for t in texts.values())


def test_examples_serve_a_fine_tune_on_mig_slices_watched_by_prometheus() -> None:
    """A fine-tune whose output a KEDA-scaled InferenceService reads on MIG slices, on a
    cluster whose Prometheus scrapes the DCGM exporter; and a tuned experiment."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for obj in _out_objects():
        by_kind.setdefault(str(obj["kind"]), []).append(obj)
    tuned = [j for j in by_kind["TrainJob"] if "initializer" in j["spec"]]
    assert tuned, "no TrainJob with initializers in out/"
    claims = {
        volume["persistentVolumeClaim"]["claimName"]
        for job in tuned
        for patch in job["spec"]["runtimePatches"]
        for rjob in patch["trainingRuntimeSpec"]["template"]["spec"]["replicatedJobs"]
        for volume in rjob["template"]["spec"]["template"]["spec"].get("volumes", [])
        if volume["name"] == "initializer"
    }
    served = [
        isvc
        for isvc in by_kind["InferenceService"]
        if isvc["spec"]["predictor"]["model"]["storageUri"].removeprefix("pvc://").split("/")[0]
        in claims
    ]
    assert served, "no InferenceService reads a fine-tune's claim"
    isvc = served[0]
    limits = isvc["spec"]["predictor"]["model"]["resources"]["limits"]
    assert any(name.startswith("nvidia.com/mig-") for name in limits)
    assert isvc["metadata"]["annotations"]["serving.kserve.io/autoscalerClass"] == "external"
    predictor = f"{isvc['metadata']['name']}-predictor"
    scalers = [
        s for s in by_kind["ScaledObject"] if s["spec"]["scaleTargetRef"]["name"] == predictor
    ]
    assert [t["type"] for s in scalers for t in s["spec"]["triggers"]] == ["prometheus"]
    assert any("dcgm" in m["metadata"]["name"] for m in by_kind["ServiceMonitor"])
    assert by_kind["Experiment"], "no tuned experiment in the examples"


def test_every_out_directory_renders_with_kubectl_kustomize() -> None:
    out = REPO_ROOT / "out"
    directories = sorted(p.parent for p in out.rglob("kustomization.yaml"))
    assert directories, "out/ has no kustomization.yaml"
    for directory in directories:
        rendered = subprocess.run(
            [venv_tool("kubectl"), "kustomize", str(directory)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert rendered.returncode == 0, rendered.stderr
        listed = (directory / "kustomization.yaml").read_text().count("\n- ")
        assert rendered.stdout.count("\nkind: ") + rendered.stdout.startswith("kind: ") == listed


def _out_objects() -> list[dict[str, object]]:
    out = REPO_ROOT / "out"
    return [
        yaml.safe_load(path.read_text())
        for path in sorted(out.rglob("*.yaml"))
        if path.name != "kustomization.yaml"
    ]


def test_every_application_reads_a_directory_that_exists() -> None:
    applications = [o for o in _out_objects() if o["kind"] == "Application"]
    assert applications
    for app in applications:
        source = app["spec"]["source"]  # type: ignore[index]
        assert (REPO_ROOT / source["path"] / "kustomization.yaml").is_file(), source


def test_sync_waves_put_cluster_objects_before_claims_before_jobs() -> None:
    waves: dict[str, set[int]] = {}
    for obj in _out_objects():
        annotations = obj["metadata"].get("annotations", {})  # type: ignore[attr-defined]
        wave = annotations.get("argocd.argoproj.io/sync-wave")
        if wave is not None:
            waves.setdefault(str(obj["kind"]), set()).add(int(wave))
    first = max(waves["Namespace"] | waves["NodePool"] | waves["EC2NodeClass"])
    claims = waves["PersistentVolumeClaim"]
    assert first < min(claims)
    assert max(claims) < min(waves["PyTorchJob"])
