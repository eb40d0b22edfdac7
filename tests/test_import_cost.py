"""What each command imports: a command pays only for the modules its input needs.

Asserted on `sys.modules` in a fresh interpreter, not on time: the lists say what a
run over given input must never load, whatever the machine's speed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# What only TrainingJobs and ModelServices need: their models, the workload registry,
# the job and service expanders, and the comparison of jobs with the previous build.
_JOB_MODULES = (
    "manifestgen.spec.training",
    "manifestgen.spec.tuning",
    "manifestgen.workloads",
    "manifestgen.expand.workload",
    "manifestgen.expand.katib",
    "manifestgen.serving.spec",
    "manifestgen.serving.expand",
    "manifestgen.history",
)
# What writes out/, and what checks any manifests (`verify`).
_OTHER_COMMANDS = ("manifestgen.write", "manifestgen.verify.model", "manifestgen.verify.formats")


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
    assert not loaded & set(_OTHER_COMMANDS)


def test_the_verify_package_names_load_on_use() -> None:
    loaded = _modules_after("import manifestgen.verify as v\nv.FORMATS")
    assert "manifestgen.verify.runner" not in loaded
    assert "manifestgen.verify.runner" in _modules_after("from manifestgen.verify import verify")


def _validate(root: Path, cache: Path, *files: str) -> set[str]:
    """The modules a `manifestgen validate` process holds when it ends."""
    code = (
        "import contextlib, io, os\n"
        f"os.environ['MANIFESTGEN_CACHE_DIR'] = {str(cache)!r}\n"
        "from manifestgen.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['validate', '--root', {str(root)!r}, *{list(files)!r}]) == 0\n"
    )
    return _modules_after(code)


@pytest.fixture
def platform_alone(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "specs").mkdir(parents=True)
    shutil.copy(REPO / "specs" / "platform.yaml", root / "specs" / "platform.yaml")
    return root


def test_validate_of_a_platform_alone_imports_no_job_or_write_modules(
    platform_alone: Path, tmp_path: Path
) -> None:
    loaded = _validate(platform_alone, tmp_path / "cache")
    assert "manifestgen.expand.cluster" in loaded  # the Platform's own objects are checked
    assert not loaded & {*_JOB_MODULES, *_OTHER_COMMANDS}


def test_a_load_cache_hit_parses_no_yaml(platform_alone: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert "ruamel.yaml" in _validate(platform_alone, cache)  # a miss: the file is loaded
    assert "ruamel.yaml" not in _validate(platform_alone, cache)


def test_validate_of_a_job_imports_the_job_modules(platform_alone: Path, tmp_path: Path) -> None:
    job = platform_alone / "specs" / "jobs" / "llama-finetune.yaml"
    job.parent.mkdir()
    shutil.copy(REPO / "specs" / "jobs" / job.name, job)
    loaded = _validate(platform_alone, tmp_path / "cache", str(job))
    assert {"manifestgen.spec.training", "manifestgen.expand.workload"} <= loaded
