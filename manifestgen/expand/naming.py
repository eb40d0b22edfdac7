"""Names of generated objects: derived from the spec, hashed where content must show."""

from __future__ import annotations

import hashlib
import json
from typing import Any

HASH_LENGTH = 8
MAX_LABEL = 63


def digest(value: Any) -> str:
    """sha256 of the canonical JSON of `value` (key order never matters)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_name(base: str, content: Any) -> str:
    """`<base>-<8 hex>`: a new name whenever the content changes.

    A job's pod template is immutable once created, so a changed spec must become a
    new object rather than an update Argo CD cannot apply.
    """
    return f"{base}-{digest(content)[:HASH_LENGTH]}"


def content_name_length(base: str) -> int:
    return len(base) + 1 + HASH_LENGTH
