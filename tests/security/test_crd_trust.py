"""Validation is never silently off: unusable CRDs are errors, cache entries are verified."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from manifestgen.check import CrdLoadError, OutputValidator, crds
from manifestgen.check.disk_cache import schema_cache
from tests.check.support import widget_crd
from tests.support import make_repo, run_cli

WIDGET_CRD = widget_crd("size: {type: integer}")
WIDGET = {
    "apiVersion": "example.com/v1",
    "kind": "Widget",
    "metadata": {"name": "w"},
    "spec": {"size": 3},
}
TYPO = {**WIDGET, "spec": {"size": 3, "sise": 4}}
SCHEMA_BLOCK = WIDGET_CRD[WIDGET_CRD.index("    schema:") :]


@pytest.fixture(autouse=True)
def _fresh_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crds, "_PARSED", {})


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("", "widgets.example.com/v1: no schema (schema.openAPIV3Schema must be a mapping)"),
        ("    schema: {}\n", "widgets.example.com/v1: no schema"),
        ("    schema:\n      openAPIV3Schema: 5\n", "widgets.example.com/v1: no schema"),
        (
            "    schema:\n      openAPIV3Schema: {type: string}\n",
            "widgets.example.com/v1: the schema's root must have type: object",
        ),
        (
            "    schema:\n      openAPIV3Schema: {type: object, properties: [1]}\n",
            "widgets.example.com/v1: the schema's properties must be a mapping",
        ),
    ],
)
def test_a_crd_version_without_a_usable_schema_is_an_error(
    tmp_path: Path, schema: str, message: str
) -> None:
    path = tmp_path / "widget.yaml"
    path.write_text(WIDGET_CRD.replace(SCHEMA_BLOCK, schema))
    with pytest.raises(CrdLoadError) as caught:
        OutputValidator.create("1.33", [tmp_path])
    assert caught.value.path == path
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize("named", ["file", "directory"])
def test_a_crd_location_with_no_crd_is_an_error(tmp_path: Path, named: str) -> None:
    (tmp_path / "values.yaml").write_text("replicas: 3\n")
    location = tmp_path / "values.yaml" if named == "file" else tmp_path
    with pytest.raises(CrdLoadError) as caught:
        OutputValidator.create("1.33", [location])
    assert caught.value.path == location
    assert caught.value.message == "no served apiextensions.k8s.io/v1 CRD found"


def test_build_reports_an_unusable_crd_at_the_crd_file(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "crds").mkdir()
    (root / "crds" / "widget.yaml").write_text(WIDGET_CRD.replace(SCHEMA_BLOCK, ""))
    result = run_cli("validate", "--root", root, "--crds", root / "crds", "--no-cache")
    assert result.code == 1
    assert (
        "crds/widget.yaml: error[MG403] cannot load CRDs: widgets.example.com/v1: no schema"
        in result.stdout
    )


def test_verify_refuses_an_unusable_crd(tmp_path: Path) -> None:
    crd = tmp_path / "widget.yaml"
    crd.write_text(WIDGET_CRD.replace(SCHEMA_BLOCK, "    schema: {}\n"))
    manifest = tmp_path / "w.json"
    manifest.write_text(json.dumps(TYPO))
    result = run_cli("verify", manifest, "--crds", crd, "--no-cache")
    assert result.code == 2
    assert "widgets.example.com/v1: no schema" in result.stderr


def _warm(cache_dir: Path, crd: Path) -> None:
    validator = OutputValidator.create("1.33", [crd], cache=schema_cache(cache_dir))
    assert not validator.check(TYPO).ok
    crds._PARSED.clear()


def _entries(cache_dir: Path, kind: str) -> list[Path]:
    found = sorted(cache_dir.rglob(f"{kind}/*/*.json"))
    assert found, f"no {kind} entries were written"
    return found


def _open_schema(value: object) -> object:
    """What an attacker would store: every version of the file made open."""
    assert isinstance(value, list)
    for version in value:
        version["schema"] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return value


@pytest.mark.parametrize("recompute_digest", [False, True])
def test_a_tampered_crd_file_entry_is_never_trusted(tmp_path: Path, recompute_digest: bool) -> None:
    crd = tmp_path / "widget.yaml"
    crd.write_text(WIDGET_CRD)
    cache_dir = tmp_path / "cache"
    _warm(cache_dir, crd)
    (entry,) = _entries(cache_dir, "crd-file")
    header, payload = entry.read_bytes().split(b"\n", 1)
    if recompute_digest:
        # A digest that matches but an entry this CRD file could not have produced.
        forged = json.loads(payload)
        forged[0]["extra"] = True
        payload = json.dumps(forged).encode()
        meta = json.loads(header)
        meta["sha256"] = hashlib.sha256(payload).hexdigest()
        header = json.dumps(meta).encode()
    else:
        payload = json.dumps(_open_schema(json.loads(payload))).encode()
    entry.write_bytes(header + b"\n" + payload)
    validator = OutputValidator.create("1.33", [crd], cache=schema_cache(cache_dir))
    assert [p.path for p in validator.check(TYPO).problems] == [("spec", "sise")]
    # The entry was rebuilt: the next run reads a good one again.
    rebuilt = json.loads(entry.read_bytes().split(b"\n", 1)[1])
    assert "extra" not in rebuilt[0]
    assert rebuilt[0]["schema"]["properties"]["spec"]["properties"] == {"size": {"type": "integer"}}


def test_a_tampered_prepared_schema_is_never_trusted(tmp_path: Path) -> None:
    crd = tmp_path / "widget.yaml"
    crd.write_text(WIDGET_CRD)
    cache_dir = tmp_path / "cache"
    _warm(cache_dir, crd)
    for entry in _entries(cache_dir, "prepared"):
        header, payload = entry.read_bytes().split(b"\n", 1)
        value = json.loads(payload)
        value["schema"] = {"type": "object"}
        entry.write_bytes(header + b"\n" + json.dumps(value).encode())
    validator = OutputValidator.create("1.33", [crd], cache=schema_cache(cache_dir))
    assert [p.path for p in validator.check(TYPO).problems] == [("spec", "sise")]


def test_a_cache_others_can_write_is_not_used(tmp_path: Path) -> None:
    crd = tmp_path / "widget.yaml"
    crd.write_text(WIDGET_CRD)
    cache_dir = tmp_path / "shared-cache"
    cache_dir.mkdir()
    os.chmod(cache_dir, 0o777)
    validator = OutputValidator.create("1.33", [crd], cache=schema_cache(cache_dir))
    assert not validator.check(TYPO).ok
    assert list(cache_dir.rglob("*.json")) == []
