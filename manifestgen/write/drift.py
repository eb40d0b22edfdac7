"""Compare the generated tree with what is on disk, touching nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from manifestgen.render.tree import OutputTree
from manifestgen.render.yaml import is_generated


@dataclass(frozen=True)
class Drift:
    """Relative paths that differ: to add, to rewrite, generated files to remove, and
    hand-written files standing where a generated one must go (never overwritten)."""

    missing: tuple[str, ...]
    stale: tuple[str, ...]
    extra: tuple[str, ...]
    conflicts: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra or self.conflicts)


def owned_files(out_dir: Path) -> dict[str, bytes]:
    """Files under out_dir that manifestgen generated (they start with its header)."""
    if not out_dir.is_dir():
        return {}
    found: dict[str, bytes] = {}
    for path in sorted(out_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix in (".yaml", ".yml"):
            content = path.read_bytes()
            if is_generated(content):
                found[path.relative_to(out_dir).as_posix()] = content
    return found


def compare_tree(out_dir: Path, tree: OutputTree) -> Drift:
    on_disk = owned_files(out_dir)
    missing, stale, conflicts = [], [], []
    for rel, content in tree.items():
        target = out_dir / rel
        if rel in on_disk:
            if on_disk[rel] != content:
                stale.append(rel)
        elif target.is_file():
            # A hand-written file where we want to generate one: never overwrite it.
            conflicts.append(rel)
        else:
            missing.append(rel)
    extra = sorted(set(on_disk) - set(tree))
    return Drift(tuple(missing), tuple(stale), tuple(extra), tuple(conflicts))
