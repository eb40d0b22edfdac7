"""Properties over random states of out/: symlinks, foreign and stale files, read-only
directories, leftover staging and backup directories, planted links beside out/.

Whatever out/ holds, a write never touches anything outside out/, leaves out/ either as
it was or exactly the new tree (plus the hand-written files it carries over), and never
fails with anything but a refusal the CLI reports as diagnostics.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from manifestgen.render.yaml import render_document
from manifestgen.write import WriteRefused, write_tree
from manifestgen.write.scan import scan_out
from tests.support import make_repo, run_cli
from tests.write.conftest import MINIMAL

TREE = {
    rel: render_document({"kind": "ConfigMap", "metadata": {"name": rel}}, "specs/x.yaml")
    for rel in ("a/one.yaml", "a/b/two.yaml", "c/three.yaml", "kustomization.yaml")
}
PATHS = ("a/one.yaml", "a/b/two.yaml", "a/b", "a", "c/three.yaml", "c/old.yaml", "d/e.yaml", "f")
KINDS = ("current", "stale", "foreign", "link-file", "link-dir", "fifo", "dir")
LEFTOVERS = (".out.manifestgen-staging", ".out.manifestgen-backup-x", ".out.manifestgen-staging-y")


@dataclass(frozen=True)
class State:
    out_exists: bool
    entries: tuple[tuple[str, str], ...]
    read_only: tuple[str, ...]
    leftovers: tuple[tuple[str, bool], ...]  # (name, as a symlink to outside)


states = st.builds(
    State,
    st.booleans(),
    st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(KINDS)), max_size=6).map(tuple),
    st.lists(st.sampled_from((".", "a", "a/b", "c")), max_size=2, unique=True).map(tuple),
    st.lists(st.tuples(st.sampled_from(LEFTOVERS), st.booleans()), max_size=2).map(tuple),
)


def _plant(out: Path, outside: Path, rel: str, kind: str) -> None:
    path = out / rel
    if os.path.lexists(path):
        return  # an earlier entry took the name (writing to a planted fifo would block)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "current" and rel in TREE:
            path.write_bytes(TREE[rel])
        elif kind in ("current", "stale"):
            path.write_bytes(render_document({"kind": "Stale", "metadata": {"name": rel}}, None))
        elif kind == "foreign":
            path.write_text("hand-written\n")
        elif kind == "link-file":
            os.symlink(outside / "victim.txt", path)
        elif kind == "link-dir":
            os.symlink(outside, path, target_is_directory=True)
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.mkdir()
    except (FileExistsError, NotADirectoryError):
        pass  # a parent is a file or a link: states only need to be varied


def _picture(root: Path) -> dict[str, object]:
    """Everything under root, links and special files included, never followed."""
    found: dict[str, object] = {}
    for directory, dirs, files in os.walk(root):
        for name in sorted((*dirs, *files)):
            path = Path(directory) / name
            info = os.lstat(path)
            rel = path.relative_to(root).as_posix()
            if stat.S_ISLNK(info.st_mode):
                found[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                found[rel] = path.read_bytes()
            else:
                found[rel] = stat.S_IFMT(info.st_mode)
    return found


def _furnish(repo: Path, outside: Path, state: State) -> None:
    out = repo / "out"
    if state.out_exists:
        out.mkdir()
        for rel, kind in state.entries:
            _plant(out, outside, rel, kind)
    for name, as_link in state.leftovers:
        if os.path.lexists(repo / name):
            continue
        if as_link:
            os.symlink(outside, repo / name, target_is_directory=True)
        else:
            _plant(repo / name, outside, "a/one.yaml", "current")
    for rel in state.read_only:
        if (out / rel).is_dir() and not (out / rel).is_symlink():
            (out / rel).chmod(0o555)


@contextmanager
def _world(state: State) -> Iterator[tuple[Path, Path]]:
    with tempfile.TemporaryDirectory() as place:
        repo, outside = Path(place) / "repo", Path(place) / "outside"
        repo.mkdir()
        outside.mkdir()
        (outside / "victim.txt").write_text("precious\n")
        _furnish(repo, outside, state)
        try:
            yield repo, outside
        finally:
            for directory, dirs, _ in os.walk(place):
                for name in dirs:
                    if not os.path.islink(os.path.join(directory, name)):
                        os.chmod(os.path.join(directory, name), 0o755)


def _expected_after_recovery(repo: Path) -> dict[str, object]:
    """out/ as the writer should find it: a backup comes back when out/ is gone."""
    out = repo / "out"
    if not os.path.lexists(out):
        backups = sorted(
            p
            for p in repo.iterdir()
            if p.name.startswith(".out.manifestgen-backup") and not p.is_symlink()
        )
        if backups:
            return _picture(backups[0])
    return _picture(out) if out.is_dir() else {}


@given(states)
@example(State(True, (("a", "link-dir"),), (), ()))
@example(State(True, (("a/one.yaml", "foreign"),), (), ()))
@example(State(False, (), (), ((".out.manifestgen-backup-x", False),)))
@example(State(True, (("c/old.yaml", "stale"), ("d/e.yaml", "foreign")), (), ()))
def test_a_write_never_escapes_and_leaves_old_or_new(state: State) -> None:
    with _world(state) as (repo, outside):
        before_outside = _picture(outside)
        links_beside = {p.name for p in repo.iterdir() if p.is_symlink()}
        before = _expected_after_recovery(repo)
        try:
            write_tree(repo / "out", TREE, timeout=5)
            refused = False
        except WriteRefused:
            refused = True
        assert _picture(outside) == before_outside
        assert {p.name for p in repo.iterdir()} == {"out", *links_beside}
        after = _picture(repo / "out")
        if refused:
            assert after == before
        else:
            scan = scan_out(repo / "out")
            assert dict(scan.owned) == TREE
            assert not scan.unsafe
            assert {rel: after[rel] for rel in scan.foreign} == {
                rel: before[rel] for rel in scan.foreign
            }


@settings(max_examples=40)  # three CLI runs per example
@given(states)
def test_build_and_check_never_crash_on_any_out(state: State) -> None:
    with _world(state) as (repo, outside):
        make_repo(repo, MINIMAL)
        before_outside = _picture(outside)
        for command in ("check", "build", "check"):
            result = run_cli(command, "--root", repo, "--no-output-check", "--lock-timeout", "5")
            assert result.code in (0, 1), (command, result.stdout, result.stderr)
            assert result.stderr == ""
        assert _picture(outside) == before_outside
