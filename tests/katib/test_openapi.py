"""Experiments against Katib's OpenAPI document, in build and in `verify`: Katib's CRD has
no structural schema, so without the document a typo'd Experiment would pass."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import manifestgen.expand.katib as katib
import manifestgen.expand.workload as workload
from manifestgen.check import OutputValidator
from tests.bundle import build_objects, of_kind
from tests.katib.test_experiment import tuned_job
from tests.verify.conftest import verify_cli
from tests.workloads.support import crd_diagnostics

KATIB = ("kubeflow.org", "v1beta1", "Experiment")


@pytest.fixture
def experiment(tmp_path: Path) -> dict[str, Any]:
    (obj,) = of_kind(build_objects(tmp_path / "build", [tuned_job()]), "Experiment")
    return obj


@pytest.fixture
def crd_only(tmp_path: Path, crds_dir: Path) -> Path:
    """Katib's CRD without its OpenAPI document."""
    target = tmp_path / "crd-only"
    target.mkdir()
    shutil.copy(crds_dir / "katib" / "kubeflow.org_experiments.yaml", target)
    return target


def test_a_generated_experiment_passes_katibs_openapi_schema(
    crds_dir: Path, experiment: dict[str, Any]
) -> None:
    outcome = OutputValidator.create("1.33", [crds_dir]).check(experiment)
    assert outcome.schema_name.startswith("openapi v1beta1.Experiment")
    assert (outcome.problems, outcome.unchecked) == ((), "")


def test_types_and_unknown_fields_are_errors(crds_dir: Path, experiment: dict[str, Any]) -> None:
    spec = experiment["spec"]
    spec["maxTrialCount"] = "12"
    spec["objective"]["objectiveMetricNme"] = "loss"
    spec["trialTemplate"]["trialParameters"][0]["refrence"] = "lr"
    problems = OutputValidator.create("1.33", [crds_dir]).check(experiment).problems
    assert [(p.path, p.message) for p in problems] == [
        (("spec", "maxTrialCount"), "must be an integer (got string '12')"),
        (
            ("spec", "objective", "objectiveMetricNme"),
            "unknown field 'objectiveMetricNme' (did you mean 'objectiveMetricName'?)",
        ),
        (
            ("spec", "trialTemplate", "trialParameters", 0, "refrence"),
            "unknown field 'refrence' (did you mean 'reference'?)",
        ),
    ]


def test_the_trial_template_stays_open(crds_dir: Path, experiment: dict[str, Any]) -> None:
    # trialSpec is Unstructured in Katib's types: any kind's object goes there.
    experiment["spec"]["trialTemplate"]["trialSpec"]["spec"]["anything"] = 1
    assert OutputValidator.create("1.33", [crds_dir]).check(experiment).problems == ()


def test_a_typo_in_a_generated_experiment_fails_the_build(
    tmp_path: Path, crds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = katib.experiment_spec

    def typo(job: Any, training: Any) -> dict[str, Any]:
        return {**real(job, training), "paralelTrialCount": 2}

    monkeypatch.setattr(workload, "experiment_spec", typo)
    diagnostics = crd_diagnostics(tmp_path, [tuned_job()], crds_dir)
    failures = [d for d in diagnostics if d.code == "MG401"]
    assert [d.message for d in failures] == [
        "generated Experiment 'sweep-"
        + failures[0].message.split("'sweep-")[1].split("'")[0]
        + "': spec.paralelTrialCount: unknown field 'paralelTrialCount' "
        "(did you mean 'parallelTrialCount'?)"
    ]
    # Reported at the spec that produced it.
    assert failures[0].location.path == "specs/jobs.yaml"


def test_without_the_document_the_build_says_not_checked(tmp_path: Path, crd_only: Path) -> None:
    diagnostics = crd_diagnostics(tmp_path, [tuned_job()], crd_only)
    notes = [d for d in diagnostics if d.code == "MG407"]
    assert len(notes) == 1
    assert notes[0].severity.value == "note"
    assert "Experiment (kubeflow.org/v1beta1)" in notes[0].message
    assert not [d for d in diagnostics if d.is_error]


def test_verify_reports_a_typo_against_the_document(
    tmp_path: Path, crds_dir: Path, experiment: dict[str, Any]
) -> None:
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(experiment))
    clean = verify_cli(path, "--crds", crds_dir, "--missing-schema", "error")
    assert clean.code == 0, clean.stdout
    experiment["spec"]["trialTemplate"]["primaryContainerNme"] = "pytorch"
    path.write_text(yaml.safe_dump(experiment))
    result = verify_cli(path, "--crds", crds_dir)
    assert result.code == 1
    assert "unknown field 'primaryContainerNme'" in result.stdout


def test_verify_without_the_document_never_calls_it_valid(
    tmp_path: Path, crd_only: Path, experiment: dict[str, Any]
) -> None:
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(experiment))
    result = verify_cli(path, "--crds", crd_only, "--missing-schema", "warn")
    assert "no structural schema" in result.stdout
    assert "1 valid" not in result.stdout
