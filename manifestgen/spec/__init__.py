"""The spec language: models, parsing, resolution and semantic rules."""

from manifestgen.spec.platform import Platform
from manifestgen.spec.training import TrainingJob

__all__ = ["Platform", "TrainingJob"]
