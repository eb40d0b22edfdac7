"""Where `verify` finds CRDs: the Platform's `spec.crds`, `--crds`, `$MANIFESTGEN_CRDS`.

The order (and so which CRD wins when two serve the same kind) is the one `build` uses,
so that `verify out/` judges generated files exactly as `build` did; for the same reason
each `out/<cluster>` is checked against that cluster's Kubernetes version. The Platform is read
with a plain libyaml scan of `specs/`, not the spec pipeline: only `spec.crds` is needed,
and the pipeline's models would cost a cold `verify` more time than the whole check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from manifestgen.options import crds_from_environment
from manifestgen.render.layout import ARGOCD_DIR
from manifestgen.source.discover import is_spec_name
from manifestgen.verify.model import VerifyError

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PLATFORM_API_VERSION = "manifestgen.io/v1alpha1"
SPECS_DIR = "specs"
# Where `build` writes by default; `verify` borrows each cluster's Kubernetes version there.
OUT_DIR = "out"
_VERSION = re.compile(r"[0-9]+\.[0-9]+")


def crd_locations(explicit: Sequence[Path], root: Path | None) -> tuple[Path, ...]:
    """The Platform's CRD locations (if `root` holds a manifestgen repository), then
    `explicit`, then `$MANIFESTGEN_CRDS`. Raises `VerifyError` for a missing one."""
    located: list[Path] = []
    for path, origin in [
        *platform_crds(root),
        *((p, "--crds") for p in explicit),
        *((p, "$MANIFESTGEN_CRDS") for p in crds_from_environment()),
    ]:
        if not path.exists():
            raise VerifyError(f"CRD location {path.as_posix()!r} (from {origin}) does not exist")
        if path not in located:
            located.append(path)
    return tuple(located)


def platform_crds(root: Path | None) -> list[tuple[Path, str]]:
    """(location, where it was named) for each entry of the Platform's `spec.crds`.

    Empty when `root` has no `specs/` or no readable Platform there: `build` reports a
    broken Platform; `verify` only borrows its CRD list.
    """
    found = _platform(root)
    if found is None or root is None:
        return []
    file, spec = found
    origin = f"{file.relative_to(root).as_posix()} spec.crds"
    return [(p if p.is_absolute() else root / p, origin) for p in _crd_entries(spec)]


def cluster_versions(root: Path | None) -> tuple[tuple[Path, str], ...]:
    """(`out/<cluster>` directory, its Kubernetes version) for each cluster of the Platform,
    and `out/argocd` with the newest of them, as `build` checks them. Empty without one."""
    found = _platform(root)
    if found is None or root is None:
        return ()
    clusters = found[1].get("clusters")
    versions = {
        name: str(cluster["kubernetesVersion"])
        for name, cluster in (clusters.items() if isinstance(clusters, Mapping) else ())
        if isinstance(name, str)
        and isinstance(cluster, Mapping)
        and _is_version(cluster.get("kubernetesVersion"))
    }
    if not versions:
        return ()
    newest = max(versions.values(), key=lambda v: tuple(int(x) for x in v.split(".")))
    versions[ARGOCD_DIR] = newest
    return tuple((root / OUT_DIR / name, version) for name, version in sorted(versions.items()))


def _is_version(value: Any) -> bool:
    return isinstance(value, str) and _VERSION.fullmatch(value) is not None


_Found = tuple[Path, Mapping[str, Any]] | None
# Platforms found, by the spec files' (path, modification time, size): both the CRD
# locations and the cluster versions of a run come from one scan of specs/.
_FOUND: dict[tuple[tuple[str, int, int], ...], _Found] = {}


def _platform(root: Path | None) -> _Found:
    """The first Platform under `root/specs` and its `spec`, or None."""
    if root is None or not (root / SPECS_DIR).is_dir():
        return None
    files = _spec_files(root / SPECS_DIR)
    try:
        key = tuple((str(f), s.st_mtime_ns, s.st_size) for f in files for s in [f.stat()])
    except OSError:
        key = ()
    if key and key in _FOUND:
        return _FOUND[key]
    found: _Found = None
    for file in files:
        spec = _platform_spec_in(file)
        if spec is not None:
            found = file, spec
            break
    if key:
        _FOUND.clear()  # one repository at a time is all a run needs
        _FOUND[key] = found
    return found


def _spec_files(directory: Path) -> list[Path]:
    found = (
        p
        for p in directory.rglob("*")
        if is_spec_name(p)
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
        and p.is_file()
    )
    return sorted(found, key=lambda p: p.relative_to(directory).as_posix())


def _platform_spec_in(file: Path) -> Mapping[str, Any] | None:
    try:
        data = file.read_bytes()
        if _cannot_hold_a_platform(data):
            return None
        documents = list(yaml.load_all(data, Loader=_Loader))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    for document in documents:
        if (
            isinstance(document, Mapping)
            and document.get("apiVersion") == PLATFORM_API_VERSION
            and document.get("kind") == "Platform"
        ):
            spec = document.get("spec")
            return spec if isinstance(spec, Mapping) else {}
    return None


def _cannot_hold_a_platform(data: bytes) -> bool:
    """True when the bytes cannot spell `kind: Platform`: UTF-8 (no byte-order mark of
    UTF-16 or UTF-32, no NUL) without the word and without a backslash (a double-quoted
    escape could spell it). Most specs are jobs: they are not parsed at all."""
    if b"\0" in data or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    return b"Platform" not in data and b"\\" not in data


def _crd_entries(spec: Mapping[str, Any]) -> Iterator[Path]:
    crds = spec.get("crds")
    for entry in crds if isinstance(crds, list) else ():
        if isinstance(entry, str) and entry:
            yield Path(entry)
