"""Values the API server would refuse are located spec errors at build time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from manifestgen.spec.schema_export import schema_for
from tests.bundle import PLATFORM, build_objects, codes, compile_specs, job_spec

INT32_MAX = 2**31 - 1
# Integers that never reach an integer API field: hyperparameters become ConfigMap strings.
NOT_API_INTEGERS = {("TrainingJob", "hyperparameters")}


def _integers(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            yield path, node
        for key, value in node.items():
            yield from _integers(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _integers(value, (*path, str(index)))


@pytest.mark.parametrize("kind", ["TrainingJob", "Platform"])
def test_every_integer_a_spec_can_carry_fits_an_int32(kind: str) -> None:
    unbounded = [
        "/".join(path)
        for path, node in _integers(schema_for(kind), ())
        if not any((kind, part) in NOT_API_INTEGERS for part in path)
        if node.get("maximum", INT32_MAX + 1) > INT32_MAX
    ]
    assert unbounded == []


def test_int32_overflow_in_the_platform_is_a_located_error(tmp_path: Path) -> None:
    platform = PLATFORM.replace("  teams:", "  defaults:\n    runAsUser: 4294967296\n  teams:")
    _, diagnostics = compile_specs(tmp_path, [job_spec()], platform)
    (error,) = [d for d in diagnostics if d.is_error]
    assert (error.code, error.field) == ("MG204", "spec.defaults.runAsUser")
    assert error.location.line > 0


def test_hyperparameters_over_one_mebibyte_are_refused(tmp_path: Path) -> None:
    # A spec file holds at most 1 MiB, but YAML aliases repeat a value without repeating
    # its text: 120 references to one 10,000-character string make a 1.2 MB ConfigMap.
    fits = {f"k{i}": "x" * 1000 for i in range(500)}
    build_objects(tmp_path / "fits", [job_spec(hyperparameters=fits)])
    root = tmp_path / "big"
    compile_specs(root, [job_spec()])
    text = (root / "specs" / "jobs.yaml").read_text(encoding="utf-8")
    refs = "".join(f"    k{i}: *long\n" for i in range(120))
    text = text.replace(
        "spec:\n", f"spec:\n  hyperparameters:\n    k: &long {'x' * 10_000}\n{refs}", 1
    )
    (root / "specs" / "jobs.yaml").write_text(text, encoding="utf-8")
    result = run(BuildOptions(root=root, mode="validate", check_output=False))
    assert codes(result.diagnostics) == ["MG246"]
    (error,) = result.diagnostics
    assert error.field == "spec.hyperparameters"
    assert "1 MiB" in error.message
