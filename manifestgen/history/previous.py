"""Read-only view of the previous build: the objects manifestgen wrote to out/ last time.

out/ is what Argo CD applied, so it is the best record of what runs on the cluster.
Only files that carry manifestgen's header are read (a hand-written file says nothing
about what manifestgen generated), symlinks are never followed out of out/, and a file
that does not parse is treated as absent: drift detection reports it anyway.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from manifestgen.render.yaml import is_generated

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PreviousBuild:
    """Objects of the last build, looked up by their path relative to out/."""

    def __init__(self, out_dir: Path) -> None:
        self._out = out_dir
        self._cache: dict[str, dict[str, Any] | None] = {}

    def object_at(self, rel: str) -> dict[str, Any] | None:
        """The object in out/<rel> if manifestgen generated it, else None."""
        if rel not in self._cache:
            self._cache[rel] = self._read(rel)
        return self._cache[rel]

    def find(self, pattern: str) -> tuple[str, ...]:
        """Relative paths under out/ matching a glob pattern, sorted (symlinks left out)."""
        if not self._out.is_dir():
            return ()
        return tuple(
            sorted(
                path.relative_to(self._out).as_posix()
                for path in self._out.glob(pattern)
                if self._inside(path)
            )
        )

    def _inside(self, path: Path) -> bool:
        # A symlink anywhere on the way could point out of out/: never read through one.
        parts = path.relative_to(self._out).parts
        walked = self._out
        for part in parts:
            walked = walked / part
            if walked.is_symlink():
                return False
        return path.is_file()

    def _read(self, rel: str) -> dict[str, Any] | None:
        path = self._out / rel
        if not self._out.is_dir() or not self._inside(path):
            return None
        try:
            content = path.read_bytes()
            if not is_generated(content):
                return None
            loaded = yaml.load(content, Loader=_Loader)
        except (OSError, yaml.YAMLError):
            return None
        return loaded if isinstance(loaded, dict) else None
