"""What expansion produces: Kubernetes objects tagged with where they come from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manifestgen.errors import JsonPath, SourceLocation
from manifestgen.source.loader import SourceDocument


@dataclass(frozen=True)
class Origin:
    """The spec document and field an object was generated from.

    `field_map` refines it: (object path prefix, spec path) pairs, so an error at
    `spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resources` points at
    the spec's `resources:` line rather than the top of the file.
    """

    document: SourceDocument
    spec_path: JsonPath = ()
    field_map: tuple[tuple[JsonPath, JsonPath], ...] = ()

    def locate(self, object_path: JsonPath = ()) -> SourceLocation:
        best: JsonPath = self.spec_path
        best_len = -1
        for prefix, spec_path in self.field_map:
            if object_path[: len(prefix)] == prefix and len(prefix) > best_len:
                best, best_len = spec_path, len(prefix)
        return self.document.locate(best, key=bool(best))


@dataclass(frozen=True)
class Manifest:
    """One generated object, the output file it goes to (relative to out/), and its origin."""

    path: str
    obj: dict[str, Any]
    origin: Origin

    @property
    def kind(self) -> str:
        return str(self.obj["kind"])

    @property
    def name(self) -> str:
        return str(self.obj["metadata"]["name"])
