"""manifestgen: compile ML training specs into validated Kubernetes bundles for GitOps.

The public API::

    from manifestgen import BuildOptions, run
    result = run(BuildOptions(root=Path("."), mode="check"))
    for diagnostic in result.diagnostics: ...

or, with specs as typed objects and no files::

    from manifestgen import Platform, TrainingJob, render_specs
    tree = render_specs(platform, [job])   # {relative path under out/: file bytes}

Names are imported on first use, so `manifestgen verify` and other entry points that
do not compile specs never pay for importing the spec models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from manifestgen.api import RenderError, compile_specs, render_specs, source_name
    from manifestgen.errors import (
        Diagnostic,
        ManifestgenError,
        OptionsError,
        Severity,
        SourceLocation,
        UsageError,
    )
    from manifestgen.options import BuildOptions
    from manifestgen.pipeline import BuildResult, run
    from manifestgen.spec.base import API_VERSION
    from manifestgen.spec.platform import (
        ArgoCDDestination,
        Cluster,
        Defaults,
        GitOps,
        GpuType,
        Metadata,
        NodeClass,
        Platform,
        PlatformSpec,
        Team,
    )
    from manifestgen.spec.training import (
        Checkpoints,
        Dataset,
        Egress,
        GpuRequest,
        Resources,
        RunPolicy,
        SecretEnv,
        TrainingJobSpec,
    )
    from manifestgen.workloads import TrainingJob
    from manifestgen.workloads.mpi import MpiOptions, MpiSpec
    from manifestgen.workloads.pytorch import Elastic, PyTorchSpec
    from manifestgen.workloads.tensorflow import TensorFlow, TensorFlowSpec

__version__ = "0.1.0"

_MODULES = {
    "manifestgen.api": ("RenderError", "render_specs", "compile_specs", "source_name"),
    "manifestgen.errors": (
        "Diagnostic",
        "ManifestgenError",
        "OptionsError",
        "Severity",
        "SourceLocation",
        "UsageError",
    ),
    "manifestgen.options": ("BuildOptions",),
    "manifestgen.pipeline": ("BuildResult", "run"),
    "manifestgen.spec.base": ("API_VERSION",),
    "manifestgen.spec.platform": (
        "ArgoCDDestination",
        "Cluster",
        "Defaults",
        "GitOps",
        "GpuType",
        "Metadata",
        "NodeClass",
        "Platform",
        "PlatformSpec",
        "Team",
    ),
    "manifestgen.spec.training": (
        "Checkpoints",
        "Dataset",
        "Egress",
        "GpuRequest",
        "Resources",
        "RunPolicy",
        "SecretEnv",
        "TrainingJobSpec",
    ),
    "manifestgen.workloads": ("TrainingJob",),
    "manifestgen.workloads.mpi": ("MpiOptions", "MpiSpec"),
    "manifestgen.workloads.pytorch": ("Elastic", "PyTorchSpec"),
    "manifestgen.workloads.tensorflow": ("TensorFlow", "TensorFlowSpec"),
}
_LAZY = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "API_VERSION",
    "ArgoCDDestination",
    "BuildOptions",
    "BuildResult",
    "Checkpoints",
    "Cluster",
    "Dataset",
    "Defaults",
    "Diagnostic",
    "Egress",
    "Elastic",
    "GitOps",
    "GpuRequest",
    "GpuType",
    "ManifestgenError",
    "Metadata",
    "MpiOptions",
    "MpiSpec",
    "NodeClass",
    "OptionsError",
    "Platform",
    "PlatformSpec",
    "PyTorchSpec",
    "RenderError",
    "Resources",
    "RunPolicy",
    "SecretEnv",
    "Severity",
    "SourceLocation",
    "Team",
    "TensorFlow",
    "TensorFlowSpec",
    "TrainingJob",
    "TrainingJobSpec",
    "UsageError",
    "__version__",
    "compile_specs",
    "render_specs",
    "run",
    "source_name",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'manifestgen' has no attribute {name!r}")
