"""Find and read CustomResourceDefinitions: files or directories, YAML or JSON.

Reading is the only eager step of the validator (it must report unreadable files at
creation time); turning a schema strict and compiling it happens on first use. PyYAML's
libyaml loader reads a 600 KB CRD about ten times faster than ruamel, and CRDs need no
line numbers, so it is the loader here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import yaml

from manifestgen.check.problems import CrdLoadError
from manifestgen.check.schemautil import gc_paused

# libyaml is optional in PyYAML builds; without it the pure-Python loader is only slower.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CRD_API_VERSION = "apiextensions.k8s.io/v1"
_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
_LIST_KINDS = frozenset({"List", "CustomResourceDefinitionList"})
# A version without a schema is open: the API server stores whatever it is given.
_OPEN_SCHEMA: Mapping[str, Any] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}

GroupVersionKind = tuple[str, str, str]


@runtime_checkable
class CrdFileCache(Protocol):
    """Where the served versions parsed out of a CRD file may be kept between runs."""

    def get_crd_file(self, digest: str) -> list[dict[str, Any]] | None:
        """The versions stored for a file whose bytes have this sha256, if any."""

    def put_crd_file(self, digest: str, versions: list[dict[str, Any]]) -> None:
        """Store the versions parsed from a file whose bytes have this sha256."""


# Parsed files by (path, modification time, size): a process that builds many times
# (tests, an editor integration) reads each unchanged CRD file once.
_PARSED: dict[tuple[str, int, int], list[CrdVersion]] = {}


@dataclass(frozen=True)
class CrdVersion:
    """One served version of one CRD, with its schema exactly as published."""

    group: str
    version: str
    kind: str
    crd_name: str
    source: str
    schema: Mapping[str, Any]
    # Digest of the file the CRD came from, plus what identifies the version in it: the
    # key a persistent cache of prepared schemas can use.
    digest: str

    @property
    def gvk(self) -> GroupVersionKind:
        return (self.group, self.version, self.kind)

    @property
    def label(self) -> str:
        return f"crd {self.crd_name}/{self.version} ({self.source})"


def crd_files(locations: Sequence[Path]) -> list[Path]:
    """The files to read, in a stable order: each location in turn, directories sorted."""
    files: list[Path] = []
    for location in locations:
        if location.is_dir():
            found = (p for p in location.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            files.extend(sorted(found, key=lambda p: p.relative_to(location).as_posix()))
        elif location.is_file():
            files.append(location)
        else:
            raise CrdLoadError(location, "no such file or directory")
    return files


def load_crd_versions(
    locations: Sequence[Path], file_cache: CrdFileCache | None = None
) -> dict[GroupVersionKind, CrdVersion]:
    """Every served CRD version found under `locations`, keyed by (group, version, kind).

    When two CRDs serve the same group, version and kind, the first one found wins (the
    API server can only hold one), so the order of `locations` decides.
    """
    versions: dict[GroupVersionKind, CrdVersion] = {}
    for path in crd_files(locations):
        for crd_version in _read_memoized(path, file_cache):
            versions.setdefault(crd_version.gvk, crd_version)
    return versions


def _read_memoized(path: Path, file_cache: CrdFileCache | None) -> list[CrdVersion]:
    try:
        stat = path.stat()
    except OSError as error:
        raise CrdLoadError(path, f"cannot read: {error.strerror or error}") from error
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        _PARSED[key] = read_crd_file(path, file_cache)
    return _PARSED[key]


def read_crd_file(path: Path, file_cache: CrdFileCache | None = None) -> list[CrdVersion]:
    """The served CRD versions in one file; other documents are ignored."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CrdLoadError(path, f"cannot read: {error.strerror or error}") from error
    digest = hashlib.sha256(data).hexdigest()
    cached = file_cache.get_crd_file(digest) if file_cache is not None else None
    if cached is not None:
        return [_from_cache(entry, path) for entry in cached]
    found = _parse_crd_file(path, data, digest)
    if file_cache is not None:
        file_cache.put_crd_file(digest, [_to_cache(v) for v in found])
    return found


def _to_cache(version: CrdVersion) -> dict[str, Any]:
    # The source path is not stored: the same bytes may sit at another path next time.
    return {
        "group": version.group,
        "version": version.version,
        "kind": version.kind,
        "crd_name": version.crd_name,
        "schema": version.schema,
        "digest": version.digest,
    }


def _from_cache(entry: dict[str, Any], path: Path) -> CrdVersion:
    return CrdVersion(source=str(path), **entry)


def _parse_crd_file(path: Path, data: bytes, digest: str) -> list[CrdVersion]:
    found: list[CrdVersion] = []
    for document in _documents(path, data):
        if isinstance(document, Mapping) and _is_crd(document):
            found.extend(_served_versions(path, document, digest))
    return found


def _documents(path: Path, data: bytes) -> Iterator[Any]:
    try:
        with gc_paused():
            if path.suffix == ".json":
                documents: list[Any] = [json.loads(data)]
            else:
                documents = list(yaml.load_all(data, Loader=_Loader))
    except (ValueError, yaml.YAMLError) as error:
        raise CrdLoadError(path, f"cannot parse: {_describe_parse_error(error)}") from error
    for document in documents:
        if isinstance(document, Mapping) and document.get("kind") in _LIST_KINDS:
            items = document.get("items")
            yield from items if isinstance(items, list) else ()
        else:
            yield document


def _is_crd(document: Mapping[str, Any]) -> bool:
    return (
        document.get("apiVersion") == CRD_API_VERSION
        and document.get("kind") == "CustomResourceDefinition"
    )


def _served_versions(path: Path, crd: Mapping[str, Any], digest: str) -> Iterator[CrdVersion]:
    spec = crd.get("spec")
    if not isinstance(spec, Mapping):
        raise CrdLoadError(path, "CustomResourceDefinition without spec")
    names, versions = spec.get("names"), spec.get("versions")
    if not isinstance(names, Mapping) or not isinstance(versions, list):
        raise CrdLoadError(path, "CustomResourceDefinition without spec.names or spec.versions")
    group, kind = spec.get("group"), names.get("kind")
    if not isinstance(group, str) or not isinstance(kind, str):
        raise CrdLoadError(path, "CustomResourceDefinition without spec.group or spec.names.kind")
    metadata = crd.get("metadata")
    crd_name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(crd_name, str):
        crd_name = f"{names.get('plural', kind.lower())}.{group}"
    for entry in versions:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise CrdLoadError(path, f"{crd_name}: a version without a name")
        if entry.get("served", True) is False:
            continue
        yield CrdVersion(
            group=group,
            version=entry["name"],
            kind=kind,
            crd_name=crd_name,
            source=str(path),
            schema=_version_schema(entry),
            digest=f"{digest}:{crd_name}/{entry['name']}",
        )


def _version_schema(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    schema = entry.get("schema")
    raw = schema.get("openAPIV3Schema") if isinstance(schema, Mapping) else None
    return raw if isinstance(raw, Mapping) else _OPEN_SCHEMA


def _describe_parse_error(error: Exception) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return f"{error.problem} (line {mark.line + 1}, column {mark.column + 1})"
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} (line {error.lineno}, column {error.colno})"
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
