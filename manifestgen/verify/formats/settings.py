"""What every format is told besides the result."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportSettings:
    """`summary`: add the counts per kind; `verbose`: add skipped resources and checks."""

    summary: bool = True
    verbose: bool = False
