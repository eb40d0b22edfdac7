"""What `verify` found as `Diagnostic`s: the values every other command reports.

Each finding keeps its own code (a table keyed by the family of check), its file, line
and column; the object it is in is a related location. Reporters that speak for every
command (the JSON shape, annotations) read these instead of verify's own result types.
"""

from __future__ import annotations

from manifestgen.errors import Diagnostic, Related, Severity, SourceLocation
from manifestgen.verify.model import Finding, Resource, VerifyResult

# Family of check -> code; `verify` reports in MG610-MG617.
RULE_CODES = {
    "schema": "MG611",
    "metadata": "MG612",
    "cel": "MG613",
    "name": "MG614",
    "kind": "MG615",
    "missing-schema": "MG616",
}
FILE_ERROR_CODE = "MG610"
PARTLY_CHECKED_CODE = "MG617"


def code_of(finding: Finding) -> str:
    return RULE_CODES.get(finding.rule, RULE_CODES["schema"])


def finding_diagnostic(resource: Resource, finding: Finding) -> Diagnostic:
    return Diagnostic(
        code_of(finding),
        finding.message,
        SourceLocation(resource.file, finding.line, finding.column),
        field=finding.path,
        severity=Severity.WARNING if finding.severity == "warning" else Severity.ERROR,
        related=(
            Related(
                SourceLocation(resource.file, resource.line, 1 if resource.line else 0),
                f"document {resource.position}: {resource.label}",
            ),
        ),
    )


def partly_checked_kinds(result: VerifyResult) -> list[str]:
    """`apiVersion/Kind` of resources of which only metadata and pod templates were checked
    (kinds manifestgen emits, no CRD loaded for them)."""
    # Imported here: reporters import this module, and the CLI imports reporters for
    # every command; the check package behind it is verify's cost alone.
    from manifestgen.check.generic import GENERIC_PREFIX

    return sorted({r.kind_key for r in result.resources() if r.schema.startswith(GENERIC_PREFIX)})


def partly_checked_note(result: VerifyResult) -> Diagnostic | None:
    """One note per run naming the kinds no upstream CRD checked (not one per object)."""
    kinds = partly_checked_kinds(result)
    if not kinds:
        return None
    from manifestgen.check.generic import CHECKED_PARTS

    return Diagnostic(
        PARTLY_CHECKED_CODE,
        f"not checked against an upstream CRD ({CHECKED_PARTS}): {', '.join(kinds)}",
        SourceLocation(""),
        severity=Severity.NOTE,
        hint="pass the operators' CRD files with --crds, or set MANIFESTGEN_CRDS, to check "
        "the rest of these objects",
    )


def verify_diagnostics(result: VerifyResult) -> tuple[Diagnostic, ...]:
    """Every finding and file error in input order, then the run's note, if any."""
    found: list[Diagnostic] = []
    for file in result.files:
        for resource in file.resources:
            found += [finding_diagnostic(resource, f) for f in resource.findings]
        found += [
            Diagnostic(FILE_ERROR_CODE, e.message, SourceLocation(file.file, e.line, e.column))
            for e in file.errors
        ]
    note = partly_checked_note(result)
    return (*found, note) if note else tuple(found)
