"""Files of a git commit, read without a checkout: `git ls-tree` lists, `git cat-file` reads.

A plan for a pull request compares with what the base branch holds, and the base is
not checked out in CI. Reading blobs straight from the object store leaves the working
tree, the index and out/ untouched. Only regular files are read: git stores symbolic
links and submodules too, and neither is a file manifestgen wrote.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from manifestgen.errors import UsageError

_REGULAR = ("100644", "100755")


@dataclass(frozen=True)
class Commit:
    """A resolved commit of the repository that holds `root`."""

    root: Path
    ref: str
    sha: str
    prefix: str  # `root` relative to the top of the git work tree ("" or "deploy/")

    @property
    def short(self) -> str:
        return self.sha[:12]


def _git(root: Path, args: Sequence[str], stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            check=False,
        )
    except OSError as error:  # git is not installed
        raise UsageError(f"--base needs git: {error.strerror or error}") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def resolve(root: Path, ref: str) -> Commit:
    """The commit `ref` names, or a usage error (not a repository, no such ref)."""
    if not ref or ref.startswith("-"):
        # Never let a ref be read as an option of git.
        raise UsageError(f"--base {ref!r} is not a git revision")
    _git(root, ["rev-parse", "--git-dir"])
    try:
        sha = _git(
            root, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"]
        )
    except UsageError:
        raise UsageError(f"--base {ref!r} names no commit of the repository at {root}") from None
    prefix = _git(root, ["rev-parse", "--show-prefix"]).decode("utf-8", "replace").strip()
    return Commit(root, ref, sha.decode().strip(), prefix)


def _entries(listing: bytes) -> Iterable[tuple[str, str]]:
    """(object id, path) of every regular file in `git ls-tree -z` output."""
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, _kind, oid = meta.decode().split(" ")
        if mode in _REGULAR:
            yield oid, path.decode("utf-8", "surrogateescape")


def _read_blobs(root: Path, oids: Sequence[str]) -> list[bytes]:
    """The content of each blob, in order, from one `git cat-file --batch`."""
    if not oids:
        return []
    output = _git(root, ["cat-file", "--batch"], ("\n".join(oids) + "\n").encode())
    contents: list[bytes] = []
    at = 0
    for _ in oids:
        header_end = output.index(b"\n", at)
        size = int(output[at:header_end].split(b" ")[2])
        start = header_end + 1
        contents.append(output[start : start + size])
        at = start + size + 1  # the newline after each blob
    return contents


def files_under(commit: Commit, path: str) -> dict[str, bytes]:
    """Regular files at `path` (a file or a directory, relative to `commit.root`) in the
    commit, by their path relative to `commit.root`."""
    top = PurePosixPath(commit.prefix, path).as_posix().strip("/")
    if not top or top == ".":
        raise UsageError("--base reads directories inside the repository, not its top")
    listing = _git(commit.root, ["ls-tree", "-r", "-z", "--full-tree", commit.sha, "--", top])
    cut = len(commit.prefix)
    entries = [
        (oid, found[cut:])
        for oid, found in _entries(listing)
        if found == top or found.startswith(f"{top}/")
    ]
    blobs = _read_blobs(commit.root, [oid for oid, _ in entries])
    return {found: blob for (_, found), blob in zip(entries, blobs, strict=True)}
