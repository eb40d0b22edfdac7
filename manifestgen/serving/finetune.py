"""What a ModelService serves from a fine-tune: its last epoch, merged or as an adapter.

torchtune writes `output/epoch_<n>/` in the workspace claim. A full fine-tune's directory
is a complete Hugging Face model (weights, config.json and the tokenizer files copied
from the base model), served as it is. A LoRA or QLoRA run writes the adapter alone
(adapter_model.safetensors and a PEFT adapter_config.json): KServe's Hugging Face server
then runs vLLM on the base model the model initializer left in `model/`, with the
adapter registered as a LoRA module under the job's name. The claim is mounted whole at
KServe's /mnt/models, so both directories are there.
"""

from __future__ import annotations

from manifestgen.spec.finetune import FineTune
from manifestgen.workloads.finetune import last_epoch_dir

# Where KServe's storage initializer puts the model (the server's default --model_dir).
MODEL_MOUNT = "/mnt/models"


def served_finetune(blueprint: FineTune, claim: str, job_name: str) -> tuple[str, tuple[str, ...]]:
    """The storageUri and the server arguments that load the fine-tune's output."""
    output = last_epoch_dir(blueprint)
    if blueprint.method == "full":
        return f"pvc://{claim}/{output}", ()
    return f"pvc://{claim}", (
        f"--model_dir={MODEL_MOUNT}/model",
        "--enable-lora",
        # vLLM refuses an adapter above its maximum rank (16 unless told).
        f"--max-lora-rank={blueprint.lora_rank}",
        f"--lora-modules={job_name}={MODEL_MOUNT}/{output}",
    )
