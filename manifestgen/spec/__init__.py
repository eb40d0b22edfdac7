"""The spec language: models, parsing, resolution and semantic rules.

The two models are imported on first use: the Platform's modules import this package,
and a run over a Platform alone should not build the TrainingJob models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from manifestgen.spec.platform import Platform
    from manifestgen.spec.training import TrainingJob

__all__ = ["Platform", "TrainingJob"]

_MODULES = {"Platform": "manifestgen.spec.platform", "TrainingJob": "manifestgen.spec.training"}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(_MODULES[name]), name)
    raise AttributeError(f"module 'manifestgen.spec' has no attribute {name!r}")
