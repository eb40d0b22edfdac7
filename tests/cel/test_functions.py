"""The Kubernetes CEL extension functions registered with the engine."""

from __future__ import annotations

import logging

import pytest

from manifestgen.check.cel import EVALUATION_ERROR, CelEvaluator, CelFinding

SCHEMA = {"type": "object", "properties": {"s": {"type": "string"}, "p": {"type": "string"}}}


def run(evaluator: CelEvaluator, rule: str, s: str = "", p: str = "") -> tuple[CelFinding, ...]:
    schema = {**SCHEMA, "x-kubernetes-validations": [{"rule": rule}]}
    return evaluator.evaluate(schema, {"s": s, "p": p})


@pytest.mark.parametrize(
    "rule",
    [
        "'karpenter.sh/nodepool'.find('^([^/]+)') == 'karpenter.sh'",
        "'no-slash'.find('[/]') == ''",
        "'a1b22c'.findAll('[0-9]+') == ['1', '22'] && 'a1b2'.findAll('[0-9]', 1) == ['1']",
        "'al2023@latest'.split('@') == ['al2023', 'latest'] && 'a,b,c'.split(',', 2) == ['a', 'b,c']",
        "['a', 'b'].join('-') == 'a-b' && ['a', 'b'].join() == 'ab'",
        "'AbC'.lowerAscii() == 'abc' && 'AbC'.upperAscii() == 'ABC'",
        "'  x '.trim() == 'x' && 'abc'.substring(1) == 'bc' && 'abc'.charAt(2) == 'c'",
        "'hello'.indexOf('l') == 2 && 'hello'.lastIndexOf('l') == 3",
        "'a-b-c'.replace('-', '.') == 'a.b.c' && 'abc'.reverse() == 'cba'",
        "[3, 1, 3].indexOf(3) == 0 && [3, 1, 3].lastIndexOf(3) == 2 && [1, 2].indexOf(true) == -1",
        "[1, 2, 2].isSorted() && !['b', 'a'].isSorted()",
        "[1, 2, 3].sum() == 6 && [3, 1, 2].min() == 1 && [3, 1, 2].max() == 3",
        "'héllo'.indexOf('l') == 2 && 'héllo'.substring(1, 2) == 'é'",  # code points, not bytes
    ],
)
def test_extension_function(evaluator: CelEvaluator, rule: str) -> None:
    assert run(evaluator, rule) == ()


def test_failing_function_is_an_evaluation_error_and_logs_nothing(
    evaluator: CelEvaluator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (finding,) = run(evaluator, "self.s.find(self.p) == ''", s="x", p="(")
    assert finding.status == "failed"
    assert finding.message.startswith(EVALUATION_ERROR + "invalid regex '('")
    assert caplog.records == []


def test_error_of_a_previous_call_does_not_leak(evaluator: CelEvaluator) -> None:
    run(evaluator, "[].min() == 0")
    assert run(evaluator, "int(self.s) == 1", s="x")[0].message.startswith(
        EVALUATION_ERROR + "int()"
    )
