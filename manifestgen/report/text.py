"""gcc-style lines (`path:line:col: error[MG204] field: message`) that editors and CI parse."""

from __future__ import annotations

from manifestgen.errors import Diagnostic
from manifestgen.report.summary import Summary


def format_diagnostic(diagnostic: Diagnostic) -> str:
    field = f" {diagnostic.field}:" if diagnostic.field else ""
    lines = [
        f"{diagnostic.location}: {diagnostic.severity.value}[{diagnostic.code}]{field} "
        f"{diagnostic.message}"
    ]
    if diagnostic.hint:
        lines.append(f"  hint: {diagnostic.hint}")
    lines += [f"  {r.location}: note: {r.message}" for r in diagnostic.related]
    return "\n".join(lines)


def render_text(summary: Summary) -> str:
    body = [format_diagnostic(d) for d in summary.diagnostics]
    return "\n".join([*body, summary.headline()]) + "\n"
