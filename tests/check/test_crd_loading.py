"""Reading CRDs: files and directories, YAML and JSON, errors with a path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from manifestgen.check import CrdLoadError, OutputValidator

from .support import widget_crd

WIDGET_CRD = widget_crd(
    "size: {type: integer}",
    extra_versions="""  - name: v0
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object}
""",
)

WIDGET: dict[str, object] = {
    "apiVersion": "example.com/v1",
    "kind": "Widget",
    "metadata": {"name": "w"},
    "spec": {"size": 3},
}


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(CrdLoadError) as caught:
        OutputValidator.create("1.33", [missing])
    assert caught.value.path == missing
    assert caught.value.message == "no such file or directory"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        # libyaml and the pure-Python loader word this differently; the position is the same.
        ("bad.yaml", "a: [1, 2\n", "cannot parse: "),
        ("bad.json", '{"a": ', "cannot parse: Expecting value (line 1, column 7)"),
        (
            "broken-crd.yaml",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {group: x}\n",
            "CustomResourceDefinition without spec.names or spec.versions",
        ),
    ],
)
def test_unparsable_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CrdLoadError) as caught:
        OutputValidator.create("1.33", [tmp_path])
    assert caught.value.path == path
    assert caught.value.message.startswith(message)
    assert str(caught.value) == f"{path}: {caught.value.message}"
    if name == "bad.yaml":
        assert caught.value.message.endswith("(line 2, column 1)")


def test_directory_is_searched_recursively_and_other_documents_ignored(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    # A multi-document file: a Namespace, a v1beta1 CRD (ignored) and our CRD.
    (nested / "bundle.yml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n"
        "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nspec: {}\n---\n"
        + WIDGET_CRD
        + "---\n"
    )
    (tmp_path / "notes.txt").write_text("not yaml: [")
    validator = OutputValidator.create("1.33", [tmp_path])
    assert validator.crd_kinds() == frozenset({("example.com", "v1", "Widget")})
    assert validator.check(WIDGET).source == "crd"


def test_json_and_list_documents(tmp_path: Path) -> None:
    import yaml

    crd = yaml.safe_load(WIDGET_CRD)
    (tmp_path / "crds.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": [crd]})
    )
    validator = OutputValidator.create("1.33", [tmp_path / "crds.json"])
    assert validator.crd_kinds() == frozenset({("example.com", "v1", "Widget")})


def test_first_crd_for_a_kind_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "1.yaml", tmp_path / "2.yaml"
    first.write_text(WIDGET_CRD)
    second.write_text(WIDGET_CRD.replace("size: {type: integer}", "size: {type: string}"))
    assert OutputValidator.create("1.33", [first, second]).check(WIDGET).problems == ()
    assert OutputValidator.create("1.33", [second, first]).check(WIDGET).problems != ()


def test_raw_schema_is_exposed_for_cel(crds_dir: Path) -> None:
    validator = OutputValidator.create(
        "1.33", [crds_dir / "karpenter" / "karpenter.sh_nodepools.yaml"]
    )
    raw = validator.raw_crd_schema("karpenter.sh", "v1", "NodePool")
    assert raw is not None
    # The published schema, CEL rules and all, unlike the strict one.
    assert "x-kubernetes-validations" in raw["properties"]["spec"]
    strict = validator.strict_crd_schema("karpenter.sh", "v1", "NodePool")
    assert strict is not None
    assert "x-kubernetes-validations" not in strict["properties"]["spec"]
    assert validator.raw_crd_schema("karpenter.sh", "v1beta1", "NodePool") is None
    assert validator.strict_crd_schema("karpenter.sh", "v1beta1", "NodePool") is None


def test_crd_source(crds_dir: Path) -> None:
    path = crds_dir / "karpenter" / "karpenter.sh_nodepools.yaml"
    validator = OutputValidator.create("1.33", [path])
    assert validator.crd_source("karpenter.sh", "v1", "NodePool") == str(path)
    assert validator.crd_source("karpenter.sh", "v1", "NodeClaim") is None
