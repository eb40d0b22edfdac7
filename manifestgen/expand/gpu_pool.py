"""The GPU parts of a NodePool: Karpenter-native instance requirements and GPU limits.

Requirements name the GPU by Karpenter's own instance labels (GPU name, count and memory,
or the accelerator labels for Trainium), taken from the instance catalog, so a family
with several SKUs (g6: one, four or eight L4s; p5: one or eight H100s) only launches the
shape the pool promises, and a catalog entry that says otherwise cannot slip in under the
pool's product label.
"""

from __future__ import annotations

from typing import Any

from manifestgen.spec.capacity import MIB, gpu_instances
from manifestgen.spec.platform import PlatformSpec
from manifestgen.spec.quantity import parse_quantity

KARPENTER_AWS = "karpenter.k8s.aws"
ARCH_LABEL = "kubernetes.io/arch"


def _req(key: str, values: set[str] | list[str]) -> dict[str, Any]:
    return {"key": key, "operator": "In", "values": sorted(values)}


def gpu_requirements(platform: PlatformSpec, gpu_type_name: str) -> list[dict[str, Any]]:
    gpu_type = platform.gpus[gpu_type_name]
    if gpu_type.instance_types:
        reqs = [_req("node.kubernetes.io/instance-type", list(gpu_type.instance_types))]
    else:
        reqs = [_req(f"{KARPENTER_AWS}/instance-family", list(gpu_type.instance_families))]
    instances = [i for _, i in gpu_instances(platform, gpu_type)]
    if not instances:
        return reqs
    reqs.append(_req(ARCH_LABEL, {i.architecture for i in instances}))
    nvidia = {i.gpu_manufacturer for i in instances} == {"nvidia"}
    prefix = f"{KARPENTER_AWS}/instance-{'gpu' if nvidia else 'accelerator'}"
    names = {i.gpu_name for i in instances if i.gpu_name}
    if names:
        reqs.append(_req(f"{prefix}-name", names))
    reqs.append(_req(f"{prefix}-count", {str(gpu_type.gpus_per_node)}))
    memories = [i.gpu_memory for i in instances]
    if nvidia and all(memories):
        mib = {str(int(parse_quantity(m)) // MIB) for m in memories if m}
        reqs.append(_req(f"{prefix}-memory", mib))
    return reqs
