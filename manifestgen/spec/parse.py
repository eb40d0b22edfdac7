"""Typed specs from loaded documents; pydantic errors become located diagnostics."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from manifestgen.errors import Diagnostic, JsonPath
from manifestgen.source.document import SourceDocument
from manifestgen.spec.base import API_VERSION
from manifestgen.spec.introspect import allowed_keys
from manifestgen.spec.nulls import has_null, null_diagnostic, null_paths
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform


class _SpecKinds(Mapping[str, type[BaseModel]]):
    """The model of each spec kind, imported when a document of that kind is first met:
    a run over a Platform alone never imports the workload registry or the serving models."""

    def __init__(self, models: Mapping[str, tuple[str, str]]) -> None:
        self._models = dict(models)
        self._imported: dict[str, type[BaseModel]] = {}

    def __getitem__(self, kind: str) -> type[BaseModel]:
        model = self._imported.get(kind)
        if model is None:
            module, name = self._models[kind]
            model = getattr(importlib.import_module(module), name)
            self._imported[kind] = model
        return model

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)


# Kinds a spec document may have (module, model name); adding one is adding a row.
SPEC_KINDS: Mapping[str, type[BaseModel]] = _SpecKinds(
    {
        "Platform": ("manifestgen.spec.platform", "Platform"),
        "TrainingJob": ("manifestgen.workloads", "TrainingJobDocument"),
        "ModelService": ("manifestgen.serving.spec", "ModelService"),
    }
)

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean (true or false)",
    "dict_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


_BOUNDS = {
    "greater_than_equal": "be at least",
    "greater_than": "be greater than",
    "less_than_equal": "be at most",
    "less_than": "be less than",
    "too_short": "have at least",
    "too_long": "have at most",
    "string_too_short": "be at least",
    "string_too_long": "be at most",
}


def _bound(kind: str, ctx: dict[str, Any]) -> str:
    for key in ("ge", "gt", "le", "lt"):
        if key in ctx:
            return str(ctx[key])
    count = ctx.get("min_length", ctx.get("max_length", ""))
    if kind.startswith("string"):
        return f"{count} characters long"
    return f"{count} {'entry' if count == 1 else 'entries'}"


def lacks_framework(data: Any) -> bool:
    """A TrainingJob document whose spec names no framework: its cluster's default applies."""
    return (
        isinstance(data, dict)
        and data.get("kind") == "TrainingJob"
        and isinstance(data.get("spec"), dict)
        and "framework" not in data["spec"]
    )


def default_framework_of(data: Any, platform: Platform | None) -> str | None:
    """The framework the Platform gives a TrainingJob that names none: its cluster's
    `defaultFramework`; None (pytorch) without one, or for an unknown cluster."""
    if platform is None or not lacks_framework(data):
        return None
    from manifestgen.workloads import WORKLOADS  # only a TrainingJob needs the registry

    cluster = platform.spec.clusters.get(str(data["spec"].get("cluster")))
    framework = cluster.default_framework if cluster is not None else None
    return framework if framework in WORKLOADS else None


def parse_document(
    doc: SourceDocument, default_framework: str | None = None
) -> tuple[Parsed[BaseModel] | None, tuple[Diagnostic, ...]]:
    """Validate one document against the model its `kind` names.

    `default_framework`: the workload of a TrainingJob that names none (its cluster's
    default in the Platform). The document itself is left as written: locations, digests
    and the load cache all see the bytes of the file.

    A document the loader could not copy faithfully (`doc.valid` is False) is not
    validated: the loader's diagnostics already say what is wrong, and the None left
    in its place would only add a second, misleading error.
    """
    if not doc.valid:
        return None, ()
    data = doc.data
    if not isinstance(data, dict) or "kind" not in data or "apiVersion" not in data:
        return None, (
            Diagnostic(
                "MG103",
                "document is not a manifestgen resource: it needs apiVersion and kind",
                doc.locate(()),
                hint=f"start it with `apiVersion: {API_VERSION}` and `kind: TrainingJob`",
            ),
        )
    model_cls = SPEC_KINDS.get(str(data["kind"]))
    if data["apiVersion"] != API_VERSION or model_cls is None:
        return None, (_unknown_kind(doc, data),)
    if default_framework is not None and lacks_framework(data):
        data = {**data, "spec": {**data["spec"], "framework": default_framework}}
    try:
        model = model_cls.model_validate(data)
    except ValidationError as exc:
        return None, _with_nulls(doc, _diagnostics_for(doc, model_cls, exc, data))
    nulls = _with_nulls(doc, ())
    return (None, nulls) if nulls else (Parsed(model, doc), ())


def _with_nulls(doc: SourceDocument, problems: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    # The models read None as "unset"; a spec must leave the key out (see spec/nulls.py).
    # A null where a value is required fails validation too: one MG630, at the key
    # (a null has no position of its own), says it better than a type error.
    if not has_null(doc.data):
        return problems
    nulls = {_field(path): path for path in null_paths(doc.data)}
    refused = {d.field for d in problems if d.field in nulls}
    return (
        *(d for d in problems if d.field not in nulls),
        *(
            null_diagnostic(doc, path, field, required=field in refused)
            for field, path in nulls.items()
        ),
    )


def _unknown_kind(doc: SourceDocument, data: Mapping[str, Any]) -> Diagnostic:
    if data["apiVersion"] != API_VERSION:
        return Diagnostic(
            "MG104",
            f"unknown apiVersion {data['apiVersion']!r}",
            doc.locate(("apiVersion",)),
            field="apiVersion",
            hint=f"use {API_VERSION}",
        )
    return Diagnostic(
        "MG104",
        f"unknown kind {data['kind']!r}",
        doc.locate(("kind",)),
        field="kind",
        hint=_did_you_mean(str(data["kind"]), SPEC_KINDS) or f"one of: {', '.join(SPEC_KINDS)}",
    )


def _diagnostics_for(
    doc: SourceDocument, model_cls: type[BaseModel], exc: ValidationError, data: Any
) -> tuple[Diagnostic, ...]:
    """`data`: what was validated (the document, with its cluster's default framework)."""
    grouped: dict[JsonPath, list[ErrorDetails]] = {}
    for error in exc.errors():
        grouped.setdefault(data_path(doc.data, error["loc"]), []).append(error)
    return tuple(
        _diagnostic(doc, model_cls, path, errors, data)
        for path, errors in sorted(grouped.items(), key=str)
    )


def data_path(data: Any, loc: tuple[str | int, ...]) -> JsonPath:
    """The part of a pydantic `loc` that names data (drops union and validator tags)."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        is_last = index == len(loc) - 1
        if _has_child(node, part):
            node = node[part]
        elif not (is_last and isinstance(node, dict)):
            continue  # a tag such as 'str' or 'function-after[...]', not a key
        path.append(part)
    return tuple(path)


def _has_child(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _field(path: JsonPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _diagnostic(
    doc: SourceDocument,
    model_cls: type[BaseModel],
    path: JsonPath,
    errors: list[ErrorDetails],
    data: Any,
) -> Diagnostic:
    first = errors[0]
    kind = first["type"]
    field = _field(path)
    if kind == "unknown_framework":
        return _unknown_framework(doc, path, first["input"])
    if kind == "extra_forbidden":
        allowed = allowed_keys(model_cls, path[:-1], data)
        return Diagnostic(
            "MG201",
            f"unknown field {path[-1]!r}",
            doc.locate(path, key=True),
            field=field,
            hint=_did_you_mean(str(path[-1]), allowed) or _allowed_hint(allowed),
        )
    if kind == "missing":
        parent = path[:-1]
        where = f"under {_field(parent)}" if parent else "at the top level"
        return Diagnostic(
            "MG202",
            f"missing required field {path[-1]!r}",
            doc.locate(parent, key=True),
            field=field,
            hint=f"add `{path[-1]}:` {where}",
        )
    if all(e["type"] in _TYPE_NAMES for e in errors):
        return _type_diagnostic(doc, path, field, errors)
    return Diagnostic(
        "MG204", _value_message(first), doc.locate(path), field=field, hint=_value_hint(first)
    )


def _unknown_framework(doc: SourceDocument, spec_path: JsonPath, spec: Any) -> Diagnostic:
    """The workloads come from the registry; a planned one says it is not built yet."""
    from manifestgen.workloads import PLANNED, WORKLOADS

    value = spec.get("framework") if isinstance(spec, dict) else None
    choices = ", ".join(sorted(WORKLOADS))
    if isinstance(value, str) and value in PLANNED:
        hint = f"{PLANNED[value]} is planned but not supported yet; supported: {choices}"
    else:
        hint = _did_you_mean(str(value), WORKLOADS) or f"one of: {choices}"
    return Diagnostic(
        "MG204",
        f"unknown framework {_short(value)}",
        doc.locate((*spec_path, "framework")),
        field=_field((*spec_path, "framework")),
        hint=hint,
    )


def _type_diagnostic(
    doc: SourceDocument, path: JsonPath, field: str, errors: list[ErrorDetails]
) -> Diagnostic:
    wanted = sorted({_TYPE_NAMES[e["type"]] for e in errors})
    got = errors[0]["input"]
    hint = ""
    if "a string" in wanted and isinstance(got, (bool, int, float)):
        hint = f'quote the value: "{str(got).lower() if isinstance(got, bool) else got}"'
    return Diagnostic(
        "MG203",
        f"must be {' or '.join(wanted)} (got {_type_of(got)} {_short(got)})",
        doc.locate(path),
        field=field,
        hint=hint,
    )


def _value_message(error: ErrorDetails) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    got = _short(error["input"])
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')} (got {got})"
    if kind == "string_pattern_mismatch":
        return f"{got} does not match the pattern {ctx.get('pattern')}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in _BOUNDS:
        return f"must {_BOUNDS[kind]} {_bound(kind, ctx)} (got {got})"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]} (got {got})"


def _value_hint(error: ErrorDetails) -> str:
    pattern = str((error.get("ctx") or {}).get("pattern", ""))
    if pattern.startswith("^[a-z]([-a-z0-9]*"):
        return "use lower-case letters, digits and '-', starting with a letter"
    return ""


def _type_of(value: Any) -> str:
    names = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        dict: "mapping",
        list: "list",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _did_you_mean(word: str, choices: Any) -> str:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {matches[0]!r}?" if matches else ""


def _allowed_hint(allowed: tuple[str, ...]) -> str:
    return f"allowed fields: {', '.join(allowed)}" if allowed else ""
