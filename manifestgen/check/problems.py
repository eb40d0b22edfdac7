"""The values the output validator returns: problems, outcomes and the CRD loading error."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

JsonPath = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

SchemaSource = Literal["kubernetes", "crd", "generic", "none"]


@dataclass(frozen=True)
class ObjectProblem:
    """One problem in a checked object.

    `path` is the JSON path inside the object (keys and list indexes), `message` a short
    human sentence, `rule` the family of check that found it: "schema" (JSON Schema),
    "metadata" (API-server-style name, label and annotation checks), "cel" (a CRD's
    validation rules) or "kind" (a legacy API). `blocking` marks the errors
    after which the API server does not run a CRD's CEL rules (a wrong type, a missing
    required field, a value outside an enum, too long, too many items or properties); it
    takes no part in comparing problems.
    """

    path: JsonPath
    message: str
    rule: str = "schema"
    blocking: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class CheckOutcome:
    """The result of checking one object: its problems and what it was checked against.

    `source` "generic" means no CRD was configured: only `metadata` and the pod templates
    were checked (see check/generic.py), never the rest of the object.
    """

    problems: tuple[ObjectProblem, ...]
    source: SchemaSource
    schema_name: str = ""
    # Checks that applied but could not be made here ("spec.x: <rule>: <reason>"), such
    # as CEL transition rules: listed so a reader never mistakes them for passes.
    skipped: tuple[str, ...] = ()
    # Set when the schema found checks nothing (a CRD without a structural schema): why.
    # Such an object is unchecked, never valid.
    unchecked: str = ""

    @property
    def ok(self) -> bool:
        """True when no problem was found (also true for source "none": nothing was checked)."""
        return not self.problems


class CrdLoadError(Exception):
    """A configured CRD location cannot be read or parsed."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _path_key(path: JsonPath) -> tuple[tuple[int, int, str], ...]:
    # Keys and indexes can meet at the same depth (a map key "0" next to a list index 0 in
    # two problems); comparing tagged tuples keeps the sort total and deterministic.
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)


def problem_sort_key(problem: ObjectProblem) -> tuple[tuple[tuple[int, int, str], ...], str, str]:
    """Sort by path, then message, then rule."""
    return (_path_key(problem.path), problem.message, problem.rule)


def sort_problems(problems: Iterable[ObjectProblem]) -> tuple[ObjectProblem, ...]:
    """Drop exact duplicates and sort deterministically."""
    return tuple(sorted(set(problems), key=problem_sort_key))


def format_path(path: JsonPath) -> str:
    """Render a path the way kubectl explains fields: `spec.containers[0].name`.

    Keys that are not plain identifiers (label keys with dots and slashes) are quoted:
    `metadata.labels['app.kubernetes.io/name']`.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):
            text += f"[{part!r}]"
        elif text:
            text += f".{part}"
        else:
            text = part
    return text
