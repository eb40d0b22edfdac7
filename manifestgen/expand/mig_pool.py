"""What a NodePool of MIG nodes needs beyond a whole-GPU pool: capacity Karpenter can see,
and limits that count nodes.

Karpenter simulates scheduling against each instance type's capacity as the cloud
provider reports it: 8 `nvidia.com/gpu` for a p4de.24xlarge, and no `nvidia.com/mig-*`
at all. A pending pod asking for `nvidia.com/mig-1g.10gb` would never make it launch a
node. A NodeOverlay (karpenter.sh/v1alpha1, behind Karpenter's `NodeOverlay` feature
gate) adds the slices the node will advertise once mig-manager has partitioned it, for the
pool's instance types only (`karpenter.sh/nodepool`). It assigns capacity over the
provider's, so it also sets `nvidia.com/gpu` to what the device plugin advertises: 0
whole GPUs under the mixed strategy (a whole-GPU pod of the same product must not be
simulated onto a partitioned node), every slice under the single strategy.

The overlay only changes the simulation; a NodeClaim's capacity stays the provider's.
A limit on `nvidia.com/gpu` would then count whole GPUs on one side and slices on the
other, so MIG pools limit `nodes` instead: the GPU quota divided by GPUs per node.
"""

from __future__ import annotations

from typing import Any

from manifestgen.expand.gpu_resources import WHOLE_GPU, slice_resources
from manifestgen.spec.platform import GpuType

POOL_NAME_LABEL = "karpenter.sh/nodepool"


def pool_limits(gpu_type: GpuType, gpu_limit: int) -> dict[str, str]:
    if gpu_type.mig is None:
        return {gpu_type.resource_name: str(gpu_limit)}
    return {"nodes": str(gpu_limit // gpu_type.gpus_per_node)}


def overlay_capacity(gpu_type: GpuType) -> dict[str, str]:
    """Extended resources a partitioned node of the type advertises."""
    mig = gpu_type.mig
    if mig is None:
        return {}
    slices = {r: str(n * gpu_type.gpus_per_node) for r, n in slice_resources(gpu_type).items()}
    if mig.strategy == "single":
        return slices
    return dict(sorted({**slices, WHOLE_GPU: "0"}.items()))


def overlay_spec(gpu_type: GpuType, pool: str) -> dict[str, Any] | None:
    capacity = overlay_capacity(gpu_type)
    if not capacity:
        return None
    return {
        "capacity": capacity,
        "requirements": [{"key": POOL_NAME_LABEL, "operator": "In", "values": [pool]}],
    }
