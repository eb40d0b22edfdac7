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
    "model": "MG611",
    "metadata": "MG612",
    "cel": "MG613",
    "name": "MG614",
    "kind": "MG615",
    "missing-schema": "MG616",
}
FILE_ERROR_CODE = "MG610"
MODEL_ONLY_CODE = "MG617"
# Results name what a resource was checked against; this prefix means no upstream CRD.
_MODEL_SCHEMA = "model "


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


def model_only_kinds(result: VerifyResult) -> list[str]:
    """`apiVersion/Kind` of resources checked against manifestgen's own model only."""
    return sorted({r.kind_key for r in result.resources() if r.schema.startswith(_MODEL_SCHEMA)})


def model_only_note(result: VerifyResult) -> Diagnostic | None:
    """One note per run naming the kinds no upstream CRD checked (not one per object)."""
    kinds = model_only_kinds(result)
    if not kinds:
        return None
    return Diagnostic(
        MODEL_ONLY_CODE,
        "not checked against an upstream CRD (checked against manifestgen's own model "
        f"only): {', '.join(kinds)}",
        SourceLocation(""),
        severity=Severity.NOTE,
        hint="pass the operators' CRD files with --crds, or set MANIFESTGEN_CRDS",
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
    note = model_only_note(result)
    return (*found, note) if note else tuple(found)
