"""Specs and helpers for the tests of builds against the previous out/."""

from __future__ import annotations

from pathlib import Path

import yaml

from manifestgen import BuildOptions, run
from manifestgen.pipeline import BuildResult
from tests.support import make_repo

JOB = """\
apiVersion: manifestgen.io/v1alpha1
kind: TrainingJob
metadata:
  name: llm
spec:
  team: nlp
  cluster: train-a
  image: ghcr.io/acme/llm:2.0.0
  nodes: 2
  gpu:
    type: a100-80gb
    perNode: 8
  resources:
    cpu: 90
    memory: 900Gi
  checkpoints:
    size: 100Gi
    storageClass: efs-sc
"""

SMALL = """\
apiVersion: manifestgen.io/v1alpha1
kind: TrainingJob
metadata:
  name: mnist
spec:
  team: vision
  cluster: train-a
  image: ghcr.io/acme/mnist:1.0.0
  nodes: 1
  resources:
    cpu: 4
    memory: 8Gi
"""

LLM_JOB = "out/train-a/team-nlp/llm/pytorchjob.yaml"
MNIST_JOB = "out/train-a/team-vision/mnist/pytorchjob.yaml"


def lifecycle_repo(root: Path) -> Path:
    """A repository with a checkpointed two-node GPU job and a small CPU job."""
    make_repo(root)
    (root / "specs" / "llm.yaml").write_text(JOB)
    (root / "specs" / "mnist.yaml").write_text(SMALL)
    return root


def build(root: Path, mode: str = "build", **options: object) -> BuildResult:
    return run(BuildOptions(root=root, mode=mode, check_output=False, **options))  # type: ignore[arg-type]


def codes(result: BuildResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def job_name(root: Path, rel: str) -> str:
    return str(yaml.safe_load((root / rel).read_text())["metadata"]["name"])


def job_name_of(content: bytes) -> str:
    return str(yaml.safe_load(content)["metadata"]["name"])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def platform_edit(root: Path) -> None:
    # Both change every job's rendering without touching a job spec.
    edit(root / "specs" / "platform.yaml", "efaPerNode: 4", "efaPerNode: 2")
    text = (root / "specs" / "platform.yaml").read_text()
    (root / "specs" / "platform.yaml").write_text(text + "  defaults:\n    backoffLimit: 5\n")
