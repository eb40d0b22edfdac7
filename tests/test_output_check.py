"""Errors in generated objects are reported at the spec line that produced them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support import CASES, make_repo, run_cli

MINIMAL = CASES / "golden" / "minimal" / "specs"


def _tiny_pytorchjob_crd(directory: Path, spec_schema: dict[str, object]) -> Path:
    """A PyTorchJob CRD whose spec schema disagrees with what manifestgen emits."""
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "pytorchjobs.kubeflow.org"},
        "spec": {
            "group": "kubeflow.org",
            "names": {"kind": "PyTorchJob", "plural": "pytorchjobs", "singular": "pytorchjob"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "apiVersion": {"type": "string"},
                                "kind": {"type": "string"},
                                "metadata": {"type": "object"},
                                "spec": spec_schema,
                            },
                        }
                    },
                }
            ],
        },
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pytorchjob.yaml"
    path.write_text(yaml.safe_dump(crd))
    return path


def test_schema_error_points_at_the_spec_and_the_generated_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    crd = _tiny_pytorchjob_crd(
        tmp_path / "crds",
        {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
            "properties": {"nprocPerNode": {"type": "integer"}},
        },
    )
    result = run_cli("validate", "--root", repo, "--crds", crd)
    assert result.code == 1
    lines = result.stdout.splitlines()
    error = next(line for line in lines if "error[MG401]" in line)
    assert error.startswith("specs/job.yaml:5:1: error[MG401] generated PyTorchJob 'mnist-")
    assert "spec.nprocPerNode" in error
    assert (
        "out/train-a/team-vision/mnist/pytorchjob.yaml: note: the generated object" in result.stdout
    )


def test_pod_template_error_points_at_the_field_that_fed_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    container = {
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": True,
        "properties": {"resources": {"type": "object", "maxProperties": 1}},
    }
    replica = {
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": True,
        "properties": {
            "template": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "properties": {
                    "spec": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                        "properties": {"containers": {"type": "array", "items": container}},
                    }
                },
            }
        },
    }
    crd = _tiny_pytorchjob_crd(
        tmp_path / "crds",
        {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
            "properties": {
                "pytorchReplicaSpecs": {"type": "object", "additionalProperties": replica}
            },
        },
    )
    result = run_cli("validate", "--root", repo, "--crds", crd)
    assert result.code == 1
    # resources: is on line 10 of the minimal job spec.
    assert "specs/job.yaml:10:3: error[MG401]" in result.stdout, result.stdout


def test_missing_crd_location_is_reported_where_it_is_configured(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    platform = repo / "specs" / "platform.yaml"
    platform.write_text(
        platform.read_text().replace("spec:\n", "spec:\n  crds: [vendor/crds]\n", 1)
    )
    result = run_cli("validate", "--root", repo)
    assert result.code == 1
    assert (
        "specs/platform.yaml:6:10: error[MG403] spec.crds[0]: CRD location 'vendor/crds' does not exist"
        in result.stdout
    )


def test_kinds_without_a_crd_are_named(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    result = run_cli("validate", "--root", repo)
    assert result.code == 0
    note = next(line for line in result.stdout.splitlines() if "note[MG402]" in line)
    for kind in (
        "PyTorchJob (kubeflow.org/v1)",
        "NodePool (karpenter.sh/v1)",
        "Application (argoproj.io/v1alpha1)",
    ):
        assert kind in note


def test_cel_rule_failure_is_reported_at_the_spec(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    crd = _tiny_pytorchjob_crd(
        tmp_path / "crds",
        {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
            # CEL sees only declared fields, as on the API server.
            "properties": {"nprocPerNode": {"type": "string"}},
            "x-kubernetes-validations": [
                {"rule": "self.nprocPerNode != '1'", "message": "one process is not distributed"}
            ],
        },
    )
    result = run_cli("validate", "--root", repo, "--crds", crd)
    assert result.code == 1
    assert "specs/job.yaml:5:1: error[MG405] generated PyTorchJob" in result.stdout
    assert "spec: one process is not distributed" in result.stdout


@pytest.mark.parametrize("version", ["1.19", "1.99"])
def test_kubernetes_version_without_schemas_is_located(tmp_path: Path, version: str) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    platform = repo / "specs" / "platform.yaml"
    text = platform.read_text()
    platform.write_text(
        text.replace('kubernetesVersion: "1.32"', f'kubernetesVersion: "{version}"')
    )
    line = text[: text.index('kubernetesVersion: "1.32"')].count("\n") + 1
    result = run_cli("validate", "--root", repo)
    assert result.code == 1
    assert (
        f"specs/platform.yaml:{line}:26: error[MG406] spec.clusters.train-b.kubernetesVersion: "
        f"no bundled Kubernetes schemas for {version} (supported: 1.25, 1.26, " in result.stdout
    )
