"""Line and column of each problem `verify` found, for annotations and test reports.

The fast loader keeps no positions (that is what makes it fast). Only a file with a
finding pays for positions: it is composed again with libyaml, which keeps a mark on
every node, and each finding's path is walked down its document's node tree. A clean
run composes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence
from typing import Any

import yaml

from manifestgen.errors import JsonPath
from manifestgen.verify.inputs import Source
from manifestgen.verify.model import Finding, Resource

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def with_lines(source: Source, resources: Sequence[Resource]) -> tuple[Resource, ...]:
    """`resources` with 1-based lines on those that have findings (unchanged if unknown)."""
    if not any(r.findings for r in resources):
        return tuple(resources)
    nodes = _document_nodes(source)
    if not nodes:
        return tuple(resources)
    return tuple(_located(r, nodes) if r.findings else r for r in resources)


def _document_nodes(source: Source) -> list[Any]:
    """Node trees of the documents, up to a syntax error (its documents were judged too)."""
    try:
        data = source.data if source.data is not None else _read(source)
    except OSError:
        return []  # unreadable now: no lines, as before
    nodes: list[Any] = []
    # The documents before a syntax error keep their lines.
    with contextlib.suppress(yaml.YAMLError, ValueError):
        nodes.extend(yaml.compose_all(data, Loader=_Loader))
    return nodes


def _read(source: Source) -> bytes:
    if source.path is None:
        raise OSError("no path")
    return source.path.read_bytes()


def _located(resource: Resource, nodes: list[Any]) -> Resource:
    if not 1 <= resource.document <= len(nodes) or nodes[resource.document - 1] is None:
        return resource
    top: JsonPath = () if resource.item is None else ("items", resource.item)
    root, _ = _walk(nodes[resource.document - 1], top)
    findings = tuple(_finding_at(root, finding) for finding in resource.findings)
    line, _column = _mark(root)
    return dataclasses.replace(resource, line=line, findings=findings)


def _finding_at(root: Any, finding: Finding) -> Finding:
    node, key = _walk(root, finding.keys)
    line, column = _mark(key if key is not None else node)
    return dataclasses.replace(finding, line=line, column=column)


def _walk(node: Any, path: JsonPath) -> tuple[Any, Any]:
    """The deepest node along `path` and, if it is a mapping value, its key's node
    (a finding points at its field's key: a block value starts on the line below)."""
    key_node = None
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        key_node, node = child
    return node, key_node


def _child(node: Any, part: str | int) -> tuple[Any, Any] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key, value
        return None
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return None, node.value[part]
    return None


def _mark(node: Any) -> tuple[int, int]:
    mark = getattr(node, "start_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
