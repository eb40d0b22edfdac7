"""Locations, diagnostics and the catalogue of diagnostic codes.

Every mistake a user can make is a `Diagnostic` with a stable code and, where it
can be known, a location in a source file. Diagnostics are values: stages return
them and only the CLI prints them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

JsonPath = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A 1-based line and column in a repo-relative file (0 means "whole file")."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Related:
    """A secondary location that explains a diagnostic (e.g. the generated file)."""

    location: SourceLocation
    message: str


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the input or the output, with a stable code."""

    code: str
    message: str
    location: SourceLocation
    field: str = ""
    severity: Severity = Severity.ERROR
    hint: str = ""
    related: tuple[Related, ...] = dataclasses.field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.field, self.message)


def sort_diagnostics(
    diagnostics: list[Diagnostic] | tuple[Diagnostic, ...],
) -> tuple[Diagnostic, ...]:
    """Sort by location then code, dropping exact duplicates."""
    return tuple(sorted(set(diagnostics), key=Diagnostic.sort_key))


# The catalogue. Codes are stable: tools and users grep for them.
CODES: Final[dict[str, str]] = {
    # Reading sources
    "MG101": "YAML syntax error",
    "MG102": "duplicate mapping key",
    "MG103": "document is not a manifestgen resource",
    "MG104": "unknown apiVersion or kind",
    "MG105": "file cannot be read",
    # Input limits and values YAML can say but a spec cannot hold (source/limits.py)
    "MG106": "file too large",
    "MG107": "line too long",
    "MG108": "too many values (aliases expanded)",
    "MG109": "nesting too deep",
    "MG110": "recursive alias",
    "MG111": "integer too long",
    "MG112": "number not finite",
    "MG113": "mapping key is not a string",
    "MG114": "unsupported YAML tag",
    "MG115": "symlink to a path outside the repository",
    "MG116": "symlinked directory not searched",
    # Spec schema
    "MG201": "unknown field",
    "MG202": "missing required field",
    "MG203": "wrong type",
    "MG204": "invalid value",
    "MG205": "invalid name",
    # References between specs
    "MG210": "unknown team",
    "MG211": "unknown cluster",
    "MG212": "unknown GPU type",
    "MG213": "team may not use this cluster",
    "MG214": "image registry not allowed for this team",
    "MG215": "duplicate name",
    "MG216": "no Platform document",
    "MG217": "more than one Platform document",
    "MG218": "output directory is not the one Argo CD reads",
    # Semantic rules
    "MG220": "multi-node checkpoints need a ReadWriteMany claim",
    "MG221": "more GPUs per node than the instance types have",
    "MG222": "generated name too long",
    "MG223": "secret value written inline",
    "MG224": "processes per node do not match GPUs per node",
    "MG225": "shared memory does not fit in the memory request",
    "MG226": "GPU quota exceeded",
    "MG227": "invalid elastic range",
    "MG228": "mutable image tag",
    "MG229": "ttlSecondsAfterFinished on a job Argo CD tracks",
    "MG230": "invalid resource quantity",
    "MG231": "job kind does not support this setting",
    # Cluster rules: what the API server, admission or the cluster's own parts would refuse
    "MG240": "CPU jobs exceed the cluster's CPU quota",
    "MG241": "team namespace reserved for Kubernetes or Argo CD",
    "MG242": "job name takes the namespace's default ServiceAccount",
    "MG243": "GPU resource name is a core Kubernetes resource",
    "MG244": "two volumes at one mount path",
    "MG245": "egress CIDR is not a network",
    "MG246": "hyperparameters exceed the ConfigMap size limit",
    "MG247": "multi-node job does not start torchrun",
    "MG248": "torchrun options in the command contradict the spec",
    # Argo CD objects
    "MG250": "cluster without teams: Argo CD refuses its Application",
    "MG251": "root Application in a project manifestgen generates",
    # Hyperparameter tuning (Katib Experiments)
    "MG252": "hyperparameter search space is empty or invalid",
    "MG253": "reference to an undefined hyperparameter",
    "MG254": "tuned hyperparameter never reaches the trials",
    "MG255": "search spaces without tuning, or tuning without search spaces",
    "MG256": "trial counts contradict each other",
    "MG257": "objective metric also listed as an additional metric",
    "MG258": "job name too long for a Katib Experiment",
    "MG259": "tuned job cannot be suspended",
    # Job identity and lifecycle
    "MG260": "two checkpoint claims share a name",
    # Queues, quotas and priorities (Kueue)
    "MG350": "job can never be admitted by its queue",
    "MG351": "team has no queue on a Kueue cluster",
    "MG352": "queue of an unknown team or one not on the cluster",
    "MG353": "queue quota of an unknown GPU type",
    "MG354": "borrowing or lending limit without a cohort, or above the quota",
    "MG355": "queues on a cluster that runs neither Kueue nor Volcano",
    "MG356": "queue quota of a GPU type whose instances are unknown",
    "MG357": "queues hold more GPUs than the node pools may",
    "MG358": "unknown priority",
    "MG360": "Suspended job removed from its Kueue queue",
    # Capacity and storage model
    "MG270": "instance type or family not in the instance catalog",
    "MG271": "GPU type does not match its instance types",
    "MG272": "MIG slices named as a GPU type's resourceName",
    "MG273": "resource request does not fit on any node of the pool",
    "MG274": "unknown storage class",
    "MG275": "checkpoint claim can never bind",
    "MG276": "more than one default storage class",
    # TensorFlow (TFJob) launch rules
    "MG280": "spec sets TF_CONFIG, which the training operator sets",
    "MG281": "TFJob command starts another framework's launcher",
    "MG282": "TensorFlow strategy and its replicas disagree",
    "MG283": "processesPerNode on a TFJob",
    # MPI launch checks
    "MG284": "MPI launcher command starts no ranks",
    "MG285": "MPI launcher options contradict the spec",
    "MG286": "SSH keys mounted where a non-root user cannot use them",
    "MG287": "environment not passed to MPI ranks",
    # Launch rules of the workloads whose operator gives each pod its rank
    "MG288": "spec sets an environment variable the operator sets",
    "MG289": "processes per node other than the operator gives each pod",
    "MG290": "GPUs an XGBoost process cannot use",
    "MG291": "Paddle job does not start paddle.distributed.launch",
    "MG292": "paddle.distributed.launch options in the command contradict the spec",
    "MG293": "a launcher of several processes where each pod has one rank",
    # JobSet and plain Job workloads.
    "MG315": "tuned JobSet or Job on a cluster with a gang scheduler",
    "MG316": "JobSet exclusive placement on a cluster with a gang scheduler",
    "MG320": "plain Job on spot: a reclaim of the rendezvous pod fails it",
    "MG321": "nodes not a multiple of the JobSet's slices",
    # Ray (RayJob) launch rules
    "MG340": "RayJob without an entrypoint",
    "MG341": "entrypoint starts or joins a Ray cluster itself",
    "MG342": "spec sets a variable KubeRay sets",
    "MG343": "entrypoint starts another framework's launcher inside Ray",
    "MG344": "rayStartParams contradict the worker pods",
    "MG345": "entrypoint argument the K8sJobMode submitter re-quotes",
    "MG346": "job bigger than its Volcano queue's capability",
    "MG347": "team has no queue on a Volcano cluster with queues",
    "MG348": "Volcano queue named like one Volcano owns",
    # MIG and monitoring
    "MG380": "MIG profile not in NVIDIA's table for the GPU",
    "MG381": "MIG layout does not fit on one GPU",
    "MG382": "MIG settings contradict each other",
    "MG383": "MIG layout needs a mig-parted config name",
    "MG384": "GPU request does not match the GPU type's MIG layout",
    "MG385": "more MIG slices per node than a node has",
    "MG386": "MIG slices CUDA or NCCL cannot use as asked",
    "MG387": "metrics port taken by the operator or launcher",
    "MG388": "job metrics on a cluster without monitoring",
    # Team isolation
    "MG370": "team's jobs exceed its namespace quota",
    "MG361": "team's services and jobs together exceed its namespace quota",
    "MG362": "tuned TrainJob on a runtime whose pods Katib's webhook refuses",
    "MG371": "quota for a cluster the team does not use",
    "MG372": "quota names a GPU resource nothing advertises",
    "MG373": "LimitRange default above the quota",
    # Kubeflow Trainer v2 (TrainJob)
    "MG300": "unknown Trainer runtime",
    "MG301": "spec sets an environment variable the Trainer sets",
    "MG302": "run policy field a TrainJob does not have",
    "MG303": "processes per node on a one-process-per-node runtime",
    "MG304": "multi-node TrainJob on a torch runtime does not start torchrun",
    "MG305": "TrainJob names a runtime that is no longer generated",
    "MG306": "unknown default framework of a cluster",
    "MG307": "fine-tune on a runtime or cluster that cannot run its initializers",
    "MG308": "fine-tuning method torchtune has no recipe config for on these GPUs",
    "MG309": "Hugging Face base model without a token Secret",
    "MG310": "URI scheme the Trainer's initializers cannot download",
    "MG311": "base model torchtune has no recipe for",
    "MG312": "fine-tune without a ReadWriteMany workspace claim",
    "MG313": "spec sets what the fine-tune generates",
    # Serving models (ModelService)
    "MG390": "served model names no TrainingJob of the team on the cluster",
    "MG391": "served TrainingJob has no checkpoint claim, or no model path in it",
    "MG392": "served checkpoint claim is not ReadWriteMany",
    "MG393": "the cluster's KServe deployment mode cannot do what the service asks",
    "MG394": "name too long for the names KServe derives from it",
    "MG395": "cluster has no KServe set-up",
    "MG396": "GPU quota exceeded or missing for a service",
    "MG397": "service name already used in the namespace",
    "MG398": "GPU request the predictor's nodes cannot meet (count, MIG profile)",
    # Generated output
    "MG401": "generated object fails its schema",
    "MG402": "kinds not checked against an upstream CRD (metadata and pod templates only)",
    "MG403": "CRD location cannot be loaded",
    "MG404": "generated object fails a Kubernetes API rule",
    "MG405": "generated object fails a CRD validation rule (CEL)",
    "MG406": "Kubernetes version without bundled schemas",
    "MG407": "kinds not checked: CRD without a structural schema, no OpenAPI document",
    # out/ on disk
    "MG501": "generated file missing from out/",
    "MG502": "file in out/ is stale",
    "MG503": "file in out/ is not generated by any spec",
    "MG504": "out/ cannot be written",
    "MG505": "symbolic link or special file in out/",
    "MG506": "hand-written file in out/",
    "MG507": "out/ is locked by another build",
    "MG508": "out/ is read-only",
    "MG509": "out/ cannot be read",
    # Against the previous build in out/
    "MG520": "immutable field changed on an existing object",
    "MG521": "claim would shrink",
    "MG522": "claim grows (on an expandable or unknown storage class)",
    "MG523": "job keeps its previous object despite a Platform or manifestgen change",
    "MG524": "job will be recreated",
    "MG525": "completed job is no longer generated",
    "MG526": "a Platform or manifestgen change would recreate a job that cannot be kept",
    "MG527": "claim would grow on a storage class that does not allow expansion",
    # Hooks (--fail-on-change, --drift-only)
    "MG601": "out/ was rewritten",
    "MG602": "out/ not compared or written: the specs have errors",
    # verify: any manifests
    "MG610": "manifest file cannot be read or parsed",
    "MG611": "resource fails its schema",
    "MG612": "resource fails a Kubernetes API rule",
    "MG613": "resource fails a CRD validation rule (CEL)",
    "MG614": "name derived by an operator too long",
    "MG615": "kind rejected (--reject-kind)",
    "MG616": "no schema for the kind",
    "MG617": "kinds not checked against an upstream CRD (metadata and pod templates only)",
    # plan
    "MG620": "out/ is not what the specs build (plan --base)",
    # Per-team Argo CD Applications and AppProjects
    "MG621": "two generated Argo CD objects share a name",
    "MG622": "team namespace named like the Platform's directory in out/",
    # Specs as editors see them
    "MG630": "null value in a spec (a field is set or left out)",
    # The tool itself
    "MG901": "internal error",
}


class ManifestgenError(Exception):
    """Base class for errors the library raises (not user mistakes: those are Diagnostics)."""


class UsageError(ManifestgenError):
    """The command line or options are wrong (exit code 2)."""


class OptionsError(UsageError, ValueError):
    """An options object was given a value it cannot take (`mode="buld"`)."""
