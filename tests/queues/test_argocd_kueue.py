"""Argo CD must not fight Kueue: what Kueue writes into a queued object is ignored by the
Application that syncs it, a queued job reads as Suspended, and never holds a wave."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from manifestgen.expand.argocd_ignore import PODSET_LABEL, RESPECT_IGNORE, queued_kinds
from manifestgen.expand.gang import copy_tree
from manifestgen.kinds.catalog import KINDS, pod_template_paths, row_of
from manifestgen.workloads import WORKLOADS
from tests.argocd.test_health_lua import run_health
from tests.bundle import build_objects, of_kind
from tests.queues.test_kueue import WORKLOAD_FIELDS, _with_runtimes, kueue_platform
from tests.workloads.support import framework_job

Path_ = tuple[str | int, ...]


def _get(obj: Any, path: Path_) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def _set(obj: Any, path: Path_, value: Any) -> None:
    for part in path[:-1]:
        obj = obj.setdefault(part, {}) if isinstance(obj, dict) else obj[part]
    obj[path[-1]] = value


def kueue_admits(obj: dict[str, Any]) -> dict[str, Any]:
    """The live object once Kueue admitted it: the suspend flag false (startJob), and each
    pod template labelled with its pod set (getPodSetsInfoFromStatus adds
    kueue.x-k8s.io/podset; the flavor's node labels are already there, see test_kueue)."""
    row = row_of(obj)
    assert row is not None
    assert row.suspend is not None
    live: dict[str, Any] = copy_tree(obj)
    _set(live["spec"], row.suspend, False)
    for path in pod_template_paths(live, row):
        template = _get(live, path)
        template.setdefault("metadata", {}).setdefault("labels", {})[PODSET_LABEL] = str(
            path[-2]
        ).lower()
    return live


def changed_paths(before: Any, after: Any, path: Path_ = ()) -> list[Path_]:
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(set(before) | set(after))
        return [
            p
            for k in keys
            for p in changed_paths(before.get(k, _MISSING), after.get(k, _MISSING), (*path, k))
        ]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            p
            for i, (b, a) in enumerate(zip(before, after, strict=False))
            for p in changed_paths(b, a, (*path, i))
        ]
    return [] if before == after else [path]


_MISSING = object()


def pointer_path(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


_JQ_TOKEN = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[\]|\["([^"]+)"\]')


def jq_path(expression: str) -> list[str | None] | None:
    """The path a jq path expression of the forms we emit selects; None ("[]") matches any
    key or index. None for an expression outside that subset (a select)."""
    tokens: list[str | None] = []
    position = 0
    while position < len(expression):
        match = _JQ_TOKEN.match(expression, position)
        if match is None:
            return None
        tokens.append(match.group(1) or match.group(2))
        position = match.end()
    return tokens


def covered(path: Path_, rule: dict[str, Any]) -> bool:
    parts = [str(p) for p in path]
    for pointer in rule.get("jsonPointers", []):
        wanted = pointer_path(pointer)
        if parts[: len(wanted)] == wanted:
            return True
    for expression in rule.get("jqPathExpressions", []):
        wanted_jq = jq_path(expression)
        if wanted_jq is None or len(parts) < len(wanted_jq):
            continue
        if all(w is None or w == p for w, p in zip(wanted_jq, parts, strict=False)):
            return True
    return False


def _application(objects: dict[str, Any], cluster: str, namespace: str) -> dict[str, Any]:
    """The team Application that deploys `namespace`'s jobs on `cluster`."""
    (app,) = [
        a
        for a in of_kind(objects, "Application")
        if a["metadata"]["name"].startswith(f"manifestgen-{cluster}-")
        and a["spec"]["destination"]["namespace"] == namespace
    ]
    return app


def _platform_application(objects: dict[str, Any], cluster: str) -> dict[str, Any]:
    (app,) = [
        a
        for a in of_kind(objects, "Application")
        if a["metadata"]["name"] == f"manifestgen-{cluster}"
    ]
    return app


@pytest.mark.parametrize("framework", sorted(WORKLOADS))
def test_everything_kueue_changes_on_admission_is_ignored(tmp_path: Path, framework: str) -> None:
    job = framework_job(framework, **WORKLOAD_FIELDS.get(framework, {}))
    objects = build_objects(tmp_path, [job], _with_runtimes(kueue_platform()))
    row = WORKLOADS[framework].kind
    (obj,) = of_kind(objects, row.kind)
    changed = changed_paths(obj, kueue_admits(obj))
    assert ("spec", *(row.suspend or ())) in changed  # the simulation did something
    spec = _application(objects, "train-a", obj["metadata"]["namespace"])["spec"]
    # The platform Application deploys no job: it has nothing to ignore.
    assert "ignoreDifferences" not in _platform_application(objects, "train-a")["spec"]
    rules = [
        r for r in spec["ignoreDifferences"] if (r["group"], r["kind"]) == (row.group, row.kind)
    ]
    assert len(rules) == 1
    uncovered = [p for p in changed if not covered(p, rules[0])]
    assert uncovered == []
    assert RESPECT_IGNORE in spec["syncPolicy"]["syncOptions"]


def test_the_matcher_refuses_what_is_not_ignored() -> None:
    rule = {
        "jsonPointers": ["/spec/runPolicy/suspend"],
        "jqPathExpressions": ['.spec.a[].template.metadata.labels["kueue.x-k8s.io/podset"]'],
    }
    assert covered(("spec", "runPolicy", "suspend"), rule)
    assert covered(("spec", "a", "Worker", "template", "metadata", "labels", PODSET_LABEL), rule)
    assert not covered(("spec", "runPolicy", "backoffLimit"), rule)
    assert not covered(("spec", "a", "Worker", "template", "metadata", "labels", "x"), rule)
    assert not covered(("spec", "a", "Worker", "template", "spec", "nodeSelector"), rule)


def test_clusters_without_kueue_keep_a_plain_application(tmp_path: Path) -> None:
    objects = build_objects(tmp_path, [framework_job("pytorch")], kueue_platform())
    for app in of_kind(objects, "Application"):
        if app["metadata"]["name"].startswith("manifestgen-train-b"):
            assert "ignoreDifferences" not in app["spec"]
            assert RESPECT_IGNORE not in app["spec"]["syncPolicy"].get("syncOptions", [])


def test_the_application_set_template_ignores_the_same(tmp_path: Path) -> None:
    platform = kueue_platform().replace(
        "    repoURL: https://git.example.com/ml/platform.git\n",
        "    repoURL: https://git.example.com/ml/platform.git\n    applications: applicationSet\n",
        1,
    )
    assert "applicationSet" in platform
    objects = build_objects(tmp_path, [framework_job("pytorch")], platform)
    (appset,) = [
        a
        for a in of_kind(objects, "ApplicationSet")
        if a["metadata"]["name"] == "manifestgen-teams"
    ]
    template = appset["spec"]["template"]["spec"]
    kinds = {r["kind"] for r in template["ignoreDifferences"]}
    assert kinds == {row.kind for row in queued_kinds()}
    assert RESPECT_IGNORE in template["syncPolicy"]["syncOptions"]


def test_queued_jobs_are_in_the_last_wave() -> None:
    """gitops-engine waits for every resource of a wave that is not the last to be Healthy
    (Suspended and Progressing keep it running); in the last wave a sync succeeds once
    applied. A queued job may wait for hours, so it must never gate a later wave."""
    last = max(int(row.wave) for row in KINDS if row.wave is not None)
    for row in queued_kinds():
        assert row.wave is not None, row.kind
        assert int(row.wave) == last, row.kind


# The condition a kind's controller sets when it succeeds (Kubeflow jobs: Succeeded).
DONE_CONDITION = {
    "batch_job_health.lua": "Complete",
    "jobset_health.lua": "Completed",
    "trainjob_health.lua": "Complete",
}


# Kinds whose health reads status conditions; the RayJob's (jobDeploymentStatus) has the
# same queued case in tests/argocd/test_rayjob_health_lua.py.
@pytest.mark.parametrize(
    "row",
    [r for r in queued_kinds() if r.health and r.health != "rayjob_health.lua"],
    ids=lambda r: r.kind,
)
def test_a_queued_job_reads_as_suspended_until_admitted(row: Any) -> None:
    script = row.health_script()
    queued = {"apiVersion": row.api_version, "kind": row.kind, "spec": {}}
    _set(queued["spec"], row.suspend, True)
    assert run_health(script, queued)["status"] == "Suspended"
    admitted = copy_tree(queued)
    _set(admitted["spec"], row.suspend, False)
    admitted["status"] = {"conditions": [{"type": "Running", "status": "True", "message": "m"}]}
    assert run_health(script, admitted)["status"] == "Progressing"
    done = copy_tree(queued)
    finished = DONE_CONDITION.get(row.health, "Succeeded")
    done["status"] = {"conditions": [{"type": finished, "status": "True", "message": "ok"}]}
    assert run_health(script, done)["status"] == "Healthy"
