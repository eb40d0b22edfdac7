"""Names an operator derives from a job's name, checked before the operator trips on them.

The API server accepts a PyTorchJob named with 60 characters; the training operator then
fails to create the headless Service `<name>-worker-15` (a Service name is a DNS-1035 label
of at most 63 characters) and the job hangs with the error only in the operator's log.
`child_name_problems` computes the longest pod or Service name each supported operator
derives and reports it at `metadata.name` when it is too long:

- Kubeflow training operator v1 (PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob):
  `<name>-<replica type, lower case>-<index>` for pods and their Services;
- MPI Operator v2beta1 MPIJob: `<name>-launcher` and `<name>-worker-<index>`;
- JobSet: pods `<name>-<replicatedJob>-<job index>-<pod index>`;
- Kubeflow Trainer v2 TrainJob: `<name>-node-0-<index>`; the TrainJob's own name must also
  be a DNS-1035 label (the Trainer's admission webhook rejects anything else).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from manifestgen.check.metadata import dns1035_label
from manifestgen.check.problems import ObjectProblem

MAX_CHILD_NAME = 63
# The API server appends five random characters to `generateName`.
_GENERATED_SUFFIX = 5

# (child name, what it names) for each child a job's name is part of.
Children = Callable[[str, Mapping[str, Any]], Iterator[tuple[str, str]]]

_KUBEFLOW_V1_REPLICA_SPECS = {
    "PyTorchJob": "pytorchReplicaSpecs",
    "TFJob": "tfReplicaSpecs",
    "MPIJob": "mpiReplicaSpecs",
    "XGBoostJob": "xgbReplicaSpecs",
    "PaddleJob": "paddleReplicaSpecs",
    "JAXJob": "jaxReplicaSpecs",
}


def _count(value: Any, default: int = 1) -> int:
    # Wrong types are the schema's business; here they count as the default.
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _kubeflow_v1(replica_key: str) -> Children:
    def children(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        for replica_type, replica in _mapping(spec.get(replica_key)).items():
            last = _count(_mapping(replica).get("replicas")) - 1
            if last >= 0:
                yield f"{name}-{str(replica_type).lower()}-{last}", "a pod and its Service"

    return children


def _mpi_v2beta1(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    yield f"{name}-launcher", "the launcher Job"
    worker = _mapping(_mapping(spec.get("mpiReplicaSpecs")).get("Worker"))
    last = _count(worker.get("replicas"), default=0) - 1
    if last >= 0:
        yield f"{name}-worker-{last}", "a worker pod"


def _jobset(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    jobs = spec.get("replicatedJobs")
    for job in jobs if isinstance(jobs, list) else ():
        job = _mapping(job)
        job_spec = _mapping(_mapping(job.get("template")).get("spec"))
        last_job = _count(job.get("replicas")) - 1
        last_pod = _count(job_spec.get("parallelism")) - 1
        if last_job >= 0 and last_pod >= 0 and isinstance(job.get("name"), str):
            yield f"{name}-{job['name']}-{last_job}-{last_pod}", "a pod"


def _trainjob(name: str, spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    last = _count(_mapping(spec.get("trainer")).get("numNodes")) - 1
    if last >= 0:
        yield f"{name}-node-0-{last}", "a node pod"


# (group, version, kind) -> the children its operator names after it.
CHILDREN: dict[tuple[str, str, str], Children] = {
    **{
        ("kubeflow.org", "v1", kind): _kubeflow_v1(key)
        for kind, key in _KUBEFLOW_V1_REPLICA_SPECS.items()
    },
    ("kubeflow.org", "v2beta1", "MPIJob"): _mpi_v2beta1,
    ("jobset.x-k8s.io", "v1alpha2", "JobSet"): _jobset,
    ("trainer.kubeflow.org", "v1alpha1", "TrainJob"): _trainjob,
}

# Kinds whose own name the operator requires to be a DNS-1035 label.
_DNS1035_NAMED = frozenset({("trainer.kubeflow.org", "v1alpha1", "TrainJob")})


def child_name_problems(obj: Mapping[str, Any]) -> list[ObjectProblem]:
    """Problems with the names an operator derives from `obj`'s name (rule "metadata").

    Empty for kinds no operator in `CHILDREN` owns, and for objects without a usable name.
    """
    if not isinstance(obj, Mapping):
        return []
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return []
    group, _, version = api_version.rpartition("/")
    gvk = (group, version, kind)
    children = CHILDREN.get(gvk)
    named = _name(_mapping(obj.get("metadata")))
    if children is None or named is None:
        return []
    field, name = named
    problems: list[ObjectProblem] = []
    if gvk in _DNS1035_NAMED and field == "name":
        reason = dns1035_label(name)
        if reason is not None:
            problems.append(ObjectProblem(("metadata", "name"), f"{kind} {reason}", "metadata"))
    longest = max(children(name, _mapping(obj.get("spec"))), key=lambda c: len(c[0]), default=None)
    if longest is not None and len(longest[0]) > MAX_CHILD_NAME:
        problems.append(_too_long(kind, field, name, *longest))
    return problems


def _name(metadata: Mapping[str, Any]) -> tuple[str, str] | None:
    name, generate_name = metadata.get("name"), metadata.get("generateName")
    if isinstance(name, str) and name:
        return "name", name
    if isinstance(generate_name, str) and generate_name:
        # Stand-in characters of the right length for the server's random suffix.
        return "generateName", generate_name + "x" * _GENERATED_SUFFIX
    return None


def _too_long(kind: str, field: str, name: str, child: str, what: str) -> ObjectProblem:
    excess = len(child) - MAX_CHILD_NAME
    shown = child if field == "name" else child.replace(name, f"{name[:-_GENERATED_SUFFIX]}*", 1)
    return ObjectProblem(
        ("metadata", field),
        f"too long for its children: the {kind} operator names {what} {shown!r} "
        f"({len(child)} characters, at most {MAX_CHILD_NAME}); shorten the name by {excess}",
        "metadata",
    )
