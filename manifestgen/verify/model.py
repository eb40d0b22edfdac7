"""The values `verify` works with: options in; per file, per resource results out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from manifestgen.verify.choices import MISSING_SCHEMA_MODES as MISSING_SCHEMA_MODES
from manifestgen.verify.choices import STDIN_ARGUMENT as STDIN_ARGUMENT
from manifestgen.verify.choices import MissingSchema as MissingSchema

Status = Literal["valid", "invalid", "skipped"]
Severity = Literal["error", "warning"]

# How results name standard input.
STDIN_NAME = "<stdin>"


class VerifyError(Exception):
    """`verify` cannot run as asked: a missing path, an unloadable CRD, a bad version."""


@dataclass(frozen=True)
class VerifyOptions:
    """What to verify and how; `verify(options)` runs it.

    `paths` are files or directories (searched recursively for *.yaml, *.yml and *.json);
    `Path("-")` stands for `stdin`. `crds` are the CRD locations, in priority order (the
    first CRD found for a group, version and kind wins). `cluster_versions` gives the
    Kubernetes version of the files under a directory (`out/<cluster>` of a manifestgen
    repository), used unless `kubernetes_version` is set. `skip_kinds` and `reject_kinds`
    hold `Kind` or `apiVersion/Kind` (`batch/v1/Job`). `workers` None means one process
    per available core, used only when the input is large enough to pay for them.
    """

    paths: tuple[Path, ...]
    stdin: bytes = b""
    kubernetes_version: str | None = None
    crds: tuple[Path, ...] = ()
    cluster_versions: tuple[tuple[Path, str], ...] = ()
    skip_kinds: frozenset[str] = frozenset()
    reject_kinds: frozenset[str] = frozenset()
    missing_schema: MissingSchema = "error"
    workers: int | None = None
    use_cache: bool = True
    cache_dir: Path | None = None


@dataclass(frozen=True)
class Finding:
    """One problem in a resource: `path` is its field path (`spec.replicas`, "" for the
    whole object), `rule` the family of check ("schema", "metadata", "cel",
    "kind", "missing-schema")."""

    path: str
    message: str
    rule: str = "schema"
    severity: Severity = "error"
    # The field path as keys and indexes, and where it is in the file (1-based; 0 when
    # unknown): lines are found only for files with findings (see verify/lines.py).
    keys: tuple[str | int, ...] = ()
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Resource:
    """The verdict on one object: a document, or one item of a `List` document."""

    file: str
    document: int  # 1-based position of the YAML document in its file
    item: int | None  # index in the List's `items`, None for a plain document
    api_version: str
    kind: str
    name: str
    status: Status
    findings: tuple[Finding, ...] = ()
    schema: str = ""  # what it was checked against, e.g. "kubernetes 1.33 pod-v1"
    # Checks that applied but were not made (CEL rules the engine skips) and why a
    # skipped resource was skipped: shown in verbose output, never counted as passes.
    notes: tuple[str, ...] = ()
    line: int = 0  # 1-based line where the object starts, when it has findings

    @property
    def position(self) -> str:
        """`3` for the third document, `3[4]` for `items[4]` of the List in it."""
        return str(self.document) if self.item is None else f"{self.document}[{self.item}]"

    @property
    def label(self) -> str:
        """`Kind/name`, with `?` for what the object lacks."""
        return f"{self.kind or '?'}/{self.name or '?'}"

    @property
    def kind_key(self) -> str:
        """`apiVersion/Kind` (`batch/v1/Job`), the key of the per-kind counts."""
        if not self.kind:
            return "(no kind)"
        return f"{self.api_version}/{self.kind}" if self.api_version else self.kind

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")


@dataclass(frozen=True)
class FileError:
    """A file that could not be read or parsed (line and column 1-based, 0 if unknown)."""

    message: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class FileResult:
    """Every resource of one input, in document order, and what stopped reading it."""

    file: str
    resources: tuple[Resource, ...] = ()
    errors: tuple[FileError, ...] = ()


@dataclass(frozen=True)
class KindCounts:
    """How many resources of a kind there were, by verdict."""

    resources: int = 0
    valid: int = 0
    invalid: int = 0
    skipped: int = 0

    def add(self, status: Status) -> KindCounts:
        return KindCounts(
            self.resources + 1,
            self.valid + (status == "valid"),
            self.invalid + (status == "invalid"),
            self.skipped + (status == "skipped"),
        )


@dataclass(frozen=True)
class VerifyResult:
    """Everything `verify` found, files in input order; the CLI renders it."""

    files: tuple[FileResult, ...]
    kubernetes_version: str
    crd_locations: tuple[str, ...] = ()
    workers: int = 1

    @property
    def ok(self) -> bool:
        """True when no resource is invalid and every file could be read."""
        return not self.file_errors() and all(r.status != "invalid" for r in self.resources())

    def resources(self) -> Iterator[Resource]:
        for file in self.files:
            yield from file.resources

    def file_errors(self) -> list[tuple[str, FileError]]:
        return [(file.file, error) for file in self.files for error in file.errors]

    def counts_by_kind(self) -> dict[str, KindCounts]:
        """Counts per `apiVersion/Kind`, sorted by key."""
        counts: dict[str, KindCounts] = {}
        for resource in self.resources():
            key = resource.kind_key
            counts[key] = counts.get(key, KindCounts()).add(resource.status)
        return dict(sorted(counts.items()))

    def totals(self) -> KindCounts:
        counts = self.counts_by_kind().values()
        return KindCounts(
            sum(c.resources for c in counts),
            sum(c.valid for c in counts),
            sum(c.invalid for c in counts),
            sum(c.skipped for c in counts),
        )
