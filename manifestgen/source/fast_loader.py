"""Specs read from libyaml's event stream: the same data and positions as ruamel, faster.

ruamel's round-trip loader builds a commented tree in pure Python (about 7 ms for a
40-line spec); libyaml's C parser gives the same events with the same start marks in a
fraction of that. Here the events of the plain shape of a spec (untagged scalars,
mappings with string keys, sequences) are turned into the data and its `Positions`
directly, with every plain scalar resolved by ruamel's own YAML 1.2 resolver.

Anything else returns None and the caller reads the file with ruamel, so that every
value and every diagnostic stays exactly ruamel's: a syntax error, a directive, a tag,
an anchor or alias, a merge key, a duplicate or non-string key, a number other than a
plain decimal integer or float (`0x1F`, `1_000`, `017`, `.inf`, `1e309`), an empty
value (`key:`), a document that is not a mapping or a list, and text the two scanners
read differently (`_DISAGREE`). tests/source/test_fast_loader.py compares both loaders
on generated and hostile texts.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Final

import yaml
from ruamel.yaml.nodes import ScalarNode
from yaml.events import (
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from manifestgen.source.positions import Entry, Positions
from manifestgen.source.values import spec_yaml

# Without the C extension this module would be slower than ruamel: the caller checks.
CLoader: Final[Any] = getattr(yaml, "CSafeLoader", None)

# Text the two scanners read differently: line breaks of YAML 1.1 (libyaml) that 1.2
# (ruamel) does not count, a byte-order mark, tabs (ruamel refuses one after a
# plain scalar, libyaml does not), and a comment right after a block scalar's
# indicators (`|#`: ruamel refuses it).
_DISAGREE = re.compile("[\t\r\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#")
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?")
_RESOLVER = spec_yaml().resolver
_PLAIN_CACHE_LIMIT: Final = 20_000
_MAX_CACHED_LENGTH: Final = 64

Loaded = list[tuple[Any, Positions]]


class _Unusual(Exception):
    """Input this loader leaves to ruamel's."""


def fast_load(text: str) -> Loaded | None:
    """The documents of `text`, each with its positions, or None when the text
    needs ruamel's loader (see the module docstring)."""
    if CLoader is None or _DISAGREE.search(text):
        return None
    try:
        return _Builder(text).documents()
    except (_Unusual, yaml.YAMLError, ValueError, TypeError):
        return None


def _resolve_plain(text: str) -> Any:
    # Keys and short values (`name`, `cpu`, `1`) repeat across specs: resolve them once.
    return _resolve_short(text) if len(text) <= _MAX_CACHED_LENGTH else _resolve(text)


@functools.lru_cache(maxsize=_PLAIN_CACHE_LIMIT)
def _resolve_short(text: str) -> Any:
    return _resolve(text)  # str, int, float, bool or None: immutable, so safe to share


def _resolve(text: str) -> Any:
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
    kind = str(getattr(tag, "value", tag)).rsplit(":", 1)[-1]
    if kind in ("str", "timestamp"):  # the spec constructor keeps timestamps as text
        return text
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "int" and _DECIMAL_INT.fullmatch(text):
        return int(text)
    if kind == "float" and _DECIMAL_FLOAT.fullmatch(text) and math.isfinite(float(text)):
        return float(text)
    raise _Unusual(text)


def _position(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line, mark.column)


class _Builder:
    def __init__(self, text: str) -> None:
        self.loader = CLoader(text)
        self.entries: dict[tuple[Any, ...], Entry] = {}

    def documents(self) -> Loaded:
        loader = self.loader
        found: Loaded = []
        try:
            loader.get_event()  # stream start
            while not loader.check_event(StreamEndEvent):
                start = loader.get_event()
                if type(start) is DocumentStartEvent and (start.version or start.tags):
                    raise _Unusual(start)  # a %YAML or %TAG directive
                self.entries = {}
                event = loader.get_event()
                if type(event) not in (MappingStartEvent, SequenceStartEvent):
                    # A scalar or empty document: the scanners differ on top-level block
                    # scalars, and no spec is one.
                    raise _Unusual(event)
                data = self.value(event, ())
                loader.get_event()  # document end
                found.append((data, Positions(_position(event), self.entries)))
            return found
        finally:
            loader.dispose()

    def value(self, event: Any, path: tuple[Any, ...]) -> Any:
        kind = type(event)
        if event.anchor is not None or event.tag is not None:
            raise _Unusual(event)  # an alias, an anchor or a tag (even `!`)
        if kind is ScalarEvent:
            if not event.implicit[0]:
                return event.value  # quoted or block: a string
            if not event.value:
                # An empty node (`key:` and nothing): libyaml marks it where the colon
                # ends, ruamel where the next token starts.
                raise _Unusual(event)
            return _resolve_plain(event.value)
        if kind is MappingStartEvent:
            return self.mapping(path)
        if kind is SequenceStartEvent:
            return self.sequence(path)
        raise _Unusual(event)  # an alias

    def mapping(self, path: tuple[Any, ...]) -> dict[str, Any]:
        get_event, entries = self.loader.get_event, self.entries
        found: dict[str, Any] = {}
        while True:
            key_event = get_event()
            if type(key_event) is MappingEndEvent:
                return found
            key = self.value(key_event, path)
            if type(key) is not str or key in found or type(key_event) is not ScalarEvent:
                raise _Unusual(key_event)  # ruamel reports it (MG102, MG113) or merges it
            value_event = get_event()
            where = (*path, key)
            entries[where] = (*_position(key_event), *_position(value_event))
            found[key] = self.value(value_event, where)

    def sequence(self, path: tuple[Any, ...]) -> list[Any]:
        get_event, entries = self.loader.get_event, self.entries
        found: list[Any] = []
        while True:
            event = get_event()
            if type(event) is SequenceEndEvent:
                return found
            where = (*path, len(found))
            mark = event.start_mark
            entries[where] = (mark.line, mark.column, mark.line, mark.column)
            found.append(self.value(event, where))
