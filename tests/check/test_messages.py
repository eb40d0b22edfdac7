"""Message wording, problem ordering and value conversion, as units."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from manifestgen.check import ObjectProblem, format_path
from manifestgen.check.engine import to_json_value
from manifestgen.check.messages import (
    closest,
    describe_value,
    expected_types,
    must_be_one_of,
    must_match,
    unknown_field,
)
from manifestgen.check.problems import sort_problems


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("4", "string '4'"),
        (4, "integer 4"),
        (1.5, "number 1.5"),
        (True, "boolean true"),
        (None, "null"),
        ({"a": 1}, "an object"),
        ([1], "a list"),
        ("x" * 100, "string '" + "x" * 57 + "...'"),
    ],
)
def test_describe_value(value: Any, text: str) -> None:
    assert describe_value(value) == text


def test_expected_types() -> None:
    assert expected_types(["integer"], "4") == "must be an integer (got string '4')"
    # null is only mentioned when it is what was found.
    assert expected_types(["null", "string"], 3) == "must be a string (got integer 3)"
    assert expected_types(["array", "null"], {}) == "must be a list (got an object)"


def test_enum_lists_and_suggests() -> None:
    assert must_be_one_of(["None", "All", "Running"], "all") == (
        "must be one of: None, All, Running (got 'all'; did you mean 'All'?)"
    )
    assert must_be_one_of([1, 2], 3) == "must be one of: 1, 2 (got 3)"
    many = [f"v{i}" for i in range(20)]
    assert must_be_one_of(many, "zzz").startswith(
        "must be one of: v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, ... "
    )


def test_unknown_field_suggestion() -> None:
    assert (
        unknown_field("resourcez", ["resources", "image"])
        == "unknown field 'resourcez' (did you mean 'resources'?)"
    )
    assert (
        unknown_field("NodeSelector", ["nodeSelector"])
        == "unknown field 'NodeSelector' (did you mean 'nodeSelector'?)"
    )
    assert unknown_field("zzz", ["resources"]) == "unknown field 'zzz'"
    assert closest("x", []) is None


def test_known_patterns_are_named() -> None:
    assert must_match("^[a-z]$", "A") == "must match the pattern '^[a-z]$' (got 'A')"
    assert must_match("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "A_b").startswith(
        "must be a DNS-1123 label"
    )


def test_problems_sort_by_path_then_message_with_mixed_keys() -> None:
    problems = [
        ObjectProblem(("spec", "b"), "y"),
        ObjectProblem(("spec", 0), "x"),
        ObjectProblem(("spec", "a"), "z"),
        ObjectProblem(("spec", "a"), "a"),
        ObjectProblem(("spec",), "m"),
        ObjectProblem(("spec", "a"), "a"),
    ]
    assert [(p.path, p.message) for p in sort_problems(problems)] == [
        (("spec",), "m"),
        (("spec", 0), "x"),
        (("spec", "a"), "a"),
        (("spec", "a"), "z"),
        (("spec", "b"), "y"),
    ]


def test_format_path() -> None:
    assert format_path(("spec", "containers", 0, "name")) == "spec.containers[0].name"
    assert format_path(("metadata", "labels", "app.kubernetes.io/name")) == (
        "metadata.labels['app.kubernetes.io/name']"
    )
    assert format_path(()) == ""


def test_to_json_value_follows_yaml_to_json() -> None:
    converted = to_json_value(
        {
            2: dt.date(2024, 1, 2),
            True: b"\x00",
            "t": (1, 2),
            "n": float("nan"),
            None: {"x": dt.datetime(2024, 1, 2, 3, 4)},
        }
    )
    assert converted == {
        "2": "2024-01-02",
        "true": "AA==",
        "t": [1, 2],
        "n": "nan",
        "null": {"x": "2024-01-02T03:04:00"},
    }


def test_to_json_value_flattens_subclasses_from_ruamel_and_enums() -> None:
    import enum
    import io

    from ruamel.yaml import YAML

    class Mode(enum.StrEnum):
        FAST = "fast"

    loaded = YAML().load(io.StringIO("octal: 0o17\nratio: 1.5e3\nlist: [1]\n"))
    converted = to_json_value({**loaded, "mode": Mode.FAST})
    assert converted == {"octal": 15, "ratio": 1500.0, "list": [1], "mode": "fast"}
    assert [type(v) for v in converted.values()] == [int, float, list, str]
