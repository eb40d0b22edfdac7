"""Names of generated objects: derived from the spec, hashed where content must show."""

from __future__ import annotations

import json
from typing import Any

from manifestgen.digest import digest

HASH_LENGTH = 8
MAX_LABEL = 63


def content_name(base: str, content: Any) -> str:
    """`<base>-<8 hex>`: a new name whenever the content changes.

    A job's pod template is immutable once created, so a changed spec must become a
    new object rather than an update Argo CD cannot apply.
    """
    return f"{base}-{digest(content)[:HASH_LENGTH]}"


def content_name_length(base: str) -> int:
    return len(base) + 1 + HASH_LENGTH


def without_path(value: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """A copy of a nested mapping without the key at `path` (absent keys are fine)."""
    if not path or path[0] not in value:
        return value
    head, *rest = path
    copy = dict(value)
    if rest and isinstance(copy[head], dict):
        copy[head] = without_path(copy[head], tuple(rest))
    elif not rest:
        del copy[head]
    return copy


def job_object_name(
    base: str, spec: dict[str, Any], hyperparameters: Any, suspend_path: tuple[str, ...]
) -> str:
    """The training job's name: a hash of what its pods run, hyperparameters included.

    The suspend flag is left out: the operator suspends and resumes a job in place, so
    pausing a run must not replace it with a new one.
    """
    return content_name(
        base,
        {"spec": without_path(spec, suspend_path), "hyperparameters": hyperparameters},
    )


def run_digest(document: Any, left_out: tuple[tuple[str, ...], ...]) -> str:
    """Digest of the parts of a job's spec that its job object reflects, as written to out/.

    It tells a change to the job itself from a change of the Platform or of manifestgen
    when the rendered job differs from the previous build. `left_out` are the fields
    that never reach the job object (its state, its claim's size...).
    """
    plain = json.loads(json.dumps(document, sort_keys=True))
    for path in left_out:
        plain = without_path(plain, path)
    return f"sha256:{digest(plain)[:16]}"
