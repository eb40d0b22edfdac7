"""Machine-readable output: one JSON document with every diagnostic and the counts."""

from __future__ import annotations

import json
from typing import Any

from manifestgen.errors import Diagnostic, Severity
from manifestgen.report.summary import Summary


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "file": d.location.path,
        "line": d.location.line,
        "column": d.location.column,
        "field": d.field,
        "hint": d.hint,
        "related": [
            {"file": r.location.path, "line": r.location.line, "message": r.message}
            for r in d.related
        ],
    }


def render_json(summary: Summary) -> str:
    document = {
        "command": summary.command,
        "diagnostics": [_diagnostic(d) for d in summary.diagnostics],
        "summary": {
            "errors": summary.count(Severity.ERROR),
            "warnings": summary.count(Severity.WARNING),
            "notes": summary.count(Severity.NOTE),
            "specFiles": summary.spec_files,
            "objects": summary.objects,
            "files": summary.files,
            "written": list(summary.written),
            "removed": list(summary.removed),
        },
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
