"""Properties of the validator, checked on generated inputs."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manifestgen.check import OutputValidator
from manifestgen.check.problems import sort_problems
from manifestgen.check.schemautil import resolve_local_ref
from manifestgen.kinds.catalog import BY_GVK, pod_template_paths

from .samples import SAMPLES
from .support import Path, Sample, dig

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=2) | st.dictionaries(st.text(max_size=4), children, max_size=2)
    ),
    max_leaves=4,
)
FIELD_NAMES = st.from_regex(r"[a-z][A-Za-z0-9]{0,12}", fullmatch=True)


def closed_positions(
    root: Mapping[str, Any], schema: Any, value: Any, path: Path = ()
) -> Iterator[Path]:
    """Paths of the objects in `value` whose schema forbids unknown fields."""
    while isinstance(schema, Mapping) and "$ref" in schema:
        schema = resolve_local_ref(root, schema["$ref"])
    if not isinstance(schema, Mapping):
        return
    if isinstance(value, dict):
        if schema.get("additionalProperties") is False:
            yield path
        values = schema.get("additionalProperties")
        for key, item in value.items():
            sub = schema.get("properties", {}).get(key, values)
            yield from closed_positions(root, sub, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from closed_positions(root, schema.get("items"), item, (*path, index))


@pytest.fixture(scope="module")
def positions(all_crds: OutputValidator) -> tuple[Mapping[str, Any], list[Path]]:
    schema = all_crds.strict_crd_schema("kubeflow.org", "v1", "PyTorchJob")
    assert schema is not None
    found = list(closed_positions(schema, schema, SAMPLES["PyTorchJob"]))
    # The root, spec, the replica specs, containers, volumes... dozens of closed objects.
    assert len(found) > 20
    return schema, found


@pytest.mark.parametrize("validator_name", ["all_crds", "no_crds"])
@given(data=st.data(), name=FIELD_NAMES, value=JSON_VALUES)
def test_an_extra_field_anywhere_closed_is_reported_there(
    request: pytest.FixtureRequest,
    sample: Sample,
    positions: tuple[Mapping[str, Any], list[Path]],
    validator_name: str,
    data: st.DataObject,
    name: str,
    value: Any,
) -> None:
    validator: OutputValidator = request.getfixturevalue(validator_name)
    schema, closed = positions
    where = data.draw(st.sampled_from(closed), label="position")
    obj = sample("PyTorchJob")
    target = dig(obj, where)
    known = set(dig_schema_properties(schema, where, obj))
    if name in target or name in known:
        name = f"{name}Zz9"
    target[name] = value
    problems = validator.check(obj).problems
    # Without the CRD only metadata and the pod templates are checked; elsewhere the
    # extra field goes unreported (and the build's note names the kind).
    checked = validator_name == "all_crds" or _generic_check_covers(obj, where)
    expected = [((*where, name), f"unknown field '{name}'")] if checked else []
    assert [(p.path, p.message.split(" (")[0]) for p in problems] == expected


def _generic_check_covers(obj: Mapping[str, Any], where: Path) -> bool:
    row = BY_GVK[("kubeflow.org", "v1", "PyTorchJob")]
    covered = [("metadata",), *pod_template_paths(obj, row)]
    return any(where[: len(prefix)] == prefix for prefix in covered)


def dig_schema_properties(root: Mapping[str, Any], where: Path, obj: Any) -> list[str]:
    """The declared property names at `where` (an extra field must not be one of them)."""
    schema: Any = root
    for part in (*where, None):
        while isinstance(schema, Mapping) and "$ref" in schema:
            schema = resolve_local_ref(root, schema["$ref"])
        if part is None:
            break
        if isinstance(part, int):
            schema = schema.get("items")
        else:
            schema = schema.get("properties", {}).get(part, schema.get("additionalProperties"))
    return list(schema.get("properties", {})) if isinstance(schema, Mapping) else []


def shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: shuffled(item, rng) for key, item in items}
    if isinstance(value, list):
        return [shuffled(item, rng) for item in value]
    return value


@given(seed=st.integers(0, 2**32 - 1))
def test_outcome_does_not_depend_on_key_order(
    all_crds: OutputValidator, sample: Sample, seed: int
) -> None:
    obj = sample("PyTorchJob")
    obj["spec"]["runPolicy"]["backoffLimit"] = "3"
    obj["spec"]["zzz"] = 1
    obj["spec"]["aaa"] = 1
    obj["metadata"]["labels"]["bad key"] = "x"
    container = obj["spec"]["pytorchReplicaSpecs"]["Worker"]["template"]["spec"]["containers"][0]
    container["resourcez"] = container.pop("resources")
    container["image"] = 3
    expected = all_crds.check(obj)
    assert len(expected.problems) == 6
    assert all_crds.check(shuffled(obj, random.Random(seed))) == expected


KINDS = sorted(SAMPLES)


@given(kind=st.sampled_from(KINDS), spec=JSON_VALUES, metadata=JSON_VALUES)
def test_random_objects_never_crash(
    all_crds: OutputValidator, no_crds: OutputValidator, kind: str, spec: Any, metadata: Any
) -> None:
    obj = {
        "apiVersion": SAMPLES[kind]["apiVersion"],
        "kind": kind,
        "metadata": metadata,
        "spec": spec,
    }
    outcome = all_crds.check(obj)
    assert outcome.source != "none"
    assert outcome.problems == sort_problems(outcome.problems)
    assert no_crds.check(obj).source in ("kubernetes", "generic", "none")
