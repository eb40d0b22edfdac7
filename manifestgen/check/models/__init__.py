"""manifestgen's own models of the custom resources it emits, used when no CRD is configured.

One module per API group. `MODEL_KINDS` is the registry the validator consults: for each
(group, version, kind), the model and where pod templates sit inside the object (they are
checked against the Kubernetes PodTemplateSpec schema, "*" matching any map key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from manifestgen.check.models.argoproj import Application, AppProject
from manifestgen.check.models.karpenter import NodePool
from manifestgen.check.models.karpenter_aws import EC2NodeClass
from manifestgen.check.models.kubeflow import PyTorchJob

TemplatePath = tuple[str, ...]


@dataclass(frozen=True)
class ModelKind:
    """A fallback model and the locations of the pod templates it embeds."""

    model: type[BaseModel]
    pod_templates: tuple[TemplatePath, ...] = ()


MODEL_KINDS: Mapping[tuple[str, str, str], ModelKind] = {
    ("kubeflow.org", "v1", "PyTorchJob"): ModelKind(
        PyTorchJob, (("spec", "pytorchReplicaSpecs", "*", "template"),)
    ),
    ("karpenter.sh", "v1", "NodePool"): ModelKind(NodePool),
    ("karpenter.k8s.aws", "v1", "EC2NodeClass"): ModelKind(EC2NodeClass),
    ("argoproj.io", "v1alpha1", "Application"): ModelKind(Application),
    ("argoproj.io", "v1alpha1", "AppProject"): ModelKind(AppProject),
}

__all__ = [
    "MODEL_KINDS",
    "AppProject",
    "Application",
    "EC2NodeClass",
    "ModelKind",
    "NodePool",
    "PyTorchJob",
]
