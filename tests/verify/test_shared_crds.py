"""Against the real upstream CRDs: runtime examples, a typo, `kubectl kustomize | verify -`,
and where CRD locations come from."""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import node_pool
from manifestgen.check.crds import load_crd_versions
from manifestgen.check.generic import generic_row
from tests.conftest import REPO_ROOT
from tests.support import run_cli

from .conftest import Write, verify_cli


def _runtime_examples(crds_dir: Path) -> list[Path]:
    return sorted((crds_dir / "kubeflow-trainer" / "runtimes").rglob("*.yaml"))


def test_every_trainer_runtime_example_verifies_clean(crds_dir: Path) -> None:
    examples = _runtime_examples(crds_dir)
    assert len(examples) >= 5
    result = verify_cli(*examples, "--crds", crds_dir, "--missing-schema", "error")
    assert result.code == 0, result.stdout
    assert f"0 invalid, {len(examples)} valid" in result.stdout


def _pytorchjob() -> dict[str, Any]:
    container = {
        "name": "pytorch",
        "image": "ghcr.io/acme/train:1",
        "resourcez": {"limits": {"nvidia.com/gpu": 8}},
    }
    replica = {"replicas": 2, "template": {"spec": {"containers": [container]}}}
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": {"name": "resnet", "namespace": "ml"},
        "spec": {"pytorchReplicaSpecs": {"Worker": replica}},
    }


def test_an_unknown_field_in_a_pytorchjob_is_caught(write: Write, crds_dir: Path) -> None:
    path = write("job.yaml", [_pytorchjob()])
    result = verify_cli(path, "--crds", crds_dir, "--no-summary")
    assert result.code == 1
    assert result.stdout == (
        f"{path.as_posix()}:1:PyTorchJob/resnet: "
        "spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resourcez: "
        "unknown field 'resourcez' (did you mean 'resources'?)\n"
    )


def test_kubectl_kustomize_piped_to_verify(crds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kubectl = shutil.which("kubectl", path=str(Path(sys.executable).parent))
    assert kubectl is not None, "kubectl is installed with the test extras"
    # The cluster's platform part (node pools) and one team's part (its jobs).
    out = REPO_ROOT / "out" / "prod-use1"
    rendered = b"---\n".join(
        subprocess.run(
            [kubectl, "kustomize", str(out / part)], check=True, capture_output=True, timeout=60
        ).stdout
        for part in ("cluster", "ml-research")
    )
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(rendered)))
    result = verify_cli("-", "--crds", crds_dir, "--kubernetes-version", "1.33", "--format", "json")
    assert result.code == 0, result.stdout
    document = json.loads(result.stdout)
    assert {r["path"] for r in document["resources"]} == {"<stdin>"}
    kinds = document["summary"]["kinds"]
    assert kinds["kubeflow.org/v1/PyTorchJob"]["valid"] >= 1
    assert kinds["karpenter.sh/v1/NodePool"]["valid"] >= 1
    # Checked against the upstream CRDs, not only their metadata and pod templates.
    schemas = {r["schema"] for r in document["resources"] if r["kind"] == "PyTorchJob"}
    assert all(s.startswith("crd pytorchjobs.kubeflow.org/v1") for s in schemas)


def _tfjob_crd(crds_dir: Path) -> Path:
    return crds_dir / "kubeflow-training-operator" / "kubeflow.org_tfjobs.yaml"


TFJOB = {
    "apiVersion": "kubeflow.org/v1",
    "kind": "TFJob",
    "metadata": {"name": "tf"},
    "spec": {"tfReplicaSpecs": {"Worker": {"replicas": 1, "templatez": {}}}},
}


def test_crds_of_the_platform_in_root_apply(write: Write, tmp_path: Path, crds_dir: Path) -> None:
    crd = shutil.copy(_tfjob_crd(crds_dir), tmp_path / "tfjobs.yaml")
    platform = {
        "apiVersion": "manifestgen.io/v1alpha1",
        "kind": "Platform",
        "spec": {"crds": [Path(crd).name]},
    }
    write("repo/specs/platform.yaml", [platform])
    shutil.move(crd, tmp_path / "repo" / "tfjobs.yaml")
    path = write("tf.yaml", [TFJOB])
    # Without the Platform's CRD only the TFJob's metadata and pod templates are checked.
    without = verify_cli(path, "--root", tmp_path, "--no-summary")
    assert (without.code, without.stdout) == (0, "")
    result = verify_cli(path, "--root", tmp_path / "repo", "--no-summary")
    assert "spec.tfReplicaSpecs.Worker.templatez: unknown field 'templatez'" in result.stdout


def test_a_missing_platform_crd_location_is_a_usage_error(write: Write, tmp_path: Path) -> None:
    platform = {
        "apiVersion": "manifestgen.io/v1alpha1",
        "kind": "Platform",
        "spec": {"crds": ["nowhere"]},
    }
    write("specs/platform.yaml", [platform])
    result = verify_cli(write("tf.yaml", [TFJOB]), "--root", tmp_path)
    assert result.code == 2
    assert "(from specs/platform.yaml spec.crds) does not exist" in result.stderr


def test_crds_from_the_environment_apply(
    write: Write, crds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANIFESTGEN_CRDS", str(_tfjob_crd(crds_dir)))
    result = verify_cli(write("tf.yaml", [TFJOB]), "--no-summary")
    assert "unknown field 'templatez'" in result.stdout


def test_the_disk_cache_is_used(write: Write, tmp_path: Path, crds_dir: Path) -> None:
    cache = tmp_path / "cache"
    path = write("tf.yaml", [TFJOB])
    runs = [
        run_cli(
            "verify", path, "--crds", _tfjob_crd(crds_dir), "--cache-dir", cache, "--no-summary"
        )
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout
    assert "unknown field 'templatez'" in runs[0].stdout
    assert any(cache.rglob("*.json"))


def test_verbose_lists_the_cel_rules_that_were_not_evaluated(write: Write, crds_dir: Path) -> None:
    path = write("pool.yaml", [node_pool(random.Random(0), 1)])
    quiet = verify_cli(path, "--crds", crds_dir, "--no-summary")
    assert (quiet.code, quiet.stdout) == (0, "")
    verbose = verify_cli(path, "--crds", crds_dir, "--no-summary", "-v").stdout.splitlines()
    assert verbose
    assert all(line.startswith(f"{path.as_posix()}:1:NodePool/") for line in verbose)
    assert any("skipped check:" in line and "transition rule" in line for line in verbose)


def test_an_unreadable_crd_is_a_usage_error(write: Write) -> None:
    crd = write("crd.yaml", "apiVersion: [\n")
    result = verify_cli(write("m.yaml", [TFJOB]), "--crds", crd)
    assert result.code == 2
    assert "cannot parse" in result.stderr


def test_every_upstream_kind_without_its_crd(write: Write, crds_dir: Path) -> None:
    # No --crds: kinds manifestgen emits get their metadata and pod templates checked and
    # are named in one note; every other kind of the upstream CRDs has no schema at all.
    served = sorted(load_crd_versions([crds_dir]))
    objects = [
        {"apiVersion": f"{g}/{v}", "kind": k, "metadata": {"name": "x"}} for g, v, k in served
    ]
    path = write("all.yaml", objects)
    document = json.loads(verify_cli(path, "--format", "json").stdout)
    statuses = {f"{r['apiVersion']}/{r['kind']}": r["status"] for r in document["resources"]}
    emitted = {f"{g}/{v}/{k}" for g, v, k in served if generic_row((g, v, k)) is not None}
    assert {"kubeflow.org/v1/PyTorchJob", "karpenter.sh/v1/NodePool"} <= emitted
    assert statuses == {key: "valid" if key in emitted else "invalid" for key in statuses}
    notes = [d for d in document["diagnostics"] if d["code"] == "MG617"]
    assert [n["message"] for n in notes] == [
        "not checked against an upstream CRD (metadata and pod templates only): "
        + ", ".join(sorted(emitted))
    ]
    missing = {d["code"] for d in document["diagnostics"] if d["code"] != "MG617"}
    assert missing == {"MG616"}


def test_a_pytorchjob_without_its_crd_has_its_pod_templates_checked(
    write: Write, crds_dir: Path
) -> None:
    job = _pytorchjob()
    job["spec"]["runPolicy"] = {"backoffLimit": "3"}  # only the CRD knows this is wrong
    path = write("job.yaml", [job])
    result = verify_cli(path)
    assert result.code == 1
    assert result.stdout.splitlines()[0] == (
        f"{path.as_posix()}:1:PyTorchJob/resnet: "
        "spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resourcez: "
        "unknown field 'resourcez' (did you mean 'resources'?)"
    )
    assert "backoffLimit" not in result.stdout
    assert result.stdout.count("note[MG617]") == 1
    crd = crds_dir / "kubeflow-training-operator" / "kubeflow.org_pytorchjobs.yaml"
    with_crds = verify_cli(path, "--no-summary", "--crds", crd)
    assert with_crds.code == 1
    assert "note[MG617]" not in with_crds.stdout
    assert "spec.runPolicy.backoffLimit: must be an integer" in with_crds.stdout
