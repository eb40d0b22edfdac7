"""The instance catalog: what each EC2 instance type offers a training pod.

Figures are AWS's published ones, as Karpenter reports them on its instance-type reference
page: vCPUs, memory, accelerators and their memory, EFA interfaces, local NVMe, and the
maximum pods (which sets the EKS kube-reserved memory). A Platform may replace or add
entries under `spec.instanceTypes`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from manifestgen.spec.base import Quantity, SpecModel


class InstanceType(SpecModel):
    """What one EC2 instance type offers; keyed by its name, e.g. `p4de.24xlarge`."""

    cpu: int = Field(ge=1, le=4096, description="vCPUs.")
    memory: Quantity = Field(description="Memory of the instance, e.g. 1152Gi.")
    max_pods: int = Field(
        ge=1, le=1000, description="Most pods the node runs; sets kube-reserved memory."
    )
    gpus: int = Field(default=0, ge=0, le=64, description="GPUs or accelerator devices.")
    gpu_manufacturer: Literal["nvidia", "aws"] = Field(
        default="nvidia",
        description="nvidia: Karpenter's instance-gpu-* labels; aws (Trainium, Inferentia): "
        "its instance-accelerator-* labels.",
    )
    gpu_name: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        description="Karpenter's instance-gpu-name (or instance-accelerator-name), e.g. a100.",
    )
    gpu_product: str | None = Field(
        default=None,
        description="The `nvidia.com/gpu.product` label GPU feature discovery sets on the node.",
    )
    gpu_memory: Quantity | None = Field(default=None, description="Memory of each GPU.")
    efa: int = Field(default=0, ge=0, le=64, description="EFA interfaces.")
    architecture: Literal["amd64", "arm64"] = Field(
        default="amd64", description="CPU architecture of the instance."
    )
    local_nvme: Quantity | None = Field(
        default=None, description="Instance-store NVMe, e.g. 8000G."
    )


def _gpu(
    cpu: int,
    memory_gi: int,
    max_pods: int,
    gpus: int,
    model: tuple[str, str, str],
    efa: int = 0,
    nvme_gb: int | None = None,
) -> InstanceType:
    name, product, gpu_memory = model
    return InstanceType(
        cpu=cpu,
        memory=f"{memory_gi}Gi",
        max_pods=max_pods,
        gpus=gpus,
        gpu_name=name,
        gpu_product=product,
        gpu_memory=gpu_memory,
        efa=efa,
        local_nvme=f"{nvme_gb}G" if nvme_gb else None,
    )


# (Karpenter GPU name, nvidia.com/gpu.product, memory per GPU as EC2 reports it in MiB)
_A100_40 = ("a100", "NVIDIA-A100-SXM4-40GB", "40960Mi")
_A100_80 = ("a100", "NVIDIA-A100-SXM4-80GB", "81920Mi")
_H100 = ("h100", "NVIDIA-H100-80GB-HBM3", "81920Mi")
_H200 = ("h200", "NVIDIA-H200", "144384Mi")
_A10G = ("a10g", "NVIDIA-A10G", "22888Mi")
_L4 = ("l4", "NVIDIA-L4", "22888Mi")
_L40S = ("l40s", "NVIDIA-L40S", "45776Mi")
_V100_16 = ("v100", "Tesla-V100-SXM2-16GB", "16384Mi")
_V100_32 = ("v100", "Tesla-V100-SXM2-32GB", "32768Mi")

# The g families share one shape: (size, vCPUs, GPUs, max pods, EFA, NVMe GB) and memory
# as a multiple of the vCPUs (4 GiB per vCPU on g5/g6, 8 on g6e).
_G_SIZES = (
    ("xlarge", 4, 1),
    ("2xlarge", 8, 1),
    ("4xlarge", 16, 1),
    ("8xlarge", 32, 1),
    ("12xlarge", 48, 4),
    ("16xlarge", 64, 1),
    ("24xlarge", 96, 4),
    ("48xlarge", 192, 8),
)
_G_PODS = {
    "g5": (58, 58, 234, 234, 737, 234, 737, 345),
    "g6": (58, 58, 234, 234, 234, 737, 737, 737),
    "g6e": (58, 58, 234, 234, 292, 737, 492, 492),
}
_G_EFA = {
    "g5": (0, 0, 0, 1, 1, 1, 1, 1),
    "g6": (0, 0, 0, 1, 1, 1, 1, 1),
    "g6e": (0, 0, 0, 1, 1, 1, 2, 4),
}
_G_NVME = {
    "g5": (250, 450, 600, 900, 3800, 1900, 3800, 7600),
    "g6": (250, 450, 600, 900, 3760, 1880, 3760, 7520),
    "g6e": (250, 450, 600, 900, 3800, 1900, 3800, 7600),
}
_G_MODEL = {"g5": (_A10G, 4), "g6": (_L4, 4), "g6e": (_L40S, 8)}


def _g_family(family: str) -> dict[str, InstanceType]:
    model, gib_per_cpu = _G_MODEL[family]
    return {
        f"{family}.{size}": _gpu(
            cpu,
            cpu * gib_per_cpu,
            _G_PODS[family][index],
            gpus,
            model,
            efa=_G_EFA[family][index],
            nvme_gb=_G_NVME[family][index],
        )
        for index, (size, cpu, gpus) in enumerate(_G_SIZES)
    }


def _trainium(
    cpu: int, memory_gi: int, max_pods: int, chips: int, efa: int, nvme: int
) -> InstanceType:
    return InstanceType(
        cpu=cpu,
        memory=f"{memory_gi}Gi",
        max_pods=max_pods,
        gpus=chips,
        gpu_manufacturer="aws",
        gpu_name="trainium",
        efa=efa,
        local_nvme=f"{nvme}G",
    )


BUILTIN_INSTANCE_TYPES: dict[str, InstanceType] = {
    "p3.2xlarge": _gpu(8, 61, 58, 1, _V100_16),
    "p3.8xlarge": _gpu(32, 244, 234, 4, _V100_16),
    "p3.16xlarge": _gpu(64, 488, 234, 8, _V100_16),
    "p3dn.24xlarge": _gpu(96, 768, 737, 8, _V100_32, efa=1, nvme_gb=1800),
    "p4d.24xlarge": _gpu(96, 1152, 737, 8, _A100_40, efa=4, nvme_gb=8000),
    "p4de.24xlarge": _gpu(96, 1152, 737, 8, _A100_80, efa=4, nvme_gb=8000),
    "p5.4xlarge": _gpu(16, 256, 118, 1, _H100, efa=1, nvme_gb=3800),
    "p5.48xlarge": _gpu(192, 2048, 100, 8, _H100, efa=32, nvme_gb=30400),
    "p5e.48xlarge": _gpu(192, 2048, 100, 8, _H200, efa=32, nvme_gb=30400),
    "p5en.48xlarge": _gpu(192, 2048, 198, 8, _H200, efa=16, nvme_gb=30400),
    **_g_family("g5"),
    **_g_family("g6"),
    **_g_family("g6e"),
    "trn1.2xlarge": _trainium(8, 32, 58, 1, 0, 474),
    "trn1.32xlarge": _trainium(128, 512, 247, 16, 8, 7600),
    "trn1n.32xlarge": _trainium(128, 512, 247, 16, 16, 7600),
}


def family(instance_type: str) -> str:
    """`p4de.24xlarge` → `p4de`: the EC2 family, as Karpenter's instance-family label has it."""
    return instance_type.split(".", 1)[0]
