"""What the target cluster serves: its Kubernetes version (from the Platform, for
out/<cluster>), CRDs that check nothing, and legacy APIs whose replacement is loaded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Write, verify_cli

PLATFORM = """\
apiVersion: manifestgen.io/v1alpha1
kind: Platform
metadata: {name: acme}
spec:
  clusters:
    old:
      kubernetesVersion: "1.33"
    new:
      kubernetesVersion: "1.37"
"""


def _pod_with_hostname_override() -> dict[str, Any]:
    # spec.hostnameOverride exists from Kubernetes 1.34 on.
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ml"},
        "spec": {"hostnameOverride": "h", "containers": [{"name": "c", "image": "x:1"}]},
    }


@pytest.fixture
def repo(tmp_path: Path, write: Write) -> Path:
    write("specs/platform.yaml", PLATFORM)
    for cluster in ("old", "new"):
        write(f"out/{cluster}/pod.yaml", [_pod_with_hostname_override()])
    return tmp_path


def test_each_cluster_directory_uses_its_platform_version(repo: Path) -> None:
    result = verify_cli(repo / "out", "--root", repo, "--format", "json")
    document = json.loads(result.stdout)
    statuses = {Path(r["path"]).parent.name: r["status"] for r in document["resources"]}
    assert statuses == {"old": "invalid", "new": "valid"}
    assert document["summary"]["kubernetesVersion"] == "1.33, 1.37"


def test_text_output_names_the_version_of_the_cluster(repo: Path) -> None:
    result = verify_cli(repo / "out" / "old", "--root", repo)
    assert "spec.hostnameOverride: unknown field" in result.stdout
    assert result.stdout.rstrip().endswith("(Kubernetes 1.33)")


def test_an_explicit_version_wins_over_the_platform(repo: Path) -> None:
    result = verify_cli(repo / "out", "--root", repo, "--kubernetes-version", "1.37")
    assert result.code == 0, result.stdout


def test_files_outside_out_use_the_newest_version(repo: Path, write: Write) -> None:
    other = write("elsewhere/pod.yaml", [_pod_with_hostname_override()])
    assert verify_cli(other, "--root", repo).code == 0


KATIB = {
    "apiVersion": "kubeflow.org/v1beta1",
    "kind": "Experiment",
    "metadata": {"name": "random", "namespace": "kubeflow"},
    "spec": {"objectiv": {"type": "maximize"}},  # a typo only an OpenAPI document catches
}


def test_a_crd_without_structural_schema_is_not_checked(crds_dir: Path, write: Write) -> None:
    path = write("experiment.yaml", [KATIB])
    # The CRD alone, without Katib's OpenAPI document (which would describe the kind).
    katib = crds_dir / "katib" / "kubeflow.org_experiments.yaml"
    failed = verify_cli(path, "--crds", katib)
    assert failed.code == 1
    assert (
        "Experiment/random: not checked: the CRD experiments.kubeflow.org/v1beta1 has no "
        "structural schema" in failed.stdout
    )
    warned = verify_cli(path, "--crds", katib, "--missing-schema", "warn", "--format", "json")
    assert warned.code == 0
    document = json.loads(warned.stdout)
    assert [r["status"] for r in document["resources"]] == ["skipped"]
    assert [d["severity"] for d in document["diagnostics"]] == ["warning"]


def test_with_katibs_openapi_document_the_experiment_is_checked(
    crds_dir: Path, write: Write
) -> None:
    path = write("experiment.yaml", [KATIB])
    failed = verify_cli(path, "--crds", crds_dir / "katib")
    assert failed.code == 1
    assert "not checked" not in failed.stdout
    assert "unknown field" in failed.stdout


PROVISIONER = {
    "apiVersion": "karpenter.sh/v1alpha5",
    "kind": "Provisioner",
    "metadata": {"name": "default"},
    "spec": {"ttlSecondsAfterEmpty": 30, "providerRef": {"name": "default"}},
}
NODEPOOL_V1BETA1 = {
    "apiVersion": "karpenter.sh/v1beta1",
    "kind": "NodePool",
    "metadata": {"name": "default"},
    "spec": {"template": {"spec": {"nodeClassRef": {"name": "default"}, "requirements": []}}},
}


@pytest.mark.parametrize("obj", [PROVISIONER, NODEPOOL_V1BETA1], ids=["v1alpha5", "v1beta1"])
def test_legacy_karpenter_apis_fail_next_to_the_v1_crds(
    crds_dir: Path, write: Write, obj: dict[str, Any]
) -> None:
    # crds_dir/karpenter/legacy holds the old CRDs: loaded, but not what v1 clusters serve.
    result = verify_cli(write("legacy.yaml", [obj]), "--crds", crds_dir / "karpenter")
    assert result.code == 1
    assert f"{obj['apiVersion']} {obj['kind']} is a legacy API" in result.stdout
    assert "migrate to karpenter.sh/v1 NodePool" in result.stdout


def test_legacy_karpenter_apis_pass_with_only_the_legacy_crds(crds_dir: Path, write: Write) -> None:
    path = write("legacy.yaml", [PROVISIONER, NODEPOOL_V1BETA1])
    assert verify_cli(path, "--crds", crds_dir / "karpenter" / "legacy").code == 0


def test_a_legacy_api_without_crd_gets_a_migration_hint(crds_dir: Path, write: Write) -> None:
    nodepools = crds_dir / "karpenter" / "karpenter.sh_nodepools.yaml"
    result = verify_cli(write("legacy.yaml", [NODEPOOL_V1BETA1]), "--crds", nodepools)
    assert "legacy API" in result.stdout
    assert "migrate to karpenter.sh/v1 NodePool" in result.stdout


def test_metadata_of_a_crd_without_structural_schema_is_checked(
    crds_dir: Path, write: Write
) -> None:
    # The API server checks metadata whatever the schema: that much is checked.
    bad = {**KATIB, "metadata": {"name": "Random_Search", "namespace": "kubeflow"}}
    result = verify_cli(write("experiment.yaml", [bad]), "--crds", crds_dir / "katib")
    assert "metadata.name:" in result.stdout
    assert "not checked" not in result.stdout
