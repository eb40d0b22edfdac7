"""`manifestgen verify`: check any Kubernetes manifests offline, fast.

Built-in kinds against the Kubernetes schemas of a chosen version, custom resources
against their CRDs made strict (CEL rules included), plus the API server's metadata
rules and the names operators derive from a job's name::

    result = verify(VerifyOptions(paths=(Path("out"),), crds=(Path("crds"),)))
    for resource in result.resources():
        for finding in resource.findings: ...
    FORMATS["text"](result, ReportSettings())

The library never prints; `manifestgen.cli.verify_command` does.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from manifestgen.verify.formats import FORMATS, ReportSettings
    from manifestgen.verify.locations import cluster_versions, crd_locations
    from manifestgen.verify.model import (
        MISSING_SCHEMA_MODES,
        FileError,
        FileResult,
        Finding,
        KindCounts,
        Resource,
        VerifyError,
        VerifyOptions,
        VerifyResult,
    )
    from manifestgen.verify.runner import newest_kubernetes_version, verify

# Names are imported on first use: the CLI imports this package for its option choices,
# and a build or validate must not pay for the schema engine behind `verify`.
_MODULES = {
    "manifestgen.verify.formats": ("FORMATS", "ReportSettings"),
    "manifestgen.verify.locations": ("cluster_versions", "crd_locations"),
    "manifestgen.verify.model": (
        "MISSING_SCHEMA_MODES",
        "FileError",
        "FileResult",
        "Finding",
        "KindCounts",
        "Resource",
        "VerifyError",
        "VerifyOptions",
        "VerifyResult",
    ),
    "manifestgen.verify.runner": ("newest_kubernetes_version", "verify"),
}
_LAZY = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "FORMATS",
    "MISSING_SCHEMA_MODES",
    "FileError",
    "FileResult",
    "Finding",
    "KindCounts",
    "ReportSettings",
    "Resource",
    "VerifyError",
    "VerifyOptions",
    "VerifyResult",
    "cluster_versions",
    "crd_locations",
    "newest_kubernetes_version",
    "verify",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'manifestgen.verify' has no attribute {name!r}")
