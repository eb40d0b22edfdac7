"""verify's JSON: the shape every command shares (json_shape.py), with each resource's
verdict under `resources`. Always complete: `--no-summary` shortens text output only."""

from __future__ import annotations

from typing import Any

from manifestgen.report.json_shape import render_document
from manifestgen.verify.diagnostics import verify_diagnostics
from manifestgen.verify.formats.settings import ReportSettings
from manifestgen.verify.model import KindCounts, Resource, VerifyResult


def _resource(resource: Resource) -> dict[str, Any]:
    return {
        "path": resource.file,
        "document": resource.document,
        "item": resource.item,
        "line": resource.line,
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "name": resource.name,
        "status": resource.status,
        "schema": resource.schema,
        "notes": list(resource.notes),
    }


def _counts(counts: KindCounts) -> dict[str, int]:
    return {
        "resources": counts.resources,
        "valid": counts.valid,
        "invalid": counts.invalid,
        "skipped": counts.skipped,
    }


def render_json(result: VerifyResult, settings: ReportSettings) -> str:
    del settings  # the document is the same whatever the text settings are
    summary = {
        "kubernetesVersion": result.kubernetes_version,
        "crds": list(result.crd_locations),
        "files": len(result.files),
        "fileErrors": len(result.file_errors()),
        "kinds": {key: _counts(c) for key, c in result.counts_by_kind().items()},
        "total": _counts(result.totals()),
    }
    resources = [_resource(r) for r in result.resources()]
    return render_document("verify", verify_diagnostics(result), summary, {"resources": resources})
