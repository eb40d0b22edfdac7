"""APIs an operator has replaced, and what to migrate them to.

A directory of CRDs can hold an operator's old CRDs next to its current ones (upstream
repositories keep them for reference, teams keep them for old clusters). A cluster runs one
release: when the CRDs of a replacement API are loaded, the old API is not what that
cluster serves, even if an old CRD for it sits in the same directory. The table is data, one
row per replaced API; its hints name the upstream upgrade guide.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

GroupVersionKind = tuple[str, str, str]

_KARPENTER_V1 = "see the Karpenter v1 upgrade guide (karpenter.sh/docs/upgrading/v1-migration)"


@dataclass(frozen=True)
class Replacement:
    """The API that replaced a legacy one, and how to move to it."""

    successor: GroupVersionKind
    how: str

    @property
    def hint(self) -> str:
        group, version, kind = self.successor
        return f"migrate to {group}/{version} {kind}: {self.how}"


REPLACED: dict[GroupVersionKind, Replacement] = {
    ("karpenter.sh", "v1alpha5", "Provisioner"): Replacement(
        ("karpenter.sh", "v1", "NodePool"),
        f"Provisioner became NodePool in Karpenter v0.33 and NodePool is v1 since v1.0; "
        f"{_KARPENTER_V1}",
    ),
    ("karpenter.sh", "v1alpha5", "Machine"): Replacement(
        ("karpenter.sh", "v1", "NodeClaim"),
        f"Machine became NodeClaim in Karpenter v0.33; {_KARPENTER_V1}",
    ),
    ("karpenter.k8s.aws", "v1alpha1", "AWSNodeTemplate"): Replacement(
        ("karpenter.k8s.aws", "v1", "EC2NodeClass"),
        f"AWSNodeTemplate became EC2NodeClass in Karpenter v0.33; {_KARPENTER_V1}",
    ),
    ("karpenter.sh", "v1beta1", "NodePool"): Replacement(
        ("karpenter.sh", "v1", "NodePool"),
        f"Karpenter v1.1 serves v1 only; {_KARPENTER_V1}",
    ),
    ("karpenter.sh", "v1beta1", "NodeClaim"): Replacement(
        ("karpenter.sh", "v1", "NodeClaim"),
        f"Karpenter v1.1 serves v1 only; {_KARPENTER_V1}",
    ),
    ("karpenter.k8s.aws", "v1beta1", "EC2NodeClass"): Replacement(
        ("karpenter.k8s.aws", "v1", "EC2NodeClass"),
        f"Karpenter v1.1 serves v1 only; {_KARPENTER_V1}",
    ),
}


def replacement(gvk: GroupVersionKind) -> Replacement | None:
    """What replaced `gvk`, if it is a known legacy API."""
    return REPLACED.get(gvk)


def superseded(gvk: GroupVersionKind, served: Collection[GroupVersionKind]) -> Replacement | None:
    """The replacement of `gvk` when the loaded CRDs serve it: then `gvk` is not served by
    the release those CRDs belong to, whatever older CRD also sits among them."""
    found = REPLACED.get(gvk)
    return found if found is not None and found.successor in served else None
