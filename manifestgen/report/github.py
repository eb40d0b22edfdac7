"""GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""

from __future__ import annotations

from manifestgen.errors import Diagnostic, Severity
from manifestgen.report.summary import Summary

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_annotation(d: Diagnostic) -> str:
    props = [f"file={_escape_property(d.location.path)}"]
    if d.location.line:
        props += [f"line={d.location.line}", f"col={d.location.column}"]
    props.append(f"title={_escape_property(d.code)}")
    message = f"{d.field}: {d.message}" if d.field else d.message
    if d.hint:
        message += f"\nhint: {d.hint}"
    return f"::{_LEVEL[d.severity]} {','.join(props)}::{_escape_data(message)}"


def render_github(summary: Summary) -> str:
    lines = [format_annotation(d) for d in summary.diagnostics]
    return "\n".join([*lines, summary.headline()]) + "\n"
