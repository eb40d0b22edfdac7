"""Compare the generated tree with what out/ holds, touching nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from manifestgen.render.tree import OutputTree
from manifestgen.report.progress import report
from manifestgen.write.lock import DEFAULT_LOCK_TIMEOUT, out_lock
from manifestgen.write.scan import OutScan, scan_out


@dataclass(frozen=True)
class Drift:
    """Relative paths that differ: to add, to rewrite, generated files to remove,
    hand-written files standing where a generated one must go (never overwritten),
    symbolic links and special files (never followed), and other hand-written files
    (kept, and an error: the Applications would deploy them)."""

    missing: tuple[str, ...]
    stale: tuple[str, ...]
    extra: tuple[str, ...]
    conflicts: tuple[str, ...] = ()
    unsafe: tuple[str, ...] = ()
    foreign: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """Nothing to write and nothing in the way (foreign files are kept, and reported)."""
        return not (self.missing or self.stale or self.extra or self.conflicts or self.unsafe)


def compare(scan: OutScan, tree: OutputTree) -> Drift:
    """The drift between a scan of out/ and the tree the specs generate."""
    missing, stale, conflicts = [], [], []
    directories = _directories(scan)
    files = {*scan.owned, *scan.foreign}
    for done, (rel, content) in enumerate(tree.items(), start=1):
        report("comparing files", done, len(tree))
        if rel in scan.owned:
            if scan.owned[rel] != content:
                stale.append(rel)
        elif rel in scan.foreign or rel in directories or _parents(rel) & files:
            conflicts.append(rel)
        elif rel not in scan.unsafe:  # a link in the way is reported once, as unsafe
            missing.append(rel)
    extra = sorted(set(scan.owned) - set(tree))
    foreign = tuple(rel for rel in scan.foreign if rel not in tree)
    return Drift(tuple(missing), tuple(stale), tuple(extra), tuple(conflicts), scan.unsafe, foreign)


def _parents(rel: str) -> set[str]:
    parts = rel.split("/")
    return {"/".join(parts[:end]) for end in range(1, len(parts))}


def _directories(scan: OutScan) -> set[str]:
    """Every directory that holds something in out/ (a generated file cannot go there)."""
    return {
        parent for rel in (*scan.owned, *scan.foreign, *scan.unsafe) for parent in _parents(rel)
    }


def read_out(out_dir: Path, *, timeout: float = DEFAULT_LOCK_TIMEOUT) -> OutScan:
    """A scan of out/ that never sees a half-replaced tree: it waits for a running build."""
    if not out_dir.parent.is_dir():
        return OutScan()
    with out_lock(out_dir, shared=True, timeout=timeout):
        return scan_out(out_dir)


def compare_tree(
    out_dir: Path, tree: OutputTree, *, timeout: float = DEFAULT_LOCK_TIMEOUT
) -> Drift:
    return compare(read_out(out_dir, timeout=timeout), tree)
