"""The input limits: each hostile file fails fast with a located diagnostic, never a crash."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from manifestgen.errors import CODES
from manifestgen.source.guard import check_yaml
from manifestgen.source.limits import SPEC_LIMITS, VERIFY_LIMITS, markdown_table
from manifestgen.source.loader import load_source
from tests.support import REPO_ROOT, make_repo, run_cli

JOB = """\
apiVersion: manifestgen.io/v1alpha1
kind: TrainingJob
metadata:
  name: j
spec:
  team: vision
  cluster: train-a
  image: ghcr.io/acme/x:1
  nodes: 1
  resources:
    cpu: 4
    memory: 8Gi
"""


def laughs(levels: int = 9) -> str:
    """A billion-laughs mapping: 9 levels of 9 aliases each stand for 9**9 values."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _one(text: str) -> tuple[str, int, int, str]:
    documents, diagnostics = load_source("specs/job.yaml", text)
    assert documents == ()
    [diagnostic] = diagnostics
    location = diagnostic.location
    return diagnostic.code, location.line, location.column, diagnostic.message


BILLION_LAUGHS = (
    JOB + "  hyperparameters:\n" + "".join(f"    {line}\n" for line in laughs().splitlines())
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            BILLION_LAUGHS,
            ("MG108", 18, 14, "aliases expand to more than 10,000 values"),
            id="billion-laughs",
        ),
        pytest.param(
            JOB + "  args: &a [*a]\n",
            ("MG110", 13, 13, "alias *a refers to a node that contains it"),
            id="recursive-alias",
        ),
        pytest.param(
            JOB + "  args:\n" + "    [\n" * 10_000 + "    ]\n" * 10_000,
            ("MG109", 44, 5, "nesting is deeper than 32 levels"),
            id="10k-deep-on-many-lines",
        ),
        pytest.param(
            JOB + "  env: " + "{a: " * 40 + "b" + "}" * 40 + "\n",
            ("MG109", 13, 128, "nesting is deeper than 32 levels"),
            id="deep-flow-mapping",
        ),
        pytest.param(
            JOB.replace("nodes: 1", "nodes: " + "9" * 5000),
            ("MG111", 9, 10, "integer has 5,000 characters; at most 100 digits"),
            id="5000-digit-integer",
        ),
        pytest.param(
            JOB + "  args: [" + "x" * 1_100_000 + "]\n",
            ("MG107", 13, 1_048_577, "line is 1,100,010 characters long; at most 1,048,576"),
            id="long-line",
        ),
        pytest.param(
            JOB + "  args:\n" + "  - x\n" * 10_001,
            ("MG108", 9_987, 5, "file holds more than 10,000 values"),
            id="many-items",
        ),
        pytest.param(
            JOB + ("# " + "z" * 97 + "\n") * 14_000,
            ("MG106", 0, 0, "file is 1,400,191 bytes; at most 1,280 KiB (1,310,720 bytes)"),
            id="large-file",
        ),
    ],
)
def test_a_file_over_a_limit_gets_one_located_diagnostic(
    text: str, expected: tuple[str, int, int, str]
) -> None:
    code, line, column, message = _one(text)
    assert (code, line, column) == expected[:3]
    assert message.startswith(expected[3])


def test_what_libyaml_cannot_parse_is_counted_with_the_loaders_own_events() -> None:
    # libyaml refuses more than 1,000 open flow collections before it yields one event;
    # ruamel's parser, which the loader uses, reads on: its events are counted instead.
    text = JOB + "  args: [" + "[\n" * 1_200
    code, line, _, _ = _one(text)
    assert (code, line) == ("MG109", 42)


def test_a_syntax_error_after_the_limits_is_the_loaders_to_report() -> None:
    assert _one(JOB + "  args: [1\n")[0] == "MG101"


def test_the_limits_hold_the_example_specs_with_room_to_spare() -> None:
    for spec in sorted((REPO_ROOT / "specs").rglob("*.yaml")):
        text = spec.read_text()
        assert check_yaml(text, SPEC_LIMITS) is None
        tenfold = "\n---\n".join([text] * 10)
        assert check_yaml(tenfold, SPEC_LIMITS) is None, spec


def test_aliases_within_the_limit_still_load() -> None:
    text = JOB + "  args: &a [x, y]\n  command: *a\n"
    documents, diagnostics = load_source("specs/job.yaml", text)
    assert diagnostics == ()
    assert documents[0].data["spec"]["command"] == ["x", "y"]


def test_verify_limits_hold_the_deepest_upstream_crd() -> None:
    crd = Path(__file__).resolve().parents[2] / ".." / "shared" / "crds"
    trainjobs = sorted(crd.rglob("trainer.kubeflow.org_trainjobs.yaml"))
    if not trainjobs:
        pytest.skip("the upstream CRDs are not beside the checkout")
    assert check_yaml(trainjobs[0].read_bytes(), VERIFY_LIMITS) is None


def test_billion_laughs_fails_fast_through_the_cli(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "specs" / "job.yaml").write_text(BILLION_LAUGHS)
    for command in ("validate", "build", "check"):
        result = run_cli(command, "--root", root, "--no-output-check")
        assert result.code == 1, result.stderr
        assert "specs/job.yaml:18:14: error[MG108]" in result.stdout
        assert result.stderr == ""


def test_the_readme_holds_the_limits_table() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert textwrap.indent(markdown_table(), "  ") in readme  # in a Security model item
    for code in set(re.findall(r"MG1\d\d", markdown_table())):
        assert code in CODES
