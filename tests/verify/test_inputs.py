"""What `verify` reads: files, directories, multi-document YAML, JSON, Lists, stdin."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from .conftest import Write, config_map, deployment, verify_cli


def test_a_valid_file_passes(write: Write) -> None:
    path = write("ok.yaml", [config_map("a"), deployment("web")])
    result = verify_cli(path)
    assert result.code == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("verify: ok: 0 invalid, 2 valid")


def test_problem_lines_name_file_document_kind_and_field(write: Write) -> None:
    path = write("bad.yaml", [config_map("a"), deployment("web", replicas="3")])
    result = verify_cli(path, "--no-summary")
    assert result.code == 1
    assert result.stdout == (
        f"{path.as_posix()}:2:Deployment/web: spec.replicas: must be an integer (got string '3')\n"
    )


def test_directories_are_searched_recursively_for_manifest_suffixes(
    write: Write, tmp_path: Path
) -> None:
    write("a/one.yaml", [config_map("one")])
    write("a/b/two.yml", [config_map("two")])
    write("a/b/c/three.json", json.dumps(config_map("three")))
    write("a/notes.txt", "kind: nonsense")
    write("a/.hidden/four.yaml", [deployment("x", replicas="bad")])
    result = verify_cli(tmp_path / "a")
    assert result.code == 0, result.stdout
    assert "3 valid" in result.stdout
    assert "in 3 files" in result.stdout


def test_suffixes_match_in_any_case(write: Write, tmp_path: Path) -> None:
    write("a/one.YAML", [config_map("one")])
    write("a/two.Yml", [config_map("two")])
    write("a/three.JSON", json.dumps(config_map("three")))
    result = verify_cli(tmp_path / "a")
    assert result.code == 0, result.stdout
    assert "3 valid" in result.stdout


def test_files_keep_argument_order_and_are_read_once(write: Write) -> None:
    second = write("z.yaml", [deployment("z", replicas="x")])
    first = write("a.yaml", [deployment("a", replicas="x")])
    result = verify_cli(second, first, second, "--no-summary")
    files = [line.split(":")[0] for line in result.stdout.splitlines()]
    assert files == [second.as_posix(), first.as_posix()]


def test_empty_documents_are_skipped_but_counted_in_positions(write: Write) -> None:
    path = write(
        "multi.yaml",
        "---\n# only a comment\n---\n"
        + "---\n".join(
            json.dumps(d) + "\n" for d in (config_map("a"), deployment("b", replicas="x"))
        ),
    )
    result = verify_cli(path)
    assert f"{path.as_posix()}:3:Deployment/b: spec.replicas:" in result.stdout
    assert "1 invalid, 1 valid, 0 skipped of 2 resources" in result.stdout


def test_json_list_items_are_expanded(write: Write) -> None:
    items = [config_map("a"), deployment("b", replicas="x")]
    path = write("list.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    result = verify_cli(path, "--no-summary")
    assert result.code == 1
    assert result.stdout.startswith(f"{path.as_posix()}:1[1]:Deployment/b: spec.replicas:")


def test_typed_yaml_lists_are_expanded(write: Write) -> None:
    path = write(
        "list.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "ConfigMapList",
                "items": [config_map("a"), config_map("b")],
            }
        ],
    )
    result = verify_cli(path)
    assert result.code == 0
    assert "v1/ConfigMap " in result.stdout
    assert "2 valid" in result.stdout


@pytest.mark.parametrize("binary", [True, False], ids=["bytes", "text"])
def test_stdin(monkeypatch: pytest.MonkeyPatch, binary: bool) -> None:
    text = json.dumps(config_map("a")) + "\n---\n" + json.dumps(deployment("b", replicas="x"))
    stream = io.TextIOWrapper(io.BytesIO(text.encode())) if binary else io.StringIO(text)
    monkeypatch.setattr("sys.stdin", stream)
    result = verify_cli("-", "--no-summary")
    assert result.code == 1
    assert result.stdout.startswith("<stdin>:2:Deployment/b: spec.replicas:")


def test_a_yaml_error_is_reported_and_other_files_still_checked(write: Write) -> None:
    broken = write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n")
    good = write("good.yaml", [deployment("b", replicas="x")])
    result = verify_cli(broken, good, "--no-summary")
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{broken.as_posix()}:4:1: YAML syntax error:")
    assert lines[1].startswith(f"{good.as_posix()}:1:Deployment/b: spec.replicas:")


def test_documents_before_a_yaml_error_are_still_checked(write: Write) -> None:
    path = write("half.yaml", json.dumps(deployment("a", replicas="x")) + "\n---\nkey: [1\n")
    result = verify_cli(path)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{path.as_posix()}:1:Deployment/a: spec.replicas:")
    assert lines[1].startswith(f"{path.as_posix()}:4:1: YAML syntax error:")
    assert "1 file error" in lines[-1]


def test_a_json_error_has_a_position(write: Write) -> None:
    path = write("bad.json", '{"apiVersion": "v1",\n  "kind": }')
    result = verify_cli(path)
    assert result.code == 1
    assert f"{path.as_posix()}:2:11: JSON syntax error: Expecting value" in result.stdout


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = verify_cli(tmp_path / "nope.yaml")
    assert result.code == 2
    assert "no such file or directory" in result.stderr


def test_non_objects_and_missing_kind_are_invalid(write: Write) -> None:
    path = write("odd.yaml", "just a string\n---\nmetadata: {name: x}\n")
    result = verify_cli(path, "--no-summary")
    assert result.code == 1
    assert result.stdout.splitlines() == [
        f"{path.as_posix()}:1:?/?: must be an object (got str)",
        f"{path.as_posix()}:2:?/x: 'apiVersion' is required",
        f"{path.as_posix()}:2:?/x: 'kind' is required",
    ]
