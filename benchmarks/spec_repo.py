"""A synthetic manifestgen repository for the build benchmark: the Platform and N job specs.

The specs are this repository's own examples (`specs/`), each copied N/3 times under a new
name, so that every one of them builds: the figures measure the compiler on specs it
accepts, as a CI run or a pre-commit hook sees them almost every time. Quotas are summed
across jobs, so the Platform's GPU and CPU quotas are multiplied by the number of copies.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import yaml

_NAME = re.compile(r"^(  name: )(\S+)$", re.MULTILINE)
# The Platform's default cpuQuota (spec.clusters.<c>.cpuQuota).
_DEFAULT_CPU_QUOTA = 512


def write_spec_repo(source: Path, root: Path, specs: int) -> list[Path]:
    """Write `specs` job specs and the Platform of `source` under `root`; the job files."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "specs" / "jobs").mkdir(parents=True)
    templates = sorted((source / "specs" / "jobs").glob("*.yaml"))
    copies = math.ceil(specs / len(templates))
    platform = yaml.safe_load((source / "specs" / "platform.yaml").read_text())
    for cluster in platform["spec"]["clusters"].values():
        cluster["gpuQuota"] = {gpu: n * copies for gpu, n in cluster.get("gpuQuota", {}).items()}
        cluster["cpuQuota"] = cluster.get("cpuQuota", _DEFAULT_CPU_QUOTA) * copies
    (root / "specs" / "platform.yaml").write_text(yaml.safe_dump(platform, sort_keys=True))
    written: list[Path] = []
    for index in range(specs):
        template = templates[index % len(templates)]
        text = template.read_text()
        # Short names: the job name plus a 4-digit index stays inside every name budget.
        name = _NAME.search(text)
        assert name is not None, f"{template}: no metadata.name"
        renamed = _NAME.sub(f"{name.group(1)}{name.group(2)[:12]}-{index:04d}", text, count=1)
        path = root / "specs" / "jobs" / f"{template.stem}-{index:04d}.yaml"
        path.write_text(renamed)
        written.append(path)
    return written
