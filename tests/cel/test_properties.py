"""Properties of the evaluator on the real NodePool schema, against a plain-Python oracle."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from manifestgen.check.cel import SKIP_TRANSITION, CelEvaluator
from tests.cel.crds import SchemaLoader

NODEPOOLS = "karpenter/karpenter.sh_nodepools.yaml"
DOMAINS = ["", "example.com/", "karpenter.sh/", "sub.karpenter.sh/", "kubernetes.io/"]
NAMES = ["team", "nodepool", "hostname", "capacity-type"]
KEYS = st.builds(str.__add__, st.sampled_from(DOMAINS), st.sampled_from(NAMES))
ALLOWED_KARPENTER_KEYS = {"karpenter.sh/capacity-type", "karpenter.sh/nodepool"}


def expected_messages(keys: list[str]) -> set[str]:
    """The label rules of the NodePool CRD, restated in Python."""
    messages = set()
    if any(
        k.split("/")[0].endswith("karpenter.sh") and k not in ALLOWED_KARPENTER_KEYS for k in keys
    ):
        messages.add('label domain "karpenter.sh" is restricted')
    if "karpenter.sh/nodepool" in keys:
        messages.add('label "karpenter.sh/nodepool" is restricted')
    if "kubernetes.io/hostname" in keys:
        messages.add('label "kubernetes.io/hostname" is restricted')
    return messages


def nodepool(labels: dict[str, str]) -> dict[str, object]:
    ref = {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"}
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "p"},
        "spec": {"template": {"metadata": {"labels": labels}, "spec": {"nodeClassRef": ref}}},
    }


@given(keys=st.lists(KEYS, unique=True, max_size=6))
def test_label_rules_match_the_oracle_in_any_key_order(
    keys: list[str], crd_schema: SchemaLoader, evaluator: CelEvaluator
) -> None:
    schema = crd_schema(NODEPOOLS, None)
    findings = evaluator.evaluate(schema, nodepool(dict.fromkeys(keys, "v")))
    reordered = evaluator.evaluate(schema, nodepool(dict.fromkeys(reversed(keys), "v")))

    assert findings == reordered
    assert {f.message for f in findings if f.status == "failed"} == expected_messages(keys)
    assert {f.reason for f in findings if f.status == "skipped"} == {SKIP_TRANSITION}
