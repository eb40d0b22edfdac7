"""GitHub Actions workflow commands: each problem an annotation at its line, titled
with its code, the document and the object (lines: verify/lines.py)."""

from __future__ import annotations

from manifestgen.report.escape import printable_lines
from manifestgen.report.workflow_commands import annotation
from manifestgen.verify.diagnostics import code_of, partly_checked_note
from manifestgen.verify.formats.settings import ReportSettings
from manifestgen.verify.formats.text import summary_lines
from manifestgen.verify.model import FileError, Finding, Resource, VerifyResult


def _resource_annotation(resource: Resource, finding: Finding) -> str:
    message = f"{finding.path}: {finding.message}" if finding.path else finding.message
    title = f"{code_of(finding)} document {resource.position}: {resource.label}"
    return annotation(finding.severity, resource.file, title, message, finding.line, finding.column)


def _file_annotation(file: str, error: FileError) -> str:
    return annotation("error", file, "cannot read", error.message, error.line, error.column)


def render_github(result: VerifyResult, settings: ReportSettings) -> str:
    lines: list[str] = []
    for file in result.files:
        for resource in file.resources:
            lines += [
                _resource_annotation(resource, f) for f in resource.findings if settings.shows(f)
            ]
            if settings.verbose:
                lines += [
                    annotation("notice", resource.file, resource.label, note)
                    for note in resource.notes
                ]
        lines += [_file_annotation(file.file, error) for error in file.errors]
    note = partly_checked_note(result)
    if note is not None and settings.verbose:  # no notice on every clean run
        lines.append(annotation("notice", "", note.code, f"{note.message}\nhint: {note.hint}"))
    if settings.summary:
        lines += summary_lines(result)
    return printable_lines(lines)
