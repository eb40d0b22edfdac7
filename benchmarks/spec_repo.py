"""A synthetic manifestgen repository for the build benchmark: the Platform and N job specs.

The specs are this repository's own examples (`specs/`), each copied N/3 times under a new
name, so that every one of them builds: the figures measure the compiler on specs it
accepts, as a CI run or a pre-commit hook sees them almost every time.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

_NAME = re.compile(r"^(  name: )(\S+)$", re.MULTILINE)


def write_spec_repo(source: Path, root: Path, specs: int) -> list[Path]:
    """Write `specs` job specs and the Platform of `source` under `root`; the job files."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "specs" / "jobs").mkdir(parents=True)
    shutil.copy(source / "specs" / "platform.yaml", root / "specs" / "platform.yaml")
    templates = sorted((source / "specs" / "jobs").glob("*.yaml"))
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
