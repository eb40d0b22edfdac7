"""Each job's expansion, kept for the next build: an unchanged job is not expanded again.

A job expands into the same objects (or the same diagnostics) whenever its spec
document, the Platform and manifestgen are the same: `expand_job` reads nothing else.
So its result is stored in the cache under a key of exactly those (manifestgen's own
files and installed versions, the Platform document, the job document's file, place and
data), and a build where one spec changed expands that spec's job only. Cross-job work
(quotas, queues, node pools, the history of jobs in out/) still runs over every job.

Only results that survive JSON unchanged are stored, and every object is given back
with its origin pointing at the current job document (so locations are today's lines).
The store verifies every entry it reads; a missing, damaged or malformed entry is a
miss, and a miss is `expand_job`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from manifestgen.cache_store import JsonStore
from manifestgen.errors import Diagnostic
from manifestgen.expand.workload import expand_job
from manifestgen.incremental.entry import decode_diagnostic, encode_diagnostic
from manifestgen.incremental.inputs import installation
from manifestgen.manifest import Manifest, Origin, Target
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.resolve import ResolvedJob

_KIND = "job-expansion"
Expansion = tuple[tuple[Manifest, ...], tuple[Diagnostic, ...]]


def _strict_digest(value: Any) -> str:
    # repr tells apart what JSON would merge (1 and "1" as keys, 1 and 1.0).
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


class ExpansionCache:
    """`expand(job)` through the cache, for one Platform; see the module docstring.

    The expansions of one out/ are one cache entry, read once and written once (`save`)
    when they changed: a thousand jobs cost one file, not a thousand. Each is kept under
    its full key, so a hit is exactly what that job, Platform and manifestgen expand to."""

    def __init__(self, store: JsonStore, platform: Parsed[Platform], out: Path) -> None:
        self._store = store
        self._entry = f"{installation()}:{out}"
        self._prefix = f"{installation()}:{_strict_digest(platform.document.data)}"
        stored = store.read(_KIND, self._entry)
        self._old: dict[str, Any] = stored if isinstance(stored, dict) else {}
        self._new: dict[str, Any] = {}
        self.expanded = 0

    def _key(self, job: ResolvedJob) -> str:
        document = job.source.document
        return f"{self._prefix}:{_strict_digest((document.path, document.index, document.data))}"

    def expand(self, job: ResolvedJob) -> Expansion:
        key = self._key(job)
        value = self._old.get(key)
        cached = _decode(value, job)
        if cached is not None:
            self._new[key] = value
            return cached
        self.expanded += 1
        found = expand_job(job)
        stored = _encode(found, job)
        if stored is not None:
            self._new[key] = stored
        return found

    def save(self) -> None:
        """Store the expansions of this run's jobs (only theirs: jobs removed drop out)."""
        if self._new != self._old:
            self._store.write(_KIND, self._entry, self._new)


def _encode(found: Expansion, job: ResolvedJob) -> dict[str, Any] | None:
    manifests, problems = found
    objects = []
    for manifest in manifests:
        if manifest.origin.document is not job.source.document:
            return None  # an object located in another document: not this job's alone
        objects.append(
            {
                "obj": manifest.obj,
                "spec_path": list(manifest.origin.spec_path),
                "field_map": [[list(a), list(b)] for a, b in manifest.origin.field_map],
                "cluster": manifest.target.cluster,
                "owner": manifest.target.owner,
            }
        )
    value = {"objects": objects, "problems": [encode_diagnostic(d) for d in problems]}
    try:
        again = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        return None
    if [o["obj"] for o in again["objects"]] != [m.obj for m in manifests]:
        return None  # tuples, non-string keys: JSON would not give the same objects back
    return value


def _decode(value: Any, job: ResolvedJob) -> Expansion | None:
    if not isinstance(value, dict):
        return None
    try:
        manifests = tuple(
            Manifest(
                _object(item["obj"]),
                Origin(
                    job.source.document,
                    _path(item["spec_path"]),
                    tuple((_path(a), _path(b)) for a, b in item["field_map"]),
                ),
                Target(_optional_str(item["cluster"]), _optional_str(item["owner"])),
            )
            for item in value["objects"]
        )
        problems = tuple(decode_diagnostic(d) for d in value["problems"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return manifests, problems


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("not an object")
    return value


def _path(value: Any) -> tuple[str | int, ...]:
    if not isinstance(value, list) or not all(isinstance(p, (str, int)) for p in value):
        raise TypeError("not a path")
    return tuple(value)


def _optional_str(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("not a string")
    return value
