"""`build` and `check` of unchanged inputs replay the last outcome, and never blindly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from manifestgen.incremental import inputs, replay
from manifestgen.write import out_state
from tests.support import CASES, CliRun, make_repo, run_cli, tree_bytes

MINIMAL = CASES / "golden" / "minimal" / "specs"
BAD = CASES / "invalid" / "unknown-field" / "specs"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", MINIMAL)


def _cli(command: str, repo: Path, *flags: str) -> CliRun:
    return run_cli(command, "--root", repo, "--cache-dir", repo.parent / "cache", *flags)


def _settled(repo: Path) -> CliRun:
    """Build until out/ is current and the outcome recorded: a build that writes out/
    records nothing (its notes on the jobs weighed the out/ it replaced)."""
    first = _cli("build", repo)
    assert first.code == 0, first.stdout
    assert not replay.last_run.recorded
    again = _cli("build", repo)
    assert replay.last_run.recorded
    return again


def _signatures(out: Path) -> dict[str, tuple[int, int, int]]:
    found = {}
    for path in sorted(out.rglob("*")):
        info = path.stat()
        found[path.relative_to(out).as_posix()] = (info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
    return found


def _a_generated_file(repo: Path) -> Path:
    return next(p for p in sorted((repo / "out").rglob("*.yaml")) if p.name != "kustomization.yaml")


def _same_size_edit(path: Path) -> None:
    """Change one character, keeping the size and the modification time."""
    info = path.stat()
    content = path.read_bytes()
    at = content.rindex(b"e")
    path.write_bytes(content[:at] + b"E" + content[at + 1 :])
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_an_unchanged_build_replays_and_writes_nothing(repo: Path) -> None:
    _settled(repo)
    before = _signatures(repo / "out")
    again = _cli("build", repo)
    assert replay.last_run.replayed
    assert _signatures(repo / "out") == before  # not one file or directory touched
    assert again.code == 0
    assert "wrote 0 and removed 0" in again.stdout, again.stdout


def test_a_replayed_build_reports_what_a_compiled_one_does(repo: Path) -> None:
    _settled(repo)
    compiled = _cli("build", repo, "--no-cache")
    replayed = _cli("build", repo)
    assert replay.last_run.replayed
    assert (replayed.code, replayed.stdout) == (compiled.code, compiled.stdout)
    compiled_check = _cli("check", repo, "--no-cache")
    replayed_check = _cli("check", repo)
    assert replay.last_run.replayed
    assert (replayed_check.code, replayed_check.stdout) == (
        compiled_check.code,
        compiled_check.stdout,
    )


def test_check_after_build_replays(repo: Path) -> None:
    _settled(repo)
    result = _cli("check", repo)
    assert replay.last_run.replayed
    assert result.code == 0
    assert "check: 0 errors" in result.stdout, result.stdout


def test_an_edited_spec_is_compiled(repo: Path) -> None:
    _settled(repo)
    spec = next(p for p in sorted((repo / "specs").rglob("*.yaml")) if p.name != "platform.yaml")
    spec.write_text(spec.read_text() + "\n")
    _cli("build", repo)
    assert not replay.last_run.replayed


def test_after_a_build_that_recreates_a_job_the_replay_says_what_a_build_would(
    repo: Path,
) -> None:
    _settled(repo)
    spec = repo / "specs" / "job.yaml"
    spec.write_text(spec.read_text().replace("mnist:1.0.0", "mnist:1.0.1"))
    changed = _cli("build", repo)
    assert "MG524" in changed.stdout, changed.stdout  # the job is recreated
    compiled = _cli("build", repo, "--no-cache")
    assert "MG524" not in compiled.stdout  # against the new out/, it is not
    _cli("build", repo)
    assert replay.last_run.recorded
    replayed = _cli("build", repo)
    assert replay.last_run.replayed
    assert replayed.stdout == compiled.stdout


@pytest.mark.parametrize("by_stat", [False, True], ids=["just-written", "settled"])
def test_a_tampered_out_file_is_detected_and_rewritten(
    repo: Path, by_stat: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if by_stat:
        # As if the build were long ago: out/ is then proved by stat signatures alone.
        monkeypatch.setattr(out_state, "_RACY_NS", -(10**18))
    _settled(repo)
    tampered = _a_generated_file(repo)
    good = tampered.read_bytes()
    _same_size_edit(tampered)
    check = _cli("check", repo)
    assert not replay.last_run.replayed
    assert check.code == 1
    assert "MG502" in check.stdout, check.stdout
    rebuilt = _cli("build", repo)
    assert "wrote 1 and removed 0" in rebuilt.stdout, rebuilt.stdout
    assert tampered.read_bytes() == good


def test_a_file_added_to_out_is_a_miss(repo: Path) -> None:
    _settled(repo)
    (repo / "out" / "notes.txt").write_text("hand-written\n")
    result = _cli("check", repo)
    assert not replay.last_run.replayed
    assert result.code == 1
    assert "out/notes.txt: error[MG506]" in result.stdout


def test_deleting_the_cache_changes_nothing_in_out(repo: Path) -> None:
    _cli("build", repo)
    before = tree_bytes(repo / "out")
    shutil.rmtree(repo.parent / "cache")
    result = _cli("build", repo)
    assert not replay.last_run.replayed
    assert "wrote 0 and removed 0" in result.stdout
    assert tree_bytes(repo / "out") == before


def test_an_entry_of_another_manifestgen_is_ignored(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settled(repo)
    monkeypatch.setattr(inputs, "installation", lambda: "another manifestgen")
    _cli("build", repo)
    assert not replay.last_run.replayed


@pytest.mark.parametrize("damage", ["garbage", "edited-payload", "truncated"])
def test_a_corrupt_entry_is_ignored_without_a_traceback(repo: Path, damage: str) -> None:
    first = _settled(repo)
    for entry in (repo.parent / "cache").rglob("*.json"):
        content = entry.read_bytes()
        header, payload = content.split(b"\n", 1)
        entry.write_bytes(
            {
                "garbage": b"\x00not json",
                "edited-payload": header + b"\n" + payload.replace(b"MG", b"XX"),
                "truncated": content[: len(content) // 2],
            }[damage]
        )
    again = _cli("build", repo)
    assert not replay.last_run.replayed
    assert again.code == first.code
    assert "Traceback" not in again.stdout + again.stderr
    assert "wrote 0 and removed 0" in again.stdout


def test_a_well_formed_entry_whose_tree_is_not_out_is_refused(repo: Path) -> None:
    # An outcome naming files out/ does not hold must never stand in for a build.
    _settled(repo)
    generated = _a_generated_file(repo)
    generated.unlink()
    _settled(repo)
    assert not replay.last_run.replayed
    assert generated.is_file()


def test_spec_errors_replay_as_errors(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", BAD)
    first = _cli("build", repo)
    assert first.code == 1
    again = _cli("build", repo)
    assert replay.last_run.replayed
    assert (again.code, again.stdout) == (first.code, first.stdout)
    assert not (repo / "out").exists()


def test_validate_and_no_cache_never_replay(repo: Path) -> None:
    _cli("build", repo)
    _cli("validate", repo)
    assert not replay.last_run.replayed
    _cli("build", repo, "--no-cache")
    assert not replay.last_run.replayed
