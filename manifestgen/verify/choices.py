"""The choices of `verify`'s flags, apart from the modules that act on them.

The CLI parser is built for every command; reading its choices from here keeps a
`build` or `validate` from importing the verifier's model and output formats.
"""

from __future__ import annotations

from typing import Literal

MissingSchema = Literal["error", "warn", "skip"]
MISSING_SCHEMA_MODES: tuple[MissingSchema, ...] = ("error", "warn", "skip")

# How a path argument names standard input.
STDIN_ARGUMENT = "-"

# The names of verify.formats.FORMATS (a test keeps the two equal).
FORMAT_NAMES = ("github", "json", "junit", "text")
