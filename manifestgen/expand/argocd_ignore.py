"""What Argo CD must leave to Kueue on a cluster that queues its jobs.

Kueue writes into the training objects it manages: the suspend flag (false on admission,
true again on preemption or requeue), the `kueue.x-k8s.io/podset` label on every pod
template, and, for kinds whose pods it cannot reach directly, a patch of its own manager
(TrainJob's runtimePatches). Without `ignoreDifferences` for exactly those fields the
Application is OutOfSync as soon as a job is admitted, and self-heal would suspend it
again; `RespectIgnoreDifferences=true` keeps a sync from writing them back either. The
list is derived from the catalog: every emitted kind with a suspend path is queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from manifestgen.kinds.catalog import ApiKind, TemplatePath, deployed_by
from manifestgen.spec.platform import PlatformSpec

PODSET_LABEL = "kueue.x-k8s.io/podset"
RESPECT_IGNORE = "RespectIgnoreDifferences=true"


def queued_kinds() -> list[ApiKind]:
    """The kinds Kueue admits: those an Application deploys that can be suspended."""
    kinds = {(k.group, k.kind): k for k in deployed_by("cluster") if k.suspend is not None}
    return [kinds[key] for key in sorted(kinds)]


def json_pointer(path: Iterable[str]) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)


def jq_path(template: TemplatePath) -> str:
    """A pod-template path as a jq path; "*" (every key or item) is `[]`."""
    return "".join("[]" if part == "*" else f".{part}" for part in template)


def ignore_rules() -> list[dict[str, Any]]:
    rules = []
    for row in queued_kinds():
        assert row.suspend is not None
        jq = [f'{jq_path(t)}.metadata.labels["{PODSET_LABEL}"]' for t in row.pod_templates]
        rule: dict[str, Any] = {
            "group": row.group,
            "jsonPointers": [json_pointer(("spec", *row.suspend))],
            "kind": row.kind,
        }
        if jq or row.kueue_mutates:
            rule["jqPathExpressions"] = [*jq, *row.kueue_mutates]
        rules.append(rule)
    return rules


def with_kueue_ignores(
    app_spec: dict[str, Any], spec: PlatformSpec, clusters: Iterable[str]
) -> dict[str, Any]:
    """`app_spec` of an Application (or ApplicationSet template) that syncs `clusters`,
    with the fields Kueue owns ignored when any of them runs Kueue."""
    if not any(spec.clusters[c].scheduling.kueue for c in clusters):
        return app_spec
    policy = dict(app_spec["syncPolicy"])
    policy["syncOptions"] = sorted({*policy.get("syncOptions", ()), RESPECT_IGNORE})
    return {**app_spec, "ignoreDifferences": ignore_rules(), "syncPolicy": policy}
