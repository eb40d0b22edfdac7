"""Kubernetes semantics of the evaluator on small hand-written schemas."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest

from manifestgen.check.cel import (
    EVALUATION_ERROR,
    SKIP_COMBINATOR,
    SKIP_TRANSITION,
    CelEvaluator,
    CelFinding,
)
from manifestgen.check.cel_engine import compile_rule
from manifestgen.check.cel_values import escape

STRING = {"type": "string"}
INTEGER = {"type": "integer"}


def spec_schema(properties: Mapping[str, Any], *rules: Mapping[str, Any]) -> dict[str, Any]:
    """A resource whose ``spec`` has ``properties`` and carries ``rules``."""
    spec = {"type": "object", "properties": dict(properties), "x-kubernetes-validations": rules}
    return {"type": "object", "properties": {"spec": spec}}


def check(
    evaluator: CelEvaluator, properties: Mapping[str, Any], spec: Any, *rules: Mapping[str, Any]
) -> tuple[CelFinding, ...]:
    return evaluator.evaluate(spec_schema(properties, *rules), {"spec": spec})


def test_transition_rule_is_skipped_visibly(evaluator: CelEvaluator) -> None:
    rule = {"rule": "self.n == oldSelf.n", "message": "n is immutable"}
    assert check(evaluator, {"n": INTEGER}, {"n": 1}, rule) == (
        CelFinding(("spec",), rule["rule"], "n is immutable", "skipped", SKIP_TRANSITION),
    )


def test_optional_old_self_rule_runs_with_no_old_value(evaluator: CelEvaluator) -> None:
    rule = {"rule": "oldSelf.hasValue() || self.n > 1", "optionalOldSelf": True}
    assert check(evaluator, {"n": INTEGER}, {"n": 2}, rule) == ()
    assert [f.message for f in check(evaluator, {"n": INTEGER}, {"n": 0}, rule)] == [
        "failed rule: oldSelf.hasValue() || self.n > 1"
    ]


@pytest.mark.parametrize(
    ("message_expression", "expected"),
    [
        ("'n is ' + string(self.n) + ', at most 4'", "n is 9, at most 4"),
        ("self.missing", "too many"),  # evaluation error: fall back to message
        ("'  '", "too many"),  # blank
        ("'two\\nlines'", "too many"),
        ("self.n", "too many"),  # not a string
    ],
)
def test_message_expression(
    evaluator: CelEvaluator, message_expression: str, expected: str
) -> None:
    rule = {"rule": "self.n <= 4", "message": "too many", "messageExpression": message_expression}
    (finding,) = check(evaluator, {"n": INTEGER, "missing": STRING}, {"n": 9}, rule)
    assert finding.message == expected


def test_default_message_names_the_rule(evaluator: CelEvaluator) -> None:
    (finding,) = check(evaluator, {"n": INTEGER}, {"n": 9}, {"rule": " self.n <= 4\n"})
    assert (finding.message, finding.status, finding.reason) == (
        "failed rule: self.n <= 4",
        "failed",
        "",
    )


@pytest.mark.parametrize(
    ("field_path", "path"),
    [
        (".limits['nvidia.com/gpu']", ("spec", "limits", "nvidia.com/gpu")),
        ("limits", ("spec", "limits")),
        (".limits[0]", ("spec",)),  # malformed: the API server refuses such a CRD
    ],
)
def test_field_path_and_reason(
    evaluator: CelEvaluator, field_path: str, path: tuple[str, ...]
) -> None:
    limits = {"type": "object", "additionalProperties": INTEGER}
    rule = {
        "rule": "!('nvidia.com/gpu' in self.limits)",
        "message": "no GPUs here",
        "fieldPath": field_path,
        "reason": "FieldValueForbidden",
    }
    findings = check(evaluator, {"limits": limits}, {"limits": {"nvidia.com/gpu": 8}}, rule)
    assert findings == (CelFinding(path, rule["rule"], "no GPUs here", "failed", rule["reason"]),)


def test_values_have_kubernetes_cel_types(evaluator: CelEvaluator) -> None:
    properties = {
        "n": INTEGER,
        "b": {"type": "boolean"},
        "f": {"type": "number"},
        "ios": {"x-kubernetes-int-or-string": True},
        "iss": {"x-kubernetes-int-or-string": True},
        "big": INTEGER,
    }
    spec = {"n": 3, "b": True, "f": 1, "ios": 4, "iss": "50%", "big": 2**63 - 1}
    rules = [
        "type(self.n) == int && type(self.b) == bool && type(self.f) == double",
        "type(self.ios) == int && type(self.iss) == string",
        "self.b != 1 && self.f == 1.0 && self.big == 9223372036854775807",
    ]
    assert check(evaluator, properties, spec, *({"rule": r} for r in rules)) == ()


def test_object_fields_as_kubernetes_exposes_them(evaluator: CelEvaluator) -> None:
    properties = {
        "foo-bar": STRING,
        "namespace": STRING,
        "labels": {"type": "object", "additionalProperties": STRING},
        "gone": {"type": "string", "nullable": True},
    }
    spec = {"foo-bar": "x", "namespace": "ns", "labels": {"a-b": "c"}, "gone": None, "extra": 1}
    rules = [
        "self.foo__dash__bar == 'x'",
        "self.__namespace__ == 'ns' && self.namespace == 'ns'",  # both spellings, as k8s >= 1.32
        "'a-b' in self.labels",  # map keys are not escaped
        "!has(self.gone) && !has(self.extra)",  # null is absent; undeclared is invisible
    ]
    assert check(evaluator, properties, spec, *({"rule": r} for r in rules)) == ()


def test_escape() -> None:
    assert [escape(n) for n in ("a.b", "x__y", "a/b-c", "if", "1abc", "a b", "")] == [
        "a__dot__b",
        "x__underscores__y",
        "a__slash__b__dash__c",
        "__if__",
        None,
        None,
        None,
    ]


def test_defaults_apply_before_validation_without_touching_the_input(
    evaluator: CelEvaluator,
) -> None:
    properties = {
        "mode": {"type": "string", "default": "auto"},
        "policy": {
            "type": "object",
            "default": {},
            "properties": {"kind": {"type": "string", "default": "Never"}},
        },
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"w": {"type": "integer", "default": 1}}},
        },
    }
    spec = {"items": [{}, {"w": 5}], "mode": None}
    before = copy.deepcopy(spec)
    rule = {"rule": "self.mode == 'auto' && self.policy.kind == 'Never' && self.items[0].w == 1"}
    assert check(evaluator, properties, spec, rule) == ()
    assert spec == before


def test_null_values_are_not_validated(evaluator: CelEvaluator) -> None:
    schema = spec_schema({}, {"rule": "false"})
    schema["properties"]["spec"]["nullable"] = True
    assert evaluator.evaluate(schema, {"spec": None}) == ()
    assert evaluator.evaluate(schema, {}) == ()


def test_resource_root_shows_only_type_and_object_meta(evaluator: CelEvaluator) -> None:
    schema = {
        "type": "object",
        "properties": {"metadata": {"type": "object"}},
        "x-kubernetes-validations": [
            {
                "rule": "self.kind == 'Job' && self.metadata.name == 'a' && !has(self.metadata.labels)"
            }
        ],
    }
    obj = {"apiVersion": "v1", "kind": "Job", "metadata": {"name": "a", "labels": {"x": "y"}}}
    assert evaluator.evaluate(schema, obj) == ()


def test_embedded_resource_and_unknown_fields(evaluator: CelEvaluator) -> None:
    properties = {
        "pod": {"type": "object", "x-kubernetes-embedded-resource": True, "properties": {}},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    }
    spec = {"pod": {"kind": "Pod", "metadata": {"name": "p"}}, "free": {"anything": 1}}
    rule = {"rule": "self.pod.kind == 'Pod' && self.pod.metadata.name == 'p' && !has(self.free.x)"}
    assert check(evaluator, properties, spec, rule) == ()


@pytest.mark.parametrize(
    ("fmt", "text", "rule"),
    [
        ("date-time", "2026-01-02T03:04:05Z", "self.v < timestamp('2030-01-01T00:00:00Z')"),
        ("date", "2026-01-02", "self.v.getFullYear() == 2026"),
        ("duration", "1h30m", "self.v == duration('90m')"),
        ("byte", "aGk=", "self.v == b'hi'"),
        ("date-time", "not a time", "self.v == 'not a time'"),  # bad formats stay text
    ],
)
def test_string_formats(evaluator: CelEvaluator, fmt: str, text: str, rule: str) -> None:
    properties = {"v": {"type": "string", "format": fmt}}
    assert check(evaluator, properties, {"v": text}, {"rule": rule}) == ()


def test_rules_under_combinators_are_reported_not_run(evaluator: CelEvaluator) -> None:
    schema = spec_schema({})
    schema["properties"]["spec"]["allOf"] = [{"x-kubernetes-validations": [{"rule": "false"}]}]
    assert evaluator.evaluate(schema, {"spec": {}}) == (
        CelFinding(("spec",), "false", "failed rule: false", "skipped", SKIP_COMBINATOR),
    )
    assert [r.reason for r in evaluator.rules(schema)] == [SKIP_COMBINATOR]


def test_count_rules(evaluator: CelEvaluator) -> None:
    items = {
        "type": "array",
        "items": {"type": "string", "x-kubernetes-validations": [{"rule": "1"}]},
    }
    schema = spec_schema({"l": items}, {"rule": "true"}, {"rule": "self == oldSelf"})
    assert evaluator.count_rules(schema) == 3
    assert [(r.schema_path, r.status) for r in evaluator.rules(schema)] == [
        (("spec",), "evaluated"),
        (("spec",), "skipped"),
        (("spec", "l", "[]"), "evaluated"),
    ]


def test_rule_text_compiles_once_per_process(evaluator: CelEvaluator) -> None:
    rule = {"rule": "self.n >= 0 && 'compiled-once' != ''"}
    check(evaluator, {"n": INTEGER}, {"n": 1}, rule)
    hits = compile_rule.cache_info().hits
    check(evaluator, {"n": INTEGER}, {"n": 2}, rule)
    assert compile_rule.cache_info().hits == hits + 1


def test_findings_are_sorted_with_numeric_indexes(evaluator: CelEvaluator) -> None:
    items = {"type": "string", "x-kubernetes-validations": [{"rule": "self != 'bad'"}]}
    schema = spec_schema({"l": {"type": "array", "items": items}})
    findings = evaluator.evaluate(schema, {"spec": {"l": ["bad"] * 12}})
    assert [f.path[-1] for f in findings] == list(range(12))


def test_evaluation_errors(evaluator: CelEvaluator) -> None:
    properties = {"s": STRING, "missing": STRING}
    messages = [
        f.message
        for f in check(
            evaluator,
            properties,
            {"s": "abc"},
            {"rule": "int(self.s) > 0"},
            {"rule": "self.missing == ''"},
        )
    ]
    assert messages == [
        EVALUATION_ERROR + "int(): string parse error: invalid digit found in string",
        EVALUATION_ERROR + "no such key: missing",
    ]


def test_library_limits_are_skipped_not_passed(evaluator: CelEvaluator) -> None:
    properties = {"t": {"type": "string", "format": "date-time"}, "q": STRING}
    spec = {"t": "2026-01-02T03:04:05Z", "q": "1Gi"}
    rules = [
        {"rule": "self.t.getHours('UTC') >= 0"},  # an overload the engine lacks
        {"rule": "quantity(self.q).isGreaterThan(quantity('1'))"},
        {"rule": "self.q =="},
    ]
    findings = check(evaluator, properties, spec, *rules)
    assert {f.rule: (f.status, f.reason.split(":")[0]) for f in findings} == {
        "self.t.getHours('UTC') >= 0": ("skipped", "CEL library could not evaluate the rule"),
        "quantity(self.q).isGreaterThan(quantity('1'))": (
            "skipped",
            "uses unsupported CEL function isGreaterThan, quantity",
        ),
        "self.q ==": ("skipped", "CEL library could not compile the rule"),
    }


def test_size_counts_characters_like_kubernetes(evaluator: CelEvaluator) -> None:
    # The engine alone counts UTF-8 bytes; size() calls outside literals are redirected.
    properties = {"s": STRING, "l": {"type": "array", "items": STRING}}
    rules = [
        "size(self.s) == 3 && self.s.size() == 3 && size (self.l) == 2",
        "'size(' + self.s == 'size(héé' && r'size(x)'.size() == 7",
        "size(b'h\\xc3\\xa9') == 3 && size({'a': 1}) == 1",
    ]
    assert (
        check(evaluator, properties, {"s": "héé", "l": ["a", "b"]}, *({"rule": r} for r in rules))
        == ()
    )
