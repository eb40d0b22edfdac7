"""The input limits, checked before any YAML value is built.

`check_yaml` looks at the raw text (size, line length) and then at libyaml's event
stream, which costs a few percent of building values and needs no recursion however
deep the input nests. It counts what the loaded data would hold — an alias counts as
every value of the node it names, so a billion-laughs file is caught after a few
hundred events — and stops at the first limit exceeded, with the line and column of the
event that crossed it. Loaders stay as they are behind it: a file that passes cannot
make them recurse too deep, expand aliases without bound or convert a huge integer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from manifestgen.source.limits import LIMIT_INFO, Limits, describe

# Integers as YAML 1.1 (libyaml, Kubernetes) or 1.2 (ruamel) may resolve them: decimal,
# octal, hex, binary, with `_` separators, and 1.1's base 60 (`1:20`). Longer than the
# limit, they would reach Python's int(), which refuses more than 4,300 digits.
_INTEGER = re.compile(
    r"[-+]?(?:0[xX][0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*)"
)

Events = Callable[[str | bytes], Iterable[Any]]


@dataclass(frozen=True)
class InputProblem:
    """A limit an input exceeds, at a 1-based line and column (0: the whole file)."""

    code: str
    message: str
    line: int = 0
    column: int = 0
    hint: str = ""


def check_size(size: int, limits: Limits) -> InputProblem | None:
    """MG106 when `size` bytes are more than a file may hold."""
    if size <= limits.file_bytes:
        return None
    return InputProblem(
        LIMIT_INFO["file_bytes"].code,
        f"file is {size:,} bytes; at most {describe(limits.file_bytes, 'file_bytes')} "
        f"({limits.file_bytes:,} bytes) is allowed",
        hint="split it into several files",
    )


def check_lines(text: str | bytes, limits: Limits) -> InputProblem | None:
    """MG107 at the first line longer than the limit."""
    if limits.line_chars is None:
        return None
    body = text if isinstance(text, str) else text.decode("utf-8", "replace")
    for number, line in enumerate(body.replace("\r", "\n").split("\n"), start=1):
        if len(line) > limits.line_chars:
            return InputProblem(
                LIMIT_INFO["line_chars"].code,
                f"line is {len(line):,} characters long; at most {limits.line_chars:,} are allowed",
                number,
                limits.line_chars + 1,
                hint="break the value over several lines (a block scalar or a list)",
            )
    return None


def check_yaml(
    text: str | bytes, limits: Limits, *, exact: Events | None = None
) -> InputProblem | None:
    """The first limit `text` exceeds, or None.

    The structure is read from libyaml's events. Where libyaml stops at a syntax error,
    `exact` (the events of the loader that will read the file) is scanned instead, if
    given, so that what that loader accepts is counted in full; otherwise the loader
    reports the error, and everything before it was within the limits.
    """
    problem = check_size(len(text), limits) or check_lines(text, limits)
    if problem is not None:
        return problem
    # Imported here: a run whose specs all come from the load cache never parses YAML.
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return check_events(yaml.parse(text, Loader=loader), limits)
    except yaml.YAMLError:
        if exact is None:
            return None
    try:
        return check_events(exact(text), limits)
    except Exception:  # the loader fails on this text too, and reports it with its mark
        return None


def check_events(events: Iterable[Any], limits: Limits) -> InputProblem | None:
    """The first limit the event stream exceeds (PyYAML's or ruamel's events)."""
    counter = _Counter(limits)
    for event in events:
        problem = counter.see(event)
        if problem is not None:
            return problem
    return None


class _Counter:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.values = 0
        self.alias_values = 0
        # (anchor, values before the node) for each open mapping or sequence.
        self.open: list[tuple[str | None, int]] = []
        self.open_anchors: dict[str, int] = {}
        self.sizes: dict[str, int] = {}  # anchor -> values of its node, aliases expanded

    def see(self, event: Any) -> InputProblem | None:
        kind = type(event).__name__
        if kind == "ScalarEvent":
            self.values += 1
            self._anchor_closed(event, 1)
            return self._scalar(event) or self._over_values(event)
        if kind in ("MappingStartEvent", "SequenceStartEvent"):
            return self._start(event)
        if kind in ("MappingEndEvent", "SequenceEndEvent"):
            anchor, before = self.open.pop()
            if anchor is not None:
                self.open_anchors[anchor] -= 1
                self.sizes[anchor] = self.values - before
        elif kind == "AliasEvent":
            return self._alias(event)
        elif kind == "DocumentStartEvent":
            self.sizes.clear()  # anchors do not cross documents
        return None

    def _start(self, event: Any) -> InputProblem | None:
        anchor = _anchor(event)
        self.open.append((anchor, self.values))
        self.values += 1
        if anchor is not None:
            self.open_anchors[anchor] = self.open_anchors.get(anchor, 0) + 1
        if len(self.open) > self.limits.depth:
            return _problem(
                event,
                "depth",
                f"nesting is deeper than {self.limits.depth} levels of mappings and sequences",
                "flatten the structure",
            )
        return self._over_values(event)

    def _alias(self, event: Any) -> InputProblem | None:
        anchor = _anchor(event)
        if anchor is not None and self.open_anchors.get(anchor, 0) > 0:
            return InputProblem(
                "MG110",
                f"alias *{anchor} refers to a node that contains it (a recursive structure)",
                *_position(event),
                hint="an alias may only repeat a node defined before it, outside it",
            )
        size = self.sizes.get(anchor, 1) if anchor is not None else 1
        self.values += size
        self.alias_values += size
        if self.alias_values > self.limits.alias_values:
            return _problem(
                event,
                "alias_values",
                f"aliases expand to more than {self.limits.alias_values:,} values",
                "repeat less through aliases, or write the values out",
            )
        return self._over_values(event)

    def _anchor_closed(self, event: Any, size: int) -> None:
        anchor = _anchor(event)
        if anchor is not None:
            self.sizes[anchor] = size

    def _scalar(self, event: Any) -> InputProblem | None:
        text = event.value
        digits = self.limits.integer_digits
        if len(text) <= digits or not event.implicit[0] or not _INTEGER.fullmatch(text):
            return None
        return _problem(
            event,
            "integer_digits",
            f"integer has {len(text):,} characters; at most {digits} digits are allowed",
            "quote it if it is meant as text",
        )

    def _over_values(self, event: Any) -> InputProblem | None:
        limit = self.limits.values
        if limit is None or self.values <= limit:
            return None
        return _problem(
            event,
            "values",
            f"file holds more than {limit:,} values (aliases expanded)",
            "split it into several files",
        )


def _anchor(event: Any) -> str | None:
    anchor = getattr(event, "anchor", None)
    return None if anchor is None else str(anchor)


def _position(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return (int(mark.line) + 1, int(mark.column) + 1)


def _problem(event: Any, limit: str, message: str, hint: str) -> InputProblem:
    return InputProblem(LIMIT_INFO[limit].code, message, *_position(event), hint=hint)
