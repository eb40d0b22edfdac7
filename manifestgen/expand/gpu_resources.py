"""The GPU part of a pod and of its node: resource names, node labels, taint, tolerations.

The one place that knows how a GPU type is asked for, whole GPUs or MIG slices, so every
pod that runs on GPUs (training replicas, inference predictors) and the NodePool that
provides them agree:

- whole GPUs: `<resourceName>: N` on nodes labelled `nvidia.com/gpu.product: <product>`;
- MIG, mixed strategy: `nvidia.com/mig-<profile>: N`, the device plugin's per-profile
  resource, on nodes labelled with the product and `nvidia.com/mig.config: <config>`;
- MIG, single strategy: `nvidia.com/gpu: N` (each slice is advertised as a GPU) on nodes
  whose product label gpu-feature-discovery rewrites to `<product>-MIG-<profile>`.

MIG nodes are tainted `nvidia.com/gpu`, whatever the resource: the GPU operator's
DaemonSets (device plugin, gpu-feature-discovery, mig-manager, DCGM exporter) tolerate
that key, and mig-manager must run on the node to partition it.
"""

from __future__ import annotations

from typing import Any

from manifestgen.spec.catalog.mig import default_config
from manifestgen.spec.platform import GpuType, MigSettings

WHOLE_GPU = "nvidia.com/gpu"
GPU_PRODUCT_LABEL = "nvidia.com/gpu.product"
MIG_CONFIG_LABEL = "nvidia.com/mig.config"
MIG_RESOURCE_PREFIX = "nvidia.com/mig-"


def mig_config(mig: MigSettings, product: str) -> str:
    """The nvidia.com/mig.config value; the Platform rules make sure there is one."""
    return mig.config or default_config(product, mig.devices) or ""


def gpu_resource_name(gpu_type: GpuType, mig_profile: str | None = None) -> str:
    """The extended resource a pod asks for: whole GPUs, or slices of `mig_profile`."""
    if gpu_type.mig is None:
        return gpu_type.resource_name
    if gpu_type.mig.strategy == "single":
        return WHOLE_GPU
    return f"{MIG_RESOURCE_PREFIX}{mig_profile or next(iter(sorted(gpu_type.mig.devices)))}"


def node_labels(gpu_type: GpuType) -> dict[str, str]:
    """Labels every node of the type carries (NodePool template) and pods select."""
    if gpu_type.mig is None:
        return {GPU_PRODUCT_LABEL: gpu_type.product}
    product = gpu_type.product
    if gpu_type.mig.strategy == "single":
        # gpu-feature-discovery relabels the node so; the pool must say the same.
        product = f"{product}-MIG-{next(iter(gpu_type.mig.devices))}"
    return {
        GPU_PRODUCT_LABEL: product,
        MIG_CONFIG_LABEL: mig_config(gpu_type.mig, gpu_type.product),
    }


def taint_key(gpu_type: GpuType) -> str:
    return WHOLE_GPU if gpu_type.mig is not None else gpu_type.resource_name


def gpu_amounts(gpu_type: GpuType, per_node: int, mig_profile: str | None) -> dict[str, str]:
    """Requests (= limits) of one pod: `per_node` GPUs or slices."""
    return {gpu_resource_name(gpu_type, mig_profile): str(per_node)}


def gpu_placement(gpu_type: GpuType) -> dict[str, Any]:
    """nodeSelector and tolerations of a pod on nodes of this type."""
    return {
        "nodeSelector": node_labels(gpu_type),
        "tolerations": [{"effect": "NoSchedule", "key": taint_key(gpu_type), "operator": "Exists"}],
    }


def slices_per_node(gpu_type: GpuType, mig_profile: str) -> int:
    """Instances of `mig_profile` on one node: the layout's count per GPU times the GPUs."""
    if gpu_type.mig is None:
        return 0
    return gpu_type.mig.devices.get(mig_profile, 0) * gpu_type.gpus_per_node


def slice_resources(gpu_type: GpuType) -> dict[str, int]:
    """The slices one GPU of a MIG type is cut into, by the resource pods ask them by:
    every slice is `nvidia.com/gpu` under the single strategy, and each profile its own
    `nvidia.com/mig-<profile>` under the mixed one."""
    mig = gpu_type.mig
    if mig is None:
        return {}
    if mig.strategy == "single":
        return {WHOLE_GPU: sum(mig.devices.values())}
    return {f"{MIG_RESOURCE_PREFIX}{p}": n for p, n in sorted(mig.devices.items())}
