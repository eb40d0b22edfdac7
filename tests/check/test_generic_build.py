"""A build without CRDs: pod template mistakes are still errors at the spec line that fed
them, the rest of a custom resource is named in one note, and the CRDs check it all."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import manifestgen.expand.pod as pod
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.workloads import run_policy as policies
from tests.support import CASES, CliRun, make_repo, private_cache, run_cli

MINIMAL = CASES / "golden" / "minimal" / "specs"
# specs/job.yaml of the minimal case: `resources:` is at 10:3, the document at 5:1.
TEMPLATE_ERROR = (
    "specs/job.yaml:10:3: error[MG401] generated PyTorchJob 'mnist-<hash>': "
    "spec.pytorchReplicaSpecs.Master.template.spec.containers[0].resources.requestz: "
    "unknown field 'requestz' (did you mean 'requests'?)"
)
OUTSIDE_ERROR = (
    "specs/job.yaml:5:1: error[MG401] generated PyTorchJob 'mnist-<hash>': "
    "spec.runPolicy.backoffLimit: must be an integer (got string '3')"
)
NOTE = (
    "specs/platform.yaml:6:3: note[MG402] spec.crds: not checked against an upstream CRD "
    "(metadata and pod templates only): AppProject (argoproj.io/v1alpha1), Application "
    "(argoproj.io/v1alpha1), EC2NodeClass (karpenter.k8s.aws/v1), NodePool (karpenter.sh/v1), "
    "PyTorchJob (kubeflow.org/v1)\n"
    "  hint: add the operators' CRD files to spec.crds, pass --crds, or set MANIFESTGEN_CRDS "
    "to check the rest of these objects\n"
)


@pytest.fixture
def bad_template(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The generator writes `requestz` for `requests` in every pod template."""
    private_cache(monkeypatch, tmp_path)
    original = pod.resources

    def resources(job: ResolvedJob) -> dict[str, Any]:
        block = original(job)
        block["requestz"] = block.pop("requests")
        return block

    monkeypatch.setattr(pod, "resources", resources)


@pytest.fixture
def bad_run_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The generator writes the PyTorchJob's backoffLimit as a string."""
    private_cache(monkeypatch, tmp_path)

    def run_policy(job: ResolvedJob) -> dict[str, Any]:
        policy = policies.run_policy(job)
        policy["backoffLimit"] = str(policy["backoffLimit"])
        return policy

    monkeypatch.setattr("manifestgen.workloads.pytorch.run_policy", run_policy)


def _validate(tmp_path: Path, *args: str | Path) -> CliRun:
    return run_cli("validate", "--root", make_repo(tmp_path / "repo", MINIMAL), *args)


def _errors(result: CliRun) -> list[str]:
    # The job's name carries a hash of what it runs, which the patched generators change.
    lines = [line for line in result.stdout.splitlines() if " error[" in line]
    return [re.sub(r"'mnist-[0-9a-f]{8}'", "'mnist-<hash>'", line) for line in lines]


@pytest.mark.usefixtures("bad_template")
def test_a_bad_pod_template_field_is_an_error_at_its_spec_line_without_crds(
    tmp_path: Path,
) -> None:
    result = _validate(tmp_path)
    assert result.code == 1
    assert _errors(result) == [TEMPLATE_ERROR]
    assert result.stdout.count("note[MG402]") == 1


@pytest.mark.usefixtures("bad_run_policy")
def test_a_bad_field_outside_the_templates_is_not_reported_but_named(tmp_path: Path) -> None:
    result = _validate(tmp_path)
    assert (result.code, _errors(result)) == (0, [])
    assert NOTE in result.stdout
    assert result.stdout.count("note[MG402]") == 1


@pytest.mark.usefixtures("bad_template", "bad_run_policy")
def test_with_the_crds_both_are_errors_and_no_note(tmp_path: Path, crds_dir: Path) -> None:
    result = _validate(tmp_path, "--crds", crds_dir)
    assert result.code == 1
    assert _errors(result) == [OUTSIDE_ERROR, TEMPLATE_ERROR]
    assert "MG402" not in result.stdout


def test_a_clean_build_without_crds_has_one_note(tmp_path: Path) -> None:
    result = _validate(tmp_path)
    assert result.code == 0
    assert NOTE in result.stdout
    assert result.stdout.count("note[MG402]") == 1
