"""Read-only view of the previous build: the objects manifestgen wrote to out/ last time.

out/ is what Argo CD applied, so it is the best record of what runs on the cluster.
Only files that carry manifestgen's header are read (a hand-written file says nothing
about what manifestgen generated), symlinks are never followed out of out/, and a file
that does not parse is treated as absent: drift detection reports it anyway.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from manifestgen.render.yaml import is_generated
from manifestgen.verify.fast_yaml import load_all

# The canonical layout (render/yaml.py) puts the object's name first under metadata.
_NAME = re.compile(rb"^metadata:\n  name: (\S+)$", re.M)


class PreviousBuild:
    """Objects of the last build, looked up by their path relative to out/."""

    def __init__(self, out_dir: Path) -> None:
        self._out = out_dir
        self._cache: dict[str, dict[str, Any] | None] = {}
        self._content: dict[str, bytes | None] = {}

    def object_at(self, rel: str) -> dict[str, Any] | None:
        """The object in out/<rel> if manifestgen generated it, else None."""
        if rel not in self._cache:
            self._cache[rel] = self._read(rel)
        return self._cache[rel]

    def name_at(self, rel: str) -> str | None:
        """The object name in out/<rel>, read without parsing the file (most builds
        change few jobs, and a same-named job needs no other look at the old one)."""
        content = self._bytes(rel)
        match = _NAME.search(content) if content is not None else None
        return match.group(1).decode("utf-8", "replace") if match else None

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

    def _bytes(self, rel: str) -> bytes | None:
        if rel not in self._content:
            self._content[rel] = self._read_bytes(rel)
        return self._content[rel]

    def _read_bytes(self, rel: str) -> bytes | None:
        path = self._out / rel
        if not self._out.is_dir() or not self._inside(path):
            return None
        try:
            content = path.read_bytes()
        except OSError:
            return None
        return content if is_generated(content) else None

    def _read(self, rel: str) -> dict[str, Any] | None:
        content = self._bytes(rel)
        if content is None:
            return None
        documents, error = load_all(content)
        if error is not None or len(documents) != 1:
            return None
        return documents[0] if isinstance(documents[0], dict) else None
