"""gcc-style lines (`path:line:col: error[MG204] field: message`) that editors and CI parse."""

from __future__ import annotations

from manifestgen.errors import Diagnostic, Severity
from manifestgen.report.escape import printable
from manifestgen.report.summary import Summary

# SGR colours of the severity word, as gcc and clang colour it.
_COLORS = {
    Severity.ERROR: "\033[1;31m",
    Severity.WARNING: "\033[1;35m",
    Severity.NOTE: "\033[1;36m",
}
_RESET = "\033[0m"


def format_diagnostic(diagnostic: Diagnostic, *, color: bool = False) -> str:
    # What the user wrote is escaped piece by piece, before our own colours are added: a
    # control character or newline in a message must neither reach the terminal nor
    # start a line of its own.
    field = f" {printable(diagnostic.field)}:" if diagnostic.field else ""
    level = f"{diagnostic.severity.value}[{diagnostic.code}]"
    if color:
        level = f"{_COLORS[diagnostic.severity]}{level}{_RESET}"
    where = printable(str(diagnostic.location))
    lines = [f"{where}: {level}{field} {printable(diagnostic.message)}"]
    if diagnostic.hint:
        lines.append(f"  hint: {printable(diagnostic.hint)}")
    lines += [
        f"  {printable(str(r.location))}: note: {printable(r.message)}" for r in diagnostic.related
    ]
    return "\n".join(lines)


def render_text(summary: Summary) -> str:
    lines = [format_diagnostic(d, color=summary.color) for d in summary.shown()]
    if summary.verbosity != "quiet":
        lines.append(printable(summary.headline()))
    return "".join(f"{line}\n" for line in lines)
