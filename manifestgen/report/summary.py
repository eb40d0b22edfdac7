"""What every reporter renders: the diagnostics plus a one-line account of the run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from manifestgen.errors import Diagnostic, Severity


@dataclass(frozen=True)
class Summary:
    command: str
    diagnostics: tuple[Diagnostic, ...]
    spec_files: int = 0
    objects: int = 0
    files: int = 0
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    out_dir: str = "out"
    # quiet: errors only, no summary line; verbose: notes become annotations too.
    # Reporters for people apply it (`shown`); JSON stays complete.
    verbosity: Literal["quiet", "normal", "verbose"] = "normal"
    color: bool = False

    def shown(self, *, notes: bool = True) -> tuple[Diagnostic, ...]:
        """What people see: errors only when quiet; notes unless the format drops them."""
        if self.verbosity == "quiet":
            return tuple(d for d in self.diagnostics if d.is_error)
        return tuple(d for d in self.diagnostics if notes or d.severity is not Severity.NOTE)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def headline(self) -> str:
        errors, warnings = self.count(Severity.ERROR), self.count(Severity.WARNING)
        problems = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        scope = f"{_plural(self.spec_files, 'spec file')}, {_plural(self.objects, 'object')}"
        if self.command == "build" and not errors:
            return (
                f"{self.command}: {problems}; {scope}; wrote {len(self.written)} and removed "
                f"{len(self.removed)} of {self.files} files in {self.out_dir}/"
            )
        return f"{self.command}: {problems}; {scope}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
