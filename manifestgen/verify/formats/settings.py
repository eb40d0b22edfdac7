"""What every format is told besides the result."""

from __future__ import annotations

from dataclasses import dataclass

from manifestgen.verify.model import Finding


@dataclass(frozen=True)
class ReportSettings:
    """`summary`: add the counts per kind; `verbose`: add skipped resources and checks;
    `quiet`: errors only (warnings left out), as -q means for every command."""

    summary: bool = True
    verbose: bool = False
    quiet: bool = False

    def shows(self, finding: Finding) -> bool:
        return not self.quiet or finding.severity == "error"
