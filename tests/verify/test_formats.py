"""The four output formats, the summary and the exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from manifestgen.verify import FORMATS
from manifestgen.verify.choices import FORMAT_NAMES

from .conftest import Write, config_map, deployment, verify_cli


@pytest.fixture
def mixed(write: Write) -> tuple[Path, Path, Path]:
    """A valid file, a file with one invalid resource of two, and a broken file."""
    good = write("good.yaml", [config_map("a"), config_map("b")])
    bad = write("bad.yaml", [deployment("web", replicas="3"), config_map("c")])
    broken = write("broken.yaml", "a: [1\n")
    return good, bad, broken


def test_every_format_is_registered() -> None:
    assert sorted(FORMATS) == ["github", "json", "junit", "text"]
    # The CLI offers the names without importing the formats.
    assert list(FORMAT_NAMES) == sorted(FORMATS)


def test_text_summary_counts_per_kind(mixed: tuple[Path, Path, Path]) -> None:
    result = verify_cli(*mixed, "--kubernetes-version", "1.33")
    assert result.code == 1
    assert result.stdout.splitlines()[-5:] == [
        "kind                resources      valid    invalid    skipped",
        "apps/v1/Deployment          1          0          1          0",
        "v1/ConfigMap                3          3          0          0",
        "total                       4          3          1          0",
        "verify: FAILED: 1 invalid, 3 valid, 0 skipped of 4 resources in 3 files, "
        "1 file error (Kubernetes 1.33)",
    ]


def test_json(mixed: tuple[Path, Path, Path]) -> None:
    good, bad, broken = mixed
    result = verify_cli(*mixed, "--format", "json", "--kubernetes-version", "1.33")
    assert result.code == 1
    document = json.loads(result.stdout)
    assert (document["schemaVersion"], document["command"], document["ok"]) == (1, "verify", False)
    assert document["summary"]["kubernetesVersion"] == "1.33"
    assert [r["path"] for r in document["resources"]] == [good.as_posix()] * 2 + [
        bad.as_posix()
    ] * 2
    deployment = document["resources"][2]
    assert (deployment["status"], deployment["line"]) == ("invalid", 1)
    assert document["diagnostics"] == [
        {
            "code": "MG611",
            "severity": "error",
            "path": bad.as_posix(),
            "line": 7,
            "column": 3,
            "field": "spec.replicas",
            "message": "must be an integer (got string '3')",
            "hint": "",
            "related": [
                {
                    "path": bad.as_posix(),
                    "line": 1,
                    "column": 1,
                    "message": "document 1: Deployment/web",
                }
            ],
        },
        {
            "code": "MG610",
            "severity": "error",
            "path": broken.as_posix(),
            "line": 2,
            "column": 1,
            "field": "",
            "message": "YAML syntax error: while parsing a flow sequence, did not find expected ',' or ']'",
            "hint": "",
            "related": [],
        },
    ]
    summary = document["summary"]
    assert (summary["errors"], summary["warnings"], summary["fileErrors"]) == (2, 0, 1)
    assert summary["total"] == {"resources": 4, "valid": 3, "invalid": 1, "skipped": 0}
    assert summary["kinds"]["v1/ConfigMap"]["valid"] == 3


def test_json_is_complete_whatever_the_text_settings(mixed: tuple[Path, Path, Path]) -> None:
    full = verify_cli(*mixed, "--format", "json").stdout
    assert verify_cli(*mixed, "--format", "json", "--no-summary").stdout == full
    assert verify_cli(*mixed, "--format", "json", "-q").stdout == full


def test_junit_is_xml_with_the_right_counts(mixed: tuple[Path, Path, Path]) -> None:
    result = verify_cli(*mixed, "--format", "junit", "--skip-kind", "ConfigMap")
    assert result.code == 1
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    assert dict(root.attrib) == {
        "name": "manifestgen verify",
        "tests": "5",
        "failures": "1",
        "errors": "1",
        "skipped": "3",
    }
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [p.as_posix() for p in mixed]
    failure = suites[1].find("testcase/failure")
    assert failure is not None
    bad = mixed[1].as_posix()
    assert failure.text == f"{bad}:7:3: spec.replicas: must be an integer (got string '3')"
    case = suites[1].findall("testcase")[0]
    assert (case.get("name"), case.get("file"), case.get("line")) == ("1:Deployment/web", bad, "1")
    assert suites[2].find("testcase/error") is not None


def test_github_annotations(mixed: tuple[Path, Path, Path]) -> None:
    _, bad, broken = mixed
    result = verify_cli(*mixed, "--format", "github", "--no-summary")
    assert result.stdout.splitlines() == [
        f"::error file={bad.as_posix()},line=7,col=3,title=MG611 document 1%3A Deployment/web::"
        "spec.replicas: must be an integer (got string '3')",
        f"::error file={broken.as_posix()},line=2,col=1,title=cannot read::"
        "YAML syntax error: while parsing a flow sequence, did not find expected ',' or ']'",
    ]


def test_lines_of_list_items_and_nested_fields(write: Write) -> None:
    items = [config_map("a"), deployment("b", replicas="x")]
    path = write(
        "list.yaml", [config_map("first"), {"apiVersion": "v1", "kind": "List", "items": items}]
    )
    document = json.loads(verify_cli(path, "--format", "json").stdout)
    (diagnostic,) = document["diagnostics"]
    text = path.read_text().splitlines()
    line = diagnostic["line"]
    assert text[line - 1].strip() == "replicas: x"
    assert diagnostic["related"][0]["message"] == "document 2[1]: Deployment/b"
    assert text[diagnostic["related"][0]["line"] - 1].lstrip(" -").startswith("apiVersion: apps/v1")


def test_a_clean_run_has_no_notice_and_one_note_for_partly_checked_kinds(write: Write) -> None:
    job = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": {"name": "j"},
        "spec": {"pytorchReplicaSpecs": {}},
    }
    path = write("jobs.yaml", [job, {**job, "metadata": {"name": "k"}}])
    github = verify_cli(path, "--format", "github").stdout
    assert "::notice" not in github
    verbose = verify_cli(path, "--format", "github", "-v").stdout
    assert verbose.count("title=MG617") == 1
    text = verify_cli(path).stdout
    assert text.count("note[MG617]") == 1
    assert "kubeflow.org/v1/PyTorchJob" in text


def test_exit_codes(write: Write) -> None:
    assert verify_cli(write("ok.yaml", [config_map("a")])).code == 0
    assert verify_cli(write("bad.yaml", [deployment("a", replicas="x")])).code == 1
    assert verify_cli(write("ok2.yaml", [config_map("a")]), "--format", "xml").code == 2
    assert verify_cli(write("ok3.yaml", [config_map("a")]), "--workers", "0").code == 2


def test_an_unknown_kubernetes_version_is_a_usage_error(write: Write) -> None:
    result = verify_cli(write("ok.yaml", [config_map("a")]), "--kubernetes-version", "1.2")
    assert result.code == 2
    assert "no bundled Kubernetes schemas for 1.2" in result.stderr
