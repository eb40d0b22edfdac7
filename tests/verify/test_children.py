"""Names operators derive from a job's name: the longest must fit in 63 characters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from manifestgen.check import ObjectProblem
from manifestgen.check.children import child_name_problems

from .conftest import Write, verify_cli

Make = Callable[[str], dict[str, Any]]


def _kubeflow_v1(kind: str, key: str, replicas: dict[str, int]) -> Make:
    def make(name: str) -> dict[str, Any]:
        specs = {t: {"replicas": n} for t, n in replicas.items()}
        return {
            "apiVersion": "kubeflow.org/v1",
            "kind": kind,
            "metadata": {"name": name},
            "spec": {key: specs},
        }

    return make


def _mpi_v2(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "kubeflow.org/v2beta1",
        "kind": "MPIJob",
        "metadata": {"name": name},
        "spec": {"mpiReplicaSpecs": {"Launcher": {"replicas": 1}, "Worker": {"replicas": 100}}},
    }


def _jobset(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "jobset.x-k8s.io/v1alpha2",
        "kind": "JobSet",
        "metadata": {"name": name},
        "spec": {
            "replicatedJobs": [
                {"name": "node", "replicas": 4, "template": {"spec": {"parallelism": 8}}},
                {"name": "d", "template": {"spec": {}}},
            ]
        },
    }


def _indexed_job(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {"completionMode": "Indexed", "completions": 16, "parallelism": 16},
    }


def _trainjob(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "metadata": {"name": name},
        "spec": {"trainer": {"numNodes": 16}},
    }


# (object with a given name, the longest suffix its operator appends)
CASES: dict[str, tuple[Make, str]] = {
    "PyTorchJob": (
        _kubeflow_v1("PyTorchJob", "pytorchReplicaSpecs", {"Master": 1, "Worker": 16}),
        "-worker-15",
    ),
    "TFJob": (_kubeflow_v1("TFJob", "tfReplicaSpecs", {"PS": 2, "Worker": 12}), "-worker-11"),
    "MPIJob-v1": (
        _kubeflow_v1("MPIJob", "mpiReplicaSpecs", {"Launcher": 1, "Worker": 4}),
        "-launcher-0",
    ),
    "XGBoostJob": (
        _kubeflow_v1("XGBoostJob", "xgbReplicaSpecs", {"Master": 1, "Worker": 30}),
        "-worker-29",
    ),
    "PaddleJob": (
        _kubeflow_v1("PaddleJob", "paddleReplicaSpecs", {"Master": 1, "Worker": 100}),
        "-worker-99",
    ),
    "JAXJob": (_kubeflow_v1("JAXJob", "jaxReplicaSpecs", {"Worker": 2}), "-worker-1"),
    "MPIJob-v2beta1": (_mpi_v2, "-worker-99"),
    # The JobSet webhook counts the 5 random characters of the pod name.
    "JobSet": (_jobset, "-node-3-7-xxxxx"),
    "Job": (_indexed_job, "-15"),
    "TrainJob": (_trainjob, "-node-0-15"),
}


def _name(length: int) -> str:
    return ("job" + "x" * length)[:length]


@pytest.mark.parametrize("case", sorted(CASES))
def test_longest_child_name_fits(case: str) -> None:
    make, suffix = CASES[case]
    assert child_name_problems(make(_name(63 - len(suffix)))) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_longest_child_name_too_long(case: str) -> None:
    make, suffix = CASES[case]
    name = _name(64 - len(suffix))
    problems = child_name_problems(make(name))
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.path, problem.rule) == (("metadata", "name"), "metadata")
    assert f"'{name}{suffix}' (64 characters, at most 63); shorten the name by 1" in problem.message


def test_default_replicas_count_as_one() -> None:
    job = _kubeflow_v1("PyTorchJob", "pytorchReplicaSpecs", {})(_name(54))
    job["spec"]["pytorchReplicaSpecs"] = {"Master": {}}
    assert child_name_problems(job) == []
    job["metadata"]["name"] = _name(55)
    assert len(child_name_problems(job)) == 1  # <name>-master-0


def test_generate_name_counts_the_random_suffix() -> None:
    job = _trainjob("")
    job["metadata"] = {"generateName": _name(63 - len("-node-0-15") - 5)}
    assert child_name_problems(job) == []
    job["metadata"] = {"generateName": _name(64 - len("-node-0-15") - 5)}
    [problem] = child_name_problems(job)
    assert problem.path == ("metadata", "generateName")


def test_trainjob_names_must_be_dns1035_labels() -> None:
    [problem] = child_name_problems(_trainjob("1st-run"))
    assert problem == ObjectProblem(
        ("metadata", "name"),
        "TrainJob must be a DNS-1035 label: lowercase letters, digits and '-', starting with a "
        "letter and ending with a letter or digit (got '1st-run')",
        "metadata",
    )


@pytest.mark.parametrize(
    "obj",
    [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x" * 70}},
        # A Job that is not Indexed names its pods' hosts after the pods, not the Job.
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x" * 70}},
        {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {}},
        {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob"},
        {"kind": "PyTorchJob"},
        "not an object",
    ],
    ids=["other-kind", "job-not-indexed", "no-name", "no-metadata", "no-api-version", "not-object"],
)
def test_nothing_for_other_kinds_or_unnamed_objects(obj: Any) -> None:
    assert child_name_problems(obj) == []


def test_verify_reports_a_long_child_name_once(write: Write, crds_dir: Path) -> None:
    make, suffix = CASES["TFJob"]
    job = make(_name(64 - len(suffix)))
    for spec in job["spec"]["tfReplicaSpecs"].values():
        spec["template"] = {"spec": {"containers": [{"name": "tensorflow", "image": "tf:2"}]}}
    path = write("tf.yaml", [job])
    crd = crds_dir / "kubeflow-training-operator" / "kubeflow.org_tfjobs.yaml"
    # Without its CRD a TFJob (a kind manifestgen emits) still has its metadata checked,
    # derived names included; with the CRD, the name is reported once all the same.
    for extra in ((), ("--crds", crd)):
        result = verify_cli(path, "--no-summary", *extra)
        lines = [line for line in result.stdout.splitlines() if "too long" in line]
        assert len(lines) == 1
        assert lines[0].startswith(
            f"{path.as_posix()}:1:TFJob/{job['metadata']['name']}: metadata.name:"
        )
