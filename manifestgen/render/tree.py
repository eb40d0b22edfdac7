"""The output tree: every generated file, plus one kustomization.yaml per top directory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from manifestgen.manifest import Manifest
from manifestgen.render.layout import KUSTOMIZATION, path_of, top_directory
from manifestgen.render.yaml import render_document

OutputTree = Mapping[str, bytes]


def kustomization(resources: Iterable[str]) -> dict[str, object]:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(resources),
    }


def render_tree(manifests: Iterable[Manifest]) -> OutputTree:
    """Bytes for every file under out/, keyed by sorted relative path."""
    files: dict[str, bytes] = {}
    directories: dict[str, list[str]] = {}
    for manifest in manifests:
        path = path_of(manifest)
        if path in files:
            raise ValueError(f"two generated objects share the output path {path}")
        files[path] = render_document(manifest.obj, manifest.origin.document.path)
        top = top_directory(path)
        directories.setdefault(top, []).append(path[len(top) + 1 :])
    for top, members in directories.items():
        files[f"{top}/{KUSTOMIZATION}"] = render_document(kustomization(members), None)
    return MappingProxyType(dict(sorted(files.items())))
