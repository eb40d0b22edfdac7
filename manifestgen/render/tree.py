"""The output tree: every generated file, plus one kustomization.yaml per top directory.

The tree knows its paths at once and renders a file's bytes only when they are read:
`build` and `check` read every file (to write or compare it), `validate` reads none,
and rendering is a quarter of a build's time. Rendering is a pure function of the
object, so when it happens cannot change a byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from manifestgen.manifest import Manifest
from manifestgen.render.layout import KUSTOMIZATION, path_of, top_directory
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


def render_tree(manifests: Iterable[Manifest], render: Render | None = None) -> OutputTree:
    """Bytes for every file under out/, keyed by sorted relative path; `render` (by
    default `render_document`) makes each file's bytes from its object and source."""
    files: dict[str, tuple[Mapping[str, Any], str | None]] = {}
    directories: dict[str, list[str]] = {}
    for manifest in manifests:
        path = path_of(manifest)
        if path in files:
            raise ValueError(f"two generated objects share the output path {path}")
        files[path] = (manifest.obj, manifest.origin.document.path)
        top = top_directory(path)
        directories.setdefault(top, []).append(path[len(top) + 1 :])
    for top, members in directories.items():
        files[f"{top}/{KUSTOMIZATION}"] = (kustomization(members), None)
    return RenderedTree(files, render)
