"""Short, actionable messages for schema errors.

jsonschema's own messages ("'4' is not of type 'integer'", "Additional properties are
not allowed ('resourcez' was unexpected)") put the path in the wrong place for us and
read badly in a gcc-style diagnostic line. These helpers build messages that say what
is expected and what was found: "must be an integer (got string '4')", "unknown field
'resourcez' (did you mean 'resources'?)".
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from typing import Any

_ARTICLE_TYPES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "a boolean",
    "object": "an object",
    "array": "a list",
    "null": "null",
}
_MAX_ENUM_SHOWN = 12
_MAX_VALUE_CHARS = 60

# Patterns that appear everywhere in Kubernetes schemas, with what they mean.
KNOWN_PATTERNS = {
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?"
    r"(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$": "a quantity such as '500m', '2' or '16Gi'",
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "a DNS-1123 label (lowercase letters, digits and '-')",
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$": (
        "a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')"
    ),
}


def json_type(value: Any) -> str:
    """The JSON type name of a Python value read from YAML or JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def describe_value(value: Any) -> str:
    """`string '4'`, `integer 4`, `boolean true`, `an object`: what was found."""
    kind = json_type(value)
    if kind == "object":
        return "an object"
    if kind == "array":
        return "a list"
    if kind == "null":
        return "null"
    return f"{kind} {short_value(value)}"


def short_value(value: Any) -> str:
    """A value as it would appear in YAML/JSON, cut to a readable length."""
    if isinstance(value, str):
        text = value if len(value) <= _MAX_VALUE_CHARS else value[: _MAX_VALUE_CHARS - 3] + "..."
        return repr(text)
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def _list_item(value: Any) -> str:
    return value if isinstance(value, str) and value else short_value(value)


def expected_types(types: Iterable[str], value: Any) -> str:
    """ "must be an integer (got string '4')" for a `type` error."""
    names = [name for name in types if name != "null" or value is None]
    wanted = " or ".join(_ARTICLE_TYPES.get(name, name) for name in names) or "null"
    return f"must be {wanted} (got {describe_value(value)})"


def must_be_one_of(options: Sequence[Any], value: Any) -> str:
    """ "must be one of: In, NotIn (got 'Inn'; did you mean 'In'?)" for an `enum` error."""
    shown = [_list_item(option) for option in options[:_MAX_ENUM_SHOWN]]
    if len(options) > _MAX_ENUM_SHOWN:
        shown.append("...")
    got = f"got {short_value(value)}"
    if isinstance(value, str):
        strings = [option for option in options if isinstance(option, str)]
        suggestion = closest(value, strings)
        if suggestion:
            got += f"; did you mean {suggestion!r}?"
    return f"must be one of: {', '.join(shown)} ({got})"


def unknown_field(name: str, allowed: Iterable[str]) -> str:
    """ "unknown field 'resourcez' (did you mean 'resources'?)"."""
    suggestion = closest(name, list(allowed))
    hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
    return f"unknown field {name!r}{hint}"


def required_field(name: str) -> str:
    return f"{name!r} is required"


def must_match(pattern: str, value: Any) -> str:
    meaning = KNOWN_PATTERNS.get(pattern)
    if meaning:
        return f"must be {meaning} (got {short_value(value)})"
    return f"must match the pattern {pattern!r} (got {short_value(value)})"


def closest(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate `name` was most likely meant to be, if any is close enough."""
    by_case = [c for c in candidates if c.lower() == name.lower()]
    if by_case:
        return by_case[0]
    matches = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None


def size_limit(kind: str, limit: Any, value: Any) -> str:
    """Messages for length, count and range limits."""
    if kind in ("MinLength", "MaxLength"):
        bound = "at least" if kind == "MinLength" else "at most"
        return f"must be {bound} {limit} characters long (got {len(value)})"
    if kind in ("MinItems", "MaxItems"):
        bound = "at least" if kind == "MinItems" else "at most"
        return f"must have {bound} {limit} items (got {len(value)})"
    if kind in ("MinProperties", "MaxProperties"):
        bound = "at least" if kind == "MinProperties" else "at most"
        return f"must have {bound} {limit} entries (got {len(value)})"
    operator = {"Minimum": ">=", "Maximum": "<=", "ExclusiveMinimum": ">", "ExclusiveMaximum": "<"}
    return f"must be {operator.get(kind, kind)} {limit} (got {short_value(value)})"
