"""Everything a build's result depends on, as one digest, computed without compiling.

A build is a function of the spec files' bytes, the options that change what is
generated, $MANIFESTGEN_CRDS, manifestgen's own files (code, catalogs, Lua health
checks), the Python and the installed distributions (pydantic, the bundled Kubernetes
schemas of kubernetes-validate), the CRD files and, through the history of jobs, the
previous out/. This module digests the first six; the CRD files are named by the
Platform, so `crd_signature` proves them unchanged once a build has said which they
are, and out/ is proved by manifestgen/write/out_state.py.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from manifestgen.options import CRDS_ENV, BuildOptions
from manifestgen.source.discover import discover
from manifestgen.source.limits import SPEC_LIMITS

# A CRD file changed this recently might keep its stat signature through another edit
# (see out_state.py); its signature is not trusted.
_RACY_NS = 2_000_000_000


@cache
def installation() -> str:
    """manifestgen's files and the versions of Python and every installed distribution."""
    code = hashlib.sha256(sys.version.encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            code.update(path.relative_to(package).as_posix().encode() + b"\0")
            code.update(path.read_bytes())
    for directory in sys.path:
        code.update(b"\0".join(n.encode() for n in _distributions(directory or ".")))
    return code.hexdigest()


def _distributions(directory: str) -> list[str]:
    # A dist-info directory is named after its distribution's version.
    try:
        with os.scandir(directory) as entries:
            return sorted(e.name for e in entries if e.name.endswith((".dist-info", ".egg-info")))
    except OSError:
        return []


def inputs_key(options: BuildOptions) -> str | None:
    """The digest of a build's inputs but the CRDs and out/; None when a spec file
    cannot be read in full (the build reports it)."""
    found = discover(options.root, options.specs)
    code = hashlib.sha256(installation().encode())
    settings = (
        options.root.resolve(),
        options.specs,
        options.out_dir,
        options.crds,
        options.check_output,
        options.recreate,
        options.recreate_all,
        options.previous_build,
        os.environ.get(CRDS_ENV, ""),
    )
    code.update(repr(settings).encode())
    code.update(repr(found.diagnostics).encode())
    for path in found.paths:
        content = _spec_bytes(options.root / path)
        if content is None:
            return None
        code.update(f"\0{path.as_posix()}\0{len(content)}\0".encode() + content)
    return code.hexdigest()


def _spec_bytes(path: Path) -> bytes | None:
    try:
        with path.open("rb") as stream:
            content = stream.read(SPEC_LIMITS.file_bytes + 1)
    except OSError:
        return None
    return None if len(content) > SPEC_LIMITS.file_bytes else content


def crd_signature(locations: Iterable[Path]) -> str | None:
    """The stat signatures of every file at the CRD locations; None when one was
    changed too recently for its signature to prove the next change."""
    code = hashlib.sha256()
    settled = time.time_ns() - _RACY_NS
    for location in locations:
        code.update(f"\0{location}\0".encode())
        for rel, info in _files(location):
            if max(info.st_mtime_ns, info.st_ctime_ns) >= settled:
                return None
            code.update(
                f"{rel}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0"
                f"{info.st_ino}\n".encode()
            )
    return code.hexdigest()


def _files(location: Path) -> Iterator[tuple[str, os.stat_result]]:
    try:
        info = os.stat(location)
    except OSError:
        yield "(missing)", os.stat_result((0,) * 10)
        return
    if not os.path.isdir(location):
        yield ".", info
        return
    for directory, subdirectories, names in os.walk(location):
        subdirectories.sort()
        for name in sorted(names):
            path = os.path.join(directory, name)
            try:
                yield os.path.relpath(path, location), os.stat(path)
            except OSError:
                yield os.path.relpath(path, location), os.stat_result((0,) * 10)
