"""Post-processing of the JSON Schema pydantic exports, for editors.

pydantic writes what a Python caller may pass; an editor needs what a YAML author may
write. Three differences, settled here once for every kind:

- an optional field is a field that is not required: `null` is no value in a spec (the
  loader refuses it, MG630), so the `{"type": "null"}` branch and `default: null` go;
- titles derived from field names (`Capacitytype`) only repeat the key: they go, and so
  does a `oneOf` of one branch;
- a map whose keys have a pattern (env names, hyperparameter keys, DNS labels) is closed:
  pydantic lists the pattern but lets any other key through, the loader does not.
"""

from __future__ import annotations

from typing import Any

from pydantic.config import JsonDict

# Keywords whose value maps names to schemas: their keys are names, never keywords.
_NAMED = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
# Keywords whose value is one schema, or a list of schemas.
_ONE = frozenset({"items", "additionalProperties", "propertyNames", "not", "if", "then", "else"})
_MANY = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_NULL = {"type": "null"}


def tidy(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` as editors should see it (see the module docstring)."""
    node = {key: _tidy_value(key, value) for key, value in schema.items() if key != "title"}
    if node.get("default", 0) is None:
        del node["default"]
    if "anyOf" in node:
        node = _without_null(node)
    if len(node.get("oneOf", ())) == 1:
        # A union of one (the workload registry with one workload): the branch itself.
        (branch,) = node.pop("oneOf")
        node = {**branch, **node}
    if "patternProperties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    return node


def _tidy_value(key: str, value: Any) -> Any:
    if key in _NAMED:
        return {name: tidy(member) for name, member in value.items()}
    if key in _ONE and isinstance(value, dict):
        return tidy(value)
    if key in _MANY:
        return [tidy(member) for member in value]
    return value


def _without_null(node: dict[str, Any]) -> dict[str, Any]:
    branches = [branch for branch in node["anyOf"] if branch != _NULL]
    rest = {key: value for key, value in node.items() if key != "anyOf"}
    if len(branches) == 1:
        return {**branches[0], **rest}
    if all(set(branch) == {"type"} for branch in branches):
        # `str | int | float | bool` reads better as one list of types.
        return {"type": [branch["type"] for branch in branches], **rest}
    return {"anyOf": branches, **rest}


def exactly_one_of(*fields: str) -> JsonDict:
    """A `oneOf` that holds when exactly one of the list `fields` is given and non-empty:
    what a model validator refusing both and neither says, in JSON Schema."""
    return {
        "oneOf": [{"required": [name], "properties": {name: {"minItems": 1}}} for name in fields]
    }
