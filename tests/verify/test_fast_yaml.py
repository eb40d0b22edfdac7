"""`fast_yaml.load_all` gives what PyYAML's safe C loader gives: values, or the same error."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from manifestgen.source.guard import check_yaml
from manifestgen.source.limits import VERIFY_LIMITS
from manifestgen.verify import fast_yaml


def _reference(text: str) -> tuple[str, str]:
    """PyYAML's safe C loader, behind the input limits and refusing what the API
    server's strict decoding refuses (duplicate keys, numbers that are not finite)."""
    problem = check_yaml(text.encode(), VERIFY_LIMITS)
    if problem is not None:
        return "[]", problem.message
    documents: list[Any] = []
    try:
        for document in yaml.load_all(text.encode(), Loader=fast_yaml.StrictLoader):
            documents.append(document)
    except (yaml.YAMLError, ValueError) as error:
        return repr(documents), str(error)
    return repr(documents), ""


def _fast(text: str) -> tuple[str, str]:
    documents, error = fast_yaml.load_all(text.encode())
    return repr(documents), "" if error is None else str(error)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(
        [
            "yes",
            "No",
            "on",
            "0o17",
            "017",
            "0x1F",
            "1_000",
            "1:20",
            "~",
            "2024-01-02",
            "<<",
            "=",
            "-.inf",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(
    st.lists(VALUES, max_size=3),
    st.sampled_from([None, True, False]),
    st.sampled_from([None, '"', "'"]),
)
def test_same_values_as_pyyaml_for_dumped_documents(
    documents: list[Any], flow: bool | None, style: str | None
) -> None:
    text = yaml.safe_dump_all(documents, default_flow_style=flow, default_style=style)
    assert _fast(text) == _reference(text)


@given(st.text(alphabet="ab:- \n[]{}&*!|>'\"#01.~<=yn,?%", max_size=40))
@example("a: &x {b: 1}\nc: *x\n")
@example("<<: {a: 1}\nb: 2\n")
@example("a: !!str 1\n")
@example("? [a]\n: 1\n")
@example("x: &a 1\ny: &a 2\nz: *a\n")
@example("t: 2024-13-45\n")
@example("! 0\n- ! 1\n")
@example("a: 1\n---\nb: [1\n")
@example("--- |\n  text\n--- 'quoted'\n--- plain\n")
@example("a: 1\na: 2\n")
@example("{a: 1, b: .nan}\n")
@example("&a [*a]\n")
@example("<<: {a: 1}\na: 2\n")
def test_same_values_or_error_as_pyyaml_for_any_text(text: str) -> None:
    assert _fast(text) == _reference(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("---\n---\na: 1\n", [None, {"a": 1}]),
        ("a: &x [1]\nb: *x\n", [{"a": [1], "b": [1]}]),
        (
            "replicas: 3\nname: web\nok: yes\nport: '80'\n",
            [{"replicas": 3, "name": "web", "ok": True, "port": "80"}],
        ),
    ],
)
def test_examples(text: str, expected: list[Any]) -> None:
    assert fast_yaml.load_all(text.encode()) == (expected, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "duplicate key 'a' (first at line 1)"),
        ("a: -.inf\n", "number '-.inf' is not finite"),
        ("a: [" * 101 + "]" * 101, "nesting is deeper than 100 levels"),
        ("a: " + "1" * 101, "integer has 101 characters"),
    ],
)
def test_what_the_api_server_refuses_is_an_error_with_its_position(text: str, message: str) -> None:
    documents, error = fast_yaml.load_all(text.encode())
    assert documents == []
    assert error is not None
    assert message in str(error)


def test_aliases_share_one_object_as_in_pyyaml() -> None:
    [document], _ = fast_yaml.load_all(b"a: &x [1]\nb: *x\n")
    assert document["a"] is document["b"]
