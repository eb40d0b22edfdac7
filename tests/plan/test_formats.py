"""The plan's Markdown, JSON and SVG: schema-valid, well-formed, deterministic, escaped."""

from __future__ import annotations

import importlib.util
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from manifestgen.plan.compute import compute_plan
from manifestgen.plan.demand import pod_specs
from manifestgen.plan.json_doc import PLAN_SCHEMA, render_json
from manifestgen.plan.markdown import render_markdown
from manifestgen.plan.model import (
    Baseline,
    ClusterPlan,
    FileChanges,
    GpuRow,
    JobChange,
    ObjectChange,
    Plan,
)
from manifestgen.plan.run import PlanResult
from manifestgen.plan.svg import render_svg
from manifestgen.report.escape import printable
from tests.plan.support import commit_all, edit, make_plan_repo
from tests.support import REPO_ROOT, run_cli

HOSTILE = "a|b`c`<script>*x*_[l](http://e)@team\x1b[31m\u202e"
SVG = "{http://www.w3.org/2000/svg}"


def _hostile_plan() -> Plan:
    row = GpuRow(HOSTILE, "nvidia.com/gpu", 8, 24, 16, 16, (("spot", 16),), (("spot", 16),))
    cluster = ClusterPlan(
        name=HOSTILE,
        jobs=(JobChange(HOSTILE, HOSTILE, "recreated", HOSTILE, HOSTILE, "resumes", HOSTILE),),
        unchanged_jobs=0,
        claims=(ObjectChange("PersistentVolumeClaim", HOSTILE, HOSTILE, "deleted", HOSTILE, True),),
        namespaces=(),
        node_pools=(ObjectChange("NodePool", HOSTILE, "", "changed", HOSTILE),),
        gpus=(row,),
        files=FileChanges(changed=(HOSTILE,)),
    )
    return Plan(Baseline("out", HOSTILE, "0123456789ab"), (cluster,), FileChanges())


@pytest.fixture(scope="module")
def changed_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_plan_repo(tmp_path_factory.mktemp("plan") / "repo")
    commit_all(repo, "base")
    edit(repo / "specs" / "platform.yaml", "a100-80gb: 32", "a100-80gb: 48")
    edit(repo / "specs" / "jobs" / "big.yaml", "llm:2.0.0", "llm:2.1.0")
    (repo / "specs" / "jobs" / "mnist.yaml").unlink()
    return repo


def test_json_output_validates_against_the_committed_schema(changed_repo: Path) -> None:
    committed = json.loads((REPO_ROOT / "schemas" / "plan.schema.json").read_text())
    assert committed == PLAN_SCHEMA
    for args in ((), ("--base", "HEAD")):
        result = run_cli(
            "plan", "--root", changed_repo, "--no-output-check", "--format", "json", *args
        )
        assert result.code == 0
        document = json.loads(result.stdout)
        jsonschema.validate(document, committed)
        assert document["command"] == "plan"
        assert document["changed"] is True
        assert document["summary"]["jobsRecreated"] == 1
        assert document["summary"]["jobsDeleted"] == 1
    assert document["baseline"]["ref"] == "HEAD"
    gpu = document["clusters"][0]["gpus"][0]
    assert gpu["quota"] == {"before": 32, "after": 48}


def test_json_of_a_failed_plan_and_of_hostile_names_validates() -> None:
    jsonschema.validate(json.loads(render_json(PlanResult((), None))), PLAN_SCHEMA)
    document = json.loads(render_json(PlanResult((), _hostile_plan())))
    jsonschema.validate(document, PLAN_SCHEMA)
    assert document["clusters"][0]["name"] == HOSTILE  # JSON escapes by itself


def test_svg_is_well_formed_and_deterministic(changed_repo: Path, tmp_path: Path) -> None:
    charts = []
    for name in ("one.svg", "two.svg"):
        chart = tmp_path / name
        assert (
            run_cli(
                "plan",
                "--root",
                changed_repo,
                "--no-output-check",
                "--base",
                "HEAD",
                "--chart",
                chart,
            ).code
            == 0
        )
        charts.append(chart.read_bytes())
    assert charts[0] == charts[1]
    root = ET.fromstring(charts[0])
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "train-a / a100-80gb" in texts
    assert "16 / 32" in texts
    assert "16 / 48" in texts


def test_plans_do_not_depend_on_file_order(changed_repo: Path) -> None:
    tree = dict(run(BuildOptions(root=changed_repo, mode="validate", check_output=False)).tree)
    base = Baseline("out")
    forwards = compute_plan(base, {}, tree, None, {("train-a", "a100-80gb"): 48})
    backwards = compute_plan(
        base, {}, dict(reversed(tree.items())), None, {("train-a", "a100-80gb"): 48}
    )
    assert forwards == backwards
    assert render_markdown(forwards) == render_markdown(backwards)
    assert render_svg(forwards) == render_svg(backwards)


def test_user_strings_are_escaped_in_markdown() -> None:
    text = render_markdown(_hostile_plan())
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "<script>" not in text
    assert "a\\|b\\`c\\`\\<script\\>\\*x\\*\\_\\[l\\]\\(http\\:" in text
    # The visible escapes of control characters keep their backslash when rendered.
    assert "\\@team\\\\x1b\\[31m\\\\u202e" in text
    # Every table row keeps its columns: no `|` from a name splits a cell.
    for line in text.splitlines():
        if line.startswith("| ") and "job" not in line:
            assert line.replace("\\|", "").count("|") in (5, 6, 4, 3)


def test_user_strings_are_escaped_in_svg() -> None:
    svg = render_svg(_hostile_plan())
    root = ET.fromstring(svg.encode())  # well-formed despite the control characters
    labels = [t.text or "" for t in root.iter(f"{SVG}text")]
    visible = printable(HOSTILE)
    assert f"{visible} / {visible}" in labels
    assert "<script>" not in svg
    assert "\x1b" not in svg


def test_pods_are_counted_per_replica_spec() -> None:
    pod = {"containers": [{"resources": {"limits": {"nvidia.com/gpu": "4"}}}]}
    kubeflow = {
        "pytorchReplicaSpecs": {
            "Master": {"replicas": 1, "template": {"spec": pod}},
            "Worker": {"replicas": 3, "template": {"spec": pod}},
        }
    }
    assert [n for _, n in pod_specs(kubeflow)] == [1, 3]
    elastic = {"elasticPolicy": {"maxReplicas": 6}, **kubeflow}
    assert [n for _, n in pod_specs(elastic)] == [1, 6]
    jobset = {
        "replicatedJobs": [
            {
                "name": "w",
                "replicas": 2,
                "template": {"spec": {"parallelism": 4, "template": {"spec": pod}}},
            }
        ]
    }
    assert [n for _, n in pod_specs(jobset)] == [8]


def test_the_committed_example_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "plan_example", REPO_ROOT / "docs" / "plan_example.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, content in module.render_example().items():
        assert (REPO_ROOT / "docs" / name).read_bytes() == content, (
            f"docs/{name} is stale: run .venv/bin/python docs/plan_example.py"
        )
    ET.fromstring((REPO_ROOT / "docs" / "plan-example.svg").read_bytes())
