"""The upstream CRDs the CEL tests use, and a fast YAML reader for them (test data, not repo code)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

# The CRDs whose rules these tests exercise, relative to crds_dir.
CRDS_UNDER_TEST = (
    "karpenter/karpenter.sh_nodepools.yaml",
    "karpenter/karpenter.k8s.aws_ec2nodeclasses.yaml",
    "kubeflow-trainer/trainer.kubeflow.org_trainjobs.yaml",
    "kubeflow-trainer/trainer.kubeflow.org_trainingruntimes.yaml",
    "kubeflow-trainer/trainer.kubeflow.org_clustertrainingruntimes.yaml",
    "kueue/kueue.x-k8s.io_admissionchecks.yaml",
    "kueue/kueue.x-k8s.io_clusterqueues.yaml",
    "kueue/kueue.x-k8s.io_cohorts.yaml",
    "kueue/kueue.x-k8s.io_localqueues.yaml",
    "kueue/kueue.x-k8s.io_resourceflavors.yaml",
    "kueue/kueue.x-k8s.io_topologies.yaml",
    "kueue/kueue.x-k8s.io_workloadpriorityclasses.yaml",
)

# CRD path relative to crds_dir -> {version name: openAPIV3Schema}, storage version first
VersionsLoader = Callable[[str], dict[str, Mapping[str, Any]]]
# (CRD path relative to crds_dir, version or None for the storage version) -> openAPIV3Schema
SchemaLoader = Callable[[str, str | None], Mapping[str, Any]]


def load_yaml(path: Path) -> Any:
    """One YAML document; libyaml's loader reads the multi-megabyte CRDs ~10x faster."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
