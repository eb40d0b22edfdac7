"""A Kubernetes version without bundled schemas is refused, never served the newest ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from manifestgen.check.kubernetes import bundled_versions
from tests.support import make_repo, run_cli

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}}


@pytest.mark.parametrize("version", ["1.99", "1.2", "2.0", "latest"])
def test_verify_refuses_an_unknown_version_with_the_supported_list(
    tmp_path: Path, version: str
) -> None:
    manifest = tmp_path / "ns.json"
    manifest.write_text(json.dumps(NAMESPACE))
    result = run_cli("verify", manifest, "--kubernetes-version", version)
    assert result.code == 2
    assert result.stdout == ""
    if version != "latest":
        supported = ", ".join(f"{a}.{b}" for a, b in bundled_versions())
        assert result.stderr == (
            f"manifestgen verify: error: no bundled Kubernetes schemas for {version} "
            f"(supported: {supported})\n"
        )


def test_verify_accepts_every_bundled_version(tmp_path: Path) -> None:
    manifest = tmp_path / "ns.json"
    manifest.write_text(json.dumps(NAMESPACE))
    for major, minor in bundled_versions():
        result = run_cli("verify", manifest, "--kubernetes-version", f"{major}.{minor}")
        assert result.code == 0, result.stderr


@pytest.mark.parametrize("flags", [(), ("--no-output-check",)])
def test_the_platform_refuses_an_unknown_version_even_without_output_checks(
    tmp_path: Path, flags: tuple[str, ...]
) -> None:
    root = make_repo(tmp_path)
    platform = root / "specs" / "platform.yaml"
    text = platform.read_text()
    platform.write_text(text.replace('kubernetesVersion: "1.33"', 'kubernetesVersion: "1.99"'))
    line = text[: text.index('kubernetesVersion: "1.33"')].count("\n") + 1
    result = run_cli("validate", "--root", root, *flags)
    assert result.code == 1
    assert result.stdout.startswith(
        f"specs/platform.yaml:{line}:26: error[MG406] spec.clusters.train-a.kubernetesVersion: "
        "no bundled Kubernetes schemas for 1.99 (supported: 1.25, "
    )
