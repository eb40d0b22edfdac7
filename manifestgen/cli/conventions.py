"""Flags every subcommand shares, as kubeconform and check-jsonschema spell them.

`-q`/`-v` pick how much is printed, `--color` (or `$NO_COLOR`) whether text output is
coloured, `--version` works after any subcommand. What they mean is decided here once.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Literal, TextIO

from manifestgen import __version__

Verbosity = Literal["quiet", "normal", "verbose"]
COLOR_CHOICES = ("auto", "always", "never")


def add_convention_flags(parser: argparse.ArgumentParser, *, verbose_help: str) -> None:
    """`--version`, `-q`, `-v` and `--color` on `parser`."""
    add_version_flag(parser)
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="print errors only: no warnings, no summary"
    )
    loudness.add_argument("-v", "--verbose", action="store_true", help=verbose_help)
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour text output: auto (on a terminal, unless $NO_COLOR is set), always, never",
    )


def add_version_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"manifestgen {__version__}")


@dataclass(frozen=True)
class Presentation:
    """How much to print and whether to colour it."""

    verbosity: Verbosity = "normal"
    color: bool = False


def presentation_from(args: argparse.Namespace, stream: TextIO) -> Presentation:
    verbosity: Verbosity = "quiet" if args.quiet else "verbose" if args.verbose else "normal"
    return Presentation(verbosity, use_color(args.color, stream))


def use_color(choice: str, stream: TextIO) -> bool:
    """`always`/`never` win; `auto` colours a terminal unless NO_COLOR is set (no-color.org)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
