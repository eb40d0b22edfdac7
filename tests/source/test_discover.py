"""Discovery: each spec once, any suffix case, nothing from outside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifestgen.errors import UsageError
from manifestgen.source.discover import discover
from tests.source.test_limits import JOB
from tests.support import make_repo, run_cli


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    (root / "specs" / "jobs").mkdir()
    (root / "specs" / "jobs" / "j.yaml").write_text(JOB)
    return root


@pytest.mark.parametrize(
    "specs",
    [
        ["specs", "specs"],
        ["specs", "specs/jobs"],
        ["specs", "specs/../specs"],
        ["specs", "./specs/jobs/j.yaml"],
    ],
)
def test_overlapping_spec_paths_read_each_file_once(repo: Path, specs: list[str]) -> None:
    flags = [arg for path in specs for arg in ("--specs", path)]
    result = run_cli("validate", "--root", repo, "--no-output-check", *flags)
    assert result.code == 0, result.stdout + result.stderr
    assert "2 spec files" in result.stdout


def test_an_absolute_spec_path_inside_the_repository_is_the_same_file(repo: Path) -> None:
    found = discover(repo, [Path("specs"), repo / "specs" / "jobs"])
    assert [p.as_posix() for p in found.paths] == ["specs/jobs/j.yaml", "specs/platform.yaml"]


@pytest.mark.parametrize("name", ["j.YAML", "j.Yml", "j.yml"])
def test_suffixes_match_in_any_case(repo: Path, name: str) -> None:
    (repo / "specs" / "jobs" / "j.yaml").rename(repo / "specs" / "jobs" / name)
    assert Path(f"specs/jobs/{name}") in discover(repo, [Path("specs")]).paths


def test_a_symlink_to_a_spec_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.yaml").write_text(JOB.replace("name: j", "name: x"))
    (repo / "specs" / "jobs" / "x.yaml").symlink_to(elsewhere / "x.yaml")
    result = run_cli("build", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert result.stdout.startswith("specs/jobs/x.yaml: error[MG115] symlink to a path outside")
    assert str(tmp_path) not in result.stdout
    assert not (repo / "out").exists()


def test_a_symlinked_directory_outside_the_repository_is_refused_unread(
    repo: Path, tmp_path: Path
) -> None:
    (repo / "specs" / "root").symlink_to("/")  # never walked
    found = discover(repo, [Path("specs")])
    [diagnostic] = found.diagnostics
    assert (diagnostic.code, diagnostic.location.path) == ("MG115", "specs/root")


def test_a_spec_path_that_is_a_link_outside_is_refused_unread(repo: Path) -> None:
    (repo / "linked").symlink_to("/")
    found = discover(repo, [Path("linked")])
    assert [d.code for d in found.diagnostics] == ["MG115"]
    assert found.paths == ()


def test_a_symlinked_directory_inside_the_repository_is_named_not_searched(repo: Path) -> None:
    (repo / "common").mkdir()
    (repo / "specs" / "common").symlink_to("../common")
    [diagnostic] = discover(repo, [Path("specs")]).diagnostics
    assert (diagnostic.code, diagnostic.severity.value) == ("MG116", "warning")
    assert diagnostic.hint == "pass --specs common to read the specs there"


def test_a_symlink_inside_the_repository_is_read_once_as_its_target(repo: Path) -> None:
    (repo / "specs" / "alias.yaml").symlink_to("jobs/j.yaml")
    found = discover(repo, [Path("specs")])
    assert [p.as_posix() for p in found.paths] == ["specs/jobs/j.yaml", "specs/platform.yaml"]
    assert found.diagnostics == ()


def test_a_spec_path_outside_the_repository_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="outside the repository"):
        discover(repo, [tmp_path])
    result = run_cli("validate", "--root", repo, "--specs", "../", "--no-output-check")
    assert result.code == 2
    assert "outside the repository" in result.stderr


def test_a_spec_file_over_the_size_limit_is_not_read_in_full(repo: Path) -> None:
    big = repo / "specs" / "jobs" / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: 50 MB that cost no disk
    result = run_cli("validate", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert result.stdout.startswith(
        "specs/jobs/big.yaml: error[MG106] file is 52,428,800 bytes; at most 1,280 KiB"
    )
