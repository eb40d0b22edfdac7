"""The regenerate switch for golden files: MANIFESTGEN_REGENERATE=1, refused in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def regenerating() -> bool:
    if os.environ.get("MANIFESTGEN_REGENERATE", "") in ("", "0"):
        return False
    if os.environ.get("CI"):
        pytest.fail(
            "MANIFESTGEN_REGENERATE is refused in CI: regenerate locally and review the diff"
        )
    return True


def assert_golden_text(path: Path, actual: str) -> None:
    if regenerating():
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"{path} is missing; run with MANIFESTGEN_REGENERATE=1 and review it"
    assert actual == path.read_text(encoding="utf-8")
