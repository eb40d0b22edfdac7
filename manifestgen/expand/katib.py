"""A tuned job's Katib Experiment: the training object becomes its trial template.

Katib creates one trial per sample, named `<experiment>-<8 random characters>`, and each
trial creates the training object under the trial's name, with every
`${trialParameters.<name>}` in the template replaced by the trial's values. Fixed
hyperparameters stay in the job's ConfigMap; tuned ones reach the trial only through
the command, args and env that name them (see expand/pod.substitute).

Everything Katib's webhook would default is written out (metric strategies,
distributions, the success and failure conditions, the primary pod), so Argo CD never
sees a difference between Git and the cluster, and kinds Katib has no defaults for
(PaddleJob, JAXJob, MPIJob v2beta1) work the same as the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from manifestgen.expand.pod import TRIAL_PARAMETER
from manifestgen.kinds.catalog import BY_GVK, ApiKind, pod_template_paths, row_of
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.tuning import Choice, SearchSpace, Tuning

EXPERIMENT = BY_GVK[("kubeflow.org", "v1beta1", "Experiment")]

# Katib's webhook refuses an Experiment name longer than this.
MAX_EXPERIMENT_NAME = 40
# A trial is named `<experiment>-` and this many random characters.
TRIAL_SUFFIX = 8

# The trial's own name, for code that must keep parallel trials apart (checkpoint
# directories): Katib substitutes `${trialSpec.Name}` through a trial parameter.
TRIAL_NAME_PARAMETER = "manifestgen-trial-name"
TRIAL_NAME_ENV = "KATIB_TRIAL_NAME"

# The conditions Katib's controller evaluates (gjson paths on the trial object's status).
_CONDITION = 'status.conditions.#(type=="{}")#|#(status=="True")#'
# Every Training Operator v1 kind says Succeeded; a batch Job Complete, a JobSet Completed.
_SUCCESS_TYPE = {"TrainJob": "Complete", "Job": "Complete", "JobSet": "Completed"}

# Which replica prints the metrics (rank 0, or the MPI launcher that gathers every
# rank's output): the first of these the object has.
_PRIMARY_REPLICAS = ("Launcher", "Master", "Chief", "Worker")
_REPLICA_TYPE = "training.kubeflow.org/replica-type"
_REPLICA_INDEX = "training.kubeflow.org/replica-index"
_JOB_ROLE = "training.kubeflow.org/job-role"
# Katib's DefaultTrainJobPrimaryPodLabels, and the Trainer's trainer container.
_TRAINJOB_PRIMARY = {
    "batch.kubernetes.io/job-completion-index": "0",
    "jobset.sigs.k8s.io/replicatedjob-name": "node",
}
TRAINJOB_CONTAINER = "node"
# Rank 0 of an Indexed Job is the pod of completion index 0; of a JobSet, that pod of the
# first Job of its replicated Job (labels the Job and JobSet controllers set on pods).
_COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"
_INDEXED_PRIMARY: Mapping[str, Mapping[str, str]] = {
    "Job": {_COMPLETION_INDEX: "0"},
    "JobSet": {_COMPLETION_INDEX: "0", "jobset.sigs.k8s.io/job-index": "0"},
}


def _number(value: int | float) -> str:
    return str(value) if isinstance(value, int) else repr(value)


def _choice_text(value: str | int | float) -> str:
    return value if isinstance(value, str) else _number(value)


def feasible_space(space: SearchSpace) -> dict[str, Any]:
    if isinstance(space, Choice):
        return {"distribution": "uniform", "list": [_choice_text(v) for v in space.one_of]}
    found: dict[str, Any] = {
        "distribution": space.distribution,
        "max": _number(space.max),
        "min": _number(space.min),
    }
    if space.step is not None:
        found["step"] = _number(space.step)
    return found


def _parameter(name: str, space: SearchSpace) -> dict[str, Any]:
    return {
        "feasibleSpace": feasible_space(space),
        "name": name,
        "parameterType": space.parameter_type,
    }


def _settings(settings: Mapping[str, str | int | float]) -> list[dict[str, str]]:
    return [
        {"name": k, "value": v if isinstance(v, str) else _number(v)}
        for k, v in sorted(settings.items())
    ]


def _objective(tuning: Tuning) -> dict[str, Any]:
    objective = tuning.objective
    # Katib's default strategy for every metric: the best value the trial reported.
    best = "min" if objective.type == "minimize" else "max"
    metrics = [objective.metric, *objective.additional_metrics]
    found: dict[str, Any] = {
        "metricStrategies": [{"name": m, "value": best} for m in metrics],
        "objectiveMetricName": objective.metric,
        "type": objective.type,
    }
    if objective.additional_metrics:
        found["additionalMetricNames"] = list(objective.additional_metrics)
    if objective.goal is not None:
        found["goal"] = objective.goal
    return found


def _primary(trial: Mapping[str, Any], row: ApiKind) -> tuple[str, dict[str, str]]:
    """The primary container's name and the labels of the pod that reports metrics."""
    if row.kind == "TrainJob":
        # Its pods come from the runtime's JobSet, not from a template in the object (the
        # runtime patch holds only pod settings): rank 0 is the node Job's pod of
        # completion index 0, and the Trainer fills in the container named `node`.
        return TRAINJOB_CONTAINER, dict(_TRAINJOB_PRIMARY)
    if row.kind in _INDEXED_PRIMARY:
        # One pod template, every pod a rank: the primary pod is rank 0.
        (path,) = pod_template_paths(trial, row)
        pod: Any = trial
        for part in path:
            pod = pod[part]
        return str(pod["spec"]["containers"][0]["name"]), dict(_INDEXED_PRIMARY[row.kind])
    by_type: dict[str, tuple[str | int, ...]] = {}
    for path in pod_template_paths(trial, row):
        by_type.setdefault(str(path[-2]), path)
    replica = next((r for r in _PRIMARY_REPLICAS if r in by_type), sorted(by_type)[0])
    template: Any = trial
    for part in by_type[replica]:
        template = template[part]
    container = str(template["spec"]["containers"][0]["name"])
    if row.kind == "MPIJob":
        # The MPI Operator labels pods with their role, not a replica index.
        return container, {_JOB_ROLE: replica.lower()}
    return container, {_REPLICA_INDEX: "0", _REPLICA_TYPE: replica.lower()}


def _with_env(container: dict[str, Any], variable: dict[str, str]) -> None:
    env = [v for v in container.get("env", []) if v["name"] != variable["name"]]
    container["env"] = sorted([*env, variable], key=lambda v: str(v["name"]))


def _with_trial_name(trial: dict[str, Any], row: ApiKind) -> bool:
    """Every container of the trial gets the trial's name in KATIB_TRIAL_NAME; False when
    the trial has no container to give it to (Katib refuses an unused trial parameter)."""
    variable = {"name": TRIAL_NAME_ENV, "value": TRIAL_PARAMETER.format(TRIAL_NAME_PARAMETER)}
    trainer = trial["spec"].get("trainer")
    if row.kind == "TrainJob" and isinstance(trainer, dict):
        # Beside the job's other variables: the Trainer sets the trainer's env on the node
        # container; the runtime patch only carries pod settings.
        _with_env(trainer, variable)
        return True
    paths = pod_template_paths(trial, row)
    for path in paths:
        template: Any = trial
        for part in path:
            template = template[part]
        for container in template["spec"]["containers"]:
            _with_env(container, variable)
    return bool(paths)


def _primary_in_every_pod(trial: dict[str, Any], row: ApiKind, container: str) -> None:
    """Katib's pod webhook gives the primary container of every trial pod the trial's
    name and refuses a pod without a container of that name: a pod template without one
    (an MPIJob's workers, beside the launcher that prints the metrics) has its first
    container renamed to it. The operators address that container by position, not name."""
    for path in pod_template_paths(trial, row):
        template: Any = trial
        for part in path:
            template = template[part]
        containers = template["spec"]["containers"]
        if container not in {c["name"] for c in containers}:
            containers[0]["name"] = container


def trial_spec(training: Mapping[str, Any]) -> dict[str, Any]:
    """The training object as Katib's trial template: no name or namespace (Katib gives
    each trial its own), no Argo CD annotations (Argo CD does not track trials)."""
    labels = training["metadata"].get("labels", {})
    return {
        "apiVersion": training["apiVersion"],
        "kind": training["kind"],
        "metadata": {"labels": dict(labels)},
        "spec": training["spec"],
    }


def experiment_spec(job: ResolvedJob, training: Mapping[str, Any]) -> dict[str, Any]:
    tuning = job.job.spec.tuning
    assert tuning is not None  # only tuned jobs get here
    row = row_of(training)
    assert row is not None  # every workload's kind has a catalog row
    trial = trial_spec(training)
    named = _with_trial_name(trial, row)
    container, labels = _primary(trial, row)
    _primary_in_every_pod(trial, row, container)
    success = _CONDITION.format(_SUCCESS_TYPE.get(row.kind, "Succeeded"))
    spaces = job.job.spec.search_spaces
    trial_parameters = [{"name": name, "reference": name} for name in sorted(spaces)]
    if named:
        trial_parameters.append({"name": TRIAL_NAME_PARAMETER, "reference": "${trialSpec.Name}"})
    spec: dict[str, Any] = {
        "algorithm": {"algorithmName": tuning.algorithm.name},
        "maxTrialCount": tuning.trials.max,
        "metricsCollectorSpec": {"collector": {"kind": tuning.metrics_collector}},
        "objective": _objective(tuning),
        "parallelTrialCount": tuning.trials.parallel,
        "parameters": [_parameter(name, space) for name, space in sorted(spaces.items())],
        "resumePolicy": "Never",
        "trialTemplate": {
            "failureCondition": _CONDITION.format("Failed"),
            "primaryContainerName": container,
            "primaryPodLabels": labels,
            "successCondition": success,
            "trialParameters": trial_parameters,
            "trialSpec": trial,
        },
    }
    if tuning.algorithm.settings:
        spec["algorithm"]["algorithmSettings"] = _settings(tuning.algorithm.settings)
    if tuning.trials.max_failed is not None:
        spec["maxFailedTrialCount"] = tuning.trials.max_failed
    if tuning.early_stopping is not None:
        stopping: dict[str, Any] = {"algorithmName": tuning.early_stopping.name}
        if tuning.early_stopping.settings:
            stopping["algorithmSettings"] = _settings(tuning.early_stopping.settings)
        spec["earlyStopping"] = stopping
    return dict(sorted(spec.items()))
