"""Check a custom resource against manifestgen's own model when no CRD is configured.

The pydantic errors are rewritten into the same problems the schema path reports (same
paths, same wording), and embedded pod templates are checked against the Kubernetes
PodTemplateSpec schema with paths relative to the whole object.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from manifestgen.check import messages
from manifestgen.check.models import ModelKind, TemplatePath
from manifestgen.check.problems import JsonPath, ObjectProblem

_TYPE_ERRORS = {
    "int_type": "integer",
    "int_from_float": "integer",
    "float_type": "number",
    "string_type": "string",
    "bool_type": "boolean",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
    "list_type": "array",
}
_LIMIT_ERRORS = {
    "greater_than_equal": ("Minimum", "ge"),
    "less_than_equal": ("Maximum", "le"),
    "greater_than": ("ExclusiveMinimum", "gt"),
    "less_than": ("ExclusiveMaximum", "lt"),
    "string_too_short": ("MinLength", "min_length"),
    "string_too_long": ("MaxLength", "max_length"),
    "too_short": ("MinItems", "min_length"),
    "too_long": ("MaxItems", "max_length"),
}
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def model_problems(model: type[BaseModel], data: Any) -> list[ObjectProblem]:
    """The problems pydantic finds in `data`, as schema-style problems (rule "model")."""
    try:
        model.model_validate(data)
    except ValidationError as error:
        return [_describe(model, data, detail) for detail in error.errors(include_url=False)]
    return []


def pod_templates(data: Any, pattern: TemplatePath) -> Iterator[tuple[JsonPath, Any]]:
    """(path, value) of every object at `pattern` ("*" matches any map key).

    Values that are not objects are skipped: the model already reports their type.
    """

    def walk(node: Any, depth: int, path: JsonPath) -> Iterator[tuple[JsonPath, Any]]:
        if not isinstance(node, Mapping):
            return
        if depth == len(pattern):
            yield path, node
            return
        keys = sorted(map(str, node)) if pattern[depth] == "*" else [pattern[depth]]
        for key in keys:
            if key in node:
                yield from walk(node[key], depth + 1, (*path, key))

    return walk(data, 0, ())


class ModelChecker:
    """Runs one fallback model plus the pod-template schema on an object."""

    def __init__(
        self, entry: ModelKind, template_problems: Callable[[Any, JsonPath], list[ObjectProblem]]
    ) -> None:
        self.entry = entry
        self.template_problems = template_problems

    def problems(self, data: Any) -> list[ObjectProblem]:
        found = model_problems(self.entry.model, data)
        for pattern in self.entry.pod_templates:
            for path, template in pod_templates(data, pattern):
                found += self.template_problems(template, path)
        return found


def _describe(model: type[BaseModel], data: Any, detail: ErrorDetails) -> ObjectProblem:
    kind = detail["type"]
    path, on_key = _path(data, detail["loc"], keep_last=kind == "missing")
    if kind == "missing" and path:
        return ObjectProblem(path[:-1], messages.required_field(str(path[-1])), rule="model")
    if kind == "extra_forbidden" and path:
        allowed = _allowed_fields(model, path[:-1])
        return ObjectProblem(path, messages.unknown_field(str(path[-1]), allowed), rule="model")
    message = _message(detail)
    return ObjectProblem(path, f"key {message}" if on_key else message, rule="model")


def _message(detail: ErrorDetails) -> str:
    kind, value, ctx = detail["type"], detail.get("input"), detail.get("ctx") or {}
    if kind in _TYPE_ERRORS:
        return messages.expected_types([_TYPE_ERRORS[kind]], value)
    if kind == "literal_error":
        return messages.must_be_one_of(_QUOTED.findall(str(ctx.get("expected", ""))), value)
    if kind == "string_pattern_mismatch":
        return messages.must_match(str(ctx.get("pattern", "")), value)
    if kind in _LIMIT_ERRORS:
        limit_kind, key = _LIMIT_ERRORS[kind]
        return messages.size_limit(limit_kind, ctx.get(key), value)
    return detail["msg"]


def _path(data: Any, loc: tuple[int | str, ...], *, keep_last: bool) -> tuple[JsonPath, bool]:
    """The data path of a pydantic `loc`, without its validator tags; and whether the
    error is about a mapping key rather than a value."""
    path: list[str | int] = []
    node, on_key = data, False
    for index, part in enumerate(loc):
        if _has(node, part):
            node = node[part]
            path.append(part)
        elif part == "[key]":
            on_key = True
        elif keep_last and index == len(loc) - 1:
            path.append(part)
        # Anything else is a validator tag (union member, function name): not in the data.
    return tuple(path), on_key


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, Mapping):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _allowed_fields(model: type[BaseModel], path: JsonPath) -> list[str]:
    current: Any = model
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == part), None
            )
            current = field.annotation if field else None
        elif typing.get_origin(current) in (list, dict):
            current = typing.get_args(current)[-1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [field.alias or name for name, field in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip `Annotated[...]` and `X | None` down to the type that holds fields or items."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation
