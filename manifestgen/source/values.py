"""From ruamel's round-trip tree to the plain data the spec models validate.

A spec holds only what JSON can: mappings with string keys, lists, strings, integers,
finite numbers, booleans and null. YAML can say more, and saying it in a spec is a
mistake that silent coercion would hide, so each is a located diagnostic:

- a key that is not a string (`~: x` is a null key, `1: x` an integer one): MG113, where
  coercing would turn the null key into the name "None";
- `.inf`, `.nan`, or a number too large for a float (`1e309`): MG112; JSON, Kubernetes
  and every quantity have no such number;
- a tag other than the core schema's (`!foo`, `!!binary`, `!!set`, `!!omap`,
  `!!python/...`): MG114, where ruamel would keep the value and drop the tag (or, for
  some, fail with an AttributeError).

Timestamps are the exception, and keep the text as written: the spec schemas, the
editors that use them (YAML 1.2's core schema) and Kubernetes (which reads timestamps
into strings) all see `2024-01-01` as a string, so a spec that agrees with them is less
surprising than an error (the loader's constructor never builds a date: `spec_yaml`).

The walk recurses once per level of nesting; the input limits (`source/limits.py`) have
bounded that depth, and the number of values an alias can stand for, before it runs.
"""

from __future__ import annotations

import math
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from manifestgen.errors import Diagnostic, SourceLocation
from manifestgen.source.tree import Position, child_position, start_of

_STR_TAG = "tag:yaml.org,2002:str"
TAG_HINT = "remove the tag (quote the value if it is meant as text)"


class UnsupportedTag(MarkedYAMLError):
    """A core tag whose value a spec cannot hold (`!!binary`, `!!set`, ...), at its mark."""


class _SpecConstructor(RoundTripConstructor):
    """ruamel's round-trip constructor, with timestamps kept as the text written and
    the collection and binary tags refused where they are written (ruamel's own
    constructors for them even fail with AttributeError on a scalar: `!!set x`)."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        return self.construct_scalar(node)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # The core constructors trust a value its explicit tag vouches for: `!!bool maybe`
        # raises KeyError and `!!int abc` ValueError, without a mark. Say where.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as error:
            tag = str(getattr(node.tag, "value", node.tag)).replace("tag:yaml.org,2002:", "!!")
            value = node.value if isinstance(node.value, str) else f"<{node.id}>"
            raise MarkedYAMLError(
                None, None, f"value {value[:40]!r} is not a valid {tag}", node.start_mark
            ) from error

    def refuse(self, node: Any) -> Any:
        tag = str(getattr(node.tag, "value", node.tag)).replace("tag:yaml.org,2002:", "!!")
        raise UnsupportedTag(None, None, _unsupported_message(tag), node.start_mark)


_SpecConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _SpecConstructor.construct_yaml_timestamp
)
for _refused in ("binary", "set", "omap", "pairs"):
    _SpecConstructor.add_constructor(f"tag:yaml.org,2002:{_refused}", _SpecConstructor.refuse)


def _unsupported_message(tag: str) -> str:
    return (
        f"unsupported YAML tag {tag}: a spec holds only mappings, lists, strings, numbers, "
        "booleans and null"
    )


class _SpecComposer(Composer):
    """ruamel's composer, quiet about a reused anchor name: YAML allows it (the alias
    names the latest), and a warning on stderr is no diagnostic."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.warn_double_anchors = False


def spec_yaml() -> YAML:
    """The round-trip loader for specs: duplicate keys are errors, timestamps text."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _SpecConstructor
    yaml.Composer = _SpecComposer
    yaml.allow_duplicate_keys = False
    return yaml


def plain_data(path: str, tree: Any) -> tuple[Any, tuple[Diagnostic, ...]]:
    """A copy of `tree` with only dict/list/str/int/float/bool/None, and what could not
    be copied faithfully (each such value is None in the copy)."""
    converter = _Converter(path)
    data = converter.value(tree, start_of(tree))
    return data, tuple(converter.problems)


class _Converter:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Diagnostic] = []

    def value(self, node: Any, where: Position) -> Any:
        if type(node) is CommentedMap and not _tag(node):
            return self.mapping(node)
        if type(node) is CommentedSeq and not _tag(node):
            return [self.value(item, _item(node, i, where)) for i, item in enumerate(node)]
        if isinstance(node, TaggedScalar) and _tag(node) == _STR_TAG:
            return str(node.value)  # `!!str 1`, the explicit way to write a string
        if isinstance(node, str):
            return str(node)
        if isinstance(node, (bool, ScalarBoolean)) or node is None:
            return None if node is None else bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return self.number(float(node), where)
        return self.unsupported(node, where)

    def mapping(self, node: CommentedMap) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, item in node.items():
            where = child_position(node, key) or (0, 0)
            text = _key_text(key)
            if text is None:
                self.report(
                    "MG113",
                    f"mapping key must be a string (got {_describe_key(key)})",
                    child_position(node, key, key=True) or where,
                    "quote the key if it is meant as text",
                )
                continue
            found[text] = self.value(item, where)
        return found

    def number(self, number: float, where: Position) -> float | None:
        if math.isfinite(number):
            return number
        self.report(
            "MG112",
            f"number must be finite (got {number}); YAML's .inf and .nan, and numbers "
            "beyond about 1.8e308, have no JSON or Kubernetes form",
            where,
            "quote it if it is meant as text",
        )
        return None

    def unsupported(self, node: Any, where: Position) -> None:
        tag = _tag(node) or f"for a {type(node).__name__}"
        self.report("MG114", _unsupported_message(tag), where, TAG_HINT)
        return None

    def report(self, code: str, message: str, where: Position, hint: str) -> None:
        location = SourceLocation(self.path, where[0] + 1, where[1] + 1)
        self.problems.append(Diagnostic(code, message, location, hint=hint))


def _tag(node: Any) -> str:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", None)
    return str(value) if value else ""


def _item(node: CommentedSeq, index: int, where: Position) -> Position:
    return child_position(node, index) or where


def _key_text(key: Any) -> str | None:
    if isinstance(key, TaggedScalar):
        return str(key.value) if _tag(key) == _STR_TAG else None
    return str(key) if isinstance(key, str) else None


def _describe_key(key: Any) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return f"the boolean {str(key).lower()}"
    if isinstance(key, (int, float)):
        return f"the number {key}"
    return "a mapping or list" if isinstance(key, (tuple, frozenset)) else repr(key)
