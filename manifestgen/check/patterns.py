"""Translate Go RE2 `pattern`s from CRDs into a form Python's `re` also accepts.

CRD patterns are written for Go's RE2. Most of them are also valid (and mean the same)
in Python's `re` and in the Rust engine behind jsonschema-rs, but RE2 allows a few things
the others reject or read differently. Kueue's AdmissionCheck and the PrometheusRule CRD,
for instance, use `^(?i)...`: RE2 accepts an inline flag group anywhere and applies it
up to the end of the enclosing group, while Python only accepts global flags at the very
start. We rewrite what has an exact equivalent and report the rest as unsupported, so the
caller can skip that one check instead of failing the whole CRD.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator

_FLAG_GROUP = re.compile(r"\(\?([a-zA-Z]*(?:-[a-zA-Z]*)?)\)")
_PYTHON_SCOPED_FLAGS = frozenset("ims-")
# RE2 constructs with no Python equivalent: Unicode classes, quoting, single bytes.
_UNSUPPORTED_ESCAPES = frozenset("pPQEC")
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_POSIX_CLASS = re.compile(r"\[:(\^?)([a-z]+):\]")


class _Untranslatable(Exception):
    """Raised inside the translator when a construct has no exact Python equivalent."""


@functools.lru_cache(maxsize=4096)
def translate_re2(pattern: str) -> str | None:
    """An equivalent pattern that Python's `re` compiles, or None if there is none.

    Patterns that already compile are returned unchanged. Results are cached: the same
    few patterns (quantities, label keys) repeat hundreds of times across CRDs.
    """
    if _compiles(pattern):
        return pattern
    try:
        candidate = _rewrite_flags(_rewrite_classes(_rewrite_escapes(pattern)))
    except _Untranslatable:
        return None
    return candidate if _compiles(candidate) else None


def _compiles(pattern: str) -> bool:
    # Python warns (FutureWarning) about constructs such as "[[" whose meaning may change;
    # a pattern that only compiles with a warning is not one we can trust.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            re.compile(pattern)
        except (re.error, Warning, RecursionError, OverflowError):
            return False
    return True


def _structure(pattern: str) -> Iterator[tuple[int, str, bool]]:
    """Yield (index, char, inside_character_class) for every unescaped character."""
    i, in_class, class_start = 0, False, -1
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        yield i, char, in_class
        if not in_class and char == "[":
            in_class, class_start = True, i
            if pattern.startswith("^", i + 1):
                class_start += 1
        elif in_class and char == "]" and i > class_start + 1:
            in_class = False
        elif in_class and pattern.startswith("[:", i):
            # A POSIX class such as [:alpha:] inside a bracket expression: skip it whole
            # so its closing bracket does not end the outer class.
            end = pattern.find(":]", i + 2)
            i = end + 2 if end != -1 else i + 1
            continue
        i += 1


def _rewrite_escapes(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped in _UNSUPPORTED_ESCAPES:
                raise _Untranslatable(f"\\{escaped}")
            # RE2 \z is "end of text"; Python spells it \Z (RE2 has no \Z of its own).
            out.append("\\Z" if escaped == "z" else pattern[i : i + 2])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def _rewrite_classes(pattern: str) -> str:
    def replace(match: re.Match[str]) -> str:
        negated, name = match.groups()
        if negated or name not in _POSIX_CLASSES:
            raise _Untranslatable(match.group(0))
        return _POSIX_CLASSES[name]

    return _POSIX_CLASS.sub(replace, pattern) if "[:" in pattern else pattern


def _rewrite_flags(pattern: str) -> str:
    # Rewrite one inline flag group at a time; each rewrite removes one.
    for _ in range(pattern.count("(?") + 1):
        found = _first_flag_group(pattern)
        if found is None:
            return pattern
        pattern = _rewrite_one_flag_group(pattern, *found)
    raise _Untranslatable("too many inline flag groups")


def _first_flag_group(pattern: str) -> tuple[int, int, str] | None:
    for index, char, in_class in _structure(pattern):
        if char == "(" and not in_class:
            match = _FLAG_GROUP.match(pattern, index)
            # Global flags at the very start are already what Python wants.
            if match and not (index == 0 and "-" not in match.group(1)):
                return index, match.end(), match.group(1)
    return None


def _rewrite_one_flag_group(pattern: str, start: int, end: int, flags: str) -> str:
    if not flags or not set(flags) <= _PYTHON_SCOPED_FLAGS:
        raise _Untranslatable(f"(?{flags})")  # e.g. RE2's ungreedy flag U
    group_end, has_alternation = _rest_of_group(pattern, end)
    prefix, rest = pattern[:start], pattern[end:group_end]
    if group_end == len(pattern) and prefix.strip("^") == "" and "-" not in flags:
        # Only anchors before the flags at the top level: the flags cover the whole
        # pattern, which Python spells as global flags at the very start.
        return f"(?{flags}){prefix}{rest}"
    if has_alternation:
        # RE2 applies the flags across later alternatives of the group; a scoped group
        # would change how the alternation binds.
        raise _Untranslatable(f"(?{flags}) before '|'")
    return f"{prefix}(?{flags}:{rest}){pattern[group_end:]}"


def _rest_of_group(pattern: str, start: int) -> tuple[int, bool]:
    """Where the group enclosing `start` closes, and whether it has a '|' after `start`."""
    depth, has_alternation = 0, False
    for index, char, in_class in _structure(pattern):
        if index < start or in_class:
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return index, has_alternation
            depth -= 1
        elif char == "|" and depth == 0:
            has_alternation = True
    return len(pattern), has_alternation
