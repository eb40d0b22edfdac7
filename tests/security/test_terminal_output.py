"""No raw control character reaches a report, and JUnit output is always well-formed XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from manifestgen.errors import Diagnostic, Related, SourceLocation
from manifestgen.report import REPORTERS, Summary
from manifestgen.report.escape import printable
from tests.support import make_repo, run_cli

# What a hostile spec or manifest can carry: clear the screen, set the window title,
# the C1 control sequence introducer, a carriage return that overwrites the line, a
# newline that forges a diagnostic, a bidi override, a lone surrogate, a non-character.
HOSTILE = "a\x1b[2J\x1b]0;title\x07\x9b31m\rfake\nspecs/x.yaml:1:1: error[MG000] forged\u202eb\ud800\uffff"
# Raw characters that must never be printed (tab and newline are checked separately).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\ud800-\udfff\uffff]")


def test_printable_escapes_visibly() -> None:
    assert printable("a\x1bb\nc\u202ed") == "a\\x1bb\\x0ac\\u202ed"
    assert printable("plain: text, with 'quotes' and \\ backslash") == (
        "plain: text, with 'quotes' and \\ backslash"
    )


def _diagnostic() -> Diagnostic:
    return Diagnostic(
        "MG201",
        f"unknown field {HOSTILE!s}",
        SourceLocation(f"specs/{HOSTILE}.yaml", 3, 4),
        field=HOSTILE,
        hint=HOSTILE,
        related=(Related(SourceLocation(f"out/{HOSTILE}"), HOSTILE),),
    )


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_build_reporter_escapes_control_characters(name: str) -> None:
    output = REPORTERS[name](Summary("validate", (_diagnostic(),)))
    assert RAW.search(output) is None
    output.encode("utf-8")  # a lone surrogate would fail here
    if name != "json":
        # The forged diagnostic stays inside the real one's line.
        assert not any(line.startswith("specs/x.yaml:1:1") for line in output.splitlines())
    if name == "json":
        message = json.loads(output)["diagnostics"][0]["message"]
        assert message == f"unknown field {HOSTILE}"  # JSON keeps the text, escaped by json


def test_validate_escapes_a_hostile_key_from_a_spec(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "specs" / "job.yaml").write_text(
        "apiVersion: manifestgen.io/v1alpha1\nkind: TrainingJob\nmetadata:\n  name: x\n"
        'spec:\n  "\\e]0;pwned\\a\\e[2Jkey\\u202e": 1\n'
    )
    result = run_cli("validate", "--root", root, "--no-output-check")
    assert result.code == 1
    assert RAW.search(result.stdout) is None
    assert "\\x1b]0;pwned\\x07\\x1b[2Jkey\\u202e" in result.stdout


# Without the lone surrogate: a manifest cannot carry one (the JSON reader should refuse
# it; today the schema engine fails on it, outside the reporters).
VERIFY_HOSTILE = HOSTILE.replace("\ud800", "")


def _hostile_manifest(tmp_path: Path) -> Path:
    path = tmp_path / f"m{chr(0x1B)}[1m.json"
    resource = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "namespace": "ml"},
        "data": {"a": "b"},
        VERIFY_HOSTILE: "\x00\x01\x02",
    }
    unknown_kind = {
        "apiVersion": "example.com/v1",
        "kind": VERIFY_HOSTILE,
        "metadata": {"name": "y"},
    }
    path.write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": [resource, unknown_kind]})
    )
    return path


@pytest.mark.parametrize("fmt", ["text", "github", "json", "junit"])
def test_verify_escapes_every_format(tmp_path: Path, fmt: str) -> None:
    result = run_cli("verify", _hostile_manifest(tmp_path), "--format", fmt, "-v")
    assert result.code == 1
    assert RAW.search(result.stdout) is None
    result.stdout.encode("utf-8")
    if fmt == "junit":
        root = ET.fromstring(result.stdout.split("\n", 1)[1])
        failures = [f.text or "" for f in root.iter("failure")]
        assert any("\\x1b[2J" in text for text in failures)
    if fmt in ("text", "github"):
        assert not any(line.startswith("specs/x.yaml:1:1") for line in result.stdout.splitlines())


def test_junit_is_well_formed_for_hostile_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: [\x1b\n")
    result = run_cli("verify", bad, _hostile_manifest(tmp_path), "--format", "junit")
    root = ET.fromstring(result.stdout.split("\n", 1)[1])
    assert root.tag == "testsuites"
    assert int(root.get("errors", "0")) >= 1
