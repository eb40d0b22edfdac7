"""`manifestgen schema --for-repo`: the TrainingJob schema with this repository's names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from manifestgen.spec.image import from_registry
from manifestgen.spec.repo_schema import REPO_SCHEMA_FILE, repo_schema
from manifestgen.spec.schema_export import schema_files
from tests.editors.test_schemas import EXAMPLE_JOB, _plain, _platform_model, _set
from tests.support import CASE_PLATFORM, REPO_ROOT, make_repo, run_cli


def test_committed_repo_schema_is_current() -> None:
    result = run_cli("schema", "--root", REPO_ROOT, "--check", "--for-repo")
    assert result.code == 0, result.stdout
    assert result.stdout == f"schema: 0 stale of {len(schema_files()) + 1} schema files\n"


def test_names_come_from_the_platform() -> None:
    schema = repo_schema(_platform_model(CASE_PLATFORM))
    spec = schema["$defs"]["PyTorchSpec"]["properties"]
    assert spec["team"]["enum"] == ["nlp", "vision"]
    assert spec["team"]["enumDescriptions"] == ["namespace team-nlp", "namespace team-vision"]
    assert spec["cluster"]["enum"] == ["train-a", "train-b"]
    assert schema["$defs"]["GpuRequest"]["properties"]["type"]["enum"] == ["a100-80gb", "l4"]
    assert schema["$id"] == REPO_SCHEMA_FILE


# (change to the example job, what `manifestgen validate` reports): the per-repo schema
# must refuse each, as the CLI does.
RULES = [
    ("spec.team", "nobody", "MG210"),
    ("spec.cluster", "nowhere", "MG211"),
    ("spec.gpu", {"type": "v100", "perNode": 8}, "MG212"),
    ("spec.gpu", {"type": "a100-80gb", "perNode": 16}, "MG221"),
    ("spec.image", "docker.io/evil/train:1.0", "MG214"),
]


def _validate_job(tmp_path: Path, data: dict[str, Any]) -> str:
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "specs", repo / "specs")
    (repo / "specs" / "jobs" / EXAMPLE_JOB.name).write_text(json.dumps(data, indent=2))
    return run_cli("validate", "--root", repo, "--no-output-check").stdout


@pytest.mark.parametrize(("path", "value", "code"), RULES, ids=[r[2] for r in RULES])
def test_repo_schema_refuses_what_the_rules_refuse(
    tmp_path: Path, path: str, value: Any, code: str
) -> None:
    data = _set(_plain(EXAMPLE_JOB), path, value)
    assert f"error[{code}]" in _validate_job(tmp_path, data)
    schema = repo_schema(_platform_model(REPO_ROOT / "specs" / "platform.yaml"))
    assert not Draft202012Validator(schema).is_valid(data)
    assert Draft202012Validator(schema).is_valid(_plain(EXAMPLE_JOB))


def test_team_limits_the_clusters(tmp_path: Path) -> None:
    # The test Platform's vision team may use train-a only (MG213 otherwise).
    schema = Draft202012Validator(repo_schema(_platform_model(CASE_PLATFORM)))
    job = _plain(EXAMPLE_JOB)
    job["spec"].update(team="vision", cluster="train-b")
    assert not schema.is_valid(job)
    job["spec"].update(team="nlp")
    assert schema.is_valid(_set(job, "spec.gpu", {"type": "l4", "perNode": 4}))


def test_check_finds_a_stale_repo_schema(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    assert run_cli("schema", "--root", repo, "--for-repo").code == 0
    assert run_cli("schema", "--root", repo, "--check", "--for-repo").code == 0
    platform = repo / "specs" / "platform.yaml"
    platform.write_text(
        platform.read_text().replace(
            "  teams:\n",
            "  teams:\n    audio:\n"
            "      namespace: team-audio\n      clusters: [train-a]\n      registries: [ghcr.io/acme/]\n",
        )
    )
    result = run_cli("schema", "--root", repo, "--check", "--for-repo")
    assert result.code == 1
    assert result.stdout == (
        f"schemas/{REPO_SCHEMA_FILE}: error[MG502] schema is stale\n"
        "  hint: run `manifestgen schema --for-repo` and commit schemas/\n"
        f"schema: 1 stale of {len(schema_files()) + 1} schema files\n"
    )
    assert run_cli("schema", "--root", repo, "--for-repo").code == 0
    written = json.loads((repo / "schemas" / REPO_SCHEMA_FILE).read_text())
    assert "audio" in written["$defs"]["PyTorchSpec"]["properties"]["team"]["enum"]


def test_without_a_valid_platform_nothing_is_written(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, platform=None)
    result = run_cli("schema", "--root", repo, "--for-repo")
    assert result.code == 1
    assert result.stdout.startswith("specs: error[MG216] no Platform document found\n")
    assert not (repo / "schemas").exists()


def test_the_platform_can_live_elsewhere(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, platform=None)
    (repo / "platform").mkdir()
    shutil.copy(CASE_PLATFORM, repo / "platform" / "platform.yaml")
    result = run_cli(
        "schema", "--root", repo, "--for-repo", "--specs", "platform", "--dir", "editor"
    )
    assert result.code == 0, result.stdout
    assert (repo / "editor" / REPO_SCHEMA_FILE).is_file()


@pytest.mark.parametrize(
    "image",
    [
        "ghcr.io/acme/x:1",
        "ghcr.io/acme:1",
        "ghcr.io/acme@sha256:" + "0" * 64,
        "ghcr.io/acmeevil/x:1",
        "ghcr.io/acm:1",
        "ghcr.io/other/x:1",
    ],
)
def test_registry_prefixes_end_at_a_name_component(image: str) -> None:
    platform = _platform_model(CASE_PLATFORM)
    team = platform.spec.teams["vision"].model_copy(update={"registries": ("ghcr.io/acme",)})
    platform = platform.model_copy(
        update={"spec": platform.spec.model_copy(update={"teams": {"vision": team}})}
    )
    job = _plain(EXAMPLE_JOB)
    job["spec"].update(
        team="vision", cluster="train-a", image=image, gpu={"type": "l4", "perNode": 4}
    )
    accepted = Draft202012Validator(repo_schema(platform)).is_valid(job)
    assert accepted is from_registry(image, "ghcr.io/acme")
