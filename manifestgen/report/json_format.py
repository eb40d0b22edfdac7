"""Machine-readable output of build, check and validate, in the shape of json_shape.py."""

from __future__ import annotations

from manifestgen.report.json_shape import render_document
from manifestgen.report.summary import Summary


def render_json(summary: Summary) -> str:
    # Complete whatever -q/-v say: tools read every diagnostic.
    counts = {
        "specFiles": summary.spec_files,
        "objects": summary.objects,
        "files": summary.files,
        "written": list(summary.written),
        "removed": list(summary.removed),
    }
    return render_document(summary.command, summary.diagnostics, counts)
