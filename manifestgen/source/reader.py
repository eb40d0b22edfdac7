"""Reading a spec file: no further than the size limit, as UTF-8 text."""

from __future__ import annotations

from pathlib import Path

from manifestgen.errors import Diagnostic, SourceLocation
from manifestgen.source.guard import check_size
from manifestgen.source.limits import SPEC_LIMITS


def read_spec(path: Path, name: str) -> tuple[str, Diagnostic | None]:
    """The text of the spec file at `path` (`name` is how diagnostics call it), or a
    diagnostic: unreadable (MG105) or larger than the limit (MG106, without reading past
    it: a 50 MB file costs one limit's worth of reading)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(SPEC_LIMITS.file_bytes + 1)
        size = max(len(data), path.stat().st_size)
    except OSError as exc:
        return "", Diagnostic("MG105", f"cannot read file: {exc}", SourceLocation(name))
    too_large = check_size(size, SPEC_LIMITS)
    if too_large is not None:
        from manifestgen.source.loader import input_diagnostic  # the YAML libraries: rare

        return "", input_diagnostic(name, too_large)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "", Diagnostic("MG105", f"cannot read file: {exc}", SourceLocation(name))
    # Universal newlines, as text mode reads them: line numbers do not depend on them.
    return text.replace("\r\n", "\n").replace("\r", "\n"), None
