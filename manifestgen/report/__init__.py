"""Reporters: turn a BuildResult into text for people, JSON for tools, annotations for CI."""

from collections.abc import Callable

from manifestgen.report.github import render_github
from manifestgen.report.json_format import render_json
from manifestgen.report.summary import Summary
from manifestgen.report.text import render_text

Reporter = Callable[[Summary], str]

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
}

__all__ = ["REPORTERS", "Reporter", "Summary"]
