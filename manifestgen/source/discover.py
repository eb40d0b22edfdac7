"""Find spec files: sorted, repo-relative, so every run sees them in the same order."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPEC_SUFFIXES = (".yaml", ".yml")


def discover_spec_files(root: Path, targets: Iterable[Path]) -> tuple[Path, ...]:
    """Expand files and directories into a sorted, de-duplicated tuple of spec files.

    Directories are searched recursively for YAML files; hidden directories are skipped.
    Paths are returned relative to `root` where possible so that diagnostics and
    provenance annotations never contain machine-specific absolute paths.
    """
    found: set[Path] = set()
    for target in targets:
        path = target if target.is_absolute() else root / target
        if path.is_dir():
            found.update(
                p
                for p in path.rglob("*")
                if p.suffix in SPEC_SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.add(path)
    return tuple(sorted((relative_to_root(p, root) for p in found), key=lambda p: p.as_posix()))


def relative_to_root(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path
