"""`load_all(data)`: what `yaml.load_all(data, Loader=CSafeLoader)` returns, faster.

PyYAML's C loader parses in C but builds every node object and then every value in
Python, through a generic constructor that dispatches on tags, tracks recursion and keeps
marks: on Kubernetes manifests that is half the time of reading them (the benchmark
corpus: 1.70 s with `yaml.load_all`, 0.85 s here). Here the parser's events are turned
into values directly, and plain scalars (keys above all: `name`, `image`, `replicas`
repeat endlessly) are resolved once per distinct text.

Only the plain shape of YAML is handled this way: untagged scalars, mappings and
sequences, and anchors. Anything else (an alias, an explicit tag, a merge key `<<`, a
complex key, a syntax error) sends the whole input to PyYAML's own loader, so values and
errors are always exactly PyYAML's, and so does anything near an input limit or a rule
of the API server's strict decoding: a duplicate key, nesting deeper than the limit, a
long integer, a number that is not finite. That path first checks the input limits
(`source/guard.py`: an alias there counts as all it stands for, so a billion-laughs
file stops early) and reads with `StrictLoader`, which rejects duplicate keys and
non-finite numbers with their line and column, as `kubectl apply` would reject them.
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode

from manifestgen.source.guard import InputProblem, check_yaml
from manifestgen.source.limits import VERIFY_LIMITS

# libyaml is optional in PyYAML builds; without it the pure-Python loader is only slower.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAP_TAGS = (None, "!", "tag:yaml.org,2002:map")
_SEQ_TAGS = (None, "!", "tag:yaml.org,2002:seq")
_PLAIN_CACHE_LIMIT = 200_000
_MAX_CACHED_LENGTH = 64


class _Unusual(Exception):
    """Input this loader leaves to PyYAML's."""


class LimitError(Exception):
    """The input exceeds a limit of `VERIFY_LIMITS`; `problem` says which, and where."""

    def __init__(self, problem: InputProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class StrictValueError(ConstructorError):
    """A value the API server's strict decoding refuses (a duplicate key, a number that
    is not finite), with its mark."""


class StrictLoader(_Loader):  # type: ignore[misc]
    """PyYAML's safe loader, refusing what `kubectl apply` refuses.

    Duplicate keys are found among the keys written in one mapping: a key a merge
    (`<<`) brings in may be overridden, as the merge-key rule says.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._checked: set[int] = set()

    def flatten_mapping(self, node: MappingNode) -> None:
        # The first flatten of a node sees its keys as written; later ones see merged keys.
        if id(node) not in self._checked:
            self._checked.add(id(node))
            self._check_duplicates(node)
        super().flatten_mapping(node)

    def _check_duplicates(self, node: MappingNode) -> None:
        first: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node)
            if key in first:
                raise StrictValueError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {first[key].line + 1}); "
                    "the API server's strict decoding rejects it",
                    key_node.start_mark,
                )
            first[key] = key_node.start_mark

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # PyYAML's constructors trust a value an explicit tag vouches for: `!!bool maybe`
        # raises KeyError, `!!timestamp 2024-01-011` AttributeError, `!!int abc`
        # ValueError, none of them with a mark. Each is the input's fault: say where.
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as error:
            if isinstance(error, ConstructorError):
                raise
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise StrictValueError(
                None, None, f"value {_shown(node)} is not a valid {tag}", node.start_mark
            ) from error

    def construct_yaml_float(self, node: ScalarNode) -> float:
        value: float = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise StrictValueError(
                None,
                None,
                f"number {node.value!r} is not finite; JSON and the API server have no such number",
                node.start_mark,
            )
        return value


StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_yaml_float)


def _shown(node: Any) -> str:
    text = node.value if isinstance(node, ScalarNode) else f"<{node.id}>"
    return repr(text if len(text) <= 40 else text[:40] + "...")


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
    problem = check_yaml(data, VERIFY_LIMITS)
    if problem is not None:
        return [], LimitError(problem)
    # PyYAML's loader decides: the same values, or the documents before the error and
    # the error with its marks.
    documents: list[Any] = []
    try:
        for document in yaml.load_all(data, Loader=StrictLoader):
            documents.append(document)
    except (yaml.YAMLError, ValueError) as error:
        return documents, error
    return documents, None


class _Builder:
    def __init__(self, data: bytes | str) -> None:
        self.loader = _Loader(data)
        self.depth = 0
        self.max_depth = VERIFY_LIMITS.depth
        self.max_digits = VERIFY_LIMITS.integer_digits

    def documents(self) -> list[Any]:
        loader = self.loader
        try:
            loader.get_event()  # stream start
            found = []
            while not loader.check_event(StreamEndEvent):
                loader.get_event()  # document start
                found.append(self.value(loader.get_event()))
                loader.get_event()  # document end
            return found
        finally:
            loader.dispose()

    def value(self, event: Any) -> Any:
        # An anchor needs no record here: any alias leaves this loader, so that what it
        # stands for counts against the limits.
        kind = type(event)
        if kind is ScalarEvent:
            return self.scalar(event)
        if kind is MappingStartEvent:
            return self.mapping(event)
        if kind is SequenceStartEvent:
            return self.sequence(event)
        raise _Unusual(event)

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
        elif (
            construct is None
            or tag in (_MERGE_TAG, "tag:yaml.org,2002:value")
            or (tag == _INT_TAG and len(text) > self.max_digits)
        ):
            raise _Unusual(text)
        else:
            value = construct(loader, ScalarNode(tag, text))
            if tag == _FLOAT_TAG and not math.isfinite(value):
                raise _Unusual(text)
        if len(text) <= _MAX_CACHED_LENGTH:
            if len(_PLAIN) >= _PLAIN_CACHE_LIMIT:
                _PLAIN.clear()
            _PLAIN[text] = value
        return value

    def mapping(self, event: Any) -> dict[Any, Any]:
        if event.tag not in _MAP_TAGS:
            raise _Unusual(event)
        self.enter(event)
        get_event, value, scalar = self.loader.get_event, self.value, self.scalar
        found: dict[Any, Any] = {}
        while True:
            key_event = get_event()
            if type(key_event) is not ScalarEvent:
                if type(key_event) is MappingEndEvent:
                    self.depth -= 1
                    return found
                raise _Unusual(key_event)  # a complex key: PyYAML rejects most of them
            # A scalar key is always hashable (str, int, float, bool, None, a date).
            key = scalar(key_event) if key_event.anchor is None else value(key_event)
            if key in found:
                raise _Unusual(key_event)  # StrictLoader reports both lines
            found[key] = value(get_event())

    def enter(self, event: Any) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _Unusual(event)  # check_yaml reports where

    def sequence(self, event: Any) -> list[Any]:
        if event.tag not in _SEQ_TAGS:
            raise _Unusual(event)
        self.enter(event)
        get_event, value = self.loader.get_event, self.value
        found: list[Any] = []
        while True:
            item = get_event()
            if type(item) is SequenceEndEvent:
                self.depth -= 1
                return found
            found.append(value(item))
