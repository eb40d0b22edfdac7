"""Schemas are keyed on group, version and kind: two MPIJob CRDs share one CRD name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from manifestgen.check import OutputValidator

from .support import found


def mpijob(version: str, spec_extra: dict[str, Any]) -> dict[str, Any]:
    template = {"spec": {"containers": [{"name": "mpi", "image": "mpi:1"}]}}
    return {
        "apiVersion": f"kubeflow.org/{version}",
        "kind": "MPIJob",
        "metadata": {"name": "allreduce", "namespace": "train"},
        "spec": {
            "slotsPerWorker": 8,
            "mpiReplicaSpecs": {
                "Launcher": {"replicas": 1, "template": template},
                "Worker": {"replicas": 2, "template": template},
            },
            **spec_extra,
        },
    }


def test_v1_and_v2beta1_are_different_schemas(all_crds: OutputValidator, crds_dir: Path) -> None:
    assert ("kubeflow.org", "v1", "MPIJob") in all_crds.crd_kinds()
    assert ("kubeflow.org", "v2beta1", "MPIJob") in all_crds.crd_kinds()
    v1 = all_crds.check(mpijob("v1", {"mainContainer": "mpi"}))
    v2 = all_crds.check(mpijob("v2beta1", {"mpiImplementation": "OpenMPI"}))
    assert (v1.problems, v2.problems) == ((), ())
    assert str(crds_dir / "kubeflow-training-operator") in v1.schema_name
    assert str(crds_dir / "mpi-operator") in v2.schema_name
    assert v1.schema_name.startswith("crd mpijobs.kubeflow.org/v1 ")
    assert v2.schema_name.startswith("crd mpijobs.kubeflow.org/v2beta1 ")


def test_fields_of_one_version_are_unknown_in_the_other(all_crds: OutputValidator) -> None:
    assert found(all_crds.check(mpijob("v1", {"mpiImplementation": "OpenMPI"}))) == [
        (("spec", "mpiImplementation"), "unknown field 'mpiImplementation'")
    ]
    assert found(all_crds.check(mpijob("v2beta1", {"mainContainer": "mpi"}))) == [
        (("spec", "mainContainer"), "unknown field 'mainContainer'")
    ]


def test_enum_of_v2beta1(all_crds: OutputValidator) -> None:
    assert found(all_crds.check(mpijob("v2beta1", {"mpiImplementation": "OpenMP"}))) == [
        (
            ("spec", "mpiImplementation"),
            "must be one of: OpenMPI, Intel, MPICH (got 'OpenMP'; did you mean 'OpenMPI'?)",
        )
    ]


def test_only_the_loaded_version_is_checked(crds_dir: Path) -> None:
    validator = OutputValidator.create("1.33", [crds_dir / "mpi-operator"])
    assert validator.crd_kinds() == frozenset({("kubeflow.org", "v2beta1", "MPIJob")})
    assert validator.check(mpijob("v1", {})).source == "none"
