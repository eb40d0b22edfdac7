"""Rules of a tuning search: what Katib's webhook would refuse, found at the spec line.

Katib's Experiment CRD has no schema, and its webhook reports problems only when Argo CD
applies the Experiment: every rule Katib applies to what manifestgen generates from a
spec is checked here first, with the spec's own field names.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from manifestgen.errors import Diagnostic, JsonPath
from manifestgen.expand.katib import MAX_EXPERIMENT_NAME, TRAINJOB_CONTAINER, TRIAL_NAME_PARAMETER
from manifestgen.expand.naming import content_name_length
from manifestgen.expand.pod import HPARAM_REFERENCE
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.tuning import Choice, Range


def _at(job: ResolvedJob, code: str, message: str, path: JsonPath, hint: str = "") -> Diagnostic:
    field = ".".join(str(p) for p in path)
    return Diagnostic(code, message, job.source.locate(path), field=field, hint=hint)


def _range_problem(space: Range) -> tuple[str, str, str] | None:
    """(message, field, hint) of what is wrong with a range, if anything."""
    if space.min >= space.max:
        return f"min ({space.min}) must be below max ({space.max})", "min", "swap them"
    if space.step is not None and space.step > space.max - space.min:
        return (
            f"step ({space.step}) is larger than the range {space.min}-{space.max}",
            "step",
            "use a smaller step",
        )
    if space.distribution in ("logUniform", "logNormal") and space.min <= 0:
        return (
            f"a {space.distribution} range needs min > 0 (got {space.min})",
            "min",
            "use a positive min, or distribution: uniform",
        )
    bounds = (space.min, space.max, space.step)
    if space.type == "int" and any(isinstance(v, float) for v in bounds):
        return "an int range needs integer min, max and step", "type", "use type: double"
    if any(isinstance(v, float) and not math.isfinite(v) for v in bounds):
        return "min, max and step must be finite numbers", "min", ""
    return None


def check_search_spaces(job: ResolvedJob) -> Iterator[Diagnostic]:
    for key, space in sorted(job.job.spec.search_spaces.items()):
        base: JsonPath = ("spec", "hyperparameters", key)
        if isinstance(space, Choice):
            if not space.one_of:
                yield _at(
                    job, "MG252", f"hyperparameter {key!r}: oneOf is empty", (*base, "oneOf"),
                    "list at least one value, or give the hyperparameter a plain value",
                )  # fmt: skip
            elif len({str(v) for v in space.one_of}) < len(space.one_of):
                yield _at(
                    job, "MG252", f"hyperparameter {key!r}: oneOf lists a value twice",
                    (*base, "oneOf"), "list each value once",
                )  # fmt: skip
            continue
        problem = _range_problem(space)
        if problem is not None:
            message, field, hint = problem
            yield _at(job, "MG252", f"hyperparameter {key!r}: {message}", (*base, field), hint)


def _references(job: ResolvedJob) -> Iterator[tuple[str, JsonPath]]:
    """Every `${hyperparameters.<key>}` in the command, args and env, with where it is."""
    spec = job.job.spec
    for field in ("command", "args"):
        for index, part in enumerate(getattr(spec, field)):
            for match in HPARAM_REFERENCE.finditer(part):
                yield match.group(1), ("spec", field, index)
    for name, value in sorted(spec.env.items()):
        for match in HPARAM_REFERENCE.finditer(value):
            yield match.group(1), ("spec", "env", name)


def check_references(job: ResolvedJob) -> Iterator[Diagnostic]:
    defined = job.job.spec.hyperparameters
    used: set[str] = set()
    for key, path in _references(job):
        used.add(key)
        if key not in defined:
            known = ", ".join(sorted(defined)) or "none are defined"
            yield _at(
                job,
                "MG253",
                f"${{hyperparameters.{key}}} names no hyperparameter",
                path,
                f"define spec.hyperparameters.{key}, or use one of: {known}",
            )
    if job.job.spec.tuning is None:
        return
    for key in sorted(set(job.job.spec.search_spaces) - used):
        yield _at(
            job,
            "MG254",
            f"tuned hyperparameter {key!r} is not named in the command, args or env, so no "
            "trial would see its value",
            ("spec", "hyperparameters", key),
            f"pass it, e.g. args: [--{key}, '${{hyperparameters.{key}}}']",
        )


def check_tuning(job: ResolvedJob) -> Iterator[Diagnostic]:
    spec = job.job.spec
    tuning = spec.tuning
    if tuning is None:
        for key in sorted(spec.search_spaces):
            yield _at(
                job,
                "MG255",
                f"hyperparameter {key!r} is a search space, but the job has no tuning section",
                ("spec", "hyperparameters", key),
                "add spec.tuning (objective, trials), or give it a plain value",
            )
        return
    if not spec.search_spaces:
        yield _at(
            job,
            "MG255",
            "tuning needs at least one hyperparameter with a search space",
            ("spec", "tuning"),
            "give a hyperparameter a range ({min, max}) or a list ({oneOf: [...]})",
        )
    if TRIAL_NAME_PARAMETER in spec.hyperparameters:
        yield _at(
            job,
            "MG253",
            f"hyperparameter {TRIAL_NAME_PARAMETER!r} is reserved for the trial's name",
            ("spec", "hyperparameters", TRIAL_NAME_PARAMETER),
            "rename it",
        )
    yield from _check_trials(job)
    objective = tuning.objective
    if objective.metric in objective.additional_metrics:
        yield _at(
            job,
            "MG257",
            f"objective metric {objective.metric!r} is also an additional metric",
            ("spec", "tuning", "objective", "additionalMetrics"),
            "Katib refuses the Experiment: remove it from additionalMetrics",
        )
    yield from _check_name_and_state(job)


def _check_trials(job: ResolvedJob) -> Iterator[Diagnostic]:
    tuning = job.job.spec.tuning
    assert tuning is not None
    trials = tuning.trials
    if trials.parallel > trials.max:
        yield _at(
            job,
            "MG256",
            f"{trials.parallel} parallel trials but at most {trials.max} in all",
            ("spec", "tuning", "trials", "parallel"),
            f"use at most {trials.max} parallel trials",
        )
    if trials.max_failed is not None and trials.max_failed > trials.max:
        yield _at(
            job,
            "MG256",
            f"{trials.max_failed} failed trials allowed but at most {trials.max} in all",
            ("spec", "tuning", "trials", "maxFailed"),
            f"use at most {trials.max}",
        )


def _check_name_and_state(job: ResolvedJob) -> Iterator[Diagnostic]:
    length = content_name_length(job.name)
    if length > MAX_EXPERIMENT_NAME:
        yield _at(
            job,
            "MG258",
            f"the Experiment of job {job.name!r} would be named with {length} characters; "
            f"Katib allows at most {MAX_EXPERIMENT_NAME}",
            ("metadata", "name"),
            f"use at most {MAX_EXPERIMENT_NAME - (length - len(job.name))} characters",
        )
    if job.job.spec.state == "Suspended":
        yield _at(
            job,
            "MG259",
            "a Katib Experiment cannot be suspended",
            ("spec", "state"),
            "use Running, or Completed to stop the search (its object is then no longer generated)",
        )


# Kinds Katib cannot follow as trials: a RayJob reports its end in status fields, not the
# conditions Katib's success and failure rules read, so its trials would never finish.
UNTUNABLE = {"ray": "a RayJob has no status conditions for Katib to read"}


def check_tunable(job: ResolvedJob) -> Iterator[Diagnostic]:
    why = UNTUNABLE.get(job.job.spec.framework)
    if job.job.spec.tuning is not None and why is not None:
        yield _at(
            job,
            "MG231",
            f"framework {job.job.spec.framework!r} cannot be tuned with Katib: {why}",
            ("spec", "tuning"),
            "tune the same training as framework pytorch, trainjob, jobset or job, "
            "or use Ray Tune inside the RayJob",
        )


def check_trial_pods(job: ResolvedJob) -> Iterator[Diagnostic]:
    """Katib's pod webhook gives the primary container of every pod of a trial the trial's
    name (KATIB_TRIAL_NAME), and refuses a pod that has no container of that name. A
    TrainJob's pods come from its runtime: the initializer pods of a runtime with
    initializers have no `node` container, so the trial would never get past them."""
    spec = job.job.spec
    name = getattr(spec, "runtime", None)
    runtime = job.platform.spec.runtimes.get(name) if isinstance(name, str) else None
    if spec.tuning is None or runtime is None or runtime.initializers is None:
        return
    yield _at(
        job,
        "MG362",
        f"a tuned TrainJob cannot run on runtime {name!r}: Katib's pod webhook refuses every "
        f"trial pod without the primary container {TRAINJOB_CONTAINER!r}, and the runtime's "
        "dataset-initializer and model-initializer pods have none",
        ("spec", "tuning"),
        "fine-tune once per setting (a job each), or tune a training on a runtime without "
        "initializers",
    )


TUNING_RULES = (
    check_tunable,
    check_search_spaces,
    check_references,
    check_tuning,
    check_trial_pods,
)
