"""Paths as the caller wrote them, and paths as the caller should read them.

The library works with paths relative to `--root`. A pre-commit hook, an editor or CI runs
from the top of a repository and passes files relative to there; with the specs in a
sub-directory (`--root deploy`) the two differ. Both conversions live here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from manifestgen.errors import Diagnostic, Related, SourceLocation, UsageError


def spec_files_under_root(files: Iterable[Path], root: Path, cwd: Path) -> tuple[Path, ...]:
    """Given spec files as root-relative paths; each may be relative to `cwd` or to `root`.

    The working directory comes first, as for any command; a path that does not exist
    there, or lies outside `root`, is taken relative to `root`, as earlier versions did.
    """
    return tuple(_one_file(path, root, cwd) for path in files)


def _one_file(path: Path, root: Path, cwd: Path) -> Path:
    candidates = [path] if path.is_absolute() else [cwd / path, root / path]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        resolved = candidate.resolve()
        if resolved.is_relative_to(root):
            return resolved.relative_to(root)
    if any(candidate.is_file() for candidate in candidates):
        raise UsageError(f"spec file {path} is outside --root {root}")
    raise UsageError(f"no such spec file: {path}")


def display_prefix(root: Path, cwd: Path) -> str:
    """What to put before a root-relative path so that it reads relative to `cwd`.

    Only a root inside the working directory is rebased (`deploy/specs/job.yaml`): that
    is the layout where annotations and editors need it, and a root elsewhere keeps the
    short root-relative paths rather than a chain of `../`.
    """
    root, cwd = root.resolve(), cwd.resolve()
    if root == cwd or not root.is_relative_to(cwd):
        return ""
    return root.relative_to(cwd).as_posix() + "/"


def rebase_diagnostics(diagnostics: Iterable[Diagnostic], prefix: str) -> tuple[Diagnostic, ...]:
    """The diagnostics with every relative location prefixed (see `display_prefix`)."""
    if not prefix:
        return tuple(diagnostics)
    return tuple(
        dataclasses.replace(
            d,
            location=_rebase(d.location, prefix),
            related=tuple(Related(_rebase(r.location, prefix), r.message) for r in d.related),
        )
        for d in diagnostics
    )


def rebase_path(path: str, prefix: str) -> str:
    return path if not prefix or Path(path).is_absolute() else prefix + path


def _rebase(location: SourceLocation, prefix: str) -> SourceLocation:
    return dataclasses.replace(location, path=rebase_path(location.path, prefix))
