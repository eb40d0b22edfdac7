"""What the API server does to a custom resource before and around validation, in its order:
nulls it may drop are dropped, defaults are applied before `required` is checked, and CEL
rules run after every error that is not blocking.

The upstream cases are modelled on real examples: kubeflow/mpi-operator's
examples/v2beta1/pi/pi-intel.yaml (a container with an empty `command:`), and the
ray-project/kuberay samples (worker groups without `maxReplicas`, which the CRD requires and
defaults).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen.check import OutputValidator
from manifestgen.check.validator import RULES_NOT_CHECKED

from .conftest import KUBERNETES_VERSION
from .support import found, widget_crd

WIDGET_SPEC = """
size:
  type: integer
  default: 3
  maximum: 10
mode:
  type: string
  enum: [fast, slow]
name:
  type: string
  pattern: '^[a-z]+$'
tags:
  type: array
  items: {type: string}
note:
  type: string
  nullable: true
labels:
  type: object
  additionalProperties: {type: string}
"""
WIDGET_RULES = """
            required: [size]
            x-kubernetes-validations:
            - rule: self.size % 2 == 1
              message: size must be odd
"""


@pytest.fixture(scope="module")
def widgets(tmp_path_factory: pytest.TempPathFactory) -> OutputValidator:
    """A Widget CRD whose spec requires a defaulted `size` and has one CEL rule."""
    crd = widget_crd(WIDGET_SPEC).rstrip() + WIDGET_RULES
    path = tmp_path_factory.mktemp("crd") / "widget.yaml"
    path.write_text(crd)
    return OutputValidator.create(KUBERNETES_VERSION, [path])


def _widget(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "ns"},
        "spec": spec,
    }


def test_a_null_in_a_field_that_is_not_nullable_is_dropped(widgets: OutputValidator) -> None:
    outcome = widgets.check(_widget(size=1, tags=None, mode=None, labels={"a": None}))
    assert found(outcome) == []


def test_a_null_in_a_nullable_field_is_kept_and_valid(widgets: OutputValidator) -> None:
    assert found(widgets.check(_widget(size=1, note=None))) == []


def test_a_null_list_item_is_still_an_error(widgets: OutputValidator) -> None:
    # The API server drops nulls of object fields only; a null item is validated.
    outcome = widgets.check(_widget(size=1, tags=["a", None]))
    assert found(outcome) == [(("spec", "tags", 1), "must be a string (got null)")]


def test_a_null_with_a_default_takes_the_default(widgets: OutputValidator) -> None:
    # size defaults to 3 (odd): neither `required` nor the CEL rule complain.
    assert found(widgets.check(_widget(size=None))) == []


def test_required_is_checked_after_defaults(widgets: OutputValidator) -> None:
    assert found(widgets.check(_widget())) == []


def test_cel_runs_after_errors_that_do_not_block_it(widgets: OutputValidator) -> None:
    # A pattern and a maximum are not blocking errors: the API server runs the rules too.
    outcome = widgets.check(_widget(size=12, name="Bad"))
    assert outcome.skipped == ()
    assert found(outcome) == [
        (("spec",), "size must be odd"),
        (("spec", "name"), "must match the pattern '^[a-z]+$' (got 'Bad')"),
        (("spec", "size"), "must be <= 10 (got 12)"),
    ]


def test_cel_runs_after_an_unknown_field(widgets: OutputValidator) -> None:
    # The API server prunes unknown fields before validating, so the rules still run.
    outcome = widgets.check(_widget(size=2, colour="red"))
    assert [m for _, m in found(outcome)] == ["size must be odd", "unknown field 'colour'"]


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"size": 2, "mode": "medium"}, (("spec", "mode"), "must be one of: fast, slow")),
        ({"size": "2"}, (("spec", "size"), "must be an integer (got string '2')")),
    ],
    ids=["enum", "type"],
)
def test_a_blocking_error_skips_cel_and_says_so(
    widgets: OutputValidator, spec: dict[str, Any], error: tuple[tuple[str, ...], str]
) -> None:
    outcome = widgets.check(_widget(**spec))
    assert outcome.skipped == (f"(object): CEL rules: {RULES_NOT_CHECKED}",)
    [(path, message)] = found(outcome)  # the schema error only: the odd size goes unseen
    assert path == error[0]
    assert message.startswith(error[1])


def test_without_rules_no_not_checked_message(tmp_path: Path) -> None:
    path = tmp_path / "widget.yaml"
    path.write_text(widget_crd(WIDGET_SPEC))
    validator = OutputValidator.create(KUBERNETES_VERSION, [path])
    outcome = validator.check(_widget(size="x"))
    assert found(outcome) == [(("spec", "size"), "must be an integer (got string 'x')")]
    assert outcome.skipped == ()


def _mpijob_with_empty_command() -> dict[str, Any]:
    # As in mpi-operator's pi-intel example: `command:` with nothing after it is a null.
    worker = {"name": "worker", "image": "mpioperator/mpi-pi:intel", "command": None}
    launcher = {"name": "launcher", "image": "mpioperator/mpi-pi:intel", "command": ["mpirun"]}
    return {
        "apiVersion": "kubeflow.org/v2beta1",
        "kind": "MPIJob",
        "metadata": {"name": "pi", "namespace": "default"},
        "spec": {
            "slotsPerWorker": 1,
            "runPolicy": {"cleanPodPolicy": "Running"},
            "mpiReplicaSpecs": {
                "Launcher": {"replicas": 1, "template": {"spec": {"containers": [launcher]}}},
                "Worker": {"replicas": 2, "template": {"spec": {"containers": [worker]}}},
            },
        },
    }


def test_upstream_mpijob_with_an_empty_command_is_valid(all_crds: OutputValidator) -> None:
    assert found(all_crds.check(_mpijob_with_empty_command())) == []


def _raycluster(worker_group: dict[str, Any]) -> dict[str, Any]:
    container = {"name": "ray", "image": "rayproject/ray:2.46.0"}
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": "raycluster-kuberay", "namespace": "default"},
        "spec": {
            "headGroupSpec": {
                "rayStartParams": {},
                "template": {"spec": {"containers": [container]}},
            },
            "workerGroupSpecs": [
                {**worker_group, "template": {"spec": {"containers": [container]}}}
            ],
        },
    }


def test_upstream_raycluster_without_max_replicas_is_valid(all_crds: OutputValidator) -> None:
    # maxReplicas and minReplicas are required and defaulted: the defaults count.
    outcome = all_crds.check(_raycluster({"groupName": "workergroup", "replicas": 1}))
    assert found(outcome) == []


def test_upstream_required_field_without_default_is_still_required(
    all_crds: OutputValidator,
) -> None:
    outcome = all_crds.check(_raycluster({"replicas": 1}))
    assert found(outcome) == [(("spec", "workerGroupSpecs", 0), "'groupName' is required")]
    # The RayCluster CRD has CEL rules; a missing required field blocks them.
    assert outcome.skipped == (f"(object): CEL rules: {RULES_NOT_CHECKED}",)
