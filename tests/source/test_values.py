"""What YAML can say but a spec cannot hold is a located diagnostic, not a silent coercion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen.source.loader import load_source
from manifestgen.spec.parse import parse_document
from tests.source.test_limits import JOB
from tests.support import make_repo, run_cli


def _load(text: str) -> tuple[list[Any], list[tuple[str, int, int]]]:
    documents, diagnostics = load_source("specs/job.yaml", text)
    found = [(d.code, d.location.line, d.location.column) for d in diagnostics]
    return [doc.data for doc in documents], found


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (".inf", "MG112"),
        ("-.inf", "MG112"),
        (".nan", "MG112"),
        ("1e309", "MG112"),
        ("!foo bar", "MG114"),
        ("!foo {a: 1}", "MG114"),
        ("!foo [1]", "MG114"),
        ("!!python/object:os.system {}", "MG114"),
    ],
)
def test_a_value_a_spec_cannot_hold_is_located_where_it_is_written(value: str, code: str) -> None:
    data, found = _load(f"a: 1\nb:\n  c: {value}\n")
    assert found == [(code, 3, 6)]
    assert data == [{"a": 1, "b": {"c": None}}]


@pytest.mark.parametrize(
    "value", ["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]", "!!set x"]
)
def test_binary_and_collection_tags_are_refused_where_written(value: str) -> None:
    # ruamel's constructor for `!!set x` fails with an AttributeError: never reached.
    data, found = _load(f"a: 1\nb:\n  c: {value}\n")
    assert (data, found) == ([], [("MG114", 3, 6)])


@pytest.mark.parametrize("key", ["~", "null", "1", "true", "1.5", "[a]"])
def test_a_key_that_is_not_a_string_is_located(key: str) -> None:
    data, found = _load(f"a: 1\nb:\n  {key}: x\n")
    assert found == [("MG113", 3, 3)]
    assert data == [{"a": 1, "b": {}}]


def test_a_document_with_such_a_value_is_not_validated_as_well() -> None:
    documents, diagnostics = load_source("specs/job.yaml", JOB.replace("cpu: 4", "cpu: .inf"))
    [diagnostic] = diagnostics
    assert (diagnostic.code, diagnostic.location.line) == ("MG112", 11)
    assert parse_document(documents[0]) == (None, ())


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-01",
        "2024-01-01 10:00:00",
        "2001-12-14t21:59:43.10-05:00",
        "!!timestamp 2024-01-01",
    ],
)
def test_timestamps_keep_the_text_as_written(text: str) -> None:
    data, found = _load(f"when: {text}\n")
    assert found == []
    assert data == [{"when": text.removeprefix("!!timestamp ")}]


@pytest.mark.parametrize(
    ("text", "value"),
    [("!!str 1", "1"), ("!!int '7'", 7), ("!!float 1", 1.0), ("'1e309'", "1e309")],
)
def test_core_schema_tags_and_quoted_text_still_load(text: str, value: Any) -> None:
    assert _load(f"a: {text}\n") == ([{"a": value}], [])


def test_keys_a_merge_brings_in_are_located_in_the_merged_mapping(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    text = JOB.replace("spec:\n", "base: &b\n  nodes: '4'\nspec:\n  <<: *b\n").replace(
        "  nodes: 1\n", ""
    )
    (root / "specs" / "job.yaml").write_text(text)
    result = run_cli("validate", "--root", root, "--no-output-check")
    assert result.code == 1, result.stderr
    assert "specs/job.yaml:6:10: error[MG203] spec.nodes: must be an integer" in result.stdout


def test_a_bad_value_under_a_merge_key_is_a_located_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "specs" / "job.yaml").write_text(JOB.replace("  nodes: 1\n", "  <<: 5\n"))
    result = run_cli("validate", "--root", root, "--no-output-check")
    assert result.code == 1, result.stderr
    assert "specs/job.yaml:9:7: error[MG101]" in result.stdout


@pytest.mark.parametrize(
    ("cpu", "code"), [("1e309", "MG112"), (".inf", "MG112"), (".nan", "MG112")]
)
def test_non_finite_cpu_is_exit_1_not_an_internal_error(
    tmp_path: Path, cpu: str, code: str
) -> None:
    root = make_repo(tmp_path)
    (root / "specs" / "job.yaml").write_text(JOB.replace("cpu: 4", f"cpu: {cpu}"))
    result = run_cli("validate", "--root", root, "--no-output-check")
    assert result.code == 1, result.stderr
    assert result.stdout.startswith(f"specs/job.yaml:11:10: error[{code}] ")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!bool maybe", "value 'maybe' is not a valid !!bool"),
        ("!!int abc", "value 'abc' is not a valid !!int"),
        ("!!float x", "value 'x' is not a valid !!float"),
    ],
)
def test_a_core_tag_on_a_value_it_cannot_take_is_located(value: str, message: str) -> None:
    # The core constructors raised KeyError or ValueError without a position.
    documents, diagnostics = load_source("specs/job.yaml", f"a: 1\nb: {value}\n")
    assert documents == ()
    [found] = diagnostics
    assert (found.code, found.location.line, found.location.column) == ("MG101", 2, 4)
    assert found.message == message
