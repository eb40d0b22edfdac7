"""What a build, check or validate run found and did: the pipeline's answer to the CLI.

Kept apart from the pipeline so that a run answered from the build cache
(manifestgen/incremental) never imports the compiler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from manifestgen.errors import Diagnostic

if TYPE_CHECKING:
    from manifestgen.render.tree import OutputTree
    from manifestgen.spec.platform import Platform
    from manifestgen.write import Drift, WriteResult


@dataclass(frozen=True)
class Stats:
    spec_files: int = 0
    jobs: int = 0
    objects: int = 0
    files: int = 0
    unchecked_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildResult:
    """Everything a run found and did; the CLI turns it into output and an exit code."""

    diagnostics: tuple[Diagnostic, ...]
    tree: OutputTree = field(default_factory=dict)
    written: WriteResult | None = None
    drift: Drift | None = None
    stats: Stats = field(default_factory=Stats)
    # The Platform the run compiled against; None when there was no usable one.
    platform: Platform | None = None
    # The diagnostics of the specs and of the generated objects, before out/ was
    # compared or written (what the build cache replays).
    compiled: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)
