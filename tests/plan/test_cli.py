"""`manifestgen plan` as a CI step runs it: against a git base, exit codes, streams."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.plan.support import build, commit_all, edit, git, make_plan_repo, plan
from tests.support import run_cli


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_plan_repo(tmp_path / "repo")
    commit_all(root, "base")
    git(root, "branch", "base")
    return root


def _change_quota_and_job(repo: Path) -> None:
    edit(repo / "specs" / "platform.yaml", "a100-80gb: 32", "a100-80gb: 48")
    edit(repo / "specs" / "jobs" / "big.yaml", "llm:2.0.0", "llm:2.1.0")


def test_base_ref_gives_the_quota_before_and_reads_no_working_tree(repo: Path) -> None:
    _change_quota_and_job(repo)
    build(repo)
    commit_all(repo)  # the pull request's head: specs and their build
    result = plan(repo, "base")
    assert result.ok
    assert result.plan is not None
    assert result.plan.baseline.ref == "base"
    assert result.plan.baseline.commit == git(repo, "rev-parse", "base").strip()[:12]
    cluster = next(c for c in result.plan.clusters if c.name == "train-a")
    (row,) = cluster.gpus
    assert (row.quota_before, row.quota_after) == (32, 48)
    assert (row.limits_before, row.limits_after) == ((("on-demand", 32),), (("on-demand", 48),))
    (job,) = cluster.jobs
    assert (job.name, job.change, job.checkpoints) == ("llm", "recreated", "resumes")
    assert [d.code for d in result.diagnostics if d.code == "MG620"] == []
    # Against out/ on disk (already rebuilt) the same change is no change at all.
    on_disk = plan(repo).plan
    assert on_disk is not None
    assert not on_disk.changed


def test_a_stale_out_dir_is_a_warning_in_the_plan(repo: Path) -> None:
    _change_quota_and_job(repo)  # not built: out/ is the base's
    result = run_cli("plan", "--root", repo, "--base", "base", "--no-output-check")
    assert result.code == 0
    assert "warning[MG620]" in result.stderr
    assert "> **MG620** out/ is not what the specs build" in result.stdout
    assert "| `llm` | `team-nlp` | recreated |" in result.stdout


def test_markdown_on_stdout_for_the_step_summary(repo: Path) -> None:
    _change_quota_and_job(repo)
    result = run_cli("plan", "--root", repo, "--base", "base", "--no-output-check")
    assert result.code == 0
    assert result.stdout.startswith("## manifestgen plan\n\nCompared with `out/` at `base` (`")
    assert "| `a100-80gb` | 16 | 32 → 48 | on\\-demand 32 → 48 |" in result.stdout
    assert "resumes from the checkpoints in claim `llm-checkpoints`" in result.stdout


def test_no_change_prints_a_plan_and_exits_0(repo: Path) -> None:
    result = run_cli("plan", "--root", repo, "--no-output-check")
    assert (result.code, result.stderr) == (0, "")
    assert "No changes" in result.stdout


def test_spec_errors_exit_1_with_the_diagnostics_on_stderr(repo: Path) -> None:
    edit(repo / "specs" / "jobs" / "big.yaml", "perNode: 8", "perNod: 8")
    result = run_cli("plan", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert "specs/jobs/big.yaml:12:5: error[MG201] spec.gpu.perNod: unknown field" in result.stderr
    assert "No plan: the specs have 2 errors" in result.stdout
    as_json = run_cli("plan", "--root", repo, "--no-output-check", "--format", "json")
    document = json.loads(as_json.stdout)
    assert (as_json.code, document["ok"], document["clusters"]) == (1, False, [])
    assert {d["code"] for d in document["diagnostics"]} == {"MG201", "MG202"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--base", "no-such-branch"), "names no commit"),
        (("--base=--output=/tmp/x",), "is not a git revision"),
        (("--chart", "chart.png"), "name a .svg file"),
        (("--format", "html"), "invalid choice"),
    ],
)
def test_usage_errors_exit_2(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("plan", "--root", repo, "--no-output-check", *args)
    assert result.code == 2
    assert message in result.stderr


def test_chart_inside_out_is_a_usage_error(repo: Path) -> None:
    result = run_cli("plan", "--root", repo, "--chart", repo / "out" / "plan.svg")
    assert result.code == 2
    assert "is inside out/" in result.stderr
    assert not (repo / "out" / "plan.svg").exists()


def test_base_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_plan_repo(tmp_path / "plain")
    result = run_cli("plan", "--root", repo, "--no-output-check", "--base", "main")
    assert result.code == 2
    assert "git rev-parse failed" in result.stderr


def test_root_in_a_subdirectory_of_the_git_repository(tmp_path: Path) -> None:
    top = tmp_path / "top"
    make_plan_repo(top / "deploy")
    commit_all(top, "base")
    edit(top / "deploy" / "specs" / "platform.yaml", "a100-80gb: 32", "a100-80gb: 40")
    result = plan(top / "deploy", "HEAD")
    assert result.plan is not None
    row = next(c for c in result.plan.clusters if c.name == "train-a").gpus[0]
    assert (row.quota_before, row.quota_after, row.demand_before) == (32, 40, 16)


def test_chart_is_written_only_with_a_plan(repo: Path, tmp_path: Path) -> None:
    chart = tmp_path / "chart.svg"
    assert run_cli("plan", "--root", repo, "--no-output-check", "--chart", chart).code == 0
    assert chart.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    chart.unlink()
    edit(repo / "specs" / "jobs" / "big.yaml", "perNode: 8", "perNod: 8")
    assert run_cli("plan", "--root", repo, "--no-output-check", "--chart", chart).code == 1
    assert not chart.exists()
