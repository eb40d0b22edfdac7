"""API-server-style checks of `metadata`: names, namespaces, label and annotation syntax.

JSON Schema only says `metadata.name` is a string; the API server also rejects
`My_Job`, a 64-character label value or a label key with two slashes. These are the
same rules as k8s.io/apimachinery's validation (IsDNS1123Subdomain, IsQualifiedName,
IsValidLabelValue, ...), applied to every checked object, built-in or custom.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from manifestgen.check.messages import short_value
from manifestgen.check.problems import JsonPath, ObjectProblem

_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
_ANNOTATIONS_MAX_BYTES = 256 * 1024


_ALNUM_ENDS = "starting and ending with a letter or digit"


def _too_long(value: str, limit: int, what: str = "") -> str | None:
    if len(value) <= limit:
        return None
    return f"{what}must be at most {limit} characters (got {len(value)})"


def dns1123_label(value: str) -> str | None:
    """None if `value` is an RFC 1123 label, else why not."""
    if _LABEL.fullmatch(value):
        return _too_long(value, 63)
    return (
        "must be a DNS-1123 label: lowercase letters, digits and '-', "
        f"{_ALNUM_ENDS} (got {short_value(value)})"
    )


def dns1035_label(value: str) -> str | None:
    """None if `value` is an RFC 1035 label (a DNS-1123 label starting with a letter)."""
    if _DNS1035.fullmatch(value):
        return _too_long(value, 63)
    return (
        "must be a DNS-1035 label: lowercase letters, digits and '-', starting with a "
        f"letter and ending with a letter or digit (got {short_value(value)})"
    )


def dns1123_subdomain(value: str) -> str | None:
    """None if `value` is an RFC 1123 subdomain."""
    if _SUBDOMAIN.fullmatch(value):
        return _too_long(value, 253)
    return (
        "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', "
        f"{_ALNUM_ENDS} (got {short_value(value)})"
    )


def path_segment_name(value: str) -> str | None:
    """None if `value` can be a URL path segment (the rule for RBAC object names)."""
    if value in (".", "..") or "/" in value or "%" in value:
        return f"must not be '.' or '..' nor contain '/' or '%' (got {short_value(value)})"
    return None


def qualified_name(key: str) -> str | None:
    """None if `key` is a valid label or annotation key: `[prefix/]name`."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or dns1123_subdomain(prefix) is not None):
        return f"key prefix before '/' must be a DNS-1123 subdomain (got {short_value(key)})"
    if not _QUALIFIED_NAME.fullmatch(name):
        return (
            "key name must be letters, digits, '-', '_' and '.', "
            f"{_ALNUM_ENDS}, after an optional 'prefix/' (got {short_value(key)})"
        )
    return _too_long(name, 63, "key name after the prefix ")


def label_value(value: str) -> str | None:
    """None if `value` is a valid label value (may be empty)."""
    if _LABEL_VALUE.fullmatch(value):
        return _too_long(value, 63, "label value ")
    return (
        "label value must be letters, digits, '-', '_' and '.', "
        f"{_ALNUM_ENDS} (got {short_value(value)})"
    )


NameRule = Callable[[str], str | None]

# Built-in kinds whose names follow another rule than the DNS subdomain most use.
_BUILTIN_NAME_RULES: dict[str, NameRule] = {
    "Namespace": dns1123_label,
    "Service": dns1035_label,
    "Role": path_segment_name,
    "ClusterRole": path_segment_name,
    "RoleBinding": path_segment_name,
    "ClusterRoleBinding": path_segment_name,
}


def name_rule(kind: str, *, builtin: bool) -> NameRule:
    """How the API server validates `metadata.name` for this kind."""
    return _BUILTIN_NAME_RULES.get(kind, dns1123_subdomain) if builtin else dns1123_subdomain


def metadata_problems(obj: Mapping[str, Any], name_check: NameRule) -> list[ObjectProblem]:
    """Problems in `obj["metadata"]` the API server would reject (rule "metadata").

    Wrong types are left to the schema; this only judges values of the right type.
    """
    metadata = obj.get("metadata")
    if metadata is None:
        return [_problem((), "'metadata' is required")]
    if not isinstance(metadata, Mapping):
        return []
    found = _name_problems(metadata, name_check)
    namespace = metadata.get("namespace")
    if isinstance(namespace, str):
        found += _at(("metadata", "namespace"), dns1123_label(namespace))
    found += _label_problems(metadata.get("labels"))
    found += _annotation_problems(metadata.get("annotations"))
    finalizers = metadata.get("finalizers")
    for index, finalizer in enumerate(finalizers if isinstance(finalizers, list) else ()):
        if isinstance(finalizer, str):
            found += _at(("metadata", "finalizers", index), qualified_name(finalizer))
    return found


def _name_problems(metadata: Mapping[str, Any], name_check: NameRule) -> list[ObjectProblem]:
    name, generate_name = metadata.get("name"), metadata.get("generateName")
    if isinstance(name, str) and name:
        return _at(("metadata", "name"), name_check(name))
    if isinstance(generate_name, str) and generate_name:
        # The server appends random characters: validate the prefix without its trailing
        # dash, the way apimachinery's NameIsDNSSubdomain(prefix=true) does.
        stem = generate_name[:-1] if generate_name.endswith("-") else generate_name
        return _at(("metadata", "generateName"), name_check(stem or "a"))
    if name is None and generate_name is None:
        return [_problem(("metadata",), "'name' is required")]
    if isinstance(name, str) or isinstance(generate_name, str):
        return [_problem(("metadata", "name"), "must not be empty")]
    return []


def _label_problems(labels: Any) -> list[ObjectProblem]:
    if not isinstance(labels, Mapping):
        return []
    found: list[ObjectProblem] = []
    for key, value in labels.items():
        path = ("metadata", "labels", str(key))
        found += _at(path, qualified_name(str(key)))
        if isinstance(value, str):
            found += _at(path, label_value(value))
        elif value is None:
            found += _at(path, "label value must be a string (got null)")
    return found


def _annotation_problems(annotations: Any) -> list[ObjectProblem]:
    if not isinstance(annotations, Mapping):
        return []
    found: list[ObjectProblem] = []
    total = 0
    for key, value in annotations.items():
        path = ("metadata", "annotations", str(key))
        # apimachinery lower-cases annotation keys before checking them.
        found += _at(path, qualified_name(str(key).lower()))
        total += len(str(key).encode())
        if isinstance(value, str):
            total += len(value.encode())
        elif value is None:
            # The schema allows null (other types are schema problems); the API server
            # stores a map of strings.
            found += _at(path, "annotation value must be a string (got null)")
    if total > _ANNOTATIONS_MAX_BYTES:
        found += _at(
            ("metadata", "annotations"),
            f"annotations must total at most {_ANNOTATIONS_MAX_BYTES} bytes (got {total})",
        )
    return found


def _at(path: JsonPath, message: str | None) -> list[ObjectProblem]:
    return [] if message is None else [_problem(path, message)]


def _problem(path: JsonPath, message: str) -> ObjectProblem:
    return ObjectProblem(path, message, rule="metadata")
