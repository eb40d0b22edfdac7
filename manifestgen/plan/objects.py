"""The objects of one out/ tree, sorted into what a plan talks about.

A tree is `{path relative to out/: bytes}`, as a build renders it or as out/ (on disk or
at a git commit) holds it. Paths follow the fixed layout of render/layout.py:
`<cluster>/cluster/<kind>-<name>.yaml` for cluster objects (and `<cluster>/cluster/
<namespace>/...` for what the Platform puts in a namespace), `<cluster>/<namespace>/<job>/
<kind>.yaml` for what one TrainingJob expands into, `argocd/...` for Argo CD's objects.
A file that does not parse as one object is kept by its bytes only: it still counts as a
changed file, and never as a job or a claim. Only the files a plan reads objects from are
parsed (job objects, claims, namespaces, node pools: the canonical layout writes `kind:`
at the start of a line), each content once for both trees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from manifestgen.expand.labels import RUN_DIGEST_ANNOTATION
from manifestgen.render.layout import ARGOCD_DIR, KUSTOMIZATION, PLATFORM_DIR
from manifestgen.verify.fast_yaml import load_all

JobKey = tuple[str, str]  # namespace, job (the spec's name)
_CLUSTER_KINDS = (b"Namespace", b"NodePool", b"NodeOverlay")
RUN_DIGEST_BYTES = RUN_DIGEST_ANNOTATION.encode()
_KIND = re.compile(rb"^kind: (\S+)$", re.M)


@dataclass(frozen=True)
class Obj:
    path: str
    data: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def name(self) -> str:
        return str(_mapping(self.data.get("metadata")).get("name", ""))

    @property
    def spec(self) -> Any:
        return self.data.get("spec")

    def annotation(self, key: str) -> str | None:
        value = _mapping(_mapping(self.data.get("metadata")).get("annotations")).get(key)
        return None if value is None else str(value)


@dataclass
class ClusterObjects:
    """One cluster's part of a tree."""

    jobs: dict[JobKey, Obj] = field(default_factory=dict)
    claims: dict[JobKey, Obj] = field(default_factory=dict)
    job_dirs: set[JobKey] = field(default_factory=set)
    namespaces: dict[str, Obj] = field(default_factory=dict)
    node_pools: dict[str, Obj] = field(default_factory=dict)
    # MIG pools' overlays, by name (the pool's): the slices a node has.
    node_overlays: dict[str, Obj] = field(default_factory=dict)
    # Every file of the cluster but its kustomization, by path: what "other" changes count.
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class TreeObjects:
    clusters: dict[str, ClusterObjects] = field(default_factory=dict)
    argocd: dict[str, bytes] = field(default_factory=dict)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _parse(content: bytes) -> Mapping[str, Any] | None:
    documents, error = load_all(content)
    if error is not None or len(documents) != 1 or not isinstance(documents[0], Mapping):
        return None
    return documents[0]


Parsed = dict[bytes, Mapping[str, Any] | None]


def sort_tree(tree: Mapping[str, bytes], parsed: Parsed | None = None) -> TreeObjects:
    """Every file of `tree`, placed by its path and kind; `parsed` caches objects by
    content, so a file both trees hold is parsed once."""
    cache: Parsed = {} if parsed is None else parsed
    found = TreeObjects()
    for path, content in sorted(tree.items()):
        parts = path.split("/")
        if parts[-1] == KUSTOMIZATION:
            continue  # lists the other files: its changes say nothing of their own
        if parts[0] == ARGOCD_DIR:
            found.argocd[path] = content
            continue
        if len(parts) < 3:
            continue  # not a path the layout writes
        cluster = found.clusters.setdefault(parts[0], ClusterObjects())
        cluster.files[path] = content
        if len(parts) == 4 and parts[1] != PLATFORM_DIR:
            cluster.job_dirs.add((parts[1], parts[2]))
        if not _wanted(content, parts):
            continue
        if content not in cache:
            cache[content] = _parse(content)
        data = cache[content]
        if data is not None:
            _place(cluster, Obj(path, data), parts)
    return found


def _wanted(content: bytes, parts: list[str]) -> bool:
    """Whether the plan reads an object from this file (see the module docstring)."""
    found = _KIND.search(content)
    kind = found.group(1) if found else b""
    if parts[1] == PLATFORM_DIR:
        return kind in _CLUSTER_KINDS
    return kind == b"PersistentVolumeClaim" or RUN_DIGEST_BYTES in content


def _place(cluster: ClusterObjects, obj: Obj, parts: list[str]) -> None:
    if parts[1] == PLATFORM_DIR and len(parts) == 3:
        if obj.kind == "Namespace":
            cluster.namespaces[obj.name] = obj
        elif obj.kind == "NodePool":
            cluster.node_pools[obj.name] = obj
        elif obj.kind == "NodeOverlay":
            cluster.node_overlays[obj.name] = obj
        return
    if len(parts) != 4 or parts[1] == PLATFORM_DIR:
        return
    key = (parts[1], parts[2])
    if obj.annotation(RUN_DIGEST_ANNOTATION) is not None:
        cluster.jobs[key] = obj
    elif obj.kind == "PersistentVolumeClaim":
        cluster.claims[key] = obj
