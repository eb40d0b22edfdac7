"""A validated spec together with the document it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from manifestgen.errors import JsonPath
from manifestgen.source.document import SourceDocument

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Parsed(Generic[M]):
    """A validated spec and the document it came from (for locating later diagnostics)."""

    model: M
    document: SourceDocument

    def locate(self, path: JsonPath, *, key: bool = False) -> Any:
        return self.document.locate(path, key=key)
