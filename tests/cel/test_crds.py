"""Whole objects against the real upstream CRDs: one case file per object under ``cases/``.

Each case names a CRD (and optionally a served version), the object, the exact failures expected
(path and the rule's message) and, optionally, the exact skipped rules. Without a ``skipped`` list a
case still requires every skipped rule to be a transition rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen.check.cel import SKIP_TRANSITION, CelEvaluator, CelFinding
from tests.cel.crds import SchemaLoader

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
RUNTIMES = "kubeflow-trainer/runtimes"
CLUSTER_TRAINING_RUNTIMES = "kubeflow-trainer/trainer.kubeflow.org_clustertrainingruntimes.yaml"


def _rows(findings: Iterable[CelFinding], status: str, field: str) -> list[str]:
    # JSON rows compare the same whatever the order of the case file, and print readably.
    return sorted(
        json.dumps({"path": list(f.path), field: getattr(f, field)})
        for f in findings
        if f.status == status
    )


def _expected(rows: list[dict[str, Any]], field: str) -> list[str]:
    return sorted(json.dumps({"path": row["path"], field: row[field]}) for row in rows)


@pytest.mark.parametrize("case_file", CASES, ids=[p.stem for p in CASES])
def test_case(case_file: Path, crd_schema: SchemaLoader, evaluator: CelEvaluator) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    findings = evaluator.evaluate(crd_schema(case["crd"], case.get("version")), case["object"])

    assert _rows(findings, "failed", "message") == _expected(case["failed"], "message")
    if "skipped" in case:
        assert _rows(findings, "skipped", "reason") == _expected(case["skipped"], "reason")
    else:
        assert {f.reason for f in findings if f.status == "skipped"} <= {SKIP_TRANSITION}


def test_case_files_are_all_collected() -> None:
    assert len(CASES) >= 20


def test_upstream_runtimes_have_no_cel_failures(
    crds_dir: Path, crd_schema: SchemaLoader, evaluator: CelEvaluator
) -> None:
    schema = crd_schema(CLUSTER_TRAINING_RUNTIMES, None)
    paths = sorted((crds_dir / RUNTIMES).rglob("*.yaml"))
    results = {}
    for path in paths:
        runtime = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert runtime["kind"] == "ClusterTrainingRuntime"
        findings = evaluator.evaluate(schema, runtime)
        results[path.relative_to(crds_dir).as_posix()] = [
            f for f in findings if f.status == "failed" or f.reason != SKIP_TRANSITION
        ]

    assert len(results) == 9
    assert results == {name: [] for name in results}


def test_runtime_breaking_a_rule_fails(
    crds_dir: Path, crd_schema: SchemaLoader, evaluator: CelEvaluator
) -> None:
    runtime = yaml.safe_load((crds_dir / RUNTIMES / "torch_distributed.yaml").read_text("utf-8"))
    runtime["spec"]["mlPolicy"]["torch"]["envInjection"] = {
        "targets": [{"containerNames": ["node"]}]
    }
    findings = evaluator.evaluate(crd_schema(CLUSTER_TRAINING_RUNTIMES, None), runtime)

    assert [(f.path, f.message) for f in findings if f.status == "failed"] == [
        (
            ("spec", "mlPolicy", "torch", "envInjection", "targets", 0, "containerNames"),
            "containerNames must not include the main node container because PET_* envs are "
            "always injected into it",
        )
    ]
