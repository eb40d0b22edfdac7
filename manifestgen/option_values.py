"""Checks and coercions for the options objects the API takes.

A mistyped option (`mode="buld"`, `specs="specs"`) must fail when the options are made,
not run as a silent no-op: the frozen options call these from `__post_init__`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from manifestgen.errors import OptionsError


def one_of(name: str, value: object, allowed: Iterable[str]) -> str:
    choices = tuple(allowed)
    if not isinstance(value, str) or value not in choices:
        raise OptionsError(f"{name} must be one of {', '.join(choices)} (got {value!r})")
    return value


def a_path(name: str, value: object) -> Path:
    """A `Path` from a path or a string; anything else is refused."""
    if isinstance(value, str | os.PathLike):
        return Path(value)
    raise OptionsError(f"{name} must be a path (got {type(value).__name__} {value!r})")


def an_optional_path(name: str, value: object) -> Path | None:
    return None if value is None else a_path(name, value)


def paths(name: str, value: object) -> tuple[Path, ...]:
    """A tuple of `Path`s from any sequence of paths; one bare string is refused, as it
    would otherwise be read one character at a time."""
    if isinstance(value, str | bytes | os.PathLike) or not isinstance(value, Iterable):
        raise OptionsError(f"{name} must be a sequence of paths (got {value!r})")
    return tuple(a_path(f"{name}[{index}]", item) for index, item in enumerate(value))


def a_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise OptionsError(f"{name} must be True or False (got {value!r})")
    return value


def seconds(name: str, value: object) -> float:
    """A finite, non-negative number of seconds (a bool is not one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OptionsError(f"{name} must be a number of seconds (got {value!r})")
    if not 0 <= value < float("inf"):
        raise OptionsError(f"{name} must be a finite number of seconds >= 0 (got {value!r})")
    return float(value)


def set_fields(target: Any, values: dict[str, object]) -> None:
    """Store coerced values on a frozen dataclass (the one sanctioned bypass of frozen)."""
    for key, value in values.items():
        object.__setattr__(target, key, value)
