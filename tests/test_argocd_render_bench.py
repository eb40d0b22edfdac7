"""The Argo CD render benchmark times what each layout's Applications would render."""

from __future__ import annotations

from pathlib import Path

from benchmarks.argocd_render import KUSTOMIZATION, kustomize_roots, per_namespace_copy


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_kustomize_roots_are_the_outermost_kustomizations(tmp_path: Path) -> None:
    out = _tree(
        tmp_path / "out",
        {
            f"c1/{KUSTOMIZATION}": "resources: [ns]\n",
            f"c1/ns/{KUSTOMIZATION}": "resources: []\n",
            f"c2/{KUSTOMIZATION}": "resources: []\n",
            "argocd/app.yaml": "kind: Application\n",
        },
    )
    assert kustomize_roots(out) == [out / "c1", out / "c2"]


def test_per_namespace_copy_lists_every_file_of_the_namespace_once(tmp_path: Path) -> None:
    out = _tree(
        tmp_path / "out",
        {
            f"c1/{KUSTOMIZATION}": "resources: []\n",
            "c1/cluster/namespace-ml.yaml": "kind: Namespace\n",
            "c1/ml/job-a/pytorchjob.yaml": "kind: PyTorchJob\n",
            "c1/ml/configmap-x.yaml": "kind: ConfigMap\n",
        },
    )
    roots = per_namespace_copy(out, tmp_path / "work")
    copy = tmp_path / "work" / "out-per-namespace"
    assert roots == [copy / "c1" / "cluster", copy / "c1" / "ml"]
    listed = (copy / "c1" / "ml" / KUSTOMIZATION).read_text().splitlines()
    assert listed[3:] == ["- configmap-x.yaml", "- job-a/pytorchjob.yaml"]
    assert (out / "c1" / KUSTOMIZATION).read_text() == "resources: []\n"  # out/ untouched
