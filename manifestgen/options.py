"""Frozen options: the CLI parses flags into these, then makes one pipeline call."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from manifestgen import option_values as check

Mode = Literal["build", "check", "validate"]
MODES: tuple[str, ...] = get_args(Mode)
CRDS_ENV = "MANIFESTGEN_CRDS"


@dataclass(frozen=True)
class BuildOptions:
    """What to compile and what to do with the result.

    `specs` are files or directories relative to `root`; `only` (validate mode) limits
    reported diagnostics to those files while the rest of `specs` still gives context
    (the Platform, other jobs' names).
    """

    root: Path = field(default_factory=Path.cwd)
    specs: tuple[Path, ...] = (Path("specs"),)
    out_dir: Path = Path("out")
    mode: Mode = "build"
    crds: tuple[Path, ...] = ()
    only: tuple[Path, ...] = ()
    check_output: bool = True
    # Parsed CRDs and prepared schemas are cached on disk (default ~/.cache/manifestgen).
    use_cache: bool = True
    cache_dir: Path | None = None
    # Jobs (`name` or `cluster/name`) a build may recreate although only the Platform or
    # manifestgen changed; without this, such jobs keep their previous object.
    recreate: tuple[str, ...] = ()
    recreate_all: bool = False
    # Compare with the previous build in out/ (keep jobs, refuse immutable edits); off
    # for specs compiled in memory, which have no out/ of their own.
    previous_build: bool = True

    def __post_init__(self) -> None:
        check.set_fields(
            self,
            {
                "root": check.a_path("root", self.root),
                "specs": check.paths("specs", self.specs),
                "out_dir": check.a_path("out_dir", self.out_dir),
                "mode": check.one_of("mode", self.mode, MODES),
                "crds": check.paths("crds", self.crds),
                "only": check.paths("only", self.only),
                "check_output": check.a_bool("check_output", self.check_output),
                "use_cache": check.a_bool("use_cache", self.use_cache),
                "cache_dir": check.an_optional_path("cache_dir", self.cache_dir),
                "recreate_all": check.a_bool("recreate_all", self.recreate_all),
                "previous_build": check.a_bool("previous_build", self.previous_build),
            },
        )

    def out_path(self) -> Path:
        return self.out_dir if self.out_dir.is_absolute() else self.root / self.out_dir


def crds_from_environment() -> tuple[Path, ...]:
    """CRD locations from $MANIFESTGEN_CRDS (os.pathsep-separated), as kubeconform takes them."""
    value = os.environ.get(CRDS_ENV, "")
    return tuple(Path(part) for part in value.split(os.pathsep) if part)
