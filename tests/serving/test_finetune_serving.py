"""A ModelService serving a fine-tune: the last epoch, merged or as an adapter over the base."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.bundle import of_kind
from tests.serving.support import SERVING_PLATFORM, compile_services, errors, service_spec
from tests.workloads.test_finetune import TORCHTUNE_RUNTIME, finetune_job

PLATFORM = SERVING_PLATFORM.replace(
    "  teams:\n",
    "  runtimes:\n" + TORCHTUNE_RUNTIME + "  teams:\n",
    1,
)


def _model(tmp_path: Path, blueprint: dict[str, Any], crds: Path | None = None) -> Any:
    documents = [
        finetune_job("assistant", finetune={**blueprint, "epochs": 3}),
        service_spec(model={"job": "assistant"}),
    ]
    objects, diagnostics = compile_services(tmp_path, documents, platform=PLATFORM, crds=crds)
    assert not errors(diagnostics)
    (isvc,) = of_kind(objects, "InferenceService")
    return isvc["spec"]["predictor"]["model"]


def test_an_adapter_is_served_over_the_base_model_in_the_claim(
    tmp_path: Path, crds_dir: Path
) -> None:
    model = _model(tmp_path, {"method": "lora", "loraRank": 32}, crds=crds_dir)
    # The whole claim at /mnt/models: model/ from the initializer, output/ from torchtune.
    assert model["storageUri"] == "pvc://assistant-checkpoints"
    assert model["args"] == [
        "--model_dir=/mnt/models/model",
        "--enable-lora",
        "--max-lora-rank=32",
        "--lora-modules=assistant=/mnt/models/output/epoch_2",
    ]


def test_a_full_fine_tune_serves_its_last_epoch_directory(tmp_path: Path) -> None:
    model = _model(tmp_path, {"method": "full", "model": "llama3_2/3B"})
    assert model["storageUri"] == "pvc://assistant-checkpoints/output/epoch_2"
    assert "args" not in model


def test_a_path_serves_that_directory_as_it_is(tmp_path: Path) -> None:
    documents = [
        finetune_job("assistant"),
        service_spec(model={"job": "assistant", "path": "export"}),
    ]
    objects, diagnostics = compile_services(tmp_path, documents, platform=PLATFORM)
    assert not errors(diagnostics)
    (isvc,) = of_kind(objects, "InferenceService")
    model = isvc["spec"]["predictor"]["model"]
    assert model["storageUri"] == "pvc://assistant-checkpoints/export"
    assert "args" not in model
