"""A tuned TrainJob: Katib's trial is a TrainJob, whose pods come from the runtime's JobSet.

What Katib needs of it (kubeflow/katib, pkg/apis/controller/experiments/v1beta1 and
pkg/webhook/v1beta1/pod): the trial's end read from the TrainJob's own conditions (the
Trainer's `Complete` and `Failed`), the pod that reports metrics found by its labels (rank
0: the node Job's pod of completion index 0), and a container of `primaryContainerName`
in every trial pod, since its pod webhook refuses a trial pod without one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen.check import OutputValidator
from tests.bundle import build_objects, compile_specs, of_kind
from tests.katib.test_experiment import ARGS, tuned_job
from tests.support import REPO_ROOT
from tests.workloads.test_trainjob import TRAINER_PLATFORM

# Katib's DefaultTrainJobSuccessCondition and DefaultTrainJobFailureCondition, on the
# Trainer's TrainJobComplete and TrainJobFailed condition types.
KATIB_SUCCESS = 'status.conditions.#(type=="Complete")#|#(status=="True")#'
KATIB_FAILURE = 'status.conditions.#(type=="Failed")#|#(status=="True")#'
# The labels the JobSet and Job controllers put on every pod they create.
REPLICATED_JOB = "jobset.sigs.k8s.io/replicatedjob-name"
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"
# The replicated Job whose pods the Trainer fills in with the trainer's settings.
TRAINER_STEP = {"trainer.kubeflow.org/trainjob-ancestor-step": "trainer"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    job = tuned_job("trainjob", runtime="torch-distributed", command=["torchrun"], args=ARGS)
    return build_objects(tmp_path_factory.mktemp("trainjob-trial"), [job], TRAINER_PLATFORM)


@pytest.fixture(scope="module")
def experiment(built: dict[str, Any]) -> dict[str, Any]:
    (found,) = of_kind(built, "Experiment")
    return found


@pytest.fixture(scope="module")
def validator(crds_dir: Path) -> OutputValidator:
    return OutputValidator.create("1.33", [crds_dir])


def _runtime(built: dict[str, Any], trial: dict[str, Any]) -> dict[str, Any]:
    ref = trial["spec"]["runtimeRef"]
    (runtime,) = [
        r
        for r in of_kind(built, ref["kind"])
        if r["metadata"]["name"] == ref["name"] and r["apiVersion"].startswith(ref["apiGroup"])
    ]
    return runtime


def test_the_experiment_replaces_the_trainjob_and_passes_katibs_openapi(
    built: dict[str, Any], experiment: dict[str, Any], validator: OutputValidator
) -> None:
    assert of_kind(built, "TrainJob") == []
    outcome = validator.check(experiment)
    assert outcome.schema_name.startswith("openapi v1beta1.Experiment")
    assert (outcome.problems, outcome.unchecked) == ((), "")


def test_the_runtime_the_trials_name_is_deployed(
    built: dict[str, Any], experiment: dict[str, Any]
) -> None:
    # No TrainJob object names it: the trials Katib creates do, once the search starts.
    runtime = _runtime(built, experiment["spec"]["trialTemplate"]["trialSpec"])
    assert runtime["spec"]["mlPolicy"]["torch"] == {}


def test_the_trial_as_katib_creates_it_passes_the_trainjob_crd(
    experiment: dict[str, Any], validator: OutputValidator
) -> None:
    trial = experiment["spec"]["trialTemplate"]["trialSpec"]
    assert (trial["apiVersion"], trial["kind"]) == ("trainer.kubeflow.org/v1alpha1", "TrainJob")
    assert set(trial["metadata"]) == {"labels"}  # Katib refuses a name or namespace
    # Katib names the TrainJob after the trial and substitutes every trial parameter.
    as_created = json.loads(re.sub(r"\$\{trialParameters\.[^}]+\}", "1", json.dumps(trial)))
    obj = {**as_created, "metadata": {"name": "sweep-abcdefgh", "namespace": "team-vision"}}
    outcome = validator.check(obj)
    assert outcome.source == "crd"
    assert outcome.problems == ()


def test_the_trial_ends_on_the_trainjobs_own_conditions(experiment: dict[str, Any]) -> None:
    template = experiment["spec"]["trialTemplate"]
    # Exactly what Katib's webhook would default for a TrainJob: no drift in Argo CD.
    assert template["successCondition"] == KATIB_SUCCESS
    assert template["failureCondition"] == KATIB_FAILURE


def test_the_primary_pod_and_container_are_rank_0_of_the_runtimes_node_job(
    built: dict[str, Any], experiment: dict[str, Any]
) -> None:
    template = experiment["spec"]["trialTemplate"]
    runtime = _runtime(built, template["trialSpec"])
    jobs = runtime["spec"]["template"]["spec"]["replicatedJobs"]
    (trainer_job,) = [j for j in jobs if j["template"]["metadata"]["labels"] == TRAINER_STEP]
    # The labels rank 0's pod carries: its replicated Job's name and completion index 0.
    assert template["primaryPodLabels"] == {
        REPLICATED_JOB: trainer_job["name"],
        COMPLETION_INDEX: "0",
    }
    # Katib's pod webhook adds KATIB_TRIAL_NAME to the primary container of every trial
    # pod and refuses a pod without one: every pod the runtime makes must have it.
    for job in jobs:
        containers = job["template"]["spec"]["template"]["spec"]["containers"]
        assert template["primaryContainerName"] in {c["name"] for c in containers}


def test_the_trial_name_reaches_the_trainer_beside_its_other_variables(
    experiment: dict[str, Any],
) -> None:
    trial = experiment["spec"]["trialTemplate"]["trialSpec"]
    env = {v["name"]: v.get("value") for v in trial["spec"]["trainer"]["env"]}
    assert env["KATIB_TRIAL_NAME"] == "${trialParameters.manifestgen-trial-name}"
    assert env["OPTIMIZER"] == "${trialParameters.optimizer}"
    assert trial["spec"]["trainer"]["args"][:2] == ["--lr", "${trialParameters.lr}"]
    # The runtime patch carries pod settings only, no second copy of the variable.
    (patch,) = trial["spec"]["runtimePatches"]
    (node,) = patch["trainingRuntimeSpec"]["template"]["spec"]["replicatedJobs"]
    for container in node["template"]["spec"]["template"]["spec"]["containers"]:
        assert "KATIB_TRIAL_NAME" not in {v["name"] for v in container.get("env", [])}


def test_a_tuned_fine_tune_is_refused_katibs_webhook_would_refuse_its_initializers(
    tmp_path: Path,
) -> None:
    """The fine-tune runtime's dataset and model initializer pods have no `node`
    container, and Katib's pod webhook refuses any trial pod without the primary one."""
    job = yaml.safe_load((REPO_ROOT / "specs" / "jobs" / "assistant-lora.yaml").read_text())
    job["spec"]["args"] = ["batch_size=8", "lr=${hyperparameters.lr}"]
    job["spec"]["hyperparameters"] = {"lr": {"min": 0.0001, "max": 0.001}}
    job["spec"]["tuning"] = {
        "objective": {"metric": "loss", "type": "minimize"},
        "trials": {"parallel": 1, "max": 4},
    }
    platform = (REPO_ROOT / "specs" / "platform.yaml").read_text()
    _, diagnostics = compile_specs(tmp_path, [job], platform)
    assert [(d.code, d.field) for d in diagnostics if d.is_error] == [("MG362", "spec.tuning")]
