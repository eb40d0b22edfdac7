"""Properties that must hold for every spec, not just the examples."""

from __future__ import annotations

import copy
import io
import random
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from manifestgen import BuildOptions, run
from manifestgen.expand.naming import MAX_LABEL
from tests.strategies import hostile_yaml, job_sets, mutated, shuffled_keys, training_job
from tests.support import CASE_PLATFORM, tree_bytes

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _dump(document: Any) -> str:
    """YAML 1.2 text, as users' editors and manifestgen's loader read it."""
    stream = io.StringIO()
    writer = YAML(typ="safe", pure=True)
    writer.default_flow_style = False
    writer.dump(document, stream)
    return stream.getvalue()


def _write_specs(
    root: Path, jobs: list[dict[str, Any]], order: list[int], rnd: random.Random
) -> None:
    specs = root / "specs"
    specs.mkdir(parents=True)
    (specs / "platform.yaml").write_bytes(CASE_PLATFORM.read_bytes())
    for index in order:  # creation order varies what the file system lists first
        text = _dump(shuffled_keys(jobs[index], rnd))
        (specs / f"job-{index}.yaml").write_text(text)


def _build(
    jobs: list[dict[str, Any]], seed: int, crds: Path | None = None
) -> tuple[dict[str, bytes], Any]:
    rnd = random.Random(seed)
    order = list(range(len(jobs)))
    rnd.shuffle(order)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_specs(root, jobs, order, rnd)
        options = BuildOptions(
            root=root, crds=(crds,) if crds else (), check_output=crds is not None
        )
        result = run(options)
        return tree_bytes(root / "out") if (root / "out").exists() else {}, result


@given(jobs=job_sets(), seeds=st.tuples(st.integers(0, 2**32), st.integers(0, 2**32)))
def test_output_is_byte_identical_whatever_the_file_and_key_order(
    jobs: list[dict[str, Any]], seeds: tuple[int, int]
) -> None:
    first, result = _build(jobs, seeds[0])
    assert result.ok, result.diagnostics
    second, _ = _build(jobs, seeds[1])
    assert first == second


@given(jobs=job_sets())
def test_every_generated_name_is_valid(jobs: list[dict[str, Any]]) -> None:
    tree, result = _build(jobs, 0)
    assert result.ok, result.diagnostics
    for path, content in tree.items():
        for obj in yaml.safe_load_all(content):
            name = obj["metadata"]["name"] if "metadata" in obj else "kustomization"
            assert DNS_SUBDOMAIN.match(name), (path, name)
            assert len(name) <= 253, (path, name)
            if obj["kind"] in ("PyTorchJob", "Namespace", "NetworkPolicy", "ServiceAccount"):
                assert DNS_LABEL.match(name), (path, name)
                assert len(name) <= MAX_LABEL, (path, name)
            if obj["kind"] == "PyTorchJob":
                workers = obj["spec"]["pytorchReplicaSpecs"].get("Worker", {}).get("replicas", 1)
                assert len(f"{name}-worker-{workers - 1}") <= MAX_LABEL


@given(jobs=job_sets())
def test_every_generated_object_passes_the_validator(
    jobs: list[dict[str, Any]], crds_dir: Path
) -> None:
    _, result = _build(jobs, 0, crds=crds_dir)
    failures = [d for d in result.diagnostics if d.code in ("MG401", "MG404")]
    assert not failures, failures


@given(job=training_job("base"), data=st.data())
@example(job={"apiVersion": "manifestgen.io/v1alpha1", "kind": "TrainingJob"}, data=None)
def test_no_mutated_spec_crashes_the_tool(job: dict[str, Any], data: Any) -> None:
    document = copy.deepcopy(job) if data is None else data.draw(mutated(copy.deepcopy(job)))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "specs").mkdir()
        (root / "specs" / "platform.yaml").write_bytes(CASE_PLATFORM.read_bytes())
        (root / "specs" / "job.yaml").write_text(_dump(document))
        result = run(BuildOptions(root=root, mode="validate", check_output=False))
    for diagnostic in result.diagnostics:
        assert diagnostic.location.path in ("specs/job.yaml", "specs/platform.yaml")
        assert diagnostic.code.startswith("MG")
        assert diagnostic.message


@given(data=st.data())
def test_no_mutated_platform_crashes_the_tool(data: Any) -> None:
    platform = yaml.safe_load(CASE_PLATFORM.read_text())
    document = data.draw(mutated(platform))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "specs").mkdir()
        (root / "specs" / "platform.yaml").write_text(_dump(document))
        result = run(BuildOptions(root=root, mode="validate", check_output=False))
    for diagnostic in result.diagnostics:
        # With no usable Platform left, MG216 names the spec directory.
        expected = "specs" if diagnostic.code == "MG216" else "specs/platform.yaml"
        assert diagnostic.location.path == expected, diagnostic


@given(text=st.text(max_size=200) | hostile_yaml())
@example(text="a: [1\n")
@example(text="apiVersion: manifestgen.io/v1alpha1\nkind: TrainingJob\nspec: &a {x: *a}\n")
@example(text="\x85: \x00")
@example(text="!!python/object:os.system {}")
def test_no_random_text_crashes_the_tool(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "specs").mkdir()
        (root / "specs" / "platform.yaml").write_bytes(CASE_PLATFORM.read_bytes())
        (root / "specs" / "job.yaml").write_text(text, encoding="utf-8")
        result = run(BuildOptions(root=root, mode="validate", check_output=False))
    assert all(d.location.path for d in result.diagnostics)
