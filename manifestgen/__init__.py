"""manifestgen: compile ML training specs into validated Kubernetes bundles for GitOps.

The public API::

    from manifestgen import BuildOptions, run
    result = run(BuildOptions(root=Path("."), mode="check"))
    for diagnostic in result.diagnostics: ...
"""

from manifestgen.errors import Diagnostic, Severity, SourceLocation
from manifestgen.options import BuildOptions
from manifestgen.pipeline import BuildResult, run

__version__ = "0.1.0"

__all__ = [
    "BuildOptions",
    "BuildResult",
    "Diagnostic",
    "Severity",
    "SourceLocation",
    "__version__",
    "run",
]
