"""manifestgen: compile ML training specs into validated Kubernetes bundles for GitOps.

The public API::

    from manifestgen import BuildOptions, run
    result = run(BuildOptions(root=Path("."), mode="check"))
    for diagnostic in result.diagnostics: ...

Names are imported on first use, so `manifestgen verify` and other entry points that
do not compile specs never pay for importing the spec models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from manifestgen.errors import Diagnostic, Severity, SourceLocation
    from manifestgen.options import BuildOptions
    from manifestgen.pipeline import BuildResult, run

__version__ = "0.1.0"

_LAZY = {
    "BuildOptions": "manifestgen.options",
    "BuildResult": "manifestgen.pipeline",
    "Diagnostic": "manifestgen.errors",
    "Severity": "manifestgen.errors",
    "SourceLocation": "manifestgen.errors",
    "run": "manifestgen.pipeline",
}

__all__ = [
    "BuildOptions",
    "BuildResult",
    "Diagnostic",
    "Severity",
    "SourceLocation",
    "__version__",
    "run",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'manifestgen' has no attribute {name!r}")
