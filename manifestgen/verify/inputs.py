"""Inputs of `verify`: which files to read, and the documents in each.

YAML is read with libyaml (`fast_yaml`), about ten times faster than ruamel's round-trip
loader; `verify` reports field paths, not lines, so it needs no line numbers. JSON
inputs go to `json.loads`, twenty times faster again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from manifestgen.source.guard import check_size
from manifestgen.source.limits import VERIFY_LIMITS
from manifestgen.verify import fast_yaml, strict_json
from manifestgen.verify.model import STDIN_ARGUMENT, STDIN_NAME, FileError, VerifyError

SUFFIXES = frozenset({".yaml", ".yml", ".json"})


@dataclass(frozen=True)
class Source:
    """One input: a file (read when processed) or standard input (already read)."""

    name: str
    path: Path | None = None
    data: bytes | None = None
    size: int = 0


@dataclass(frozen=True)
class Document:
    """One object to check, with where it sits in its input."""

    index: int  # 1-based document number
    item: int | None  # index in a List's `items`
    obj: Any


def discover(paths: Sequence[Path], stdin: bytes = b"") -> list[Source]:
    """The inputs in argument order, directories expanded (sorted, hidden entries skipped).

    A file named twice is read once, at its first mention. Raises `VerifyError` for a path
    that does not exist.
    """
    sources: list[Source] = []
    seen: set[str] = set()
    for path in paths:
        for source in _expand(path, stdin):
            if source.name not in seen:
                seen.add(source.name)
                sources.append(source)
    return sources


def _expand(path: Path, stdin: bytes) -> Iterator[Source]:
    if str(path) == STDIN_ARGUMENT:
        yield Source(STDIN_NAME, data=stdin, size=len(stdin))
    elif path.is_dir():
        found = [
            p
            for p in path.rglob("*")
            if p.suffix.lower() in SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
            and p.is_file()
        ]
        for file in sorted(found, key=lambda p: p.relative_to(path).as_posix()):
            yield _file_source(file)
    elif path.is_file():
        yield _file_source(path)
    else:
        raise VerifyError(f"no such file or directory: {path}")


def _file_source(path: Path) -> Source:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # reported when the file is read
    return Source(path.as_posix(), path=path, size=size)


def read_documents(source: Source) -> tuple[list[Document], list[FileError]]:
    """The objects in `source`, `List` documents expanded, empty documents dropped.

    A syntax error ends the file: the documents before it are returned, and the error
    with its line and column.
    """
    if source.data is not None:
        data = source.data
    else:
        assert source.path is not None
        try:
            data = _read_bounded(source.path)
        except OSError as error:
            return [], [FileError(f"cannot read: {error.strerror or error}")]
    too_large = check_size(len(data), VERIFY_LIMITS)
    if too_large is not None:
        return [], [FileError(too_large.message)]
    objects, failure = _parse(source, data)
    documents = [d for index, obj in enumerate(objects, start=1) for d in _objects(index, obj)]
    return documents, [] if failure is None else [_parse_error(failure)]


def _read_bounded(path: Path) -> bytes:
    # One byte past the limit is enough to know it is exceeded; a special file that
    # never ends (a FIFO, /dev/zero behind a symlink) is read no further.
    with path.open("rb") as stream:
        return stream.read(VERIFY_LIMITS.file_bytes + 1)


def _parse(source: Source, data: bytes) -> tuple[list[Any], Exception | None]:
    if _is_json_name(source.name) or _looks_like_json(data):
        try:
            return [strict_json.loads(data)], None
        except strict_json.StrictJsonError as error:
            return [], _locate_json(data, error)
        except ValueError as error:  # JSONDecodeError, or bytes that are not UTF-8
            if _is_json_name(source.name):
                return [], error
        # Not JSON after all ("{a: 1}" is YAML flow style): let YAML read it.
    return fast_yaml.load_all(data)


def _locate_json(data: bytes, error: strict_json.StrictJsonError) -> Exception:
    if error.line:
        return error
    # A duplicate key: YAML reads JSON too, and its reader knows where the key is.
    _, located = fast_yaml.load_all(data)
    return located if isinstance(located, fast_yaml.StrictValueError) else error


def _is_json_name(name: str) -> bool:
    return name.lower().endswith(".json")


def _looks_like_json(data: bytes) -> bool:
    # json.loads is ~20x faster than YAML; `kubectl get -o json | manifestgen verify -`
    # deserves it. A JSON document is a YAML document, so a miss only costs the attempt.
    return data.lstrip()[:1] in (b"{", b"[")


def _objects(index: int, obj: Any) -> Iterator[Document]:
    if obj is None:
        return
    items = obj.get("items") if isinstance(obj, dict) and _is_list(obj) else None
    if isinstance(items, list):
        yield from (Document(index, i, item) for i, item in enumerate(items))
    else:
        yield Document(index, None, obj)


def _is_list(obj: dict[str, Any]) -> bool:
    # `kind: List` (kubectl's) and the typed lists the API returns (`PodList`).
    kind = obj.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and "items" in obj


def _parse_error(error: Exception) -> FileError:
    if isinstance(error, fast_yaml.LimitError):
        problem = error.problem
        return FileError(problem.message, problem.line, problem.column)
    if isinstance(error, fast_yaml.StrictValueError) and error.problem_mark is not None:
        mark = error.problem_mark
        return FileError(str(error.problem), mark.line + 1, mark.column + 1)
    if isinstance(error, strict_json.StrictJsonError):
        return FileError(str(error), error.line, error.column)
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        text = ", ".join(str(part) for part in (error.context, error.problem) if part)
        return FileError(f"YAML syntax error: {text}", mark.line + 1, mark.column + 1)
    if isinstance(error, json.JSONDecodeError):
        return FileError(f"JSON syntax error: {error.msg}", error.lineno, error.colno)
    if isinstance(error, yaml.reader.ReaderError):
        return FileError(f"cannot decode: {error.reason} (byte {error.position})")
    first_line = str(error).strip().splitlines()[:1]
    return FileError(f"cannot parse: {first_line[0] if first_line else type(error).__name__}")
