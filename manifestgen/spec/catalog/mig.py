"""NVIDIA's MIG profile tables, by the `nvidia.com/gpu.product` label of the whole GPU.

A profile `<c>g.<m>gb` takes c of the GPU's 7 compute slices and a share of its 8 memory
slices; a GPU holds at most `per_gpu` of one profile alone. The figures are the ones in
NVIDIA's MIG user guide ("Supported MIG Profiles") and in the GPU operator's default
mig-parted configuration, whose config names (`all-1g.10gb`, `all-balanced`) are what the
`nvidia.com/mig.config` node label selects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

COMPUTE_SLICES = 7
MEMORY_SLICES = 8


@dataclass(frozen=True)
class MigProfile:
    compute: int  # compute slices (of 7)
    memory: int  # memory slices (of 8)
    per_gpu: int  # most instances of this profile alone on one GPU


def _table(p1: str, p1_big: str, p2: str, p3: str, p7: str) -> dict[str, MigProfile]:
    # Every MIG GPU of the A100/H100/H200 generation has the same geometry; only the
    # memory in the names differs (the 4g profile has the 3g profile's memory).
    return {
        f"1g.{p1}": MigProfile(1, 1, 7),
        f"1g.{p1_big}": MigProfile(1, 2, 4),
        f"2g.{p2}": MigProfile(2, 2, 3),
        f"3g.{p3}": MigProfile(3, 4, 2),
        f"4g.{p3}": MigProfile(4, 4, 1),
        f"7g.{p7}": MigProfile(7, 8, 1),
    }


_A100_40 = _table("5gb", "10gb", "10gb", "20gb", "40gb")
_80GB = _table("10gb", "20gb", "20gb", "40gb", "80gb")
_H200 = _table("18gb", "35gb", "35gb", "71gb", "141gb")

# By the product label the whole GPU carries (the one the instance catalog records).
MIG_PROFILES: Mapping[str, Mapping[str, MigProfile]] = {
    "NVIDIA-A100-SXM4-40GB": _A100_40,
    "NVIDIA-A100-SXM4-80GB": _80GB,
    "NVIDIA-H100-80GB-HBM3": _80GB,
    "NVIDIA-H200": _H200,
}

# mig-parted's `all-balanced` layout per GPU: two small, one 2g and one 3g instance.
_BALANCED: Mapping[str, Mapping[str, int]] = {
    "NVIDIA-A100-SXM4-40GB": {"1g.5gb": 2, "2g.10gb": 1, "3g.20gb": 1},
    "NVIDIA-A100-SXM4-80GB": {"1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1},
    "NVIDIA-H100-80GB-HBM3": {"1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1},
    "NVIDIA-H200": {"1g.18gb": 2, "2g.35gb": 1, "3g.71gb": 1},
}


def default_config(product: str, devices: Mapping[str, int]) -> str | None:
    """The GPU operator's built-in mig-parted config that makes exactly this layout, if any."""
    table = MIG_PROFILES.get(product, {})
    if len(devices) == 1:
        ((name, count),) = devices.items()
        if name in table and table[name].per_gpu == count:
            return f"all-{name}"
    if dict(devices) == dict(_BALANCED.get(product, {})):
        return "all-balanced"
    return None


def layout_problem(table: Mapping[str, MigProfile], devices: Mapping[str, int]) -> str:
    """Why one GPU cannot hold this layout, or "" when it can.

    A necessary condition (slices and per-profile maxima); mig-parted checks the exact
    placements when it applies a custom config.
    """
    for name, count in sorted(devices.items()):
        if count > table[name].per_gpu:
            return f"a GPU holds at most {table[name].per_gpu} {name} instances (got {count})"
    compute = sum(table[n].compute * c for n, c in devices.items())
    memory = sum(table[n].memory * c for n, c in devices.items())
    if compute > COMPUTE_SLICES:
        return f"the layout takes {compute} compute slices, a GPU has {COMPUTE_SLICES}"
    if memory > MEMORY_SLICES:
        return f"the layout takes {memory} memory slices, a GPU has {MEMORY_SLICES}"
    return ""
