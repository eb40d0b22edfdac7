"""GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""

from __future__ import annotations

from manifestgen.errors import Diagnostic, Severity
from manifestgen.report.escape import printable
from manifestgen.report.summary import Summary
from manifestgen.report.workflow_commands import annotation

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def format_annotation(d: Diagnostic) -> str:
    message = f"{d.field}: {d.message}" if d.field else d.message
    if d.hint:
        message += f"\nhint: {d.hint}"
    loc = d.location
    return annotation(_LEVEL[d.severity], loc.path, d.code, message, loc.line, loc.column)


def render_github(summary: Summary) -> str:
    # A notice on every clean run (such as MG402) would annotate every pull request:
    # notes become annotations only with -v.
    lines = [format_annotation(d) for d in summary.shown(notes=summary.verbosity == "verbose")]
    if summary.verbosity != "quiet":
        lines.append(printable(summary.headline()))
    return "".join(f"{line}\n" for line in lines)
