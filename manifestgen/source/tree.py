"""Positions in ruamel's round-trip tree (0-based line and column, as ruamel keeps them)."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

Position = tuple[int, int]


def start_of(node: Any) -> Position:
    """Where a mapping or sequence starts; (0, 0) for a node that keeps no position."""
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return (0, 0)
    return (int(lc.line), int(lc.col))


def child_position(node: Any, part: Any, *, key: bool = False) -> Position | None:
    """Where the value (or the key) of `part` in `node` is written, if it is.

    A key brought in by a merge (`<<: *base`) is written in the merged mapping, not in
    `node`, so the merged mappings are searched in order, as the merge applies them.
    """
    if isinstance(node, CommentedMap) and part in node:
        if part in node.lc.data:
            position = node.lc.key(part) if key else node.lc.value(part)
            return (int(position[0]), int(position[1]))
        for merged in getattr(node, "merge", ()):
            found = child_position(merged, part, key=key)
            if found is not None:
                return found
        return None
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        line, col = node.lc.item(part)
        return (int(line), int(col))
    return None
