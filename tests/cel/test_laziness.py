"""The evaluator walks only the subtrees that declare rules, and imports no CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from manifestgen.check.cel import CelEvaluator, CelFinding

REPO = Path(__file__).resolve().parents[2]

ITEM = {"type": "object", "properties": {"x": {"type": "string"}}}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "replicas": {
                    "type": "integer",
                    "x-kubernetes-validations": [{"rule": "self >= 1", "message": "too few"}],
                },
                "plain": {"type": "array", "items": ITEM},
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                "checked": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "string",
                        "x-kubernetes-validations": [{"rule": "self != ''", "message": "empty"}],
                    },
                },
            },
        }
    },
}


def _walked(monkeypatch: pytest.MonkeyPatch, evaluator: CelEvaluator) -> list[tuple[Any, ...]]:
    visited: list[tuple[Any, ...]] = []
    walk = evaluator._walk

    def counting(schema: Any, value: Any, path: tuple[Any, ...], findings: Any) -> None:
        visited.append(path)
        walk(schema, value, path, findings)

    monkeypatch.setattr(evaluator, "_walk", counting)
    return visited


def test_subtrees_without_rules_are_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    evaluator = CelEvaluator()
    visited = _walked(monkeypatch, evaluator)
    spec = {
        "replicas": 0,
        "plain": [{"x": str(i)} for i in range(500)],
        "tags": {f"k{i}": "v" for i in range(500)},
        "checked": {"a": "", "b": "ok"},
    }
    findings = evaluator.evaluate(SCHEMA, {"spec": spec})
    assert findings == (
        CelFinding(("spec", "checked", "a"), "self != ''", "empty", "failed"),
        CelFinding(("spec", "replicas"), "self >= 1", "too few", "failed"),
    )
    assert sorted(map(str, visited)) == sorted(
        map(
            str,
            [(), ("spec",), ("spec", "replicas"), ("spec", "checked"),
             ("spec", "checked", "a"), ("spec", "checked", "b")],
        )
    )  # fmt: skip


def test_an_absent_subject_runs_no_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    evaluator = CelEvaluator()
    visited = _walked(monkeypatch, evaluator)
    assert evaluator.evaluate(SCHEMA, {"spec": {"plain": [{"x": "a"}]}}) == ()
    assert visited == [(), ("spec",)]


def test_rules_run_without_the_libraries_command_line_interface() -> None:
    script = """
import json, sys
from manifestgen.check.cel import CelEvaluator
schema = json.loads(sys.argv[1])
found = CelEvaluator().evaluate(schema, {"spec": {"replicas": 0}})
heavy = sorted(m for m in ("typer", "prompt_toolkit", "pygments") if m in sys.modules)
import cel.cli  # the real module is still there for whoever wants it
print(json.dumps({"found": len(found), "heavy": heavy, "cli": hasattr(cel.cli, "app")}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(SCHEMA)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == {"found": 1, "heavy": [], "cli": True}
