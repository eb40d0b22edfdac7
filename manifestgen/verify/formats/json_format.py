"""One JSON document: every resource with its verdict, file errors, and the counts."""

from __future__ import annotations

import json
from typing import Any

from manifestgen.verify.formats.settings import ReportSettings
from manifestgen.verify.model import FileResult, KindCounts, Resource, VerifyResult


def _resource(resource: Resource) -> dict[str, Any]:
    return {
        "document": resource.document,
        "item": resource.item,
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "name": resource.name,
        "status": resource.status,
        "schema": resource.schema,
        "problems": [
            {"path": f.path, "message": f.message, "rule": f.rule, "severity": f.severity}
            for f in resource.findings
        ],
        "notes": list(resource.notes),
    }


def _file(file: FileResult) -> dict[str, Any]:
    return {
        "file": file.file,
        "errors": [{"message": e.message, "line": e.line, "column": e.column} for e in file.errors],
        "resources": [_resource(r) for r in file.resources],
    }


def _counts(counts: KindCounts) -> dict[str, int]:
    return {
        "resources": counts.resources,
        "valid": counts.valid,
        "invalid": counts.invalid,
        "skipped": counts.skipped,
    }


def render_json(result: VerifyResult, settings: ReportSettings) -> str:
    document: dict[str, Any] = {
        "ok": result.ok,
        "kubernetesVersion": result.kubernetes_version,
        "crds": list(result.crd_locations),
        "files": [_file(f) for f in result.files],
    }
    if settings.summary:
        document["summary"] = {
            "kinds": {key: _counts(c) for key, c in result.counts_by_kind().items()},
            "total": _counts(result.totals()),
            "files": len(result.files),
            "fileErrors": len(result.file_errors()),
        }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
