"""The schemas in the real yaml-language-server, as VS Code and Neovim run it: the example
specs are clean, mistakes are flagged on the line `manifestgen validate` names, and
completion offers the names of this repository's Platform."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.editors.lsp import LanguageServer
from tests.support import REPO_ROOT, run_cli

EXAMPLES = sorted(
    p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "specs").rglob("*.yaml")
)
JOB = "specs/jobs/resnet-pretrain.yaml"


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_specs_have_no_diagnostics(
    yaml_server: LanguageServer, editor_repo: Path, name: str
) -> None:
    path = editor_repo / name
    assert yaml_server.open(path, path.read_text()) == []


def _cli_lines(tmp_path: Path, name: str, text: str) -> set[int]:
    """0-based lines of the errors `manifestgen validate` reports for `name` with `text`."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "specs", repo / "specs")
    (repo / name).write_text(text)
    report = run_cli("validate", "--root", repo, "--no-output-check").stdout
    return {int(m) - 1 for m in re.findall(rf"^{re.escape(name)}:(\d+):\d+: error", report, re.M)}


# (spec, text replaced, replacement, words of the server's message)
MISTAKES = [
    (JOB, "  nodes: 4\n", '  nodes: "4"\n', "Incorrect type"),
    (
        JOB,
        "  sharedMemory: 128Gi\n",
        "  sharedMemry: 128Gi\n",
        "Property sharedMemry is not allowed",
    ),
    (JOB, "    memory: 1000Gi\n", "    memory: 1000GB\n", "must be a quantity"),
    (JOB, "    NCCL_DEBUG: WARN\n", "    NCCL-DEBUG: WARN\n", "Property NCCL-DEBUG is not allowed"),
    (JOB, "    optimizer: sgd\n", "    optimizer settings: sgd\n", "is not allowed"),
    (JOB, "    perNode: 8\n", "    perNode: 0\n", "Value is below the minimum of 1"),
    (JOB, "  capacityType: spot\n", "  capacityType: reserved\n", "Value is not accepted"),
    (JOB, "  image: ghcr.io/acme/", "  image: docker.io/acme/", "may run images from"),
    (JOB, "  checkpoints:\n    size: 500Gi\n", "  checkpoints:\n  size: 500Gi\n", "Incorrect type"),
    (
        "specs/platform.yaml",
        "      instanceTypes: [p5.48xlarge]\n",
        "      instanceTypes: [p5.48xlarge]\n      instanceFamilies: [p5]\n",
        "Matches multiple schemas",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "message"), MISTAKES, ids=[m[2].strip()[:24] for m in MISTAKES]
)
def test_mistakes_are_flagged_on_the_line_the_cli_names(
    yaml_server: LanguageServer,
    editor_repo: Path,
    tmp_path: Path,
    name: str,
    old: str,
    new: str,
    message: str,
) -> None:
    path = editor_repo / name
    original = path.read_text()
    assert old in original
    text = original.replace(old, new, 1)
    try:
        diagnostics = yaml_server.open(path, text)
    finally:
        yaml_server.open(path, original)
    assert diagnostics, "no diagnostic"
    assert any(message in d["message"] for d in diagnostics), diagnostics
    server_lines = {d["range"]["start"]["line"] for d in diagnostics}
    cli_lines = _cli_lines(tmp_path, name, text)
    assert cli_lines, "manifestgen accepted it"
    # The line of the mistake: the server may flag a mapping where the CLI flags its key.
    assert server_lines & cli_lines or _neighbours(server_lines, cli_lines), (
        server_lines,
        cli_lines,
    )


def _neighbours(server: set[int], cli: set[int]) -> bool:
    return any(abs(a - b) <= 1 for a in server for b in cli)


def _position(text: str, prefix: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines()):
        if line.startswith(prefix):
            return number, len(prefix)
    raise AssertionError(prefix)


# (line replaced in the job, its new start where completion is asked, labels offered)
COMPLETIONS = [
    ("  team: research\n", "  team: ", ["recsys", "research"]),
    ("  cluster: prod-use1\n", "  cluster: ", ["prod-use1", "train-usw2"]),
    (
        "    type: a100-80gb\n",
        "    type: ",
        ["a100-80gb", "a100-80gb-mig", "h100-80gb", "h200-141gb", "l40s-48gb"],
    ),
]


@pytest.mark.parametrize(
    ("old", "prefix", "labels"), COMPLETIONS, ids=[c[1].strip() for c in COMPLETIONS]
)
def test_completion_offers_the_platforms_names(
    yaml_server: LanguageServer, editor_repo: Path, old: str, prefix: str, labels: list[str]
) -> None:
    path = editor_repo / JOB
    original = path.read_text()
    text = original.replace(old, prefix + "\n", 1)
    try:
        yaml_server.open(path, text)
        offered = yaml_server.complete(path, *_position(text, prefix))
    finally:
        yaml_server.open(path, original)
    assert offered == labels


def test_the_readme_path_mapping_applies_without_a_modeline(
    yaml_server: LanguageServer, editor_repo: Path
) -> None:
    path = editor_repo / "specs" / "jobs" / "unmarked.yaml"
    lines = (editor_repo / JOB).read_text().splitlines(keepends=True)
    assert lines[0].startswith("# yaml-language-server: $schema=")
    text = "".join(lines[1:]).replace("  nodes: 4\n", "  nodes: four\n")
    diagnostics = yaml_server.open(path, text)
    assert [d["range"]["start"]["line"] for d in diagnostics] == [_position(text, "  nodes:")[0]]
    text = text.replace("  team: research\n", "  team: \n")
    yaml_server.open(path, text)
    assert yaml_server.complete(path, *_position(text, "  team: ")) == ["recsys", "research"]


def test_hover_shows_the_fields_description(yaml_server: LanguageServer, editor_repo: Path) -> None:
    path = editor_repo / JOB
    text = path.read_text()
    yaml_server.open(path, text)
    line, _ = _position(text, "  capacityType:")
    assert "EC2 capacity the nodes are bought as." in yaml_server.hover(path, line, 4)
