"""A synthetic manifestgen repository for the build benchmark: the Platform and N job specs.

The specs are this repository's own examples (`specs/`), each copied N/3 times under a new
name, so that every one of them builds: the figures measure the compiler on specs it
accepts, as a CI run or a pre-commit hook sees them almost every time. Quotas are summed
across jobs, so the Platform's GPU and CPU quotas, and the teams' namespace quotas, are
multiplied by the number of copies.
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


_QUANTITY = re.compile(r"^([0-9]+)(.*)$")


def _scale_quota(quota: dict[str, object], copies: int) -> None:
    """A team's namespace quota (whole numbers with an optional suffix) times `copies`."""
    for key, value in quota.items():
        if isinstance(value, dict):
            _scale_quota(value, copies)
            continue
        match = _QUANTITY.match(str(value))
        assert match is not None, f"quota {key}: {value!r} is not a whole quantity"
        number, suffix = match.groups()
        quota[key] = f"{int(number) * copies}{suffix}" if suffix else int(number) * copies


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
    for team in platform["spec"]["teams"].values():
        tenancy = team.get("tenancy", {})
        quotas = [tenancy.get("quota"), *tenancy.get("clusterQuotas", {}).values()]
        for quota in (q for q in quotas if q):
            _scale_quota(quota, copies)
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
