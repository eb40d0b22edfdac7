"""The output tree: every generated file, plus one kustomization.yaml per Application
directory (render/layout.py).

The Applications read their directories as plain directories (Argo CD parses each file
once, far cheaper than a kustomize build) and skip the kustomization.yaml; it is there so
`kubectl kustomize` shows what an Application applies, and so an Application's directory
exists before its team has a job.

The tree knows its paths at once and renders a file's bytes only when they are read:
`build` and `check` read every file (to write or compare it), `validate` reads none,
and rendering is a quarter of a build's time. Rendering is a pure function of the
object, so when it happens cannot change a byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from manifestgen.manifest import Manifest
from manifestgen.render.layout import KUSTOMIZATION, application_directory, path_of
from manifestgen.render.yaml import render_document

OutputTree = Mapping[str, bytes]
Render = Callable[[Mapping[str, Any], str | None], bytes]


def kustomization(resources: Iterable[str]) -> dict[str, object]:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(resources),
    }


class RenderedTree(Mapping[str, bytes]):
    """Files by sorted relative path; each is rendered the first time it is read."""

    def __init__(
        self,
        sources: Mapping[str, tuple[Mapping[str, Any], str | None]],
        render: Render | None = None,
    ) -> None:
        self._sources = dict(sorted(sources.items()))
        self._rendered: dict[str, bytes] = {}
        self._render = render

    def __getitem__(self, path: str) -> bytes:
        content = self._rendered.get(path)
        if content is None:
            obj, source = self._sources[path]
            render = self._render or render_document
            content = self._rendered[path] = render(obj, source)
        return content

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def __contains__(self, path: object) -> bool:
        return path in self._sources


def render_tree(
    manifests: Iterable[Manifest],
    render: Render | None = None,
    *,
    directories: Iterable[str] = (),
) -> OutputTree:
    """Bytes for every file under out/, keyed by sorted relative path; `render` (by
    default `render_document`) makes each file's bytes from its object and source, and
    each of `directories` gets its kustomization.yaml even when no object lives there."""
    files: dict[str, tuple[Mapping[str, Any], str | None]] = {}
    members: dict[str, list[str]] = {directory: [] for directory in directories}
    for manifest in manifests:
        path = path_of(manifest)
        if path in files:
            raise ValueError(f"two generated objects share the output path {path}")
        files[path] = (manifest.obj, manifest.origin.document.path)
        directory = application_directory(path)
        members.setdefault(directory, []).append(path[len(directory) + 1 :])
    for directory, paths in members.items():
        files[f"{directory}/{KUSTOMIZATION}"] = (kustomization(paths), None)
    return RenderedTree(files, render)
