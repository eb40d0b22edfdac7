"""Files are rendered only when they are written or compared: `validate` renders none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen import pipeline
from manifestgen.options import BuildOptions
from manifestgen.render import tree as render_tree
from manifestgen.render.yaml import render_document
from tests.support import run_cli


def _count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    rendered: list[str | None] = []

    def counting(obj: Any, source: str | None) -> bytes:
        rendered.append(source)
        return render_document(obj, source)

    monkeypatch.setattr(render_tree, "render_document", counting)
    return rendered


def test_validate_renders_no_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = _count_renders(monkeypatch)
    result = run_cli("validate", "--root", repo, "--no-output-check", "--format", "json")
    assert result.code == 0, result.stdout
    assert rendered == []
    # It still counts the files a build would write.
    files = len(list((repo / "out").rglob("*.yaml")))
    assert f'"files": {files}' in result.stdout


def test_check_renders_each_file_once_and_finds_no_drift(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = _count_renders(monkeypatch)
    # Without the cache, whose object memo would answer for every file (see
    # tests/test_incremental_work.py).
    result = pipeline.run(
        BuildOptions(root=repo, mode="check", check_output=False, use_cache=False)
    )
    assert result.ok
    assert result.drift is not None
    assert result.drift.clean
    assert len(rendered) == len(result.tree) == len(list((repo / "out").rglob("*.yaml")))
    assert dict(result.tree) == {
        p.relative_to(repo / "out").as_posix(): p.read_bytes()
        for p in (repo / "out").rglob("*.yaml")
    }
    assert len(rendered) == len(result.tree)  # read again: no second rendering


def test_a_build_writes_what_it_renders(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = repo / "specs" / "job.yaml"
    spec.write_text(spec.read_text().replace("mnist:1.0.0", "mnist:1.0.1"))
    rendered = _count_renders(monkeypatch)
    assert run_cli("build", "--root", repo, "--no-output-check", "--no-cache").code == 0
    assert len(rendered) == len(list((repo / "out").rglob("*.yaml")))
    assert b"mnist:1.0.1" in b"".join(p.read_bytes() for p in (repo / "out").rglob("*.yaml"))
