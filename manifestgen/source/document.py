"""A loaded spec document: its plain data and where each value is written.

Kept apart from the loader, so that what only reads documents (a load-cache hit, the
spec models, the expanders) never imports the YAML libraries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manifestgen.errors import JsonPath, SourceLocation
from manifestgen.source.positions import Positions


@dataclass(frozen=True)
class SourceDocument:
    """One YAML document of a spec file: plain data plus where each value is written.

    `valid` is False when the loader reported a value the data could not hold (its
    place in `data` is None): the document is not validated, its diagnostics say why.
    """

    path: str
    index: int
    data: Any
    positions: Positions
    valid: bool = True

    def locate(self, json_path: JsonPath, *, key: bool = False) -> SourceLocation:
        """Location of the value at `json_path` (or of its key, with key=True).

        Walks as far as the path exists, so a missing field points at its parent.
        """
        line, col = self.positions.locate(json_path, key=key)
        return SourceLocation(self.path, line + 1, col + 1)
