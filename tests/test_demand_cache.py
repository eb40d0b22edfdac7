"""`validate <one file>` takes the other jobs' quota demand from the cache, never blindly."""

from __future__ import annotations

from pathlib import Path

import yaml

from manifestgen.errors import Diagnostic
from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from tests.bundle import job_spec
from tests.test_tenancy import platform_with


def _repo(root: Path, b_nodes: int) -> None:
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "specs" / "platform.yaml").write_text(platform_with(gpus=16), encoding="utf-8")
    for name, nodes in (("a", 1), ("b", b_nodes)):
        job = job_spec(name, nodes=nodes)
        (root / "specs" / f"{name}.yaml").write_text(yaml.safe_dump(job), encoding="utf-8")


def _validate_b(root: Path, cache: Path | None) -> tuple[Diagnostic, ...]:
    options = BuildOptions(
        root=root,
        mode="validate",
        only=(Path("specs/b.yaml"),),
        check_output=False,
        use_cache=cache is not None,
        cache_dir=cache,
    )
    return run(options).diagnostics


def _errors(diagnostics: tuple[Diagnostic, ...]) -> list[tuple[str, str]]:
    return [(d.code, d.location.path) for d in diagnostics if d.is_error]


def test_an_edit_over_the_quota_fails_with_the_others_demand_cached(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _repo(tmp_path, b_nodes=1)  # 8 + 8 GPUs fit a quota of 16
    assert _errors(_validate_b(tmp_path, cache)) == []
    assert list((cache / "v2" / "job-demand").rglob("*.json")), "a's demand was not stored"
    _repo(tmp_path, b_nodes=2)  # 8 + 16 do not
    cached = _validate_b(tmp_path, cache)
    assert _errors(cached) == [("MG370", "specs/b.yaml")]
    assert cached == _validate_b(tmp_path, None)


def test_a_tampered_demand_entry_is_a_miss(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _repo(tmp_path, b_nodes=1)
    _validate_b(tmp_path, cache)
    for entry in (cache / "v2" / "job-demand").rglob("*.json"):
        header = entry.read_bytes().split(b"\n", 1)[0]
        entry.write_bytes(header + b"\n{}")  # "a asks for nothing", without a matching digest
    _repo(tmp_path, b_nodes=2)
    assert _errors(_validate_b(tmp_path, cache)) == [("MG370", "specs/b.yaml")]
