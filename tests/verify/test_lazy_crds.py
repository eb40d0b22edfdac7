"""CRDs are indexed once and read only for the kinds a run checks, with the same results."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks.corpus import write_corpus
from manifestgen.check import OutputValidator, crds
from manifestgen.check import validator as validator_module
from manifestgen.check.disk_cache import schema_cache
from manifestgen.check.kubernetes import KubernetesSchemas, select_version
from manifestgen.check.openapi import load_openapi_documents
from tests.bundle import build_objects, of_kind
from tests.katib.test_experiment import tuned_job

REPO = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: what a one-file `verify --crds` loads and imports.
_ONE_FILE = """
import json, sys
from pathlib import Path
from manifestgen.check import OutputValidator
from manifestgen.check.disk_cache import schema_cache
crds, cache, objects = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
validator = OutputValidator.create("1.33", [crds], cache=schema_cache(cache))
ok = [validator.check(obj).ok for obj in objects]
print(json.dumps({
    "ok": ok,
    "read": sorted(p.relative_to(crds).as_posix() for p in validator.crd_files_read()),
    "cel": "cel" in sys.modules,
    "kinds": len(validator.crd_kinds()),
}))
"""

CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ml"}}
QUEUE = {
    "apiVersion": "kueue.x-k8s.io/v1beta1",
    "kind": "LocalQueue",
    "metadata": {"name": "q", "namespace": "ml"},
    "spec": {"clusterQueue": "team"},
}


def _one_file_run(crds_dir: Path, cache: Path, objects: list[Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _ONE_FILE, str(crds_dir), str(cache), json.dumps(objects)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("warm", [False, True])
def test_a_built_in_object_reads_no_crd_schema_and_imports_no_cel(
    tmp_path: Path, crds_dir: Path, warm: bool
) -> None:
    cache = tmp_path / "cache"
    if warm:
        _one_file_run(crds_dir, cache, [CONFIG_MAP])
    result = _one_file_run(crds_dir, cache, [CONFIG_MAP])
    assert result["ok"] == [True]
    assert result["kinds"] > 50  # every CRD is known: an unknown kind is still reported
    # Cold, the index is made by parsing every file, but no schema is used.
    assert result["read"] == []
    assert result["cel"] is False


def test_a_custom_resource_reads_only_its_own_crd(tmp_path: Path, crds_dir: Path) -> None:
    cache = tmp_path / "cache"
    _one_file_run(crds_dir, cache, [CONFIG_MAP])
    result = _one_file_run(crds_dir, cache, [CONFIG_MAP, QUEUE])
    assert result["ok"] == [True, True]
    assert result["read"] == ["kueue/kueue.x-k8s.io_localqueues.yaml"]


def test_a_warm_run_parses_no_crd_file(
    tmp_path: Path, crds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crds, "_PARSED", {})
    monkeypatch.setattr(crds, "_INDEXED", {})
    OutputValidator.create("1.33", [crds_dir], cache=schema_cache(tmp_path)).check(QUEUE)

    def no_parsing(*args: object) -> None:
        raise AssertionError("a CRD file was parsed again")

    monkeypatch.setattr(crds, "_PARSED", {})
    monkeypatch.setattr(crds, "_INDEXED", {})
    monkeypatch.setattr(crds, "_parse_crd_file", no_parsing)
    validator = OutputValidator.create("1.33", [crds_dir], cache=schema_cache(tmp_path))
    assert validator.check(QUEUE).ok
    assert not validator.check({**QUEUE, "spec": {"clusterQueue": "team", "x": 1}}).ok


def test_an_index_entry_that_disagrees_with_the_file_is_not_trusted(
    tmp_path: Path, crds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crds, "_PARSED", {})
    monkeypatch.setattr(crds, "_INDEXED", {})
    crd = crds_dir / "kueue" / "kueue.x-k8s.io_localqueues.yaml"
    OutputValidator.create("1.33", [crd], cache=schema_cache(tmp_path)).check(QUEUE)
    (entry,) = tmp_path.rglob("crd-file/*/*.json")
    entry.unlink()  # the schemas must come from the file again
    monkeypatch.setattr(crds, "_PARSED", {})
    validator = OutputValidator.create("1.33", [crd], cache=schema_cache(tmp_path))
    assert validator.check(QUEUE).ok
    assert validator.crd_files_read() == {crd}


def _variants(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The object, then broken copies: an unknown field, a wrong type, no name."""
    yield obj
    unknown = copy.deepcopy(obj)
    unknown.setdefault("spec", {})["replicaz"] = 1
    yield unknown
    wrong = copy.deepcopy(obj)
    wrong["spec"] = "not an object"
    yield wrong
    nameless = copy.deepcopy(obj)
    nameless["metadata"].pop("name", None)
    yield nameless


def test_lazy_and_eager_crds_judge_the_corpus_alike(tmp_path: Path, crds_dir: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", 120, per_file=20, seed=5)
    objects = [
        variant
        for path, _ in (*corpus.builtin_files, *corpus.custom_files)
        for obj in yaml.safe_load_all(path.read_text())
        for variant in _variants(obj)
    ]
    lazy = OutputValidator.create("1.33", [crds_dir], cache=schema_cache(tmp_path / "cache"))
    every = dict(crds.load_crd_versions([crds_dir]))  # every schema read up front
    eager = OutputValidator(
        KubernetesSchemas(select_version("1.33")),
        every,
        openapi=load_openapi_documents([crds_dir]),
    )
    assert len(objects) == 480
    for obj in objects:
        assert lazy.check(obj) == eager.check(obj), obj.get("kind")


def test_a_warm_run_of_unchanged_crd_files_reads_none_of_them(
    tmp_path: Path, crds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crds, "_PARSED", {})
    monkeypatch.setattr(crds, "_INDEXED", {})
    first = OutputValidator.create("1.33", [crds_dir], cache=schema_cache(tmp_path))
    assert list(tmp_path.rglob("crd-stamps/*/*.json"))

    def no_reading(path: Path) -> bytes:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(crds, "_PARSED", {})
    monkeypatch.setattr(crds, "_INDEXED", {})
    monkeypatch.setattr(crds, "_read_bytes", no_reading)
    second = OutputValidator.create("1.33", [crds_dir], cache=schema_cache(tmp_path))
    assert second.crd_kinds() == first.crd_kinds()
    assert second.check(CONFIG_MAP).ok


WIDGET_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: KIND, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, properties: {spec: {type: object}}}
"""


def _kinds(path: Path, cache: Path) -> set[str]:
    crds._PARSED.clear()
    crds._INDEXED.clear()
    validator = OutputValidator.create("1.33", [path], cache=schema_cache(cache))
    return {kind for _, _, kind in validator.crd_kinds()}


def test_stamps_follow_every_edit_and_skip_a_file_just_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crds, "_PARSED", {})
    monkeypatch.setattr(crds, "_INDEXED", {})
    crd, cache = tmp_path / "widget.yaml", tmp_path / "cache"
    crd.write_text(WIDGET_CRD.replace("KIND", "Widget"))
    assert _kinds(crd, cache) == {"Widget"}
    # Just written: its timestamps may not tell the next edit apart yet.
    assert not list(cache.rglob("crd-stamps/*/*.json"))
    monkeypatch.setattr(crds, "_SETTLED_NS", 0)
    assert _kinds(crd, cache) == {"Widget"}
    assert len(list(cache.rglob("crd-stamps/*/*.json"))) == 1
    # Same size, modification time put back: the change time still differs.
    stat = crd.stat()
    time.sleep(0.05)  # past the file clock's tick, as any later edit by hand is
    crd.write_text(WIDGET_CRD.replace("KIND", "Gadget"))
    os.utime(crd, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _kinds(crd, cache) == {"Gadget"}


def test_a_stamped_run_reads_katibs_openapi_document_only_for_an_experiment(
    tmp_path: Path, crds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (experiment,) = of_kind(build_objects(tmp_path / "build", [tuned_job()]), "Experiment")
    experiment["spec"]["maxTrialCount"] = "12"
    eager = OutputValidator.create("1.33", [crds_dir]).check(experiment)
    assert eager.problems
    assert eager.schema_name.startswith("openapi v1beta1.Experiment")
    OutputValidator.create("1.33", [crds_dir], cache=schema_cache(tmp_path / "cache"))
    read: list[object] = []
    loader = load_openapi_documents

    def counting(locations: Any) -> Any:
        read.append(locations)
        return loader(locations)

    monkeypatch.setattr(validator_module, "load_openapi_documents", counting)
    monkeypatch.setattr(crds, "_INDEXED", {})
    stamped = OutputValidator.create("1.33", [crds_dir], cache=schema_cache(tmp_path / "cache"))
    assert stamped.check(CONFIG_MAP).ok
    assert read == []
    assert stamped.check(experiment) == eager
    assert len(read) == 1
