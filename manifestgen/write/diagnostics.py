"""What out/ problems look like to the user: one located diagnostic per path."""

from __future__ import annotations

from collections.abc import Iterable

from manifestgen.errors import Diagnostic, Severity, SourceLocation
from manifestgen.write.drift import Drift
from manifestgen.write.lock import LockTimeout

_REBUILD = "run `manifestgen build` and commit out/"
_IN_THE_WAY = "a file manifestgen did not generate stands where a generated one must go"


def _at(out: str, rel: str) -> SourceLocation:
    return SourceLocation(out if rel == "." else f"{out}/{rel}")


def _each(
    code: str, message: str, out: str, paths: Iterable[str], hint: str, *, warning: bool = False
) -> list[Diagnostic]:
    severity = Severity.WARNING if warning else Severity.ERROR
    return [Diagnostic(code, message, _at(out, rel), severity=severity, hint=hint) for rel in paths]


def in_the_way(out: str, drift: Drift, read_only: tuple[str, ...] = ()) -> list[Diagnostic]:
    """Why a build refused to write (also reported by check)."""
    return [
        *_each(
            "MG504",
            _IN_THE_WAY,
            out,
            drift.conflicts,
            "move or delete it; manifestgen never overwrites it",
        ),
        *_each(
            "MG505",
            "symbolic link or special file in out/: manifestgen never follows or writes through it",
            out,
            drift.unsafe,
            "delete it (`git rm` if committed); out/ holds only regular generated files",
        ),
        *_each(
            "MG508",
            "directory is read-only: manifestgen will not replace out/",
            out,
            read_only,
            f"make it writable (chmod -R u+w {out}) and build again",
        ),
    ]


def never_deployed(out: str, foreign: tuple[str, ...]) -> list[Diagnostic]:
    """Hand-written files: an error, as an Application reads its directory whole and
    would apply one (a manifest only a reviewer saw, beside the generated ones)."""
    return _each(
        "MG506",
        "hand-written file in out/: Argo CD would deploy it with the generated files",
        out,
        foreign,
        "move it out of out/ (for example beside the specs); out/ is for generated files",
    )


def drift_diagnostics(out: str, drift: Drift) -> list[Diagnostic]:
    """Everything `check` reports about out/."""
    return [
        *_each("MG501", "generated file is missing", out, drift.missing, _REBUILD),
        *_each(
            "MG502",
            "file is stale: the specs generate different content",
            out,
            drift.stale,
            _REBUILD,
        ),
        *_each("MG503", "generated file no spec produces any more", out, drift.extra, _REBUILD),
        *in_the_way(out, drift),
        *never_deployed(out, drift.foreign),
    ]


def locked(out: str, error: LockTimeout) -> Diagnostic:
    return Diagnostic(
        "MG507",
        f"out/ is locked: {error}",
        SourceLocation(out),
        hint="wait for the other build to finish, or raise --lock-timeout",
    )


def _reason(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


def cannot_write(out: str, error: OSError) -> Diagnostic:
    return Diagnostic("MG504", f"cannot write out/: {_reason(error)}", SourceLocation(out))


def cannot_read(out: str, error: OSError) -> Diagnostic:
    return Diagnostic("MG509", f"cannot read out/: {_reason(error)}", SourceLocation(out))
