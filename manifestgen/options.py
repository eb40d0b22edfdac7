"""Frozen options: the CLI parses flags into these, then makes one pipeline call."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from manifestgen import option_values as check
from manifestgen.errors import UsageError

Mode = Literal["build", "check", "validate"]
MODES: tuple[str, ...] = get_args(Mode)
CRDS_ENV = "MANIFESTGEN_CRDS"
# How long a build or check waits for another build to finish with out/.
DEFAULT_LOCK_TIMEOUT = 120.0


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
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT

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
                "lock_timeout": check.seconds("lock_timeout", self.lock_timeout),
            },
        )

    def out_path(self) -> Path:
        return self.out_dir if self.out_dir.is_absolute() else self.root / self.out_dir


def checked_out_path(options: BuildOptions) -> Path:
    """out/ as a real absolute path, refusing one that a build would destroy or escape by.

    A build prunes every generated file under out/ and replaces the directory, so out/
    must be a directory of its own inside the repository: not the root (`--out .` or
    `--out ''`), not holding or inside the specs, not reached through a symbolic link
    or `..` to somewhere else, and not a link itself (it would be replaced, not followed).
    """
    given = options.out_dir.as_posix()
    target = options.out_path()
    if target.is_symlink():
        raise UsageError(
            f"--out {given} is a symbolic link; manifestgen replaces out/ and never follows "
            "links: use the real directory"
        )
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {given} is not a directory")
    real, root = Path(os.path.realpath(target)), Path(os.path.realpath(options.root))
    if real == root:
        raise UsageError(
            f"--out {given!r} is the repository root; build into a directory of its own"
        )
    if root not in real.parents:
        raise UsageError(f"--out {given} is outside the repository {root}")
    for specs in options.specs:
        _refuse_overlap(given, real, Path(os.path.realpath(options.root / specs)), specs)
    return real


def _refuse_overlap(given: str, out: Path, specs: Path, name: Path) -> None:
    if specs == out or out in specs.parents:
        raise UsageError(
            f"--out {given} contains the specs ({name.as_posix()}); a build would prune them"
        )
    if specs in out.parents:
        raise UsageError(
            f"--out {given} is inside the specs ({name.as_posix()}); "
            "generated files would be read as specs"
        )


def crds_from_environment() -> tuple[Path, ...]:
    """CRD locations from $MANIFESTGEN_CRDS (os.pathsep-separated), as kubeconform takes them."""
    value = os.environ.get(CRDS_ENV, "")
    return tuple(Path(part) for part in value.split(os.pathsep) if part)
