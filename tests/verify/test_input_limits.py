"""Hostile inputs to `verify`: exit 1 with a located file error, never exit 3 or a crash."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from manifestgen.source.limits import VERIFY_LIMITS
from manifestgen.verify.inputs import Source, read_documents
from manifestgen.verify.model import FileError
from tests.source.test_limits import laughs
from tests.strategies import hostile_yaml
from tests.verify.conftest import Write, verify_cli

HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"


def _errors(name: str, data: bytes) -> list[FileError]:
    _, errors = read_documents(Source(name, data=data, size=len(data)))
    return errors


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        pytest.param(
            HEAD + "data:\n" + "".join(f"  {line}\n" for line in laughs().splitlines()),
            11,
            12,
            "aliases expand to more than 1,000,000 values",
            id="billion-laughs",
        ),
        pytest.param(
            HEAD.replace("{name: x}", "&m {name: x, labels: *m}"),
            3,
            32,
            "alias *m refers to a node that contains it",
            id="recursive-alias",
        ),
        pytest.param(
            HEAD + "data:\n" + "  [\n" * 500 + "  ]\n" * 500,
            104,
            3,
            "nesting is deeper than 100 levels",
            id="deep-block",
        ),
        pytest.param(
            HEAD.replace("{name: x}", "{name: x, generation: " + "9" * 5000 + "}"),
            3,
            33,
            "integer has 5,000 characters",
            id="5000-digit-integer",
        ),
        pytest.param(
            HEAD + "metadata: {name: y}\n",
            4,
            1,
            "duplicate key 'metadata' (first at line 3)",
            id="duplicate-key",
        ),
        pytest.param(
            HEAD + "data: {a: b, a: c}\n", 4, 14, "duplicate key 'a' (first at line 4)", id="dup"
        ),
        pytest.param(HEAD + "x: .inf\n", 4, 4, "number '.inf' is not finite", id="inf"),
        pytest.param(HEAD + "x: .NaN\n", 4, 4, "number '.NaN' is not finite", id="nan"),
    ],
)
def test_a_hostile_yaml_file_is_a_located_error(
    text: str, line: int, column: int, message: str
) -> None:
    [error] = _errors("in.yaml", text.encode())
    assert (error.line, error.column) == (line, column)
    assert error.message.startswith(message)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        pytest.param(
            '{"kind": "ConfigMap", "x": ' + "[" * 500 + "]" * 500 + "}",
            1,
            127,
            "nesting is deeper than 100 levels",
            id="deep-json",
        ),
        pytest.param(
            '{"kind": "ConfigMap", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
            1,
            127,
            "nesting is deeper than 100 levels",
            id="very-deep-json",
        ),
        pytest.param(
            '{"kind": "ConfigMap",\n "kind": "Secret"}',
            2,
            2,
            "duplicate key 'kind' (first at line 1)",
            id="duplicate-key",
        ),
        pytest.param(
            '{"kind": "ConfigMap", "x": ' + "9" * 5000 + "}",
            1,
            28,
            "integer has 5,000 characters",
            id="5000-digit-integer",
        ),
        pytest.param('{"kind": "ConfigMap",\n "x": NaN}', 2, 7, "NaN is not JSON", id="nan"),
        pytest.param('{"x": -Infinity}', 1, 7, "-Infinity is not JSON", id="infinity"),
        pytest.param('{"x": 1e999}', 1, 7, "number 1e999 is too large", id="overflow"),
    ],
)
def test_a_hostile_json_file_is_a_located_error(
    text: str, line: int, column: int, message: str
) -> None:
    [error] = _errors("in.json", text.encode())
    assert (error.line, error.column) == (line, column), error
    assert message in error.message


def test_a_key_a_merge_brings_in_may_be_overridden() -> None:
    text = HEAD + "data:\n  <<: &d {a: b}\n  a: c\n"
    documents, errors = read_documents(Source("in.yaml", data=text.encode()))
    assert errors == []
    assert documents[0].obj["data"] == {"a": "c"}


def test_aliases_within_the_limits_still_load() -> None:
    text = HEAD + "data: &d {a: b}\nx: *d\n"
    documents, errors = read_documents(Source("in.yaml", data=text.encode()))
    assert errors == []
    assert documents[0].obj["x"] == {"a": "b"}


def test_a_file_over_the_size_limit_is_not_parsed(write: Write) -> None:
    big = write("big.yaml", "")
    with big.open("wb") as stream:
        stream.truncate(VERIFY_LIMITS.file_bytes + 1)  # sparse: no disk used
    [error] = read_documents(Source("big.yaml", path=big))[1]
    assert error.message.startswith("file is 67,108,865 bytes; at most 64 MiB")


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "data:\n" + "".join(f"  {line}\n" for line in laughs().splitlines()),
        '{"apiVersion": "v1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        HEAD.replace("{name: x}", "&m {name: x, labels: *m}"),
        HEAD + "metadata: {name: y}\n",
        HEAD + "data: {k: !!bool maybe}\n",
        HEAD + "data: {k: !!timestamp 2024-01-011}\n",
    ],
    ids=[
        "billion-laughs",
        "deep-json",
        "recursive-alias",
        "duplicate-key",
        "bad-bool",
        "bad-timestamp",
    ],
)
def test_the_cli_exits_1_naming_the_place(write: Write, text: str) -> None:
    path = write("in.json" if text.startswith("{") else "in.yaml", text)
    result = verify_cli(path)
    assert result.code == 1, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"{path.as_posix()}:")


@given(text=hostile_yaml())
@example(text="!!timestamp 2024-01-011")
@example(text="a: !!bool maybe")
@example(text="- !!int abc")
@example(text="&a [*a]")
@example(text="a: &a {b: *a}")
@example(text="a: 1\na: 2")
@example(text="{a: 1, a: 2}")
@example(text="&a [&a [*a]]")
@example(text="<<: *a")
@example(text="- &a [1]\n- &a [*a]\n")
@example(text="a: " + "9" * 120)
@example(text="[" * 1200)
def test_no_yaml_text_raises_or_leaves_an_unlocated_limit(text: str) -> None:
    documents, errors = read_documents(Source("in.yaml", data=text.encode()))
    for document in documents:
        _assert_finite_and_acyclic(document.obj, ())
    for error in errors:
        assert error.line > 0, error


def _assert_finite_and_acyclic(value: object, path: tuple[int, ...]) -> None:
    """As the judge needs its input: no cycle, no .inf or .nan, bounded depth."""
    assert len(path) <= VERIFY_LIMITS.depth
    if isinstance(value, float):
        assert math.isfinite(value)
    if isinstance(value, (dict, list)):
        assert id(value) not in path
        for child in value.values() if isinstance(value, dict) else value:
            _assert_finite_and_acyclic(child, (*path, id(value)))


@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        ),
        max_leaves=30,
    )
)
def test_no_json_value_raises(value: object) -> None:
    text = json.dumps(value)  # NaN and Infinity included: json writes them
    documents, errors = read_documents(Source("in.json", data=text.encode()))
    if errors:
        [error] = errors
        assert error.line > 0, error
        assert any(word in error.message for word in ("not JSON", "too large", "integer has"))
    else:
        assert [d.obj for d in documents] == ([] if value is None else [value])


def test_strict_loader_agrees_with_pyyaml_when_nothing_is_refused() -> None:
    text = HEAD + "data: {a: '1', b: '2024-01-01'}\n"
    [document], errors = read_documents(Source("in.yaml", data=text.encode()))
    assert errors == []
    assert document.obj == yaml.safe_load(text)


def test_a_file_read_is_bounded(tmp_path: Path) -> None:
    # A special file that never ends is read no further than the limit.
    fifo_like = tmp_path / "zero.yaml"
    fifo_like.symlink_to("/dev/zero")
    [error] = read_documents(Source("zero.yaml", path=fifo_like))[1]
    assert "at most 64 MiB" in error.message


def test_a_lone_surrogate_escape_reads_as_the_replacement_character(write: Write) -> None:
    # Go's JSON decoder, which the API server uses, replaces an unpaired UTF-16 surrogate
    # with U+FFFD; a Python string holding the surrogate itself could not be printed.
    text = r'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a\ud800"},'
    text += r' "data": {"k\udc00": "\ud83d\ude00 \ud800"}}'
    documents, errors = read_documents(Source("in.json", data=text.encode()))
    assert errors == []
    [document] = documents
    assert document.obj["metadata"]["name"] == "a\ufffd"
    assert document.obj["data"] == {"k\ufffd": "\U0001f600 \ufffd"}
    result = verify_cli(write("in.json", text), "--format", "json")
    assert result.code == 1, result.stderr
    assert "metadata.name" in result.stdout
