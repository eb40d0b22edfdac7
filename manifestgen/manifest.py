"""What expansion produces: Kubernetes objects tagged with where they come from and where
they go. Only `render.layout` turns a target into a path in out/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manifestgen.errors import JsonPath, SourceLocation
from manifestgen.source.document import SourceDocument


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
class Target:
    """Which Application deploys an object, and what owns it there.

    `cluster` None: Argo CD's own objects (AppProjects, Applications, argocd-cm).
    `owner`: the TrainingJob an object belongs to; None for a cluster's shared objects.
    """

    cluster: str | None
    owner: str | None = None


@dataclass(frozen=True)
class Manifest:
    """One generated object, its target and its origin."""

    obj: dict[str, Any]
    origin: Origin
    target: Target

    @property
    def kind(self) -> str:
        return str(self.obj["kind"])

    @property
    def name(self) -> str:
        return str(self.obj["metadata"]["name"])

    @property
    def namespace(self) -> str | None:
        namespace = self.obj["metadata"].get("namespace")
        return None if namespace is None else str(namespace)
