"""Find spec files: sorted, repo-relative, so every run sees them in the same order.

Each spec file is read once, however it is named: `--specs specs --specs specs/jobs`,
`specs/../specs` and a symlink to a spec all reach the same file, which is kept once
(the spec names it defines would otherwise be reported as duplicates). Suffixes match
in any case (`job.YAML`, `job.Yml`), as pre-commit's `types: [yaml]` does.

A spec comes from the repository: a symlink whose target is outside it is refused
(MG115), as is a `--specs` path outside it (a usage error), so that no file from
elsewhere on the machine is read and no absolute machine path reaches a diagnostic or
the `manifestgen.io/source` annotation in out/. Symlinked directories inside the
repository are not searched (they could loop, or hold the same files twice); a warning
(MG116) names each, so that nothing is skipped silently.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from manifestgen.errors import Diagnostic, Severity, SourceLocation, UsageError

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Discovery:
    """The spec files to read (repo-relative, sorted) and what was refused or skipped."""

    paths: tuple[Path, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


def is_spec_name(path: Path) -> bool:
    """True for `*.yaml` and `*.yml`, in any case."""
    return path.suffix.lower() in SPEC_SUFFIXES


def discover(root: Path, targets: Iterable[Path]) -> Discovery:
    """Expand files and directories into sorted, de-duplicated, repo-relative spec files.

    Directories are searched recursively for YAML files; hidden directories are skipped.
    Raises `UsageError` for a target outside `root`.
    """
    base = root.resolve()
    found: set[Path] = set()  # repo-relative real paths
    diagnostics: list[Diagnostic] = []
    for target in targets:
        path = target if target.is_absolute() else root / target
        if _inside(_parent_resolved(path), base) is None:
            raise UsageError(f"spec path {target.as_posix()} is outside the repository {root}")
        resolved = path.resolve()
        if _inside(resolved, base) is None:  # a symlink: never walk what it points to
            diagnostics.append(_outside(path, base))
            continue
        for candidate, direct in _candidates(path, diagnostics, base):
            # A file reached through real directories is where the walk found it: only
            # a link (or a named file) needs resolving, which costs a stat per part.
            real = _inside(
                resolved / candidate.relative_to(path) if direct else candidate.resolve(), base
            )
            if real is None:
                diagnostics.append(_outside(candidate, base))
            else:
                found.add(real)
    return Discovery(tuple(sorted(found, key=Path.as_posix)), tuple(diagnostics))


def discover_spec_files(root: Path, targets: Iterable[Path]) -> tuple[Path, ...]:
    """The paths of `discover`, for callers that need no diagnostics."""
    return discover(root, targets).paths


def _candidates(
    path: Path, diagnostics: list[Diagnostic], base: Path
) -> Iterator[tuple[Path, bool]]:
    """The spec files at `path`, each with whether it is a regular file reached through
    real directories (the walk does not follow symlinked directories)."""
    if not path.is_dir():
        yield path, False
        return
    for entry in sorted(path.rglob("*")):
        if any(part.startswith(".") for part in entry.relative_to(path).parts):
            continue
        try:
            mode = entry.lstat().st_mode
        except OSError:
            continue  # gone since the walk listed it
        if stat.S_ISLNK(mode) and entry.is_dir():
            real = _inside(entry.resolve(), base)
            diagnostics.append(
                _outside(entry, base) if real is None else _not_searched(entry, base)
            )
        elif is_spec_name(entry) and (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            yield entry, stat.S_ISREG(mode)


def _inside(path: Path, base: Path) -> Path | None:
    try:
        return path.relative_to(base)
    except ValueError:
        return None


def _parent_resolved(path: Path) -> Path:
    # Where a path is, its last part not followed: a link is where it is written.
    absolute = Path(os.path.normpath(path if path.is_absolute() else Path.cwd() / path))
    return absolute.parent.resolve() / absolute.name


def _shown(path: Path, base: Path) -> str:
    # The link's own place in the repository, never its target's.
    inside = _inside(_parent_resolved(path), base)
    return inside.as_posix() if inside is not None else path.name


def _outside(link: Path, base: Path) -> Diagnostic:
    return Diagnostic(
        "MG115",
        "symlink to a path outside the repository; specs are read only from the repository",
        SourceLocation(_shown(link, base)),
        hint="copy the spec into the repository instead of linking to it",
    )


def _not_searched(link: Path, base: Path) -> Diagnostic:
    target = _inside(link.resolve(), base)
    return Diagnostic(
        "MG116",
        f"symlinked directory not searched for specs (it points to {target})",
        SourceLocation(_shown(link, base)),
        severity=Severity.WARNING,
        hint=f"pass --specs {target} to read the specs there",
    )
