"""The plan as the project's versioned JSON document, and its JSON Schema.

The envelope is the one every command writes (report/json_shape.py: `schemaVersion`,
`command`, `ok`, `diagnostics`, `summary`); a plan adds `baseline`, `changed`, `clusters`
and `argocd`. The schema is committed as schemas/plan.schema.json and a test validates
real output against it. With spec errors there is no plan: `ok` is false and the plan
fields are empty.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from manifestgen.plan.model import ClusterPlan, FileChanges, GpuRow, Plan
from manifestgen.report.json_shape import DIAGNOSTIC_SCHEMA, SCHEMA_VERSION, render_document

if TYPE_CHECKING:
    from manifestgen.plan.run import PlanResult

PLAN_SCHEMA_FILE = "plan.schema.json"
_JOB_CHANGES = ("created", "recreated", "updated", "completed", "deleted")


def _files(files: FileChanges) -> dict[str, list[str]]:
    return {
        "created": list(files.created),
        "changed": list(files.changed),
        "deleted": list(files.deleted),
    }


def _gpu(row: GpuRow) -> dict[str, Any]:
    return {
        "gpuType": row.gpu_type,
        "resource": row.resource,
        "demand": {"before": row.demand_before, "after": row.demand_after},
        "quota": {"before": row.quota_before, "after": row.quota_after},
        "limits": {"before": dict(row.limits_before), "after": dict(row.limits_after)},
        "overQuota": row.over_quota,
    }


def _cluster(cluster: ClusterPlan) -> dict[str, Any]:
    return {
        "name": cluster.name,
        "changed": cluster.changed,
        "removed": cluster.removed,
        "unchangedJobs": cluster.unchanged_jobs,
        # Job and object entries are their fields, by the same names.
        "jobs": [asdict(j) for j in cluster.jobs],
        "claims": [asdict(c) for c in cluster.claims],
        "namespaces": [asdict(n) for n in cluster.namespaces],
        "nodePools": [asdict(p) for p in cluster.node_pools],
        "gpus": [_gpu(g) for g in cluster.gpus],
        "files": _files(cluster.files),
    }


def _summary(plan: Plan | None) -> dict[str, int]:
    clusters = plan.clusters if plan is not None else ()
    jobs: list[str] = [j.change for c in clusters for j in c.jobs]
    retained = [o for c in clusters for o in (*c.claims, *c.namespaces) if o.retained]
    return {
        "clustersChanged": sum(1 for c in clusters if c.changed),
        **{f"jobs{change.capitalize()}": jobs.count(change) for change in _JOB_CHANGES},
        "retained": sum(1 for o in retained if o.change == "deleted"),
        "nodePoolsChanged": sum(len(c.node_pools) for c in clusters),
        "filesChanged": sum(c.files.count for c in clusters)
        + (plan.argocd.count if plan is not None else 0),
    }


def render_json(result: PlanResult) -> str:
    plan = result.plan
    extra: dict[str, Any] = {
        "baseline": None,
        "changed": False,
        "clusters": [],
        "argocd": _files(FileChanges()),
    }
    if plan is not None:
        base = plan.baseline
        extra = {
            "baseline": {"out": base.out_dir, "ref": base.ref, "commit": base.commit},
            "changed": plan.changed,
            "clusters": [_cluster(c) for c in plan.clusters],
            "argocd": _files(plan.argocd),
        }
    return render_document("plan", result.diagnostics, _summary(plan), extra)


def _object_schema(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(properties),
        "properties": properties,
    }


_STRING = {"type": "string"}
_OPTIONAL_STRING = {"type": ["string", "null"]}
_COUNT = {"type": "integer", "minimum": 0}
_OPTIONAL_COUNT = {"type": ["integer", "null"], "minimum": 0}
_PATHS = {"type": "array", "items": _STRING}
_FILES = _object_schema(dict.fromkeys(("created", "changed", "deleted"), _PATHS))
_BEFORE_AFTER = _object_schema({"before": _COUNT, "after": _COUNT})
_LIMITS = {"type": "object", "additionalProperties": _COUNT, "description": "capacity type → GPUs"}
_OBJECT_CHANGE = _object_schema(
    {
        "kind": _STRING,
        "name": _STRING,
        "namespace": _STRING,
        "change": {"enum": ["created", "changed", "deleted"]},
        "detail": _STRING,
        "retained": {"type": "boolean", "description": "Argo CD keeps it when it is deleted."},
    }
)
_JOB = _object_schema(
    {
        "name": _STRING,
        "namespace": _STRING,
        "change": {"enum": list(_JOB_CHANGES)},
        "before": _OPTIONAL_STRING,
        "after": _OPTIONAL_STRING,
        "checkpoints": {"enum": ["resumes", "new-claim", "none", "kept"]},
        "claim": _OPTIONAL_STRING,
        "detail": _STRING,
    }
)
_GPU = _object_schema(
    {
        "gpuType": _STRING,
        "resource": _STRING,
        "demand": _BEFORE_AFTER,
        "quota": _object_schema({"before": _OPTIONAL_COUNT, "after": _OPTIONAL_COUNT}),
        "limits": _object_schema({"before": _LIMITS, "after": _LIMITS}),
        "overQuota": {"type": "boolean"},
    }
)
_CLUSTER = _object_schema(
    {
        "name": _STRING,
        "changed": {"type": "boolean"},
        "removed": {
            "type": "boolean",
            "description": "The cluster left the Platform: Argo CD prunes none of its objects.",
        },
        "unchangedJobs": _COUNT,
        "jobs": {"type": "array", "items": _JOB},
        "claims": {"type": "array", "items": _OBJECT_CHANGE},
        "namespaces": {"type": "array", "items": _OBJECT_CHANGE},
        "nodePools": {"type": "array", "items": _OBJECT_CHANGE},
        "gpus": {"type": "array", "items": _GPU},
        "files": _FILES,
    }
)
_SUMMARY = _object_schema(
    {
        **dict.fromkeys(("errors", "warnings", "notes"), _COUNT),
        **dict.fromkeys(_summary(None), _COUNT),
    }
)

PLAN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": PLAN_SCHEMA_FILE,
    "title": "manifestgen plan --format json",
    "description": "What merging a change does to each cluster, compared with out/.",
    **_object_schema(
        {
            "schemaVersion": {"const": SCHEMA_VERSION},
            "command": {"const": "plan"},
            "ok": {"type": "boolean", "description": "True when the specs build."},
            "diagnostics": {"type": "array", "items": DIAGNOSTIC_SCHEMA},
            "summary": _SUMMARY,
            "baseline": {
                "oneOf": [
                    {"type": "null"},
                    _object_schema(
                        {"out": _STRING, "ref": _OPTIONAL_STRING, "commit": _OPTIONAL_STRING}
                    ),
                ],
                "description": "What was compared with: out/ on disk (ref null) or at a commit.",
            },
            "changed": {"type": "boolean"},
            "clusters": {"type": "array", "items": _CLUSTER},
            "argocd": _FILES,
        }
    ),
}


def plan_schema_bytes() -> bytes:
    return (json.dumps(PLAN_SCHEMA, indent=2, sort_keys=True) + "\n").encode()
