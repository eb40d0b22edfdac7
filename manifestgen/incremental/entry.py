"""A build's outcome as plain JSON, and back; anything malformed decodes to None."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manifestgen.build_result import Stats
from manifestgen.errors import Diagnostic, Related, Severity, SourceLocation


@dataclass(frozen=True)
class Outcome:
    """What a build of unchanged inputs over an unchanged out/ finds again: its
    diagnostics before out/ was touched, its counts, the sha256 of each generated file
    (none when the specs have errors: nothing was written), and the CRD files it read."""

    compiled: tuple[Diagnostic, ...]
    stats: Stats
    tree: dict[str, str] | None
    crd_paths: tuple[str, ...]
    crds: str


def encode_outcome(outcome: Outcome) -> dict[str, Any]:
    stats = outcome.stats
    return {
        "compiled": [encode_diagnostic(d) for d in outcome.compiled],
        "stats": [stats.spec_files, stats.jobs, stats.objects, stats.files],
        "unchecked": list(stats.unchecked_kinds),
        "tree": outcome.tree,
        "crd_paths": list(outcome.crd_paths),
        "crds": outcome.crds,
    }


def decode_outcome(value: Any) -> Outcome | None:
    try:
        compiled = tuple(decode_diagnostic(d) for d in value["compiled"])
        spec_files, jobs, objects, files = (int(n) for n in value["stats"])
        unchecked = tuple(str(kind) for kind in value["unchecked"])
        tree = value["tree"]
        if tree is not None:
            tree = {str(rel): str(sha) for rel, sha in tree.items()}
        crd_paths = tuple(str(path) for path in value["crd_paths"])
        crds = str(value["crds"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    stats = Stats(spec_files, jobs, objects, files, unchecked)
    return Outcome(compiled, stats, tree, crd_paths, crds)


def _encode_location(location: SourceLocation) -> list[Any]:
    return [location.path, location.line, location.column]


def _decode_location(value: Any) -> SourceLocation:
    path, line, column = value
    return SourceLocation(str(path), int(line), int(column))


def encode_diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "message": d.message,
        "at": _encode_location(d.location),
        "field": d.field,
        "severity": d.severity.value,
        "hint": d.hint,
        "related": [[_encode_location(r.location), r.message] for r in d.related],
    }


def decode_diagnostic(value: Any) -> Diagnostic:
    return Diagnostic(
        str(value["code"]),
        str(value["message"]),
        _decode_location(value["at"]),
        field=str(value["field"]),
        severity=Severity(value["severity"]),
        hint=str(value["hint"]),
        related=tuple(
            Related(_decode_location(at), str(message)) for at, message in value["related"]
        ),
    )
