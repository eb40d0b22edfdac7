"""What a build learnt about each generated object, kept for the next build.

Rendering an object, searching it for credentials and checking it against its schema
are three quarters of a build's work per object, and each is a pure function of the
object and of things fixed for the whole build (the source file named in the header,
the Kubernetes version and CRD files it is checked against, manifestgen's own files).
So the results are stored, one cache entry per out/ directory, by a digest of the
object: a build where one spec changed renders and checks that spec's objects only.

The digest is of `repr(obj)`, which tells apart every value an object can hold (1,
1.0, True and "1"; int and str keys) and differs for a different key order, which is
only a miss. Only clean results are stored (no credential found, no schema problem):
an object with a finding is searched and checked again, so every diagnostic is the
checker's own. The store verifies every entry on read; a damaged or deleted one is
a miss. Entries the build did not use are dropped, so the entry does not grow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, get_args

from manifestgen.cache_store import JsonStore
from manifestgen.check.problems import CheckOutcome, SchemaSource
from manifestgen.incremental.inputs import crd_signature, installation

_KIND = "object-memo"


class ObjectMemo:
    """Renders, credential searches and schema checks by object digest; see the module."""

    def __init__(self, store: JsonStore, out: Path) -> None:
        self._store = store
        self._key = f"{installation()}:{out}"
        self._old = self._load()
        self._new: dict[str, Any] = {}
        self._digests: dict[int, tuple[Mapping[str, Any], str]] = {}
        self._crds: str | None = None
        self.misses = 0

    def _load(self) -> dict[str, Any]:
        value = self._store.read(_KIND, self._key)
        return value if isinstance(value, dict) else {}

    def _digest(self, obj: Mapping[str, Any]) -> str:
        # Objects live for the whole run; the id is kept with the object it names.
        known = self._digests.get(id(obj))
        if known is not None and known[0] is obj:
            return known[1]
        found = hashlib.sha256(repr(obj).encode("utf-8", "surrogatepass")).hexdigest()
        self._digests[id(obj)] = (obj, found)
        return found

    def _get(self, key: str) -> Any:
        value = self._old.get(key)
        if value is not None:
            self._new[key] = value
        return value

    def render(
        self, render: Callable[[Mapping[str, Any], str | None], bytes]
    ) -> Callable[[Mapping[str, Any], str | None], bytes]:
        """`render`, through the memo."""

        def rendered(obj: Mapping[str, Any], source: str | None) -> bytes:
            key = f"r\0{source}\0{self._digest(obj)}"
            text = self._get(key)
            if isinstance(text, str):
                return text.encode("utf-8")
            self.misses += 1
            content = render(obj, source)
            self._new[key] = content.decode("utf-8")
            return content

        return rendered

    def credential_free(self, obj: Mapping[str, Any]) -> bool:
        """Whether an earlier build searched this object and found no credential."""
        return self._get(f"c\0{self._digest(obj)}") is True

    def found_no_credential(self, obj: Mapping[str, Any]) -> None:
        self._new[f"c\0{self._digest(obj)}"] = True

    def use_crds(self, locations: list[Path]) -> None:
        """The CRD files schema checks are made against; unchanged files (by stat
        signature) keep their results. A file changed too recently to tell is never
        trusted: no check result is then reused or stored."""
        signature = crd_signature(locations)
        # Short: it is part of every check's key.
        self._crds = None if signature is None else signature[:32]

    def check(
        self,
        version: str,
        obj: Mapping[str, Any],
        check: Callable[[Mapping[str, Any]], CheckOutcome],
    ) -> CheckOutcome:
        """`check(obj)` against Kubernetes `version`, through the memo."""
        if self._crds is None:
            return check(obj)
        key = f"k\0{version}\0{self._crds}\0{self._digest(obj)}"
        stored = _decode_outcome(self._get(key))
        if stored is not None:
            return stored
        self.misses += 1
        outcome = check(obj)
        if not outcome.problems:
            self._new[key] = [outcome.source, outcome.schema_name, list(outcome.skipped),
                              outcome.unchecked]  # fmt: skip
        return outcome

    def save(self, *, every_object: bool) -> None:
        """Store what this run used and learnt, when it differs from what was read.

        A run that saw `every_object` (build, check) drops what it did not use; one that
        saw a few (validate of named files) keeps the rest for the next build."""
        kept = self._new if every_object else {**self._old, **self._new}
        if kept != self._old:
            self._store.write(_KIND, self._key, kept)


def _decode_outcome(value: Any) -> CheckOutcome | None:
    if not isinstance(value, list) or len(value) != 4:
        return None
    source, schema_name, skipped, unchecked = value
    if source not in get_args(SchemaSource):
        return None
    if not (isinstance(schema_name, str) and isinstance(unchecked, str)):
        return None
    if not isinstance(skipped, list) or not all(isinstance(s, str) for s in skipped):
        return None
    return CheckOutcome((), source, schema_name, tuple(skipped), unchecked)
