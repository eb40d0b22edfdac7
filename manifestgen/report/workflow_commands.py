"""GitHub Actions workflow commands (`::error file=...::message`), escaped once, here."""

from __future__ import annotations

from manifestgen.report.escape import printable


def escape_data(text: str) -> str:
    # Newlines are the format's own (%0A); other control characters would reach the log
    # viewer raw, so they are written as visible escapes.
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str, file: str, title: str, message: str, line: int = 0, column: int = 0
) -> str:
    """One annotation; `level` is error, warning or notice; line 0 annotates the whole file,
    file "" the whole run."""
    props = [f"file={escape_property(file)}"] if file else []
    if line:
        props += [f"line={line}", f"col={column}"]
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"
