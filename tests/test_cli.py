"""The command line as users run it: exit codes, formats, drift, and what build leaves in out/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from manifestgen import pipeline
from tests.support import CASES, make_repo, run_cli, tree_bytes

MINIMAL = CASES / "golden" / "minimal" / "specs"
BAD = CASES / "invalid" / "unknown-field" / "specs"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", MINIMAL)


def built(repo: Path) -> Path:
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 0, result.stdout
    return repo / "out"


def test_build_then_check_is_clean(repo: Path) -> None:
    built(repo)
    result = run_cli("check", "--root", repo, "--no-output-check")
    assert result.code == 0, result.stdout
    assert result.stdout.startswith("check: 0 errors")


def test_second_build_writes_nothing(repo: Path) -> None:
    built(repo)
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert "wrote 0 and removed 0" in result.stdout


def test_check_names_missing_stale_and_extra_files(repo: Path) -> None:
    out = built(repo)
    job_dir = out / "train-a" / "team-vision" / "mnist"
    (job_dir / "serviceaccount.yaml").unlink()
    stale = job_dir / "pytorchjob.yaml"
    stale.write_bytes(stale.read_bytes().replace(b"cpu: '4'", b"cpu: '5'"))
    extra = out / "train-a" / "team-vision" / "old-job" / "pytorchjob.yaml"
    extra.parent.mkdir()
    shutil.copy(stale, extra)
    result = run_cli("check", "--root", repo, "--no-output-check")
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert (
        "out/train-a/team-vision/mnist/serviceaccount.yaml: error[MG501] generated file is missing"
        in lines
    )
    assert (
        "out/train-a/team-vision/mnist/pytorchjob.yaml: error[MG502] file is stale: the specs generate different content"
        in lines
    )
    assert (
        "out/train-a/team-vision/old-job/pytorchjob.yaml: error[MG503] generated file no spec produces any more"
        in lines
    )


def test_build_prunes_only_generated_files(repo: Path) -> None:
    out = built(repo)
    mine = out / "train-a" / "NOTES.md"
    mine.write_text("hand-written\n")
    hand_yaml = out / "train-a" / "extra.yaml"
    hand_yaml.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\n")
    (repo / "specs" / "job.yaml").unlink()
    result = run_cli("build", "--root", repo, "--no-output-check")
    # Kept, and reported: an Application reading the directory would deploy them.
    assert result.code == 1, result.stdout
    assert "out/train-a/extra.yaml: error[MG506]" in result.stdout
    assert mine.read_text() == "hand-written\n"
    assert hand_yaml.exists()
    assert not (out / "train-a" / "team-vision" / "mnist").exists()


def test_failed_build_leaves_out_untouched(repo: Path) -> None:
    out = built(repo)
    before = tree_bytes(out)
    shutil.copytree(BAD, repo / "specs", dirs_exist_ok=True)
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert tree_bytes(out) == before


def test_hand_written_file_in_the_way_is_never_overwritten(repo: Path) -> None:
    out = built(repo)
    target = out / "train-a" / "team-vision" / "mnist" / "serviceaccount.yaml"
    target.write_text("# mine\n")
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert "error[MG504]" in result.stdout
    assert target.read_text() == "# mine\n"


def test_interrupted_swap_is_recovered(repo: Path) -> None:
    out = built(repo)
    before = tree_bytes(out)
    backup = out.parent / ".out.manifestgen-backup"
    out.rename(backup)  # as if the process died between the two renames
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 0
    assert tree_bytes(out) == before
    assert not backup.exists()


def test_validate_reports_only_named_files(repo: Path) -> None:
    shutil.copytree(BAD, repo / "specs" / "bad", dirs_exist_ok=True)
    whole = run_cli("validate", "--root", repo, "--no-output-check")
    assert whole.code == 1
    only_good = run_cli("validate", "--root", repo, "--no-output-check", "specs/job.yaml")
    assert only_good.code == 0, only_good.stdout
    only_bad = run_cli("validate", "--root", repo, "--no-output-check", "specs/bad/job.yaml")
    assert only_bad.code == 1
    assert "specs/bad/job.yaml:10:3: error[MG201]" in only_bad.stdout


def test_json_format(repo: Path) -> None:
    shutil.copytree(BAD, repo / "specs", dirs_exist_ok=True)
    result = run_cli("validate", "--root", repo, "--no-output-check", "--format", "json")
    document = json.loads(result.stdout)
    assert result.code == 1
    assert document["summary"]["errors"] == 4
    first = document["diagnostics"][0]
    assert (first["path"], first["line"], first["column"], first["code"]) == (
        "specs/job.yaml",
        5,
        1,
        "MG202",
    )


def test_github_format(repo: Path) -> None:
    shutil.copytree(BAD, repo / "specs", dirs_exist_ok=True)
    result = run_cli("validate", "--root", repo, "--no-output-check", "--format", "github")
    assert result.code == 1
    assert (
        "::error file=specs/job.yaml,line=10,col=3,title=MG201::spec.resourcez: unknown field 'resourcez'%0Ahint: did you mean 'resources'?"
        in result.stdout.splitlines()
    )


def test_usage_errors_exit_2(repo: Path) -> None:
    assert run_cli("frobnicate").code == 2
    assert run_cli("build", "--format", "xml").code == 2
    missing = run_cli("validate", "--root", repo, "specs/nope.yaml")
    assert missing.code == 2
    assert "no such spec file: specs/nope.yaml" in missing.stderr


def test_internal_error_exits_3_without_traceback(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(options: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "run", explode)
    result = run_cli("build", "--root", repo)
    assert result.code == 3
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_explains_every_command() -> None:
    result = run_cli("--help")
    assert result.code == 0
    for command in ("build", "check", "validate", "schema"):
        assert command in result.stdout


def test_schema_check_detects_stale_schema(tmp_path: Path) -> None:
    assert run_cli("schema", "--root", tmp_path).code == 0
    assert run_cli("schema", "--root", tmp_path, "--check").code == 0
    (tmp_path / "schemas" / "trainingjob.schema.json").write_text("{}\n")
    assert run_cli("schema", "--root", tmp_path, "--check").code == 1


def test_check_with_spec_errors_reports_them_without_drift_noise(repo: Path) -> None:
    built(repo)
    shutil.copytree(BAD, repo / "specs" / "bad", dirs_exist_ok=True)
    result = run_cli("check", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert "error[MG201]" in result.stdout
    assert "MG50" not in result.stdout
