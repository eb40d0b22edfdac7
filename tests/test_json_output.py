"""`--format json` of every command has the one documented shape of schemas/output.schema.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from manifestgen.report.json_shape import OUTPUT_SCHEMA, SCHEMA_VERSION
from tests.support import CASES, REPO_ROOT, make_repo, run_cli

SCHEMA = json.loads((REPO_ROOT / "schemas" / "output.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
MINIMAL = CASES / "golden" / "minimal" / "specs"
BAD = CASES / "invalid" / "unknown-field" / "specs"


def _document(*args: str | Path) -> dict[str, Any]:
    result = run_cli(*args, "--format", "json")
    document: dict[str, Any] = json.loads(result.stdout)
    errors = sorted(VALIDATOR.iter_errors(document), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])
    assert document["ok"] is (result.code == 0)
    return document


def test_the_committed_schema_is_the_one_the_code_writes_to() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA == OUTPUT_SCHEMA


@pytest.mark.parametrize("command", ["build", "check", "validate"])
def test_spec_commands(tmp_path: Path, command: str) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    clean = _document(command, "--root", repo)
    assert clean["schemaVersion"] == SCHEMA_VERSION
    assert clean["command"] == command
    missing = ["MG501"] * clean["summary"]["files"] if command == "check" else []
    assert [d["code"] for d in clean["diagnostics"]] == [*missing, "MG402"]
    shutil.copytree(BAD, repo / "specs" / "bad")
    failing = _document(command, "--root", repo)
    assert failing["summary"]["errors"] == 4
    first = failing["diagnostics"][0]
    assert (first["path"], first["line"], first["column"]) == ("specs/bad/job.yaml", 5, 1)


def test_hook_diagnostics_have_the_shape(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    rewritten = _document("build", "--root", repo, "--fail-on-change")
    assert [d["code"] for d in rewritten["diagnostics"]] == ["MG402", "MG601"]
    assert len(rewritten["summary"]["written"]) == rewritten["summary"]["files"]
    shutil.copytree(BAD, repo / "specs" / "bad")
    counted = _document("check", "--root", repo, "--drift-only")
    assert [d["code"] for d in counted["diagnostics"]] == ["MG602"]


def test_verify(tmp_path: Path, crds_dir: Path) -> None:
    out = REPO_ROOT / "out"
    # Against the upstream CRDs: without them only metadata and pod templates are checked.
    clean = _document("verify", "--no-cache", "--crds", crds_dir, out)
    assert clean["command"] == "verify"
    assert clean["summary"]["total"]["invalid"] == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n---\nx: [\n")
    failing = _document("verify", "--no-cache", bad)
    assert [d["code"] for d in failing["diagnostics"]] == ["MG612", "MG610"]
    assert failing["diagnostics"][0]["line"] == 4


def test_readme_documents_the_shape() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Machine-readable output", 1)[1].split("\n## ", 1)[0]
    assert "schemas/output.schema.json" in section
    entry = SCHEMA["properties"]["diagnostics"]["items"]["properties"]
    for key in [*SCHEMA["required"], *entry]:
        assert f"`{key}`" in section, key
    example = json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])
    VALIDATOR.validate(example)


def test_spec_json_is_complete_when_quiet(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    spec = repo / "specs" / "job.yaml"
    spec.write_text(spec.read_text().replace("mnist:1.0.0", "mnist:latest"))
    quiet = run_cli("validate", "--root", repo, "--format", "json", "-q").stdout
    assert quiet == run_cli("validate", "--root", repo, "--format", "json").stdout
    assert {d["severity"] for d in json.loads(quiet)["diagnostics"]} == {"warning", "note"}
