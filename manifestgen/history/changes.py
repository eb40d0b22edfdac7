"""Where two generated objects differ: the paths a note shows to explain a recreation."""

from __future__ import annotations

from typing import Any

_SHOWN = 3

# Where a pod names another object: a job kept from the previous build still names what
# that build generated, so each of these must still be generated under the same name.
_NAME_REFERENCES = {
    "serviceAccountName": "ServiceAccount",
    "claimName": "PersistentVolumeClaim",
}
# key -> (kind, the key of the name inside it)
_NAMED_SOURCES = {
    "configMap": ("ConfigMap", "name"),
    "configMapKeyRef": ("ConfigMap", "name"),
    "configMapRef": ("ConfigMap", "name"),
    "secretKeyRef": ("Secret", "name"),
    "secretRef": ("Secret", "name"),
    "secret": ("Secret", "secretName"),
}


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


def references(value: Any) -> set[str]:
    """`Kind 'name'` for every object a pod template in `value` refers to by name."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _NAME_REFERENCES and isinstance(item, str):
                found.add(f"{_NAME_REFERENCES[key]} {item!r}")
            elif key in _NAMED_SOURCES and isinstance(item, dict):
                kind, name_key = _NAMED_SOURCES[key]
                if isinstance(item.get(name_key), str):
                    found.add(f"{kind} {item[name_key]!r}")
            found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found
