"""Helpers shared by the output-validator tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from manifestgen.check import CheckOutcome

Path = tuple[str | int, ...]
# The `sample` fixture: a fresh deep copy of the sample object of a kind.
Sample = Callable[[str], dict[str, Any]]


def dig(obj: Any, path: Path) -> Any:
    """The value at `path` inside `obj`."""
    for part in path:
        obj = obj[part]
    return obj


def set_at(obj: Any, path: Path, value: Any) -> None:
    """Set the value at `path` (its parent must exist)."""
    dig(obj, path[:-1])[path[-1]] = value


def delete_at(obj: Any, path: Path) -> None:
    """Remove the key or item at `path`."""
    del dig(obj, path[:-1])[path[-1]]


def found(outcome: CheckOutcome) -> list[tuple[Path, str]]:
    """(path, message) of every problem, in the outcome's order."""
    return [(problem.path, problem.message) for problem in outcome.problems]


def widget_crd(spec_properties: str, extra_versions: str = "") -> str:
    """A small `widgets.example.com` CRD whose v1 `spec` has the given (YAML) properties."""
    lines = "\n".join(f"              {line}" for line in spec_properties.strip().splitlines())
    return f"""
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: widgets.example.com}}
spec:
  group: example.com
  names: {{kind: Widget, plural: widgets}}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
{lines}
{extra_versions}"""
