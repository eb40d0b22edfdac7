"""Go RE2 patterns in CRDs: translated when Python can express them, skipped otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen.check import OutputValidator
from manifestgen.check.patterns import translate_re2

from .support import found, widget_crd


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^[a-z]+$", "^[a-z]+$"),
        # Kueue AdmissionCheck and PrometheusRule: flags after an anchor.
        ("^(?i)[a-z]([-a-z0-9]*[a-z0-9])?$", "(?i)^[a-z]([-a-z0-9]*[a-z0-9])?$"),
        ("^(?i)(abort|warn)?$", "(?i)^(abort|warn)?$"),
        # Flags in the middle apply to the rest of their group.
        ("a(?i)b", "a(?i:b)"),
        ("(x(?i)y)z", "(x(?i:y))z"),
        ("a(?s-i)b", "a(?s-i:b)"),
        ("(?i)a(?m)b", "(?i)a(?m:b)"),
        (r"[\](?i)]x(?i)y", r"[\](?i)]x(?i:y)"),
        # RE2 spellings Python lacks.
        (r"^[[:alpha:]][[:digit:]]+$", "^[A-Za-z][0-9]+$"),
        (r"a\z", r"a\Z"),
    ],
)
def test_translatable(pattern: str, expected: str) -> None:
    assert translate_re2(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"^\pL+$",  # Unicode classes
        r"\p{Greek}",
        "(?U)a+",  # ungreedy flag
        "a(?i)b|c",  # flags before an alternation of the same group
        r"[[:^alpha:]]",
        r"\Qa.b\E",
        "(unclosed",
    ],
)
def test_untranslatable(pattern: str) -> None:
    assert translate_re2(pattern) is None


def admission_check(kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "AdmissionCheck",
        "metadata": {"name": "prov"},
        "spec": {
            "controllerName": "kueue.x-k8s.io/provisioning-request",
            "parameters": {"apiGroup": "kueue.x-k8s.io", "kind": kind, "name": "prov"},
        },
    }


def test_re2_crds_load_and_report_their_translations(crds_dir: Path) -> None:
    validator = OutputValidator.create(
        "1.33",
        [
            crds_dir / "kueue" / "kueue.x-k8s.io_admissionchecks.yaml",
            crds_dir / "prometheus-operator" / "monitoring.coreos.com_prometheusrules.yaml",
        ],
    )
    assert validator.skipped_patterns() == ()
    assert validator.translated_patterns() == (
        "admissionchecks.kueue.x-k8s.io/v1beta1: /properties/spec/properties/parameters/properties/kind:"
        " ^(?i)[a-z]([-a-z0-9]*[a-z0-9])?$ -> (?i)^[a-z]([-a-z0-9]*[a-z0-9])?$",
        "admissionchecks.kueue.x-k8s.io/v1beta2: /properties/spec/properties/parameters/properties/kind:"
        " ^(?i)[a-z]([-a-z0-9]*[a-z0-9])?$ -> (?i)^[a-z]([-a-z0-9]*[a-z0-9])?$",
        "prometheusrules.monitoring.coreos.com/v1: /properties/spec/properties/groups/items/properties/"
        "partial_response_strategy: ^(?i)(abort|warn)?$ -> (?i)^(abort|warn)?$",
    )
    # The translated pattern keeps RE2's meaning: case-insensitive.
    assert validator.check(admission_check("ProvisioningRequestConfig")).problems == ()
    bad = found(validator.check(admission_check("Provisioning_Request")))
    assert [path for path, _ in bad] == [("spec", "parameters", "kind")]
    rule: dict[str, Any] = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "training"},
        "spec": {"groups": [{"name": "g", "partial_response_strategy": "ABORT", "rules": []}]},
    }
    assert validator.check(rule).problems == ()
    rule["spec"]["groups"][0]["partial_response_strategy"] = "retry"
    assert [path for path, _ in found(validator.check(rule))] == [
        ("spec", "groups", 0, "partial_response_strategy")
    ]


def test_untranslatable_pattern_is_skipped_not_fatal(tmp_path: Path) -> None:
    crd = tmp_path / "widgets.yaml"
    crd.write_text(
        widget_crd(
            """
letters: {type: string, pattern: '^\\pL+$'}
code: {type: string, pattern: '^[A-Z]{3}$'}
"""
        )
    )
    validator = OutputValidator.create("1.33", [crd])
    assert validator.skipped_patterns() == (
        "widgets.example.com/v1: /properties/spec/properties/letters: ^\\pL+$",
    )
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"letters": "anything 123", "code": "abcd"},
    }
    # The skipped pattern is not checked; the other one still is.
    assert [path for path, _ in found(validator.check(widget))] == [("spec", "code")]
