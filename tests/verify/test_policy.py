"""Skipping and rejecting kinds, and what a kind without a schema means."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Write, config_map, deployment, verify_cli

# A custom resource no CRD serves and manifestgen does not emit: it has no schema at all.
WIDGET: dict[str, Any] = {
    "apiVersion": "example.com/v1",
    "kind": "Widget",
    "metadata": {"name": "w"},
    "spec": {"size": 1},
}


@pytest.mark.parametrize("kind", ["Deployment", "apps/v1/Deployment"])
def test_skip_kind_by_kind_or_api_version(write: Write, kind: str) -> None:
    path = write("m.yaml", [config_map("a"), deployment("b", replicas="x")])
    result = verify_cli(path, "--skip-kind", kind, "-v")
    assert result.code == 0, result.stdout
    assert f"{path.as_posix()}:2:Deployment/b: skipped: --skip-kind" in result.stdout
    assert "apps/v1/Deployment          1          0          0          1" in result.stdout


def test_skip_kind_with_another_api_version_does_not_match(write: Write) -> None:
    path = write("m.yaml", [deployment("b", replicas="x")])
    assert verify_cli(path, "--skip-kind", "extensions/v1beta1/Deployment").code == 1


def test_reject_kind(write: Write) -> None:
    path = write("m.yaml", [config_map("a"), deployment("b")])
    result = verify_cli(path, "--reject-kind", "ConfigMap", "--no-summary")
    assert result.code == 1
    assert (
        result.stdout
        == f"{path.as_posix()}:1:ConfigMap/a: kind ConfigMap is rejected (--reject-kind)\n"
    )


def test_missing_schema_is_an_error_by_default(write: Write) -> None:
    path = write("m.yaml", [WIDGET])
    result = verify_cli(path, "--no-summary")
    assert result.code == 1
    assert result.stdout == (
        f"{path.as_posix()}:1:Widget/w: no schema for example.com/v1/Widget: pass the CRD that "
        "defines it with --crds, or use --skip-kind\n"
    )


def test_missing_schema_warn_reports_and_passes(write: Write) -> None:
    path = write("m.yaml", [WIDGET, config_map("a")])
    result = verify_cli(path, "--missing-schema", "warn")
    assert result.code == 0
    assert (
        f"{path.as_posix()}:1:Widget/w: warning: no schema for example.com/v1/Widget"
        in result.stdout
    )
    assert "example.com/v1/Widget          1          0          0          1" in result.stdout


def test_missing_schema_skip_is_silent_unless_verbose(write: Write) -> None:
    path = write("m.yaml", [WIDGET])
    quiet = verify_cli(path, "--missing-schema", "skip", "--no-summary")
    assert (quiet.code, quiet.stdout) == (0, "")
    verbose = verify_cli(path, "--missing-schema", "skip", "--no-summary", "-v")
    assert verbose.stdout == f"{path.as_posix()}:1:Widget/w: skipped: no schema\n"


def test_a_kind_manifestgen_emits_is_not_missing_a_schema(write: Write) -> None:
    # No CRD for PyTorchJob: its metadata and pod templates are checked, which is not
    # "missing" (the run's note says the rest was not checked).
    job = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": {"name": "pt"},
        "spec": {
            "pytorchReplicaSpecs": {
                "Worker": {
                    "replicas": 1,
                    "template": {"spec": {"containers": [{"name": "pytorch", "image": "x"}]}},
                }
            }
        },
    }
    result = verify_cli(write("m.yaml", [job]), "--missing-schema", "error")
    assert result.code == 0, result.stdout


def test_kustomize_configuration_is_skipped(write: Write) -> None:
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["m.yaml"],
    }
    write("m.yaml", [config_map("a")])
    path = write("kustomization.yaml", [kustomization])
    result = verify_cli(path.parent, "-v")
    assert result.code == 0, result.stdout
    assert f"{path.as_posix()}:1:Kustomization/?: skipped: kustomize configuration" in result.stdout
