"""The quick null check agrees with the paths it stands in for, on any JSON-like data."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from manifestgen.spec.nulls import has_null, null_paths

_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


@given(_DATA)
@example({"spec": {"checkpoints": None}})
@example({"spec": {"args": ["a", None]}})
@example({"spec": {"gpu": {"count": 0, "type": ""}}})
def test_has_null_is_whether_any_null_path_exists(data: Any) -> None:
    assert has_null(data) == any(True for _ in null_paths(data))
