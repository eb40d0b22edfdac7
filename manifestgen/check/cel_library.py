"""The CEL library (`common-expression-language`, module `cel`), imported without its CLI.

The package's `__init__` imports `cel.cli`, an interactive REPL whose dependencies
(typer, prompt_toolkit, pygments, importlib.metadata) cost ~0.2 s CPU on every cold run
that checks a custom resource with rules: more than checking a thousand of them. The
evaluator never uses it. While the package is imported, a placeholder stands in for
`cel.cli` in `sys.modules`; it is taken out again right after, so that a later
`import cel.cli` (anyone's) loads the real module.
"""

from __future__ import annotations

import sys
import types


def _import_without_cli() -> None:
    if "cel" in sys.modules:
        return
    placeholder = types.ModuleType("cel.cli", "Not loaded by manifestgen (see cel_library).")
    sys.modules["cel.cli"] = placeholder
    try:
        import cel  # noqa: F401
    finally:
        if sys.modules.get("cel.cli") is placeholder:
            del sys.modules["cel.cli"]


_import_without_cli()

import cel  # noqa: E402
from cel import stdlib  # noqa: E402

__all__ = ["cel", "stdlib"]
