"""Where `verify` finds CRDs: the Platform's `spec.crds`, `--crds`, `$MANIFESTGEN_CRDS`.

The order (and so which CRD wins when two serve the same kind) is the one `build` uses,
so that `verify out/` judges generated files exactly as `build` did. The Platform is read
with a plain libyaml scan of `specs/`, not the spec pipeline: only `spec.crds` is needed,
and the pipeline's models would cost a cold `verify` more time than the whole check.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from manifestgen.options import crds_from_environment
from manifestgen.verify.model import VerifyError

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PLATFORM_API_VERSION = "manifestgen.io/v1alpha1"
SPECS_DIR = "specs"


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
    if root is None or not (root / SPECS_DIR).is_dir():
        return []
    for file in _spec_files(root / SPECS_DIR):
        crds = _platform_crds_in(file)
        if crds is not None:
            origin = f"{file.relative_to(root).as_posix()} spec.crds"
            return [(p if p.is_absolute() else root / p, origin) for p in crds]
    return []


def _spec_files(directory: Path) -> list[Path]:
    found = (
        p
        for p in directory.rglob("*")
        if p.suffix in (".yaml", ".yml")
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
        and p.is_file()
    )
    return sorted(found, key=lambda p: p.relative_to(directory).as_posix())


def _platform_crds_in(file: Path) -> list[Path] | None:
    try:
        documents = list(yaml.load_all(file.read_bytes(), Loader=_Loader))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    for document in documents:
        if (
            isinstance(document, Mapping)
            and document.get("apiVersion") == PLATFORM_API_VERSION
            and document.get("kind") == "Platform"
        ):
            return list(_crd_entries(document.get("spec")))
    return None


def _crd_entries(spec: Any) -> Iterator[Path]:
    crds = spec.get("crds") if isinstance(spec, Mapping) else None
    for entry in crds if isinstance(crds, list) else ():
        if isinstance(entry, str) and entry:
            yield Path(entry)
