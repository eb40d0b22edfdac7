"""A tuned job: a Katib Experiment whose trial template is the job's training object."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from manifestgen.check import OutputValidator
from manifestgen.kinds.catalog import pod_template_paths, row_of
from manifestgen.workloads import WORKLOADS
from tests.bundle import build_objects, compile_specs, of_kind
from tests.workloads.support import framework_job

TUNING: dict[str, Any] = {
    "objective": {"metric": "loss", "type": "minimize"},
    "trials": {"parallel": 2, "max": 6},
}
SPACES: dict[str, Any] = {
    "epochs": 3,
    "lr": {"min": 0.0001, "max": 0.1, "distribution": "logUniform"},
    "batch": {"min": 32, "max": 256, "step": 32},
    "optimizer": {"oneOf": ["adam", "sgd"]},
}
ARGS = ["--lr", "${hyperparameters.lr}", "--batch=${hyperparameters.batch}"]
ENV = {"OPTIMIZER": "${hyperparameters.optimizer}", "EPOCHS": "${hyperparameters.epochs}"}


def tuned_job(framework: str = "pytorch", name: str = "sweep", **spec: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "hyperparameters": SPACES,
        "args": ARGS,
        "env": ENV,
        "tuning": TUNING,
        **spec,
    }
    if framework == "mpi":
        fields.setdefault("command", ["mpirun", "-x", "OPTIMIZER", "-x", "EPOCHS"])
        fields["command"] = [*fields["command"], "python", "train.py"]
    return framework_job(framework, name, **fields)


def _job_config_maps(objects: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in of_kind(objects, "ConfigMap") if c["metadata"]["name"] != "argocd-cm"]


def _experiment(objects: dict[str, Any]) -> dict[str, Any]:
    (experiment,) = of_kind(objects, "Experiment")
    return experiment


def _templates(trial: dict[str, Any]) -> list[dict[str, Any]]:
    row = row_of(trial)
    assert row is not None
    found = []
    for path in pod_template_paths(trial, row):
        node: Any = trial
        for part in path:
            node = node[part]
        found.append(node)
    return found


@pytest.fixture(scope="module")
def validator(crds_dir: Path) -> OutputValidator:
    return OutputValidator.create("1.33", [crds_dir])


# TrainJob needs a Platform runtime the shared test Platform does not have: its trial is
# covered in test_trainjob_trial.py. RayJob cannot be tuned (MG231, below).
@pytest.mark.parametrize("framework", sorted(set(WORKLOADS) - {"trainjob", "ray"}))
def test_every_workload_becomes_the_trial_template_of_an_experiment(
    tmp_path: Path, framework: str, validator: OutputValidator
) -> None:
    objects = build_objects(tmp_path, [tuned_job(framework)])
    kind = WORKLOADS[framework].kind
    # The Experiment replaces the training object: Katib creates one per trial.
    assert of_kind(objects, kind.kind) == []
    experiment = _experiment(objects)
    template = experiment["spec"]["trialTemplate"]
    trial = template["trialSpec"]
    assert (trial["apiVersion"], trial["kind"]) == (kind.api_version, kind.kind)
    # Katib refuses a trial template with a name or a namespace.
    assert set(trial["metadata"]) == {"labels"}
    # The trial, as Katib creates it (named by the trial, values substituted), passes the
    # training kind's real CRD.
    as_created = json.loads(re.sub(r"\$\{trialParameters\.[^}]+\}", "1", json.dumps(trial)))
    obj = {**as_created, "metadata": {"name": "sweep-abcdefgh", "namespace": "ml"}}
    outcome = validator.check(obj)
    assert outcome.source == ("kubernetes" if kind.group == "batch" else "crd")
    assert outcome.problems == ()
    # Katib's controller reads these conditions off the trial: the kind's own.
    success = {"Job": "Complete", "JobSet": "Completed"}.get(kind.kind, "Succeeded")
    assert f'type=="{success}"' in template["successCondition"]
    # The primary pod and container exist in the trial.
    primary = [
        t
        for t in _templates(trial)
        if template["primaryPodLabels"].items() <= _pod_labels(t, trial).items()
    ]
    assert primary, template["primaryPodLabels"]
    # Katib's pod webhook refuses any trial pod without a container of that name.
    for pod in _templates(trial):
        assert template["primaryContainerName"] in {c["name"] for c in pod["spec"]["containers"]}


def _pod_labels(template: dict[str, Any], trial: dict[str, Any]) -> dict[str, str]:
    """The labels the operator puts on the first pod of a replica (as it does: type, index)."""
    own = template["metadata"].get("labels", {})
    if trial["kind"] == "Job":  # the Job controller labels each pod with its index
        return {**own, "batch.kubernetes.io/job-completion-index": "0"}
    if trial["kind"] == "JobSet":  # and the JobSet controller each Job's pods with its index
        return {
            **own,
            "batch.kubernetes.io/job-completion-index": "0",
            "jobset.sigs.k8s.io/job-index": "0",
        }
    for replicas in trial["spec"].values():
        if isinstance(replicas, dict):
            for replica_type, replica in replicas.items():
                if isinstance(replica, dict) and replica.get("template") is template:
                    kind = replica_type.lower()
                    return {
                        **template["metadata"]["labels"],
                        "training.kubeflow.org/replica-type": kind,
                        "training.kubeflow.org/replica-index": "0",
                        "training.kubeflow.org/job-role": kind,
                    }
    raise AssertionError("template not found")


def test_trial_parameters_are_what_katib_substitutes(tmp_path: Path) -> None:
    """Katib's webhook: each trial parameter appears in the template as
    ${trialParameters.<name>}, each reference is a parameter or trial metadata, and no
    placeholder is left without a trial parameter."""
    experiment = _experiment(build_objects(tmp_path, [tuned_job()]))
    template = experiment["spec"]["trialTemplate"]
    parameters = {p["name"] for p in experiment["spec"]["parameters"]}
    assert parameters == {"lr", "batch", "optimizer"}
    text = repr(template["trialSpec"])
    named = {p["name"] for p in template["trialParameters"]}
    for parameter in template["trialParameters"]:
        assert f"${{trialParameters.{parameter['name']}}}" in text
        assert parameter["reference"] in parameters or parameter["reference"].startswith(
            "${trialSpec."
        )
    assert set(re.findall(r"\$\{trialParameters\.(.+?)\}", text)) == named
    container = _templates(template["trialSpec"])[0]["spec"]["containers"][0]
    assert container["args"] == [
        "--lr",
        "${trialParameters.lr}",
        "--batch=${trialParameters.batch}",
    ]
    env = {v["name"]: v.get("value") for v in container["env"]}
    assert env["OPTIMIZER"] == "${trialParameters.optimizer}"
    # A fixed value named in env is written in; it also stays in the ConfigMap.
    assert env["EPOCHS"] == "3"
    assert env["KATIB_TRIAL_NAME"] == "${trialParameters.manifestgen-trial-name}"


def test_search_spaces_become_katib_parameters(tmp_path: Path) -> None:
    experiment = _experiment(build_objects(tmp_path, [tuned_job()]))
    by_name = {p["name"]: p for p in experiment["spec"]["parameters"]}
    assert by_name["lr"] == {
        "name": "lr",
        "parameterType": "double",
        "feasibleSpace": {"distribution": "logUniform", "max": "0.1", "min": "0.0001"},
    }
    assert by_name["batch"]["parameterType"] == "int"
    assert by_name["batch"]["feasibleSpace"]["step"] == "32"
    assert by_name["optimizer"] == {
        "name": "optimizer",
        "parameterType": "categorical",
        "feasibleSpace": {"distribution": "uniform", "list": ["adam", "sgd"]},
    }
    spec = experiment["spec"]
    # What Katib's webhook would default is written out, so Argo CD sees no drift.
    assert spec["objective"]["metricStrategies"] == [{"name": "loss", "value": "min"}]
    assert spec["resumePolicy"] == "Never"
    assert spec["metricsCollectorSpec"] == {"collector": {"kind": "StdOut"}}
    assert (spec["parallelTrialCount"], spec["maxTrialCount"]) == (2, 6)


def test_fixed_values_stay_in_the_config_map(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [tuned_job()])
    (config,) = _job_config_maps(objects)
    assert config["data"] == {"epochs": "3"}


def test_without_fixed_values_there_is_no_config_map(tmp_path: Path) -> None:
    spaces = {k: v for k, v in SPACES.items() if k != "epochs"}
    env = {"OPTIMIZER": "${hyperparameters.optimizer}"}
    objects = build_objects(tmp_path, [tuned_job(hyperparameters=spaces, env=env)])
    assert _job_config_maps(objects) == []
    trial = _experiment(objects)["spec"]["trialTemplate"]["trialSpec"]
    container = _templates(trial)[0]["spec"]["containers"][0]
    assert "HYPERPARAMETERS_DIR" not in {v["name"] for v in container["env"]}


def test_a_plain_job_gets_fixed_values_in_its_args(tmp_path: Path) -> None:
    job = framework_job("pytorch", args=["--epochs", "${hyperparameters.epochs}"])
    job["spec"]["hyperparameters"] = {"epochs": 7}
    (obj,) = of_kind(build_objects(tmp_path, [job]), "PyTorchJob")
    container = _templates(obj)[0]["spec"]["containers"][0]
    assert container["args"] == ["--epochs", "7"]


def test_trial_pods_may_reach_katibs_db_manager(tmp_path: Path) -> None:
    (policy,) = of_kind(build_objects(tmp_path, [tuned_job()]), "NetworkPolicy")
    targets = [rule["to"] for rule in policy["spec"]["egress"]]
    assert [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kubeflow"}},
            "podSelector": {"matchLabels": {"katib.kubeflow.org/component": "db-manager"}},
        }
    ] in targets


def test_parallel_trials_count_against_the_gpu_quota(tmp_path: Path) -> None:
    # The test Platform's train-a allows 32 a100-80gb GPUs: 2 nodes x 8 fits once, not 3 times.
    gpu = {"type": "a100-80gb", "perNode": 8}
    tuning = {**TUNING, "trials": {"parallel": 3, "max": 6}}
    job = tuned_job(nodes=2, gpu=gpu, tuning=tuning, command=["torchrun"], args=[*ARGS, "t.py"])
    _, diagnostics = compile_specs(tmp_path, [job])
    assert "MG226" in [d.code for d in diagnostics if d.is_error]


def test_parallel_trials_share_checkpoints_read_write_many(tmp_path: Path) -> None:
    job = tuned_job(nodes=1, checkpoints={"size": "10Gi"})
    (claim,) = of_kind(build_objects(tmp_path, [job]), "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]


def test_the_experiment_is_renamed_when_a_search_space_changes(tmp_path: Path) -> None:
    first = _experiment(build_objects(tmp_path / "a", [tuned_job()]))
    spaces = {**SPACES, "lr": {"min": 0.0001, "max": 0.2}}
    second = _experiment(build_objects(tmp_path / "b", [tuned_job(hyperparameters=spaces)]))
    assert first["metadata"]["name"] != second["metadata"]["name"]
    assert first["metadata"]["name"].startswith("sweep-")


def test_a_rayjob_cannot_be_tuned(tmp_path: Path) -> None:
    """Katib decides a trial's end from status conditions, which a RayJob has none of."""
    _, diagnostics = compile_specs(tmp_path, [tuned_job("ray")])
    assert ("MG231", "spec.tuning") in [(d.code, d.field) for d in diagnostics if d.is_error]


def _namespace_labels(objects: dict[str, Any], name: str) -> dict[str, str]:
    labels: dict[str, str] = objects[f"train-a/cluster/namespace-{name}.yaml"]["metadata"]["labels"]
    return labels


def test_katib_injects_its_collector_only_where_a_team_tunes(tmp_path: Path) -> None:
    """Katib's pod webhook selects namespaces by this label: without it no trial pod gets
    the metrics collector, and every trial ends without its metrics."""
    injection = "katib.kubeflow.org/metrics-collector-injection"
    tuned = build_objects(tmp_path / "tuned", [tuned_job()])
    assert _namespace_labels(tuned, "team-vision")[injection] == "enabled"
    assert injection not in _namespace_labels(tuned, "team-nlp")
    plain = build_objects(tmp_path / "plain", [framework_job("pytorch")])
    assert injection not in _namespace_labels(plain, "team-vision")
