"""The names an operator derives from a job's name: one function per operator.

The API server accepts a PyTorchJob named with 60 characters; the training operator then
fails to create the headless Service `<name>-worker-15` (a Service name is a DNS-1035 label
of at most 63 characters) and the job hangs with the error only in the operator's log.
Each function yields every (child name, what it names) pair; the catalog row of a kind
names its function, and `names.child_name_problems` checks the longest:

- Kubeflow training operator v1 (PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob):
  `<name>-<replica type, lower case>-<index>` for pods and their Services;
- MPI Operator v2beta1 MPIJob: `<name>-launcher` and `<name>-worker-<index>`;
- JobSet: Jobs `<name>-<replicatedJob>-<job index>`, and for Indexed Jobs pods
  `<name>-<replicatedJob>-<job index>-<pod index>-<5 random characters>` (the JobSet
  webhook refuses a JobSet whose longest pod name, suffix included, is over 63);
- batch/v1 Indexed Job: pod hostnames `<name>-<index>` (the Job controller sets them);
- Kubeflow Trainer v2 TrainJob: `<name>-node-0-<index>`;
- KubeRay RayJob: a RayCluster `<name>-<5 random characters>`, whose longest Service
  name adds `-serve-svc` (why KubeRay refuses a RayJob name of more than 47 characters;
  its pods' names are shortened by the operator itself).
- Katib Experiment: trials `<name>-<8 random characters>`, each creating its training
  object under the trial's name, whose operator then names its own children;
- KServe InferenceService: the predictor's Service (and Deployment) `<name>-predictor`
  (the mode- and namespace-dependent names are checked at build, serving/rules.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

# (child name, what it names) for each child a job's name is part of.
Children = Callable[[str, Mapping[str, Any]], Iterator[tuple[str, str]]]


def _count(value: Any, default: int = 1) -> int:
    # Wrong types are the schema's business; here they count as the default.
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def kubeflow_v1(replica_key: str) -> Children:
    def children(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        for replica_type, replica in _mapping(spec.get(replica_key)).items():
            last = _count(_mapping(replica).get("replicas")) - 1
            if last >= 0:
                yield f"{name}-{str(replica_type).lower()}-{last}", "a pod and its Service"

    return children


def mpi_v2beta1(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    yield f"{name}-launcher", "the launcher Job"
    worker = _mapping(_mapping(spec.get("mpiReplicaSpecs")).get("Worker"))
    last = _count(worker.get("replicas"), default=0) - 1
    if last >= 0:
        yield f"{name}-worker-{last}", "a worker pod"


def jobset(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    jobs = spec.get("replicatedJobs")
    for job in jobs if isinstance(jobs, list) else ():
        job = _mapping(job)
        job_spec = _mapping(_mapping(job.get("template")).get("spec"))
        last_job = _count(job.get("replicas")) - 1
        if last_job < 0 or not isinstance(job.get("name"), str):
            continue
        child_job = f"{name}-{job['name']}-{last_job}"
        yield child_job, "a Job"
        # The webhook defaults completionMode to Indexed and checks pods by completions.
        indexed = job_spec.get("completionMode", "Indexed") == "Indexed"
        pods = job_spec.get("completions", job_spec.get("parallelism"))
        last_pod = _count(pods) - 1
        if indexed and last_pod >= 0:
            yield f"{child_job}-{last_pod}-xxxxx", "a pod (with the Job controller's suffix)"


def indexed_job(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if spec.get("completionMode") != "Indexed":
        return
    last = _count(spec.get("completions")) - 1
    if last >= 0:
        yield f"{name}-{last}", "a pod hostname"


def trainjob(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    last = _count(_mapping(spec.get("trainer")).get("numNodes")) - 1
    if last >= 0:
        yield f"{name}-node-0-{last}", "a node pod"
    # A fine-tune's initializer jobs are one pod each; the dataset's is the longer name.
    if "dataset" in _mapping(spec.get("initializer")):
        yield f"{name}-dataset-initializer-0-0", "a dataset initializer pod"


# What KubeRay adds to a RayJob's name for its RayCluster (`-` and five random
# characters), and the RayCluster's longest Service suffix.
RAY_CLUSTER_SUFFIX = "-xxxxx"
RAY_SERVICE_SUFFIX = "-serve-svc"


def rayjob(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    yield (
        f"{name}{RAY_CLUSTER_SUFFIX}{RAY_SERVICE_SUFFIX}",
        "its RayCluster's longest Service",
    )


# Katib names each trial `<experiment>-` and eight random characters (utilrand.String(8)).
KATIB_TRIAL_SUFFIX = 8


def katib_experiment(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    trial = f"{name}-{'x' * KATIB_TRIAL_SUFFIX}"
    yield trial, "a trial and its training object"
    template = _mapping(_mapping(spec.get("trialTemplate")).get("trialSpec"))
    # Imported here: the catalog imports this module for its rows.
    from manifestgen.kinds.catalog import row_of

    row = row_of(template)
    if row is not None and row.children is not None:
        for child, what in row.children(trial, _mapping(template.get("spec"))):
            yield child, f"{what} of a trial"


def inference_service(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    yield f"{name}-predictor", "the predictor Service"
