"""Every CREATE-time rule of the CRDs under test, both ways, at every place a CRD declares it.

``rule_cases.yaml`` lists values of ``self`` that each rule accepts and rejects. Each value is put
at the rule's location inside an otherwise empty object and the whole object is evaluated, so the
walk, defaulting and typing are exercised with the rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from manifestgen.check.cel import CelEvaluator, CelRule, PathElement
from tests.cel.crds import CRDS_UNDER_TEST, VersionsLoader

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "rule_cases.yaml").read_text(encoding="utf-8")
)
MAP_KEY = "some-key"

Placed = tuple[str, str, CelRule]  # CRD, version, rule (with its schema path)


@pytest.fixture(scope="module")
def declared(crd_versions: VersionsLoader, evaluator: CelEvaluator) -> dict[str, list[Placed]]:
    """Rule text -> every (CRD, version, rule location) that declares it."""
    found: dict[str, list[Placed]] = defaultdict(list)
    for crd in CRDS_UNDER_TEST:
        for version, schema in crd_versions(crd).items():
            for rule in evaluator.rules(schema):
                found[rule.rule].append((crd, version, rule))
    return found


def _rule_named(fragment: str, declared: Mapping[str, list[Placed]]) -> str:
    matches = [text for text in declared if fragment in text]
    assert len(matches) == 1, f"{fragment!r} names {len(matches)} rules"
    return matches[0]


def _place(value: Any, schema_path: tuple[str, ...]) -> tuple[Any, tuple[PathElement, ...]]:
    """An object holding ``value`` at ``schema_path``, and the JSON path where it sits."""
    path: list[PathElement] = []
    key: PathElement
    for segment in reversed(schema_path):
        if segment == "[]":
            value, key = [value], 0
        else:
            key = MAP_KEY if segment == "{}" else segment
            value = {key: value}
        path.insert(0, key)
    return value, tuple(path)


def _verdict(evaluator: CelEvaluator, schema: Mapping[str, Any], rule: CelRule, value: Any) -> str:
    obj, path = _place(value, rule.schema_path)
    mine = [f for f in evaluator.evaluate(schema, obj) if f.rule == rule.rule and f.path == path]
    if not mine:
        return "holds"
    if len(mine) == 1 and mine[0].status == "failed" and mine[0].message == rule.message:
        return "breaks"
    return "; ".join(f"{f.status}: {f.message} {f.reason}" for f in mine)


def test_table_covers_every_create_time_rule(declared: dict[str, list[Placed]]) -> None:
    named = {_rule_named(case["rule"], declared) for case in CASES}
    evaluated = {text for text, places in declared.items() if places[0][2].status == "evaluated"}
    assert len(named) == len(CASES)
    assert evaluated - named == set()


@pytest.mark.parametrize("case", CASES, ids=[case["rule"][:48] for case in CASES])
def test_rule_verdicts(
    case: dict[str, Any],
    declared: dict[str, list[Placed]],
    crd_versions: VersionsLoader,
    evaluator: CelEvaluator,
) -> None:
    text = _rule_named(case["rule"], declared)
    wrong = []
    for crd, version, rule in declared[text]:
        schema = crd_versions(crd)[version]
        for expected, values in (("holds", case.get("holds", [])), ("breaks", case["breaks"])):
            for value in values:
                got = _verdict(evaluator, schema, rule, value)
                if got != expected:
                    wrong.append((crd, version, rule.schema_path, value, expected, got))
    assert wrong == []
