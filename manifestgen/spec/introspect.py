"""Walk a pydantic model along a data path to learn which keys are allowed there."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from manifestgen.errors import JsonPath


def allowed_keys(model_cls: type[BaseModel], path: JsonPath) -> tuple[str, ...]:
    """The field names (as written in YAML) of the model found at `path`, or () if none."""
    current: Any = model_cls
    for part in path:
        current = _step(current, part)
        if current is None:
            return ()
    model = _model_in(current)
    if model is None:
        return ()
    return tuple(f.alias or name for name, f in model.model_fields.items())


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
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
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return (annotation,)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for arg in _members(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None
