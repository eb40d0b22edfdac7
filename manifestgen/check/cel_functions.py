"""Kubernetes CEL extension functions that the Rust CEL engine lacks, as Python callables.

The upstream CRDs we validate call ``find`` (Kubernetes regex library) and ``split`` (strings
extension); the rest of the strings and lists libraries comes along because it costs nothing.
Functions raise on bad input; :class:`~manifestgen.check.cel_engine.CelRuntime` turns that into an
evaluation error, as the API server does. The library calls ``x.f(a)`` as ``f(x, a)``.
Not provided (rules using them are skipped with a reason): ``quantity``/``isQuantity``, ``url``,
``ip``/``cidr``, ``format.*``, ``semver``, authorizer functions.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from manifestgen.check.cel_library import stdlib


def _regex(pattern: str) -> re.Pattern[str]:
    # Kubernetes uses RE2; Python's syntax agrees on the patterns CRDs use, and RE2-only constructs
    # are rejected by the API server when the CRD is created.
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc


def find(text: str, pattern: str) -> str:
    """``'abc'.find('b.')``: the first match of ``pattern`` in ``text``, or ``''``."""
    match = _regex(pattern).search(text)
    return match.group(0) if match else ""


def find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    """``'a1b2'.findAll('[0-9]', 1)``: all matches (at most ``limit`` when it is not negative)."""
    matches = [m.group(0) for m in _regex(pattern).finditer(text)]
    return matches if limit < 0 else matches[:limit]


def index_of(target: str | Sequence[Any], item: Any, offset: int = 0) -> int:
    """Strings extension ``indexOf`` or lists library ``indexOf``, chosen by the receiver."""
    if isinstance(target, str):
        return stdlib.index_of(target, item, offset)
    return next((i for i, value in enumerate(target) if _same(value, item)), -1)


def last_index_of(target: str | Sequence[Any], item: Any, *offset: int) -> int:
    """Strings extension ``lastIndexOf`` or lists library ``lastIndexOf``."""
    if isinstance(target, str):
        return stdlib.last_index_of(target, item, *offset)
    found = [i for i, value in enumerate(target) if _same(value, item)]
    return found[-1] if found else -1


def is_sorted(values: Sequence[Any]) -> bool:
    """Lists library ``isSorted``: every element is <= the next."""
    return all(a <= b for a, b in itertools.pairwise(values))


def _same(a: Any, b: Any) -> bool:
    # CEL keeps bool and int apart; Python's True == 1 would not.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


FUNCTIONS: Final[dict[str, Callable[..., Any]]] = {
    "find": find,
    "findAll": find_all,
    "indexOf": index_of,
    "lastIndexOf": last_index_of,
    "isSorted": is_sorted,
    "charAt": stdlib.char_at,
    "substring": stdlib.substring,
    "replace": stdlib.replace,
    "split": stdlib.split,
    "join": stdlib.join,
    "lowerAscii": stdlib.lower_ascii,
    "upperAscii": stdlib.upper_ascii,
    "trim": stdlib.trim,
    "reverse": stdlib.reverse,
    "sum": stdlib.sum_,
    "min": stdlib.min_,
    "max": stdlib.max_,
}
