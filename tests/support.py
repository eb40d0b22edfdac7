"""Helpers shared by the tests: a throw-away repository and a way to run the CLI in it."""

from __future__ import annotations

import io
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from manifestgen.cli.main import main

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES = REPO_ROOT / "tests" / "cases"
CASE_PLATFORM = CASES / "platform.yaml"


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path) -> CliRun:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return CliRun(code, out.getvalue(), err.getvalue())


def make_repo(
    root: Path, specs: Path | None = None, *, platform: Path | None = CASE_PLATFORM
) -> Path:
    """A repository at `root` with `specs/` copied from a case (plus the test Platform)."""
    (root / "specs").mkdir(parents=True, exist_ok=True)
    if specs is not None:
        shutil.copytree(specs, root / "specs", dirs_exist_ok=True)
    has_platform = any("kind: Platform" in p.read_text() for p in (root / "specs").rglob("*.yaml"))
    if platform is not None and not has_platform:
        shutil.copy(platform, root / "specs" / "platform.yaml")
    return root


def venv_tool(name: str) -> str:
    """A command installed beside this Python (the test extras), else on PATH."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: install the test extras (pip install -e '.[test]')")
    return found


def tree_bytes(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A cache of the test's own, for a test that patches how objects are generated.

    Cache keys digest manifestgen's files on disk, which a patch does not change: an
    expansion cached by the patched code would be served to other tests, and the other
    way round."""
    monkeypatch.setenv("MANIFESTGEN_CACHE_DIR", str(tmp_path / "cache-of-patched-code"))
