"""The ruamel round-trip loader: plain data for validation, plus a map back to lines.

The round-trip tree keeps a 0-based line/column for every key and item; we keep the
tree beside a plain-Python copy of the data, and `SourceDocument.locate` turns any
JSON path into a 1-based `SourceLocation` (the one place the +1 happens).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from manifestgen.errors import Diagnostic, JsonPath, SourceLocation


@dataclass(frozen=True)
class SourceDocument:
    """One YAML document of a spec file: plain data plus the tree that knows its lines."""

    path: str
    index: int
    data: Any
    tree: Any

    def locate(self, json_path: JsonPath, *, key: bool = False) -> SourceLocation:
        """Location of the value at `json_path` (or of its key, with key=True).

        Walks as far as the path exists, so a missing field points at its parent.
        """
        node = self.tree
        line, col = _start_of(node)
        for part in json_path:
            position = _child_position(node, part, key=key)
            if position is None:
                break
            line, col = position
            node = node[part]
        return SourceLocation(self.path, line + 1, col + 1)


def _start_of(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return (0, 0)
    return (int(lc.line), int(lc.col))


def _child_position(node: Any, part: str | int, *, key: bool) -> tuple[int, int] | None:
    if isinstance(node, CommentedMap) and part in node:
        position = node.lc.key(part) if key else node.lc.value(part)
        return (int(position[0]), int(position[1]))
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        line, col = node.lc.item(part)
        return (int(line), int(col))
    return None


def _plain(node: Any) -> Any:
    """A copy with only dict/list/str/int/float/bool/None, so validation is type-exact."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, (str, bytes)):
        return str(node) if isinstance(node, str) else node.decode("utf-8", "replace")
    if isinstance(node, Sequence):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, (dt.date, dt.datetime)):
        # YAML timestamps are not a spec type; keep the text so a type error names it.
        return node.isoformat()
    return str(node)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def load_source(path: str, text: str) -> tuple[tuple[SourceDocument, ...], tuple[Diagnostic, ...]]:
    """Parse every document of one file; a syntax error is a located diagnostic, never raised."""
    try:
        trees = [tree for tree in _yaml().load_all(text) if tree is not None]
    except DuplicateKeyError as exc:
        return (), (_yaml_diagnostic(path, exc, "MG102"),)
    except MarkedYAMLError as exc:
        return (), (_yaml_diagnostic(path, exc, "MG101"),)
    except YAMLError as exc:  # unmarked errors carry no position
        return (), (Diagnostic("MG101", str(exc).strip(), SourceLocation(path)),)
    documents = tuple(
        SourceDocument(path=path, index=i, data=_plain(tree), tree=tree)
        for i, tree in enumerate(trees)
    )
    return documents, ()


def _yaml_diagnostic(path: str, exc: MarkedYAMLError, code: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 0
    column = mark.column + 1 if mark is not None else 0
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    if code == "MG102":
        message = f"duplicate key: {problem}" if problem else "duplicate key"
        hint = "each key may appear once per mapping; remove or merge the repeated one"
    else:
        message = f"{context}: {problem}" if context and problem else problem or context
        hint = ""
    return Diagnostic(
        code, message or "invalid YAML", SourceLocation(path, line, column), hint=hint
    )
