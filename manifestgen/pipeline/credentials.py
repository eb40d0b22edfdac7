"""No credential reaches out/: every string of every generated object is searched.

Searching the generated objects rather than chosen spec fields means nothing is missed
when a new field starts reaching the output (env, args, command, hyperparameters, the
Platform's repository URL...). A finding is reported where the user wrote the value: the
first string of the object's spec document that contains it, else the spec line the
object came from. Git keeps whatever is committed, so these are errors, not warnings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from manifestgen.errors import Diagnostic, JsonPath, Related, SourceLocation
from manifestgen.manifest import Manifest
from manifestgen.options import BuildOptions
from manifestgen.pipeline.object_memo import ObjectMemo
from manifestgen.render.layout import path_of
from manifestgen.spec.credentials import (
    ALLOW_MARKER,
    HEX_EXEMPT_FIELDS,
    HEX_KIND,
    Finding,
    assignments,
    flag_name,
    named_value,
    shapes,
)

_ALLOW_HINT = f"if it is not a credential, end its line with `# {ALLOW_MARKER}`"


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return None


def _strings(node: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str, Any]]:
    """(path, text, parent) for every string value, and (path, key, None) for every key."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), str(key), None
            if isinstance(value, str):
                yield (*path, key), value, node
            else:
                yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, str):
                yield (*path, index), item, node
            else:
                yield from _strings(item, (*path, index))
    # Numbers and booleans are Kubernetes settings, never credentials.


def _value_findings(obj: dict[str, Any]) -> Iterator[tuple[JsonPath, str, Finding]]:
    for path, text, parent in _strings(obj):
        last = path[-1]
        found = [f for f in shapes(text) if f.kind != HEX_KIND or last not in HEX_EXEMPT_FIELDS]
        if parent is not None:
            found += assignments(text)
            named = _named(parent, last, text)
            found += [named] if named is not None else []
        for finding in found:
            yield path, text, finding


def _named(parent: Any, last: str | int, text: str) -> Finding | None:
    """A secret-named setting: an EnvVar's value, a mapping key's value, a flag's argument."""
    if isinstance(last, int):
        flag = parent[last - 1] if last > 0 else None
        name = flag_name(flag) if isinstance(flag, str) else None
        return named_value(name, text) if name and flag_name(text) is None else None
    if last == "value" and isinstance(parent.get("name"), str):
        return named_value(parent["name"], text)
    return named_value(last, text)


def _spec_values(data: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """(path, text) of every scalar of a spec document, in document order."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _spec_values(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _spec_values(item, (*path, index))
    else:
        text = _text(data)
        if text is not None:
            yield path, text


def _spec_path(data: Any, generated: str, finding: Finding) -> JsonPath | None:
    """Where the user wrote the value: best a spec value equal to the generated string
    (under the same name, for a secret-named setting), else the first that contains the
    credential."""
    best: tuple[int, JsonPath] | None = None
    for path, text in _spec_values(data):
        if finding.text not in text and text != generated:
            continue
        rank = (0 if text == generated else 2) + (0 if path[-1:] == (finding.named,) else 1)
        if finding.named is None:
            rank -= 1 if text == generated else 0
        if best is None or rank < best[0]:
            best = (rank, path)
    return best[1] if best else None


def _field(path: JsonPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Lines:
    """Spec file lines, read only when a finding needs its allow marker checked."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, list[str]] = {}

    def allows(self, location: SourceLocation) -> bool:
        if location.path not in self.files:
            path = Path(location.path)
            full = path if path.is_absolute() else self.root / path
            try:
                self.files[location.path] = full.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self.files[location.path] = []
        lines = self.files[location.path]
        return 0 < location.line <= len(lines) and ALLOW_MARKER in lines[location.line - 1]


def _message(spec_path: JsonPath | None, finding: Finding) -> tuple[str, str]:
    kind = "" if finding.named is not None else f" ({finding.kind})"
    if spec_path and len(spec_path) == 3 and spec_path[:2] == ("spec", "env"):
        name = spec_path[2]
        return (
            f"environment variable {name!r} holds a secret value inline{kind}",
            "store it in a Secret and reference it: "
            f"spec.secrets: [{{env: {name}, secret: <secret-name>, key: <key>}}]; {_ALLOW_HINT}",
        )
    what = f"{finding.named!r} holds a secret value" if finding.named else "secret value written"
    return (
        f"{what} inline{kind}: out/ would keep it in plain text",
        f"keep it in a Secret and pass it as an environment variable (spec.secrets); {_ALLOW_HINT}",
    )


def _diagnostic(
    manifest: Manifest, object_path: JsonPath, generated: str, finding: Finding, out_dir: str
) -> Diagnostic:
    document = manifest.origin.document
    spec_path = _spec_path(document.data, generated, finding)
    location = document.locate(spec_path) if spec_path else manifest.origin.locate(object_path)
    message, hint = _message(spec_path, finding)
    return Diagnostic(
        "MG223",
        message,
        location,
        field=_field(spec_path) if spec_path else "",
        hint=hint,
        related=(
            Related(SourceLocation(f"{out_dir}/{path_of(manifest)}"), "the generated object"),
        ),
    )


def check_credentials(
    manifests: list[Manifest], options: BuildOptions, memo: ObjectMemo | None = None
) -> list[Diagnostic]:
    """MG223 for every credential in the generated objects, once per spec location; an
    object the `memo` knows to hold none is not searched again."""
    lines = _Lines(options.root)
    out_dir = options.out_dir.as_posix()
    reported: dict[SourceLocation, Diagnostic] = {}
    for manifest in manifests:
        if memo is not None and memo.credential_free(manifest.obj):
            continue
        findings = list(_value_findings(manifest.obj))
        if memo is not None and not findings:
            memo.found_no_credential(manifest.obj)
        for object_path, generated, finding in findings:
            diagnostic = _diagnostic(manifest, object_path, generated, finding, out_dir)
            # One report per spec value: the same value reaches several objects (env in
            # every replica), and one value may show two kinds of evidence.
            if diagnostic.location not in reported and not lines.allows(diagnostic.location):
                reported[diagnostic.location] = diagnostic
    return list(reported.values())
