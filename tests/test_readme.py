"""The README's tutorial works as written, on a copy of this repository's specs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.support import REPO_ROOT, run_cli

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _tutorial_spec() -> str:
    section = README.split("## Tutorial: your first training job", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return "\n".join(line[3:] for line in block.group(1).splitlines()) + "\n"


def _promised_error() -> str:
    section = README.split("## Tutorial: your first training job", 1)[1]
    match = re.search(
        r"^   (specs/jobs/bert-finetune\.yaml:\d+:\d+: error\[MG201\].*)$", section, re.M
    )
    assert match is not None
    return match.group(1)


def test_tutorial_job_validates_builds_and_reports_the_promised_typo(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "specs", tmp_path / "specs")
    spec = tmp_path / "specs" / "jobs" / "bert-finetune.yaml"
    spec.write_text(_tutorial_spec())
    assert run_cli("validate", "--root", tmp_path, "--no-output-check", spec).code == 0

    build = run_cli("build", "--root", tmp_path, "--no-output-check")
    assert build.code == 0, build.stdout
    out = tmp_path / "out" / "prod-use1"
    assert (out / "ml-research" / "bert-finetune" / "pytorchjob.yaml").is_file()
    assert (out / "cluster" / "nodepool-gpu-a100-80gb-on-demand.yaml").is_file()
    listed = (out / "ml-research" / "kustomization.yaml").read_text()
    assert "bert-finetune/pytorchjob.yaml" in listed

    spec.write_text(_tutorial_spec().replace("perNode:", "perNod:"))
    typo = run_cli(
        "validate", "--root", tmp_path, "--no-output-check", "specs/jobs/bert-finetune.yaml"
    )
    assert typo.code == 1
    assert _promised_error() in typo.stdout.splitlines()
