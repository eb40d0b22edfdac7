"""`loads(data)`: `json.loads`, refusing what the API server's strict decoding refuses.

`json.loads` takes the last of two equal keys, reads `NaN` and `Infinity`, turns `1e999`
into infinity, raises a bare ValueError for an integer of more than 4,300 digits and
recursion errors for deep nesting. Here each is a `StrictJsonError` instead, and nesting
and integers are held to `VERIFY_LIMITS`. A lone UTF-16 surrogate escape (`"\\ud800"`)
becomes U+FFFD, as the API server's decoder makes it, instead of a string that cannot
be encoded again. The errors carry no position (the hooks of
`json` see values, not offsets): the caller reads the text again as YAML, whose reader
has positions, and uses this error only when YAML finds nothing wrong; a number YAML
reads differently (`NaN`, `1e999`) is located by searching the text for it.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from manifestgen.source.limits import VERIFY_LIMITS


class StrictJsonError(ValueError):
    """A JSON input the API server would refuse; `line` and `column` are 1-based, 0 if
    unknown."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def loads(data: bytes) -> Any:
    """The value of the JSON text `data`; raises `StrictJsonError` or `ValueError`."""
    try:
        value = json.loads(
            data,
            object_pairs_hook=_mapping,
            parse_int=lambda text: _integer(data, text),
            parse_float=lambda text: _float(data, text),
            parse_constant=lambda name: _constant(data, name),
        )
    except RecursionError:
        raise _too_deep(data) from None
    if _deeper_than(value, VERIFY_LIMITS.depth):
        raise _too_deep(data)
    if _SURROGATE_ESCAPE.search(data):
        return _replace_surrogates(value)
    return value


# Only texts with such an escape pay for the walk; paired escapes were joined by `json`.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    return value


def _mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise StrictJsonError(
                f"duplicate key {key!r}; the API server's strict decoding rejects it"
            )
        seen.add(key)
    return found


def _integer(data: bytes, text: str) -> int:
    if len(text) > VERIFY_LIMITS.integer_digits:
        raise StrictJsonError(
            f"integer has {len(text):,} characters; at most "
            f"{VERIFY_LIMITS.integer_digits} digits are allowed",
            *_find(data, text),
        )
    return int(text)


def _float(data: bytes, text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJsonError(
            f"number {text} is too large for JSON and the API server", *_find(data, text)
        )
    return value


def _constant(data: bytes, name: str) -> Any:
    raise StrictJsonError(
        f"{name} is not JSON, and the API server has no such number", *_find(data, name)
    )


def _find(data: bytes, token: str) -> tuple[int, int]:
    # The first place the token stands as a value (not inside a string or a longer word).
    escaped = re.escape(token.encode())
    found = re.search(rb'(?<![\w."-])' + escaped + rb"(?![\w.])", data)
    if found is None:
        return (0, 0)
    return _position(data, found.start())


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return (data.count(b"\n", 0, offset) + 1, offset - line_start + 1)


def _too_deep(data: bytes) -> StrictJsonError:
    limit = VERIFY_LIMITS.depth
    return StrictJsonError(
        f"nesting is deeper than {limit} levels of objects and arrays",
        *_deep_position(data, limit),
    )


_STRUCTURE = re.compile(rb'\\.|["\[\]{}]')


def _deep_position(data: bytes, limit: int) -> tuple[int, int]:
    # Where the first bracket too deep opens, strings skipped (only on this error path).
    depth, in_string = 0, False
    for token in _STRUCTURE.finditer(data):
        char = token.group()
        if char == b'"':
            in_string = not in_string
        elif in_string or len(char) == 2:
            continue
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return _position(data, token.start())
        else:
            depth -= 1
    return (0, 0)


def _deeper_than(value: Any, limit: int) -> bool:
    # Iterative: the depth is what is being checked, so recursion is not an option.
    if not isinstance(value, (dict, list)):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False
