"""Commands that compile specs must not import the schema engine behind `verify`."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_the_cli_parser_does_not_import_verify_runner() -> None:
    loaded = _modules_after("from manifestgen.cli.main import build_parser\nbuild_parser()")
    assert "manifestgen.verify.runner" not in loaded
    assert "manifestgen.check.validator" not in loaded


def test_the_verify_package_names_load_on_use() -> None:
    loaded = _modules_after("import manifestgen.verify as v\nv.FORMATS")
    assert "manifestgen.verify.runner" not in loaded
    assert "manifestgen.verify.runner" in _modules_after("from manifestgen.verify import verify")
