"""Output formats of `verify`, by name: the `--format` choices come from `FORMATS`."""

from __future__ import annotations

from collections.abc import Callable

from manifestgen.verify.formats.github import render_github
from manifestgen.verify.formats.json_format import render_json
from manifestgen.verify.formats.junit import render_junit
from manifestgen.verify.formats.settings import ReportSettings
from manifestgen.verify.formats.text import render_text
from manifestgen.verify.model import VerifyResult

Formatter = Callable[[VerifyResult, ReportSettings], str]

FORMATS: dict[str, Formatter] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "junit": render_junit,
}

__all__ = ["FORMATS", "Formatter", "ReportSettings"]
