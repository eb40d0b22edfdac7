"""The libyaml path of the spec loader gives what ruamel's round-trip loader gives, or
leaves the text to it: the same data (types included) and the same key and value
positions, on every text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from manifestgen.source import fast_loader, loader
from manifestgen.source.loader import load_source
from tests.source.test_limits import JOB
from tests.strategies import hostile_yaml
from tests.support import REPO_ROOT

# Plain scalars on which YAML 1.1 (libyaml's resolver) and 1.2 (ruamel's) disagree, or
# which need ruamel's constructors; each is either resolved like ruamel or left to it.
PLAIN = [
    *("1", "-0", "+1", "0", "00", "017", "0o17", "0x1F", "0b11", "1_000", "1:20", "12:30:00"),
    *("1.5", "1.", ".5", "-1.5e3", "1e3", "1e-4", "1E+2", "1.0e999", "-.inf", ".NaN", "6.02e23"),
    *("true", "True", "TRUE", "tRue", "yes", "no", "on", "off", "y", "n"),
    *("~", "null", "Null", "NULL", "nULL", "<<", "=", "-", "a b", "a#b", "2024-01-01"),
    *("2001-12-14t21:59:43.10-05:00", "0.0.1", "1.33", "v1", "500m", "80Gi", "é", "a: b"),
]
TEXT = st.text(alphabet="ab :#-'\"\\\n\t{}[],&*!|>%@`é\u00a0\U0001f600", max_size=12)
SCALARS = st.one_of(
    st.sampled_from(PLAIN),
    TEXT,
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.booleans(),
    st.none(),
)
KEYS = st.one_of(st.sampled_from(PLAIN), TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=20,
)
DUMP = st.fixed_dictionaries(
    {
        "default_flow_style": st.sampled_from([False, True, None]),
        "indent": st.integers(2, 5),
        "width": st.sampled_from([20, 80, 4096]),
        "allow_unicode": st.booleans(),
        "explicit_start": st.booleans(),
    }
)
# Templates that write a scalar unquoted, where the resolver decides what it is.
TEMPLATES = [
    "k: {}\n",
    "- {}\n",
    "k:\n- {}\n- x\n",
    "{{k: [{}, x]}}\n",
    "a:\n  b: {}\n  c:\n    - d: {}\n",
    "{}: 1\n",
    "# c\n---\nk: {} # c\n...\n---\n- {}\n",
    "k: |\n  {}\n  x\nl: >-\n   {}\n",
    "k: {}\n  continued\n",
    "k:\n\n  - {}\n",
]


def _typed(value: Any) -> Any:
    # 1 == 1.0 == True in Python: compare the types as well.
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


def _same_as_ruamel(text: str) -> bool:
    """Whether the fast path took the text (it must then agree with ruamel exactly)."""
    fast = fast_loader.fast_load(text)
    if fast is None:
        return False
    documents, diagnostics = loader._load_rt("specs/job.yaml", text)
    assert diagnostics == ()
    expected = [(_typed(d.data), d.positions) for d in documents]
    assert [(_typed(data), positions) for data, positions in fast] == expected
    return True


@given(value=VALUES, options=DUMP)
def test_dumped_data_reads_as_ruamel_reads_it(value: Any, options: dict[str, Any]) -> None:
    _same_as_ruamel(yaml.safe_dump(value, **options))


@given(template=st.sampled_from(TEMPLATES), scalar=st.one_of(st.sampled_from(PLAIN), TEXT))
@example(template="k: {}\n", scalar="1e3")
@example(template="k: {}\n", scalar="0\t")
def test_plain_scalars_resolve_as_ruamel_resolves_them(template: str, scalar: str) -> None:
    _same_as_ruamel(template.format(scalar, scalar))


@given(text=hostile_yaml())
def test_hostile_text_is_read_as_ruamel_reads_it_or_left_to_it(text: str) -> None:
    _same_as_ruamel(text)


@pytest.mark.parametrize(
    "path",
    sorted(
        p.relative_to(REPO_ROOT)
        for directory in ("specs", "tests/cases")
        for p in (REPO_ROOT / directory).rglob("*.yaml")
    ),
    ids=str,
)
def test_every_spec_of_the_repository_reads_as_ruamel_reads_it(path: Path) -> None:
    _same_as_ruamel((REPO_ROOT / path).read_text())


def test_the_example_specs_take_the_fast_path() -> None:
    # Without this the whole file could silently fall back to ruamel.
    assert _same_as_ruamel(JOB)
    assert all(
        _same_as_ruamel(p.read_text()) for p in sorted((REPO_ROOT / "specs").rglob("*.yaml"))
    )


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: ! 1\n",
        "%YAML 1.1\n---\na: yes\n",
        "a: 1\na: 2\n",
        "1: a\n",
        "? [a]\n: 1\n",
        "<<: {a: 1}\n",
        "a: 0x1F\n",
        "a: 1_000\n",
        "a: .inf\n",
        "a: 1\r\nb: 2\n",
        "a: b\x85c\n",
        "a: [1\n",
    ],
)
def test_what_ruamel_must_decide_is_left_to_it(text: str) -> None:
    assert fast_loader.fast_load(text) is None


def test_without_the_c_extension_ruamel_reads_every_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = load_source("specs/job.yaml", JOB)
    monkeypatch.setattr(fast_loader, "CLoader", None)
    called: list[str] = []
    real = loader._load_rt

    def spy(path: str, text: str) -> Any:
        called.append(path)
        return real(path, text)

    monkeypatch.setattr(loader, "_load_rt", spy)
    assert load_source("specs/job.yaml", JOB) == expected
    assert called == ["specs/job.yaml"]
