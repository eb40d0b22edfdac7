"""The catalog of API kinds is the one table every kind-dependent decision reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen.check.children import child_name_problems
from manifestgen.kinds.catalog import BY_GVK, KINDS, deployed_by, lookup, pod_spec_paths
from manifestgen.workloads import WORKLOADS
from tests.bundle import build_objects, compile_specs, job_spec
from tests.support import REPO_ROOT

GOLDEN = REPO_ROOT / "tests" / "cases" / "golden"


def _committed_objects() -> list[tuple[str, dict[str, Any]]]:
    """Every object in the committed out/ and in the golden cases' expected trees."""
    roots = [REPO_ROOT / "out", *sorted(p / "expected" for p in GOLDEN.iterdir())]
    found = []
    for root in roots:
        for path in sorted(root.rglob("*.yaml")):
            if path.name != "kustomization.yaml":
                found.append((str(path.relative_to(REPO_ROOT)), yaml.safe_load(path.read_text())))
    return found


def test_every_emitted_kind_has_a_row_that_says_how_it_is_deployed() -> None:
    objects = _committed_objects()
    assert objects
    for path, obj in objects:
        row = lookup(obj["apiVersion"], obj["kind"])
        assert row is not None, f"{path}: {obj['kind']} has no catalog row"
        in_argocd_dir = "/argocd/" in f"/{path}"
        # Argo CD's own kinds live only in out/argocd, which also holds argocd-cm.
        assert row.app == "cluster" or (row.app == "argocd" and in_argocd_dir), path
        assert row.namespaced == ("namespace" in obj["metadata"]), path


def test_rows_are_unique() -> None:
    assert len(BY_GVK) == len(KINDS)


def test_every_workload_kind_is_deployable_and_complete() -> None:
    for workload in WORKLOADS.values():
        row = workload.kind
        assert row.app == "cluster", row.kind
        assert row.wave is not None, row.kind
        assert row.health_script() is not None, row.kind
        assert row.pod_templates, row.kind
        assert row.children is not None, row.kind


def test_appproject_whitelists_and_health_checks_come_from_the_catalog() -> None:
    objects = dict(_committed_objects())
    project = objects["out/argocd/appproject-ml-prod.yaml"]
    team = objects["out/argocd/appproject-ml-prod-recsys.yaml"]

    def kinds(project: dict[str, Any], key: str) -> set[tuple[str, str]]:
        return {(k["group"], k["kind"]) for k in project["spec"][key]}

    rows = list(deployed_by("cluster"))
    namespaced = [r for r in rows if r.namespaced]
    assert kinds(project, "namespaceResourceWhitelist") == {
        (r.group, r.kind) for r in namespaced if r.owner != "team"
    }
    assert kinds(project, "clusterResourceWhitelist") == {
        (r.group, r.kind) for r in rows if not r.namespaced
    }
    assert kinds(team, "namespaceResourceWhitelist") == {
        (r.group, r.kind) for r in namespaced if r.owner != "platform"
    }
    assert kinds(team, "namespaceResourceBlacklist") == {
        (r.group, r.kind) for r in namespaced if r.owner == "platform"
    }
    assert team["spec"]["clusterResourceWhitelist"] == []
    data = objects["out/argocd/configmap-argocd-cm.yaml"]["data"]
    health = {k for k in data if k.startswith("resource.customizations.health.")}
    assert health == {
        f"resource.customizations.health.{r.group}_{r.kind}" for r in rows if r.health
    }
    ignored = set(data) - health
    assert ignored == {
        f"resource.customizations.ignoreDifferences.{r.group}_{r.kind}" for r in rows if r.ignored
    }


def test_sync_waves_come_from_the_catalog() -> None:
    for path, obj in _committed_objects():
        row = lookup(obj["apiVersion"], obj["kind"])
        assert row is not None
        wave = obj["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave")
        if "/argocd/" in f"/{path}":
            assert wave is None, path
        elif (
            obj["kind"] != "PersistentVolumeClaim"
        ):  # a WaitForFirstConsumer claim goes with its job
            assert wave == row.wave, path


def test_pod_spec_paths_expand_every_replica() -> None:
    row = BY_GVK[("kubeflow.org", "v1", "PyTorchJob")]
    replicas: dict[str, Any] = {"Worker": {"template": {}}, "Master": {"template": {}}, "x": {}}
    obj: dict[str, Any] = {"spec": {"pytorchReplicaSpecs": replicas}}
    assert pod_spec_paths(obj, row) == (
        ("spec", "pytorchReplicaSpecs", "Master", "template", "spec"),
        ("spec", "pytorchReplicaSpecs", "Worker", "template", "spec"),
    )


@pytest.mark.parametrize("length", [43, 44, 45])
def test_build_and_verify_apply_one_child_name_rule(tmp_path: Path, length: int) -> None:
    """The build refuses a name exactly when `verify` would refuse the object it built."""
    name = "j" + "x" * (length - 1)
    two_gpus = {"type": "a100-80gb", "perNode": 2}
    job = job_spec(name, nodes=16, gpu=two_gpus)
    _, diagnostics = compile_specs(tmp_path / "a", [job])
    refused = any(d.code == "MG222" for d in diagnostics)
    short = build_objects(tmp_path / "b", [job_spec("j", nodes=16, gpu=two_gpus)])
    (obj,) = [o for p, o in short.items() if p.endswith("/pytorchjob.yaml")]
    obj["metadata"]["name"] = obj["metadata"]["name"].replace("j-", f"{name}-", 1)
    assert refused == bool(child_name_problems(obj))
    assert refused == (length > 44)  # 44 + 1 + 8 (hash) + len("-worker-15") = 63


def test_training_operator_v1_kinds_need_dns1035_names() -> None:
    # Each kind's webhook runs NameIsDNS1035Label on metadata.name.
    kinds = ("PyTorchJob", "TFJob", "XGBoostJob", "PaddleJob", "JAXJob")
    assert all(BY_GVK[("kubeflow.org", "v1", kind)].dns1035_name for kind in kinds)
    job = {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "1st"}}
    assert any("DNS-1035" in p.message or "1035" in p.message for p in child_name_problems(job))
