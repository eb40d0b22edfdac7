"""Hyperparameter tuning: search spaces in `hyperparameters`, and the `tuning` section.

A hyperparameter is either a plain value (as before: it reaches every pod through the
job's ConfigMap) or a search space that Katib samples once per trial:

    hyperparameters:
      epochs: 10                                           # fixed
      lr: {min: 0.0001, max: 0.1, distribution: logUniform}  # a double range
      batch-size: {min: 32, max: 256, step: 32}            # an int range
      optimizer: {oneOf: [adam, sgd]}                      # a list to choose from

A tuned value differs per trial, so it cannot sit in the ConfigMap: the command, args
and env name it as `${hyperparameters.<key>}` (fixed values may be named the same way)
and each trial gets its own value there.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from manifestgen.spec.base import INT32_MAX, SpecModel

Number = int | float

Distribution = Literal["uniform", "logUniform", "normal", "logNormal"]


class Range(SpecModel):
    """Numbers from min to max: integers when both bounds (and the step) are integers."""

    min: Number = Field(description="Smallest value.")
    max: Number = Field(description="Largest value.")
    step: Number | None = Field(
        default=None, gt=0, description="Spacing of the values (grid search needs it)."
    )
    type: Literal["int", "double"] | None = Field(
        default=None,
        description="int or double. Unset: int when min, max and step are all integers.",
    )
    distribution: Distribution = Field(
        default="uniform", description="uniform, logUniform, normal or logNormal."
    )

    @property
    def parameter_type(self) -> str:
        if self.type is not None:
            return self.type
        bounds = (self.min, self.max, self.step if self.step is not None else 1)
        return "int" if all(isinstance(v, int) for v in bounds) else "double"


class Choice(SpecModel):
    """One of the listed values: categorical for text, discrete for numbers."""

    one_of: tuple[str | int | float, ...] = Field(
        strict=False, description="The values to choose from (at least one)."
    )

    @property
    def parameter_type(self) -> str:
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.one_of)
        return "discrete" if self.one_of and numeric else "categorical"


SearchSpace = Range | Choice

Algorithm = Literal[
    "random", "grid", "bayesianoptimization", "tpe", "multivariate-tpe", "hyperband", "cmaes",
    "sobol",
]  # fmt: skip


class Objective(SpecModel):
    metric: str = Field(
        min_length=1,
        max_length=253,
        description="The metric the training prints (`<metric>=<value>` on stdout).",
    )
    type: Literal["minimize", "maximize"] = Field(description="minimize or maximize it.")
    goal: float | None = Field(
        default=None, strict=False, description="Stop when a trial reaches this value."
    )
    additional_metrics: tuple[str, ...] = Field(
        default=(), strict=False, description="Further metrics to record for every trial."
    )


class Search(SpecModel):
    name: Algorithm = Field(default="random", description="The Katib suggestion algorithm.")
    settings: dict[str, str | int | float] = Field(
        default_factory=dict, description="The algorithm's settings, e.g. random_state."
    )


class EarlyStopping(SpecModel):
    name: Literal["medianstop"] = Field(
        default="medianstop", description="medianstop: stop trials worse than the median."
    )
    settings: dict[str, str | int | float] = Field(
        default_factory=dict, description="e.g. min_trials_required, start_step."
    )


class Trials(SpecModel):
    parallel: int = Field(default=3, ge=1, le=1000, description="Trials running at once.")
    max: int = Field(ge=1, le=INT32_MAX, description="Trials in all.")
    max_failed: int | None = Field(
        default=None, ge=0, le=INT32_MAX, description="Failed trials that fail the search."
    )


class Tuning(SpecModel):
    """Search the hyperparameter spaces with a Katib Experiment instead of running once."""

    objective: Objective = Field(description="What the search optimises.")
    algorithm: Search = Field(default_factory=Search, description="How it picks trials.")
    trials: Trials = Field(description="How many trials, and how many at once.")
    early_stopping: EarlyStopping | None = Field(
        default=None, description="Stop trials that do worse than the others early."
    )
    metrics_collector: Literal["StdOut"] = Field(
        default="StdOut",
        description="StdOut: Katib reads `<metric>=<value>` lines the training prints.",
    )
