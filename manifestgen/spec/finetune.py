"""LLM fine-tuning blueprints: a base model, a dataset and a method, run by torchtune.

A `finetune:` section turns a TrainJob into a blueprint: the Trainer's model and dataset
initializers download the base model and the dataset into the job's workspace (its
checkpoint claim) and the trainer node runs the torchtune recipe the method and the
GPUs call for. The table below is torchtune's own: which configs its recipes ship for
each model (recipes/configs/<family>/<size>_<method>[_single_device|_multinode].yaml),
the same models the Kubeflow Trainer's torchtune runtimes advertise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, field_validator

from manifestgen.spec.base import DnsSubdomain, SpecModel

Method = Literal["lora", "qlora", "full"]
# One GPU (no torchrun), several GPUs of one node, several nodes.
Placement = Literal["single_device", "distributed", "multinode"]
# The URI schemes the Trainer's initializers download from (STORAGE_URI).
INITIALIZER_SCHEMES = ("hf", "s3")
# The LoRA ranks vLLM serves (--max-lora-rank), so every adapter trained here can be served.
LORA_RANKS = (8, 16, 32, 64, 128, 256)


@dataclass(frozen=True)
class TorchtuneModel:
    """One model of the table: its config family and the configs torchtune ships for it."""

    # How torchtune names the tokenizer files in the Hugging Face snapshot.
    tokenizer: tuple[tuple[str, str], ...]
    configs: frozenset[tuple[Method, Placement]]
    # The Hugging Face repository the Trainer's runtime downloads for it.
    hf_repo: str
    # Meta's Llama repositories are gated: downloading needs an accepted licence and a token.
    gated: bool


_LLAMA_TOKENIZER = (("tokenizer.path", "original/tokenizer.model"),)
_QWEN_TOKENIZER = (("tokenizer.path", "vocab.json"), ("tokenizer.merges_file", "merges.txt"))
_SMALL_LLAMA: frozenset[tuple[Method, Placement]] = frozenset(
    {
        ("full", "single_device"),
        ("full", "distributed"),
        ("lora", "single_device"),
        ("lora", "distributed"),
        ("qlora", "single_device"),
    }
)

TORCHTUNE_MODELS: dict[str, TorchtuneModel] = {
    "llama3_2/1B": TorchtuneModel(
        _LLAMA_TOKENIZER, _SMALL_LLAMA, "meta-llama/Llama-3.2-1B-Instruct", gated=True
    ),
    "llama3_2/3B": TorchtuneModel(
        _LLAMA_TOKENIZER, _SMALL_LLAMA, "meta-llama/Llama-3.2-3B-Instruct", gated=True
    ),
    "llama3_3/70B": TorchtuneModel(
        _LLAMA_TOKENIZER,
        frozenset(
            {
                ("full", "distributed"),
                ("full", "multinode"),
                ("lora", "distributed"),
                ("qlora", "distributed"),
            }
        ),
        "meta-llama/Llama-3.3-70B-Instruct",
        gated=True,
    ),
    "qwen2_5/1.5B": TorchtuneModel(
        _QWEN_TOKENIZER,
        frozenset(
            {
                ("full", "single_device"),
                ("full", "distributed"),
                ("lora", "single_device"),
                ("lora", "distributed"),
            }
        ),
        "Qwen/Qwen2.5-1.5B-Instruct",
        gated=False,
    ),
}
# The recipe each method runs, on one GPU or distributed.
RECIPES: dict[tuple[Method, bool], str] = {
    ("full", True): "full_finetune_single_device",
    ("full", False): "full_finetune_distributed",
    ("lora", True): "lora_finetune_single_device",
    ("lora", False): "lora_finetune_distributed",
    ("qlora", True): "lora_finetune_single_device",
    ("qlora", False): "lora_finetune_distributed",
}
# The config file name's suffix after the model's size: 1B_lora_single_device, 70B_full_multinode.
CONFIG_SUFFIX: dict[tuple[Method, Placement], str] = {
    ("full", "single_device"): "_full_single_device",
    ("full", "distributed"): "_full",
    ("full", "multinode"): "_full_multinode",
    ("lora", "single_device"): "_lora_single_device",
    ("lora", "distributed"): "_lora",
    ("qlora", "single_device"): "_qlora_single_device",
    ("qlora", "distributed"): "_qlora",
}
# torchtune settings the blueprint owns (paths in the workspace, the epoch count the
# served directory depends on, the LoRA rank the server must allow): an `args` entry
# setting one would silently move or break what the initializers and the server expect.
OWNED_SETTINGS = (
    "checkpointer.checkpoint_dir",
    "checkpointer.output_dir",
    "dataset",
    "dataset.data_dir",
    "dataset.source",
    "epochs",
    "model.lora_alpha",
    "model.lora_rank",
    "output_dir",
    "save_adapter_weights_only",
    "tokenizer.merges_file",
    "tokenizer.path",
)

StorageUri = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", max_length=2048)]


class TokenSecret(SpecModel):
    secret: DnsSubdomain = Field(description="A Secret in the team namespace.")
    key: str = Field(
        default="token",
        min_length=1,
        max_length=253,
        pattern=r"^[-._a-zA-Z0-9]+$",
        description="Its key holding the Hugging Face token.",
    )


class FineTune(SpecModel):
    """What to fine-tune on what; the job's runtime must have initializers (Platform)."""

    base_model: StorageUri = Field(
        description="The model to start from: hf://<org>/<repo> or s3://<bucket>/<path>, "
        "downloaded by the model initializer into <workspace>/model."
    )
    dataset: StorageUri = Field(
        description="The dataset: hf://<org>/<repo> or s3://<bucket>/<path>, downloaded by "
        "the dataset initializer into <workspace>/dataset; read as an instruct dataset of "
        "parquet files under data/ (override the columns with torchtune settings in `args`)."
    )
    method: Method = Field(
        default="lora",
        description="lora (low-rank adapters), qlora (adapters over a 4-bit base) or full.",
    )
    model: Literal["llama3_2/1B", "llama3_2/3B", "llama3_3/70B", "qwen2_5/1.5B"] | None = Field(
        default=None,
        description="The torchtune model the base model is. Unset: found from an hf:// "
        "base model of the table (e.g. meta-llama/Llama-3.2-1B-Instruct is llama3_2/1B).",
    )
    epochs: int = Field(
        default=1,
        ge=1,
        le=100,
        description="Passes over the dataset; the last one's output is what a ModelService "
        "serves (<workspace>/output/epoch_<epochs-1>).",
    )
    lora_rank: int = Field(
        default=16,
        ge=8,
        le=256,
        description="Rank of the LoRA adapters (alpha is twice it): 8, 16, 32, 64, 128 or "
        "256, the ranks a vLLM server allows.",
    )
    token: TokenSecret | None = Field(
        default=None,
        description="The Hugging Face token (ACCESS_TOKEN of both initializers); needed for "
        "gated models such as Meta's Llama.",
    )

    @field_validator("lora_rank")
    @classmethod
    def _servable_rank(cls, rank: int) -> int:
        if rank not in LORA_RANKS:
            raise ValueError(f"must be one of {', '.join(map(str, LORA_RANKS))} (vLLM's ranks)")
        return rank

    @property
    def hf_repo(self) -> str | None:
        scheme, _, rest = self.base_model.partition("://")
        return rest.strip("/") if scheme == "hf" else None

    @property
    def torchtune_model(self) -> str | None:
        """The table's name of the model: `model`, else the hf:// base model's."""
        if self.model is not None:
            return self.model
        repo = self.hf_repo
        return next((k for k, v in TORCHTUNE_MODELS.items() if v.hf_repo == repo), None)


def placement(nodes: int, processes_per_node: int) -> Placement:
    if nodes > 1:
        return "multinode"
    return "single_device" if processes_per_node == 1 else "distributed"


def recipe_and_config(model: str, method: Method, where: Placement) -> tuple[str, str]:
    """torchtune's recipe and config for the model, method and placement."""
    return RECIPES[(method, where == "single_device")], f"{model}{CONFIG_SUFFIX[(method, where)]}"


def scheme(uri: str) -> str:
    return uri.partition("://")[0]
