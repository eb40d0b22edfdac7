"""No text, however hostile, makes the spec loader raise or gives an unlocated problem.

(`tests/test_properties.py` runs whole builds on the same texts.)
"""

from __future__ import annotations

from hypothesis import example, given

from manifestgen.errors import CODES
from manifestgen.source.loader import load_source
from manifestgen.spec.parse import parse_document
from tests.strategies import hostile_yaml

# Codes of problems the loader finds at a place in the file (the others are whole-file).
_LOCATED = {"MG101", "MG102", "MG107", "MG108", "MG109", "MG110", "MG111", "MG112", "MG113"}


@given(text=hostile_yaml())
@example(text="&a [*a]")
@example(text="a: &a {b: *a}")
@example(text="a: 1\na: 2")
@example(text="<<: *a")
@example(text="<<: 5")
@example(text="a: &a {x: 1}\nb:\n  <<: *a\n  x: .inf\n")
@example(text="[" * 2000)
@example(text="a: " + "9" * 120)
@example(text="? [a]\n: 1\n")
@example(text="!!binary aGk=: 1\n")
@example(text="a: !!timestamp 2024-01-01\n")
@example(text="&a <<: &a ")
@example(text="? - - ")
def test_the_loader_never_raises_and_locates_what_it_reports(text: str) -> None:
    documents, diagnostics = load_source("specs/job.yaml", text)
    for diagnostic in diagnostics:
        assert diagnostic.code in CODES
        if diagnostic.code in _LOCATED and diagnostic.code != "MG101":
            assert diagnostic.location.line > 0, diagnostic
    for document in documents:
        parse_document(document)
        document.locate(("a", 0, "b"))
