"""ModelService documents on the test Platform, with KServe on both clusters: train-a in
Standard mode, train-b in Knative mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from manifestgen.errors import Diagnostic
from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from tests.bundle import PLATFORM, job_spec

SERVING_PLATFORM = PLATFORM.replace(
    "      gpuQuota:\n        a100-80gb: 32\n",
    "      gpuQuota:\n        a100-80gb: 32\n        l4: 8\n"
    "      serving:\n        deploymentMode: Standard\n"
    "        prometheusAddress: http://prometheus.monitoring.svc:9090\n",
)
# train-b: Knative mode.
SERVING_PLATFORM = SERVING_PLATFORM.replace(
    "          karpenter.sh/discovery: train-b\n  gpus:",
    "          karpenter.sh/discovery: train-b\n      gpuQuota:\n        l4: 8\n"
    "      serving:\n        deploymentMode: Knative\n  gpus:",
)
# A MIG type: p4de nodes cut into seven 1g.10gb slices per GPU.
SERVING_PLATFORM = SERVING_PLATFORM.replace(
    "        l4: 8\n      serving:\n        deploymentMode: Standard",
    "        l4: 8\n        a100-mig: 16\n      serving:\n        deploymentMode: Standard",
).replace(
    "  teams:\n",
    "    a100-mig:\n      product: NVIDIA-A100-SXM4-80GB\n      instanceTypes: [p4de.24xlarge]\n"
    "      gpusPerNode: 8\n      mig:\n        strategy: mixed\n        devices:\n"
    "          1g.10gb: 7\n  teams:\n",
    1,
)
assert SERVING_PLATFORM.count("deploymentMode") == 2
assert "a100-mig: 16" in SERVING_PLATFORM


def service_spec(name: str = "chat", **spec: Any) -> dict[str, Any]:
    """A valid ModelService serving the `train` job's checkpoints; None leaves a field out."""
    base: dict[str, Any] = {
        "team": "vision",
        "cluster": "train-a",
        "model": {"job": "train", "path": "final"},
        "modelFormat": "huggingface",
        "runtime": "kserve-huggingfaceserver",
        "gpu": {"type": "l4", "count": 1},
        "resources": {"cpu": 8, "memory": "32Gi"},
        "replicas": {"min": 1, "max": 4},
    }
    return {
        "apiVersion": "manifestgen.io/v1alpha1",
        "kind": "ModelService",
        "metadata": {"name": name},
        "spec": {k: v for k, v in {**base, **spec}.items() if v is not None},
    }


def trained(**spec: Any) -> dict[str, Any]:
    """The `train` job, with a ReadWriteMany checkpoint claim to serve from."""
    fields = {"checkpoints": {"size": "100Gi", "accessMode": "ReadWriteMany"}, **spec}
    return job_spec("train", **fields)


def compile_services(
    root: Path,
    documents: list[dict[str, Any]],
    *,
    crds: Path | None = None,
    platform: str = SERVING_PLATFORM,
) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    """Objects by out/ path and the diagnostics of a validate run."""
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "specs" / "platform.yaml").write_text(platform, encoding="utf-8")
    (root / "specs" / "docs.yaml").write_text(yaml.safe_dump_all(documents), encoding="utf-8")
    options = BuildOptions(
        root=root,
        mode="validate",
        check_output=crds is not None,
        crds=(crds,) if crds else (),
        use_cache=False,
    )
    result = run(options)
    objects = {
        path: yaml.safe_load(data)
        for path, data in result.tree.items()
        if not path.endswith("kustomization.yaml")
    }
    return objects, result.diagnostics


def errors(diagnostics: tuple[Diagnostic, ...]) -> list[tuple[str, str]]:
    return [(d.code, d.field) for d in diagnostics if d.is_error]
