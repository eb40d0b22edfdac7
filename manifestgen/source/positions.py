"""Where each value of a loaded document is written: one index, whichever loader built it.

Both loaders (libyaml's events, `source/fast_loader.py`; ruamel's round-trip tree, the
fallback) record the same thing: for every JSON path into the data, the 0-based line and
column of its key and of its value, as the YAML event marks give them. A list item has
no key; its key position is its value's. `locate` walks a path as far as it exists, so a
missing field points at its parent. The index is plain tuples: cheap to build, to
compare and to pickle.
"""

from __future__ import annotations

from typing import Any

from manifestgen.errors import JsonPath

# (line, column), 0-based; also source/tree.py's, which needs ruamel to read a tree.
Position = tuple[int, int]

# (key line, key column, value line, value column), 0-based.
Entry = tuple[int, int, int, int]


# What the load cache stores of an index: [path, entry] pairs, as JSON lists.
StoredEntries = list[list[list[Any]]]


class Positions:
    """The root's position and one `Entry` per path below it.

    An index read back from the load cache (`stored`) is built on first use: a run
    reads every spec of the repository but locates values in few of them, and building
    the index of a thousand documents would cost more than all their lookups.
    """

    __slots__ = ("_entries", "_stored", "root")

    def __init__(
        self,
        root: Position = (0, 0),
        entries: dict[tuple[Any, ...], Entry] | None = None,
        *,
        stored: StoredEntries | None = None,
    ) -> None:
        if entries is None and stored is None:
            entries = {}
        self.root = root
        self._entries = entries  # None until `stored` is indexed
        self._stored = stored

    @property
    def entries(self) -> dict[tuple[Any, ...], Entry]:
        if self._entries is None:
            self._entries = _index(self._stored or [])
            self._stored = None
        return self._entries

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Positions):
            return NotImplemented
        return self.root == other.root and self.entries == other.entries

    __hash__ = None  # type: ignore[assignment]  # (as the index it holds: a dict)

    def __repr__(self) -> str:
        return f"Positions(root={self.root!r}, entries={self.entries!r})"

    def locate(self, json_path: JsonPath, *, key: bool = False) -> Position:
        """0-based position of the value at `json_path` (of its key, with key=True), or of
        the deepest part of the path that exists."""
        line, col = self.root
        entries = self.entries
        for depth in range(1, len(json_path) + 1):
            entry = entries.get(tuple(json_path[:depth]))
            if entry is None:
                break
            line, col = (entry[0], entry[1]) if key else (entry[2], entry[3])
        return (line, col)


def _index(stored: StoredEntries) -> dict[tuple[Any, ...], Entry]:
    # The store has verified the entry, which this code version wrote; should it still
    # not have the expected shape, locations fall back to the document's start rather
    # than fail the run.
    try:
        return {tuple(path): (e[0], e[1], e[2], e[3]) for path, e in stored}
    except (TypeError, ValueError, IndexError):
        return {}


def tree_positions(tree: Any) -> Positions:
    """The index of a ruamel round-trip tree (merged keys located where they are written).

    The guard has refused recursive aliases and bounded what aliases expand to, so the
    walk ends and visits at most the limit's number of values.
    """
    from manifestgen.source.tree import start_of

    entries: dict[tuple[Any, ...], Entry] = {}
    _walk(tree, (), entries)
    return Positions(start_of(tree), entries)


def _walk(node: Any, prefix: tuple[Any, ...], entries: dict[tuple[Any, ...], Entry]) -> None:
    # Imported here: a document read from the load cache has its positions already, and
    # such a run never imports ruamel.
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from manifestgen.source.tree import child_position

    if isinstance(node, CommentedMap):
        for part in node:
            key_at = child_position(node, part, key=True)
            value_at = child_position(node, part)
            if key_at is not None and value_at is not None:
                entries[(*prefix, part)] = (*key_at, *value_at)
                _walk(node[part], (*prefix, part), entries)
    elif isinstance(node, CommentedSeq) and node.lc.data is not None:
        # (A tagged sequence keeps no item positions; it is reported, never validated.)
        for index, item in enumerate(node):
            line, col = node.lc.item(index)
            entries[(*prefix, index)] = (int(line), int(col), int(line), int(col))
            _walk(item, (*prefix, index), entries)
