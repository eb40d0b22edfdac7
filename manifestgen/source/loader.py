"""The spec loader: plain data for validation, plus a map back to lines.

Each document's data comes with its `Positions`, the 0-based line/column of every key
and value, and `SourceDocument.locate` turns any JSON path into a 1-based
`SourceLocation` (the one place the +1 happens). The plain shape of a spec is read
from libyaml's events (`source/fast_loader.py`); anything else, and every input when
PyYAML lacks its C extension, by ruamel's round-trip loader, whose tree keeps the same
positions and whose errors are the diagnostics below.

The input limits are checked first (`source/guard.py`), so the loader only ever sees
text it can read in bounded time, memory and recursion; what YAML can say but a spec
cannot hold is reported while copying the tree (`source/values.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from manifestgen.errors import Diagnostic, SourceLocation
from manifestgen.source.document import SourceDocument
from manifestgen.source.fast_loader import fast_load
from manifestgen.source.guard import InputProblem, check_yaml
from manifestgen.source.limits import SPEC_LIMITS
from manifestgen.source.positions import tree_positions
from manifestgen.source.values import TAG_HINT, UnsupportedTag, plain_data, spec_yaml


def _events(text: str | bytes) -> Iterator[Any]:
    # ruamel's own parser: what the loader will read, where libyaml stops early.
    return iter(YAML(typ="rt").parse(text))


def load_source(path: str, text: str) -> tuple[tuple[SourceDocument, ...], tuple[Diagnostic, ...]]:
    """Parse every document of one file; a syntax error is a located diagnostic, never raised."""
    problem = check_yaml(text, SPEC_LIMITS, exact=_events)
    if problem is not None:
        return (), (input_diagnostic(path, problem),)
    loaded = fast_load(text)
    if loaded is not None:
        documents = tuple(
            SourceDocument(path, index, data, positions)
            for index, (data, positions) in enumerate(loaded)
        )
        return documents, ()
    return _load_rt(path, text)


def _load_rt(path: str, text: str) -> tuple[tuple[SourceDocument, ...], tuple[Diagnostic, ...]]:
    """ruamel's round-trip loader: what the fast path leaves, with every diagnostic."""
    try:
        trees = [tree for tree in spec_yaml().load_all(text) if tree is not None]
    except DuplicateKeyError as exc:
        return (), (_yaml_diagnostic(path, exc, "MG102"),)
    except UnsupportedTag as exc:
        return (), (_yaml_diagnostic(path, exc, "MG114"),)
    except MarkedYAMLError as exc:
        return (), (_yaml_diagnostic(path, exc, "MG101"),)
    except YAMLError as exc:  # unmarked errors carry no position
        return (), (Diagnostic("MG101", str(exc).strip(), SourceLocation(path)),)
    except (TypeError, AttributeError, ValueError, KeyError, IndexError) as exc:
        # ruamel itself fails on some odd YAML (a list inside a complex key: `? - - x`).
        return (), (_loader_failure(path, exc),)
    documents: list[SourceDocument] = []
    diagnostics: list[Diagnostic] = []
    for index, tree in enumerate(trees):
        data, problems = plain_data(path, tree)
        positions = tree_positions(tree)
        documents.append(SourceDocument(path, index, data, positions, valid=not problems))
        diagnostics += problems
    return tuple(documents), tuple(diagnostics)


def input_diagnostic(path: str, problem: InputProblem) -> Diagnostic:
    """A limit the file exceeds, as a diagnostic at the place it was crossed."""
    return Diagnostic(
        problem.code,
        problem.message,
        SourceLocation(path, problem.line, problem.column),
        hint=problem.hint,
    )


def _loader_failure(path: str, exc: Exception) -> Diagnostic:
    return Diagnostic(
        "MG101",
        f"the YAML loader cannot read this file ({type(exc).__name__}: {exc})",
        SourceLocation(path),
        hint="a spec needs only plain mappings with string keys, lists and scalars",
    )


def _yaml_diagnostic(path: str, exc: MarkedYAMLError, code: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 0
    column = mark.column + 1 if mark is not None else 0
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    if code == "MG102":
        message = f"duplicate key: {problem}" if problem else "duplicate key"
        hint = "each key may appear once per mapping; remove or merge the repeated one"
    elif code == "MG114":
        message, hint = problem, TAG_HINT
    else:
        message = f"{context}: {problem}" if context and problem else problem or context
        hint = ""
    return Diagnostic(
        code, message or "invalid YAML", SourceLocation(path, line, column), hint=hint
    )
