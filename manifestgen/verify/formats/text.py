"""Text for people and editors: one line per problem, then counts per kind.

out/a.yaml:2:PyTorchJob/resnet: spec.pytorchReplicaSpecs.Worker.resourcez: unknown field
bad.yaml:7:3: YAML syntax error: could not find expected ':'
"""

from __future__ import annotations

from manifestgen.report.escape import printable_lines
from manifestgen.verify.diagnostics import partly_checked_note
from manifestgen.verify.formats.settings import ReportSettings
from manifestgen.verify.model import FileError, Finding, Resource, VerifyResult

_COLUMNS = ("resources", "valid", "invalid", "skipped")


def problem_line(resource: Resource, finding: Finding) -> str:
    """`file:doc#:Kind/name: field.path: message` (warnings say so)."""
    where = f"{finding.path}: " if finding.path else ""
    level = "warning: " if finding.severity == "warning" else ""
    return f"{resource.file}:{resource.position}:{resource.label}: {where}{level}{finding.message}"


def file_error_line(file: str, error: FileError) -> str:
    """`file:line:col: message`, gcc-style, or `file: message` without a position."""
    where = f":{error.line}:{error.column}" if error.line else ""
    return f"{file}{where}: {error.message}"


def note_lines(resource: Resource) -> list[str]:
    """Verbose output: why a resource was skipped, and the checks that were not made."""
    return [f"{resource.file}:{resource.position}:{resource.label}: {n}" for n in resource.notes]


def summary_lines(result: VerifyResult) -> list[str]:
    """A table of counts per `apiVersion/Kind`, totals, and a one-line verdict."""
    counts = result.counts_by_kind()
    totals = result.totals()
    width = max([len("total"), *(len(key) for key in counts)])
    header = f"{'kind':<{width}}  " + "  ".join(f"{c:>9}" for c in _COLUMNS)
    rows = [header]
    for key, count in [*counts.items(), ("total", totals)]:
        values = (count.resources, count.valid, count.invalid, count.skipped)
        rows.append(f"{key:<{width}}  " + "  ".join(f"{v:>9}" for v in values))
    rows.append(headline(result))
    return rows


def headline(result: VerifyResult) -> str:
    totals = result.totals()
    errors = len(result.file_errors())
    verdict = "ok" if result.ok else "FAILED"
    unreadable = f", {_plural(errors, 'file error')}" if errors else ""
    return (
        f"verify: {verdict}: {totals.invalid} invalid, {totals.valid} valid, "
        f"{totals.skipped} skipped of {_plural(totals.resources, 'resource')} in "
        f"{_plural(len(result.files), 'file')}{unreadable} "
        f"(Kubernetes {result.kubernetes_version})"
    )


def render_text(result: VerifyResult, settings: ReportSettings) -> str:
    lines: list[str] = []
    for file in result.files:
        for resource in file.resources:
            lines += [problem_line(resource, f) for f in resource.findings if settings.shows(f)]
            if settings.verbose:
                lines += note_lines(resource)
        # A syntax error ends its file: it comes after the documents read before it.
        lines += [file_error_line(file.file, error) for error in file.errors]
    if settings.summary:
        lines += run_notes(result)
        lines += summary_lines(result)
    return printable_lines(lines)


def run_notes(result: VerifyResult) -> list[str]:
    """Notes about the run as a whole, once each (not once per object)."""
    note = partly_checked_note(result)
    if note is None:
        return []
    return [f"note[{note.code}]: {note.message}", f"  hint: {note.hint}"]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
