"""An object as the API server shows it to CEL: defaulted first, then typed by its schema.

This mirrors ``k8s.io/apiserver/pkg/cel/common`` (``UnstructuredToVal``) and the structural
defaulting of apiextensions-apiserver, on plain Python values that the CEL library converts itself:
``int`` stays a CEL int (int64), a ``number`` field becomes a double even when written ``1``,
``bool`` stays bool, declared object fields are visible under their escaped names (``foo-bar`` is
``foo__dash__bar``), map keys are not escaped, a null field of an object counts as absent, and
undeclared fields are invisible. Strings with ``format`` date-time, date, duration or byte become
timestamps, durations and bytes, as in Kubernetes.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

# Words CEL reserves; a property with such a name is reachable as `__name__` (k8s cel.Escape).
_RESERVED: Final = frozenset(
    {
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
        "function", "if", "import", "let", "loop", "package", "namespace", "return", "var",
        "void", "while",
    }
)  # fmt: skip
_ESCAPES: Final = {"__": "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__"}
_ESCAPABLE: Final = re.compile(r"[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*")
_TO_ESCAPE: Final = re.compile(r"__|[.\-/]")

_STRING: Final = {"type": "string"}
_OBJECT_META: Final = {
    "type": "object",
    "properties": {"name": _STRING, "generateName": _STRING},
}

_DURATION_PART: Final = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w)")
_DURATION_UNITS: Final = {
    "ns": timedelta(microseconds=0.001), "us": timedelta(microseconds=1),
    "µs": timedelta(microseconds=1), "ms": timedelta(milliseconds=1), "s": timedelta(seconds=1),
    "m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}  # fmt: skip


def escape(name: str) -> str | None:
    """The CEL identifier for an object property, or None when CEL cannot reach it."""
    if name in _RESERVED:
        return f"__{name}__"
    if not _ESCAPABLE.fullmatch(name):
        return None
    return _TO_ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], name)


def with_type_and_object_meta(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema CEL sees at a resource root or an embedded resource.

    Only ``apiVersion``, ``kind``, ``metadata.name`` and ``metadata.generateName`` are visible
    there, unless the schema declares all four as strings (``WithTypeAndObjectMeta`` in Kubernetes).
    """
    properties = dict(schema.get("properties") or {})
    meta = properties.get("metadata") or {}
    meta_fields = meta.get("properties") or {}
    if all(_is_string(properties.get(k)) for k in ("apiVersion", "kind")) and all(
        _is_string(meta_fields.get(k)) for k in ("name", "generateName")
    ):
        return schema
    properties.update(apiVersion=_STRING, kind=_STRING, metadata=_OBJECT_META)
    return {**schema, "properties": properties}


def _is_string(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "string"


def apply_defaults(value: Any, schema: Mapping[str, Any]) -> Any:
    """A copy of ``value`` with schema ``default`` values filled in where a field is absent.

    The API server defaults a request before it validates it, and several upstream rules read
    defaulted fields (Kueue's ``preemption.reclaimWithinCohort``, Karpenter's disruption budgets).
    As in Kubernetes, a null in a non-nullable field is replaced by its default too, or dropped
    when there is none (an object field only; a null list item stays), and defaults are
    themselves defaulted.
    """
    if isinstance(value, Mapping):
        return _default_object(value, schema)
    if isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            return [apply_defaults(default_for(item, items), items) for item in value]
        return copy.deepcopy(value)
    return value


def default_for(value: Any, schema: Mapping[str, Any]) -> Any:
    """The schema's default for an explicit null in a non-nullable field, else ``value``."""
    if value is None and not schema.get("nullable") and schema.get("default") is not None:
        return copy.deepcopy(schema["default"])
    return value


def _default_object(value: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    result = dict(value)
    for key, prop in properties.items():
        # An absent field takes its default; an explicit null only where the schema forbids null.
        absent = key not in result or (result[key] is None and not prop.get("nullable"))
        if absent and prop.get("default") is not None:
            result[key] = copy.deepcopy(prop["default"])
    extra = schema.get("additionalProperties")
    for key, child in list(result.items()):
        sub = properties.get(key) if key in properties else extra
        if not isinstance(sub, Mapping):
            result[key] = copy.deepcopy(child)
        elif child is None and not sub.get("nullable") and sub.get("default") is None:
            # PruneNonNullableNullsWithoutDefaults: such a null is dropped, not rejected.
            del result[key]
        else:
            result[key] = apply_defaults(default_for(child, sub), sub)
    return result


def to_cel(value: Any, schema: Mapping[str, Any]) -> Any:
    """``value`` typed by ``schema`` the way Kubernetes binds it to ``self``.

    Values whose type does not match the schema are passed through unchanged: the schema validator
    reports those, and the API server would only fail a rule that actually reads them.
    """
    if value is None or schema.get("x-kubernetes-int-or-string"):
        return value
    kind = schema.get("type")
    if kind == "object" and isinstance(value, Mapping):
        if schema.get("x-kubernetes-embedded-resource"):
            schema = with_type_and_object_meta(schema)
        return _object(value, schema)
    if kind == "array" and isinstance(value, list):
        items = schema.get("items")
        return [to_cel(item, items) for item in value] if isinstance(items, Mapping) else value
    if kind == "string" and isinstance(value, str):
        return _formatted(value, schema.get("format"))
    if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _object(value: Mapping[str, Any], schema: Mapping[str, Any]) -> Any:
    properties = schema.get("properties")
    if properties is not None:
        fields = {}
        for key, child in value.items():
            name = escape(key) if key in properties and child is not None else None
            if name is not None:
                fields[name] = to_cel(child, properties[key])
                if key in _RESERVED:
                    # Since Kubernetes 1.32 `self.namespace` works too, besides `self.__namespace__`
                    # (upstream Kubeflow rules use it); iterating such an object sees both names.
                    fields[key] = fields[name]
        return fields
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        return {key: to_cel(child, extra) for key, child in value.items()}
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return {}  # an object with only unknown fields shows no fields to CEL
    return value


def _formatted(text: str, fmt: Any) -> Any:
    parse = _FORMATS.get(fmt) if isinstance(fmt, str) else None
    if parse is None:
        return text
    try:
        return parse(text)
    except ValueError:
        # Kubernetes makes this an error only if a rule reads the field; the schema validator
        # reports the bad format already, so keep the text rather than fail unrelated rules.
        return text


def _date_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)


def _duration(text: str) -> timedelta:
    sign, body = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    if body == "0":
        return timedelta()
    parts = list(_DURATION_PART.finditer(body))
    if not parts or "".join(p.group(0) for p in parts) != body:
        raise ValueError(f"invalid duration {text!r}")
    return sign * sum((float(p.group(1)) * _DURATION_UNITS[p.group(2)] for p in parts), timedelta())


def _byte(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


_FORMATS: Final[dict[str, Callable[[str], Any]]] = {
    "date-time": _date_time,
    "date": _date,
    "duration": _duration,
    "byte": _byte,
}
