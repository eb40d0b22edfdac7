"""Where two generated objects differ: the paths a note shows to explain a recreation."""

from __future__ import annotations

from typing import Any

_SHOWN = 3


def changed_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted paths (`a.b[2].c`) at which `old` and `new` differ, sorted."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[str] = []
        for key in sorted(set(old) | set(new)):
            path = _join(prefix, str(key))
            if key not in old or key not in new:
                found.append(path)
            else:
                found += changed_paths(old[key], new[key], path)
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            p
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for p in changed_paths(a, b, f"{prefix}[{i}]")
        ]
    return [] if old == new else [prefix or "(whole object)"]


def _join(prefix: str, key: str) -> str:
    # Label-like keys (vpc.amazonaws.com/efa) would read as nested fields when dotted.
    if "." in key or "/" in key:
        return f"{prefix}[{key!r}]"
    return f"{prefix}.{key}" if prefix else key


def summarize_paths(paths: list[str]) -> str:
    """The shortest few paths (the broadest changes), then how many more."""
    shown = ", ".join(sorted(paths, key=lambda p: (len(p), p))[:_SHOWN])
    more = len(paths) - _SHOWN
    return f"{shown} and {more} more" if more > 0 else shown
