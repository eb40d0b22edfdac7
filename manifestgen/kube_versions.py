"""Which Kubernetes versions manifestgen has schemas for, and picking one.

Kept apart from `manifestgen.check` (the schema engine, the heaviest import) so that the
Platform's `kubernetesVersion` is refused when the spec is read, even in runs that do
not check output. The schemas are the data of the `kubernetes-validate` package, which
is located, never imported.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

_DIR_NAME = re.compile(r"v(\d+)\.(\d+)\.0-local-strict")
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")

KubeVersion = tuple[int, int]


class UnsupportedKubernetesVersionError(ValueError):
    """The requested Kubernetes version is malformed or has no bundled schema set."""


def data_root() -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise UnsupportedKubernetesVersionError("the kubernetes-validate package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@functools.cache
def bundled_versions() -> tuple[KubeVersion, ...]:
    """The Kubernetes minor versions with strict schemas, oldest first."""
    found = []
    for entry in data_root().iterdir():
        match = _DIR_NAME.fullmatch(entry.name)
        if match:
            found.append((int(match.group(1)), int(match.group(2))))
    return tuple(sorted(found))


def supported_versions() -> str:
    """The bundled versions as text for a message: "1.25, 1.26, ..., 1.37"."""
    return ", ".join(f"{major}.{minor}" for major, minor in bundled_versions()) or "none"


def select_version(requested: str) -> KubeVersion:
    """The bundled schemas of exactly the requested minor version ("1.33", "v1.33.2").

    A version without bundled schemas is refused rather than served the nearest ones:
    a newer release adds and removes fields, so its objects would be judged against the
    wrong API (an unknown `1.99` used to be checked silently against the newest schemas).
    """
    match = _VERSION.fullmatch(requested.strip())
    if match is None:
        raise UnsupportedKubernetesVersionError(
            f"invalid Kubernetes version {requested!r}: expected e.g. '1.33'"
        )
    wanted = (int(match.group(1)), int(match.group(2)))
    if wanted not in bundled_versions():
        raise UnsupportedKubernetesVersionError(
            f"no bundled Kubernetes schemas for {requested} (supported: {supported_versions()})"
        )
    return wanted
