"""What a job kind provides: its API identity, its spec, and the names its operator derives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from manifestgen.spec.resolve import ResolvedJob


@dataclass(frozen=True)
class JobKind:
    framework: str
    api_version: str
    kind: str
    # The job's spec: everything but metadata.
    build_spec: Callable[[ResolvedJob], dict[str, Any]]
    # Suffixes the operator appends to the job name for pods and Services; the longest
    # must still fit in a 63-character label.
    child_suffixes: Callable[[ResolvedJob], tuple[str, ...]]
    # (object path prefix, pod path prefix) for each replica's pod spec, for error mapping.
    pod_spec_paths: Callable[[ResolvedJob], tuple[tuple[str | int, ...], ...]]
    # Where the spec's suspend flag lives: the operator stops and resumes the job in place.
    suspend_path: tuple[str, ...] = ("runPolicy", "suspend")
