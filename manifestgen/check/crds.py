"""Find and read CustomResourceDefinitions: files or directories, YAML or JSON.

Indexing is the only eager step of the validator (it must report unreadable files at
creation time): every file is read and hashed, and what it serves (group, version, kind,
no schema) comes from the index entry stored under its digest, so an unchanged file is
not parsed. A version's schema is read only when an object of its kind is checked
(`CrdSet`): a one-file run with 59 CRDs configured loads the one or two it needs.
Turning a schema strict and compiling it happens on first use too. PyYAML's libyaml
loader reads a 600 KB CRD about ten times faster than ruamel, and CRDs need no line
numbers, so it is the loader here.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
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

GroupVersionKind = tuple[str, str, str]


@runtime_checkable
class CrdFileCache(Protocol):
    """Where the served versions parsed out of a CRD file may be kept between runs."""

    def get_crd_file(self, digest: str) -> list[dict[str, Any]] | None:
        """The versions stored for a file whose bytes have this sha256, if any."""

    def put_crd_file(self, digest: str, versions: list[dict[str, Any]]) -> None:
        """Store the versions parsed from a file whose bytes have this sha256."""


@runtime_checkable
class CrdIndexCache(Protocol):
    """Where what a CRD file serves (no schemas) may be kept between runs."""

    def get_crd_index(self, digest: str) -> list[dict[str, Any]] | None:
        """The index rows stored for a file whose bytes have this sha256, if any."""

    def put_crd_index(self, digest: str, rows: list[dict[str, Any]]) -> None:
        """Store the index rows of a file whose bytes have this sha256."""


@runtime_checkable
class CrdStampCache(Protocol):
    """Where the index rows of a whole set of CRD files may be kept, by the files' stamps."""

    def get_crd_stamps(self, key: str) -> Any:
        """The entry stored for the stamps that hash to `key`, if any."""

    def put_crd_stamps(self, key: str, entry: list[Any]) -> None:
        """Store the entry for the stamps that hash to `key`."""


_StatKey = tuple[str, int, int]
# Parsed files by (path, modification time, size): a process that builds many times
# (tests, an editor integration) reads each unchanged CRD file once.
_PARSED: dict[_StatKey, list[CrdVersion]] = {}
# Index rows of files by the same key, for the same reason.
_INDEXED: dict[_StatKey, list[CrdIndexRow]] = {}


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


@dataclass(frozen=True)
class CrdIndexRow:
    """What a CRD version is, without its schema: enough to route objects to it."""

    group: str
    version: str
    kind: str
    crd_name: str
    digest: str
    declares_fields: bool
    declares_rules: bool

    @property
    def gvk(self) -> GroupVersionKind:
        return (self.group, self.version, self.kind)

    @classmethod
    def of(cls, version: CrdVersion) -> CrdIndexRow:
        return cls(
            version.group,
            version.version,
            version.kind,
            version.crd_name,
            version.digest,
            declares_fields(version.schema),
            declares_rules(version.schema),
        )


class CrdSet(Mapping[GroupVersionKind, CrdVersion]):
    """The served CRD versions of a run, keyed by (group, version, kind), each read on
    first access: membership, iteration and `declares_fields` need only the index."""

    def __init__(
        self,
        rows: Mapping[GroupVersionKind, tuple[Path, CrdIndexRow]],
        file_cache: CrdFileCache | None,
    ) -> None:
        self._rows = dict(rows)
        self._file_cache = file_cache
        self._loaded: dict[GroupVersionKind, CrdVersion] = {}
        # Files whose schemas were read: what the tests of laziness look at.
        self.files_read: set[Path] = set()
        # Whether the rows came from the stamps of files a whole earlier run read without
        # error; `remember()` stores the stamps, once the caller has read all it needs.
        self.from_stamps = False
        self.remember: Callable[[], None] = lambda: None

    def __getitem__(self, gvk: GroupVersionKind) -> CrdVersion:
        found = self._loaded.get(gvk)
        if found is not None:
            return found
        path = self._rows[gvk][0]
        self._load(path)
        return self._loaded[gvk]

    def __iter__(self) -> Iterator[GroupVersionKind]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, gvk: object) -> bool:
        return gvk in self._rows

    def declares_fields(self, gvk: GroupVersionKind) -> bool:
        """`declares_fields` of the version's schema, from the index."""
        return self._rows[gvk][1].declares_fields

    def declares_rules(self, gvk: GroupVersionKind) -> bool:
        """`declares_rules` of the version's schema, from the index."""
        return self._rows[gvk][1].declares_rules

    def _load(self, path: Path) -> None:
        wanted = [(gvk, row) for gvk, (p, row) in self._rows.items() if p == path]
        versions = _read_memoized(path, self._file_cache)
        if not _serves(versions, [row for _, row in wanted]):
            # A cache entry that disagrees with the index: the file itself decides.
            data = _read_bytes(path)
            versions = _parse_crd_file(path, data, hashlib.sha256(data).hexdigest())
            if not _serves(versions, [row for _, row in wanted]):
                raise CrdLoadError(path, "changed while it was being read; run again")
        by_digest = {v.digest: v for v in versions}
        for gvk, row in wanted:
            self._loaded[gvk] = by_digest[row.digest]
        self.files_read.add(path)


def _serves(versions: Sequence[CrdVersion], rows: Sequence[CrdIndexRow]) -> bool:
    """Whether `versions` are the ones the index rows name (the flags, read from the very
    schemas stored under the same file digest, need no second walk)."""
    named = {(v.gvk, v.crd_name, v.digest) for v in versions}
    return all((r.gvk, r.crd_name, r.digest) in named for r in rows)


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


def load_crd_versions(locations: Sequence[Path], file_cache: CrdFileCache | None = None) -> CrdSet:
    """Every served CRD version found under `locations`, keyed by (group, version, kind);
    each version's schema is read when it is first looked up.

    When two CRDs serve the same group, version and kind, the first one found wins (the
    API server can only hold one), so the order of `locations` decides.
    """
    listed = [(location, crd_files([location])) for location in locations]
    stamps = _stamps([path for _, files in listed for path in files])
    stamp_cache = file_cache if isinstance(file_cache, CrdStampCache) else None
    known = _stamped_rows(stamp_cache, stamps) if stamp_cache is not None else None
    indexed: dict[Path, list[CrdIndexRow]] = {}
    rows: dict[GroupVersionKind, tuple[Path, CrdIndexRow]] = {}
    for location, files in listed:
        for path in files:
            if path not in indexed:
                indexed[path] = known[path] if known is not None else _index(path, file_cache)
        found = [(path, row) for path in files for row in indexed[path]]
        if not found:
            # A location that was meant to hold CRDs but holds none leaves every custom
            # resource unchecked: say so rather than validate nothing.
            raise CrdLoadError(location, "no served apiextensions.k8s.io/v1 CRD found")
        for path, row in found:
            rows.setdefault(row.gvk, (path, row))
    crd_set = CrdSet(rows, file_cache)
    crd_set.from_stamps = known is not None
    if stamp_cache is not None and known is None:
        crd_set.remember = lambda: _store_stamped_rows(stamp_cache, stamps, indexed)
    return crd_set


# A file changed less than this long ago may change again within the same timestamp tick
# (the kernel's file clock is coarse), so its stamp is not yet stored (git's "racy" rule).
_SETTLED_NS = 2_000_000_000

_Stamp = tuple[str, int, int, int, int]


def _stamps(paths: Sequence[Path]) -> dict[Path, _Stamp]:
    """(resolved path, size, modification and change time, inode) of each file: what no
    edit leaves alone (an edit sets the change time, which no user tool can set back)."""
    found: dict[Path, _Stamp] = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError as error:
            raise CrdLoadError(path, f"cannot read: {error.strerror or error}") from error
        found[path] = (str(path.resolve()), info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                       info.st_ino)  # fmt: skip
    return found


def _stamps_key(stamps: Mapping[Path, _Stamp]) -> str:
    return hashlib.sha256(json.dumps(list(stamps.values())).encode("utf-8")).hexdigest()


def _stamped_rows(
    cache: CrdStampCache, stamps: Mapping[Path, _Stamp]
) -> dict[Path, list[CrdIndexRow]] | None:
    """The index rows of every file, stored for exactly these stamps, or None (a miss)."""
    entry = cache.get_crd_stamps(_stamps_key(stamps))
    if not isinstance(entry, list) or len(entry) != len(stamps):
        return None
    found: dict[Path, list[CrdIndexRow]] = {}
    for (path, stamp), item in zip(stamps.items(), entry, strict=True):
        if not isinstance(item, list) or len(item) != 3 or item[0] != stamp[0]:
            return None
        digest, rows = item[1], item[2]
        if not isinstance(digest, str) or not isinstance(rows, list):
            return None
        parsed = _rows_from_cache(rows, digest)
        if parsed is None:
            return None
        found[path] = parsed
    return found


def _store_stamped_rows(
    cache: CrdStampCache,
    stamps: Mapping[Path, _Stamp],
    indexed: Mapping[Path, list[CrdIndexRow]],
) -> None:
    settled = time.time_ns() - _SETTLED_NS
    if any(max(stamp[2], stamp[3]) > settled for stamp in stamps.values()):
        return  # a file just changed: hash the files again next time
    entry = [
        [stamp[0], _file_digest(path, indexed[path]), [_row_to_cache(r) for r in indexed[path]]]
        for path, stamp in stamps.items()
    ]
    cache.put_crd_stamps(_stamps_key(stamps), entry)


def _file_digest(path: Path, rows: Sequence[CrdIndexRow]) -> str:
    # A row's digest is "<file sha256>:<crd>/<version>"; a file that serves nothing needs none.
    return rows[0].digest.partition(":")[0] if rows else ""


def _stat_key(path: Path) -> _StatKey:
    try:
        stat = path.stat()
    except OSError as error:
        raise CrdLoadError(path, f"cannot read: {error.strerror or error}") from error
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _read_memoized(path: Path, file_cache: CrdFileCache | None) -> list[CrdVersion]:
    key = _stat_key(path)
    if key not in _PARSED:
        _PARSED[key] = read_crd_file(path, file_cache)
    return _PARSED[key]


def _index(path: Path, file_cache: CrdFileCache | None) -> list[CrdIndexRow]:
    """What `path` serves. The file is always read and hashed (what a cached index says
    is only used for the very bytes it was made from); it is parsed only when no index
    entry is stored for those bytes."""
    key = _stat_key(path)
    if key in _INDEXED:
        return _INDEXED[key]
    if key in _PARSED:
        rows = [CrdIndexRow.of(v) for v in _PARSED[key]]
    else:
        data = _read_bytes(path)
        digest = hashlib.sha256(data).hexdigest()
        index_cache = file_cache if isinstance(file_cache, CrdIndexCache) else None
        cached = index_cache.get_crd_index(digest) if index_cache is not None else None
        indexed = _rows_from_cache(cached, digest) if cached is not None else None
        if indexed is not None:
            rows = indexed
        else:
            versions = _read_data(path, data, digest, file_cache)
            _PARSED[key] = versions
            rows = [CrdIndexRow.of(v) for v in versions]
            if index_cache is not None:
                index_cache.put_crd_index(digest, [_row_to_cache(r) for r in rows])
    _INDEXED[key] = rows
    return rows


def _row_to_cache(row: CrdIndexRow) -> dict[str, Any]:
    return asdict(row)


def _rows_from_cache(entries: list[Any], digest: str) -> list[CrdIndexRow] | None:
    """Cached index rows, or None when an entry is not one this file could have given."""
    rows = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {*_CACHED_FIELDS, *_INDEX_FLAGS}:
            return None
        if not all(isinstance(entry[name], str) for name in _CACHED_FIELDS):
            return None
        if not all(isinstance(entry[name], bool) for name in _INDEX_FLAGS):
            return None
        if not entry["digest"].startswith(f"{digest}:"):
            return None
        rows.append(CrdIndexRow(**entry))
    return rows


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CrdLoadError(path, f"cannot read: {error.strerror or error}") from error


def read_crd_file(path: Path, file_cache: CrdFileCache | None = None) -> list[CrdVersion]:
    """The served CRD versions in one file; other documents are ignored."""
    data = _read_bytes(path)
    return _read_data(path, data, hashlib.sha256(data).hexdigest(), file_cache)


def _read_data(
    path: Path, data: bytes, digest: str, file_cache: CrdFileCache | None
) -> list[CrdVersion]:
    cached = file_cache.get_crd_file(digest) if file_cache is not None else None
    if cached is not None:
        versions = [_from_cache(entry, path, digest) for entry in cached]
        if all(v is not None for v in versions):
            return [v for v in versions if v is not None]
        # An entry this file could not have produced: parse again and overwrite it.
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


_CACHED_FIELDS = ("group", "version", "kind", "crd_name", "digest")
_INDEX_FLAGS = ("declares_fields", "declares_rules")


def _from_cache(entry: Any, path: Path, digest: str) -> CrdVersion | None:
    """A cached version, or None when the entry is not one this file could have given."""
    if not isinstance(entry, dict) or set(entry) != {*_CACHED_FIELDS, "schema"}:
        return None
    if not all(isinstance(entry[name], str) for name in _CACHED_FIELDS):
        return None
    if not isinstance(entry["schema"], dict) or not entry["digest"].startswith(f"{digest}:"):
        return None
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
            schema=_version_schema(path, f"{crd_name}/{entry['name']}", entry),
            digest=f"{digest}:{crd_name}/{entry['name']}",
        )


def _version_schema(path: Path, label: str, entry: Mapping[str, Any]) -> Mapping[str, Any]:
    """The version's schema, which must be usable: a CRD without one would make every
    object of its kind pass, so validation would be silently off."""
    schema = entry.get("schema")
    raw = schema.get("openAPIV3Schema") if isinstance(schema, Mapping) else None
    if not isinstance(raw, Mapping):
        raise CrdLoadError(path, f"{label}: no schema (schema.openAPIV3Schema must be a mapping)")
    # What the API server requires of a structural schema's root.
    if raw.get("type") != "object":
        raise CrdLoadError(path, f"{label}: the schema's root must have type: object")
    for keyword in ("properties", "additionalProperties"):
        if keyword in raw and not isinstance(raw[keyword], (Mapping, bool)):
            raise CrdLoadError(path, f"{label}: the schema's {keyword} must be a mapping")
    return raw


def _describe_parse_error(error: Exception) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return f"{error.problem} (line {mark.line + 1}, column {mark.column + 1})"
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} (line {error.lineno}, column {error.colno})"
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def declares_fields(schema: Mapping[str, Any]) -> bool:
    """Whether a CRD version's schema checks anything: false for Katib's Experiment, whose
    whole schema is `{type: object, x-kubernetes-preserve-unknown-fields: true}`."""
    if schema.get("x-kubernetes-preserve-unknown-fields") is not True:
        return True
    declared = schema.get("properties")
    names = set(declared) if isinstance(declared, Mapping) else set()
    checked = set(schema) - {"type", "x-kubernetes-preserve-unknown-fields", "properties"}
    return bool(names - {"apiVersion", "kind", "metadata"} or checked)


_RULES_KEY = "x-kubernetes-validations"


def declares_rules(schema: Any) -> bool:
    """Whether any node of a schema carries CEL rules (a plain walk, no CEL import)."""
    if isinstance(schema, Mapping):
        return _RULES_KEY in schema or any(declares_rules(v) for v in schema.values())
    if isinstance(schema, list):
        return any(declares_rules(v) for v in schema)
    return False
