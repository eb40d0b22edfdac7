"""Container image references, checked against the OCI distribution grammar.

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [ registry "/" ] path-component ( "/" path-component )*
    registry   := host [ ":" port ]        (a first component with ".", ":" or upper
                                            case, or "localhost")
    path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
    tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
    digest     := "sha256:" 64 hex | "sha512:" 128 hex   (lower case)

This is the grammar of distribution/reference, which container runtimes apply when they
pull; an image the runtime would reject, or read differently from the way the registry
allow-list (MG214) read it, is refused when the spec is read, at the `image:` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Longest name (registry and path) distribution accepts.
MAX_NAME = 255
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_HOST_LABEL = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_REGISTRY = re.compile(rf"(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
# Registered digest algorithms and the length of their lower-case hex encoding.
DIGEST_LENGTHS = {"sha256": 64, "sha512": 128}
_HEX = re.compile(r"[0-9a-f]+")
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class ImageReference:
    """A parsed reference; `registry` is "" when the runtime's default applies."""

    registry: str
    path: str
    tag: str
    digest: str


def parse_image(reference: str) -> ImageReference:
    """The parts of a valid reference; ValueError with the reason for an invalid one."""
    if not reference:
        raise ValueError("an image reference must not be empty")
    if _FORBIDDEN.search(reference):
        raise ValueError(f"image {reference!r} contains whitespace or a control character")
    name_and_tag, _, digest = reference.partition("@")
    if digest:
        _check_digest(reference, digest)
    elif reference.endswith("@"):
        raise ValueError(f"image {reference!r} has an empty digest after '@'")
    name, tag = _split_tag(reference, name_and_tag)
    registry, path = _split_registry(name)
    _check_name(reference, registry, path)
    return ImageReference(registry, path, tag, digest)


def _check_digest(reference: str, digest: str) -> None:
    algorithm, _, encoded = digest.partition(":")
    length = DIGEST_LENGTHS.get(algorithm)
    if length is None:
        known = " or ".join(sorted(DIGEST_LENGTHS))
        raise ValueError(
            f"image {reference!r}: digest algorithm {algorithm!r} is not supported (use {known})"
        )
    if len(encoded) != length or _HEX.fullmatch(encoded) is None:
        raise ValueError(
            f"image {reference!r}: a {algorithm} digest is {length} lower-case hex digits "
            f"(got {encoded!r})"
        )


def _split_tag(reference: str, name_and_tag: str) -> tuple[str, str]:
    colon, slash = name_and_tag.rfind(":"), name_and_tag.rfind("/")
    if colon <= slash:
        return name_and_tag, ""
    name, tag = name_and_tag[:colon], name_and_tag[colon + 1 :]
    if _TAG.fullmatch(tag) is None:
        raise ValueError(
            f"image {reference!r}: tag {tag!r} is not valid (1-128 letters, digits, '_', '.' "
            "or '-', not starting with '.' or '-')"
        )
    return name, tag


def _split_registry(name: str) -> tuple[str, str]:
    first, slash, rest = name.partition("/")
    is_registry = any(c in first for c in ".:") or first == "localhost" or first != first.lower()
    if slash and is_registry:
        return first, rest
    return "", name


def _check_name(reference: str, registry: str, path: str) -> None:
    if registry and _REGISTRY.fullmatch(registry) is None:
        raise ValueError(f"image {reference!r}: registry {registry!r} is not a valid host[:port]")
    if len(registry) + len(path) + 1 > MAX_NAME:
        raise ValueError(f"image {reference!r}: the name is longer than {MAX_NAME} characters")
    if not path:
        raise ValueError(f"image {reference!r} has no repository")
    for component in path.split("/"):
        _check_component(reference, component)


def _check_component(reference: str, component: str) -> None:
    if not component:
        raise ValueError(f"image {reference!r} has an empty repository path component")
    if _PATH_COMPONENT.fullmatch(component) is not None:
        return
    if _PATH_COMPONENT.fullmatch(component.lower()) is not None:
        raise ValueError(f"image {reference!r}: repository path {component!r} must be lower case")
    raise ValueError(
        f"image {reference!r}: repository path {component!r} is not valid (lower-case "
        "letters and digits, separated by '.', '_', '__' or '-')"
    )


def check_image(reference: str) -> str:
    """A pydantic validator: the reference unchanged, or ValueError."""
    parse_image(reference)
    return reference


def from_registry(reference: str, prefix: str) -> bool:
    """Whether `reference` lies under the allow-list entry `prefix`.

    A plain string prefix would let `ghcr.io/acme` admit `ghcr.io/acmeevil/x`: the entry
    only matches where a name component ends, so the character after it must be `/`,
    `:` or `@` (or the entry ends in `/` itself, or names the whole image).
    """
    if not reference.startswith(prefix):
        return False
    if prefix.endswith("/") or len(reference) == len(prefix):
        return True
    return reference[len(prefix)] in "/:@"
