"""Walk a pydantic model along a data path to learn which keys are allowed there."""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from manifestgen.errors import JsonPath


def allowed_keys(model_cls: type[BaseModel], path: JsonPath, data: Any = None) -> tuple[str, ...]:
    """The field names (as written in YAML) of the model found at `path`, or () if none.

    Where a union of models stands (the workload variants of a TrainingJob's spec), `data`
    (the document) picks the member whose literal fields it matches.
    """
    current: Any = model_cls
    node = data
    for part in path:
        current = _step(current, part, node)
        node = _child(node, part)
        if current is None:
            return ()
    model = _model_in(current, node)
    if model is None:
        return ()
    return tuple(f.alias or name for name, f in model.model_fields.items())


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _step(annotation: Any, part: str | int, node: Any = None) -> Any:
    model = _model_in(annotation, node)
    if model is not None and isinstance(part, str):
        for name, info in model.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    for arg in _members(annotation):
        origin = get_origin(arg)
        if origin is dict:
            return get_args(arg)[1]
        if origin in (tuple, list):
            return get_args(arg)[0]
    return None


def _members(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) is Annotated:
        return _members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(m for arg in get_args(annotation) for m in _members(arg))
    return (annotation,)


def _model_in(annotation: Any, node: Any = None) -> type[BaseModel] | None:
    models = [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]
    matching = [m for m in models if _matches(m, node)]
    chosen = matching or models
    return chosen[0] if chosen else None


def _matches(model: type[BaseModel], node: Any) -> bool:
    """Whether `node` agrees with every literal-valued field of `model` (its tag)."""
    for name, info in model.model_fields.items():
        choices = get_args(info.annotation) if get_origin(info.annotation) is Literal else None
        if not choices:
            continue
        key = info.alias or name
        value = node.get(key, info.default) if isinstance(node, dict) else info.default
        if value not in choices:
            return False
    return True
