"""`field: null` in a spec: refused, so the file and the JSON Schema editors use agree.

A key with nothing after it is null in YAML, and is most often a block whose lines were
lost or indented wrongly (`checkpoints:` with nothing under it). The models read None
as "unset", so without this check such a spec would build quietly without checkpoints.
Leaving a field unset is leaving the key out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from manifestgen.errors import Diagnostic, JsonPath
from manifestgen.source.document import SourceDocument


def has_null(data: Any) -> bool:
    """Whether any value in `data` is null: what `null_paths` finds, without building a
    path for every value of the (nearly always null-free) document."""
    if data is None:
        return True
    if isinstance(data, dict):
        values: Any = data.values()
    elif isinstance(data, list):
        values = data
    else:
        return False
    for value in values:  # a loop, not any(): this runs on every value of every spec
        if value is None or (isinstance(value, (dict, list)) and has_null(value)):
            return True
    return False


def null_paths(data: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    """Every path in `data` whose value is null, in document order."""
    if data is None:
        yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from null_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from null_paths(value, (*path, index))


def null_diagnostic(
    doc: SourceDocument, path: JsonPath, field: str, *, required: bool
) -> Diagnostic:
    """MG630 for the null value at `path` (written `field` in messages); `required`: the
    field cannot be left out either."""
    what = field or "the document"
    unset = "" if required else ", or remove the key to leave it unset"
    return Diagnostic(
        "MG630",
        "null is not a value: a field is either set or left out",
        doc.locate(path, key=bool(path) and isinstance(path[-1], str)),
        field=field,
        hint=f"give {what} a value (or indent the lines that belong under it){unset}",
    )
