"""How many of the upstream rules run offline, and why the others do not."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from manifestgen.check.cel import SKIP_TRANSITION, CelEvaluator
from tests.cel.crds import CRDS_UNDER_TEST, VersionsLoader, load_yaml

# (CRD, version) -> (evaluated, skipped as transition rules, skipped for any other reason)
EXPECTED = {
    ("karpenter/karpenter.sh_nodepools.yaml", "v1"): (17, 3, 0),
    ("karpenter/karpenter.k8s.aws_ec2nodeclasses.yaml", "v1"): (54, 0, 0),
    ("kubeflow-trainer/trainer.kubeflow.org_trainjobs.yaml", "v1alpha1"): (6, 13, 0),
    ("kubeflow-trainer/trainer.kubeflow.org_trainingruntimes.yaml", "v1alpha1"): (5, 6, 0),
    ("kubeflow-trainer/trainer.kubeflow.org_clustertrainingruntimes.yaml", "v1alpha1"): (5, 6, 0),
    ("kueue/kueue.x-k8s.io_admissionchecks.yaml", "v1beta1"): (0, 1, 0),
    ("kueue/kueue.x-k8s.io_admissionchecks.yaml", "v1beta2"): (0, 1, 0),
    ("kueue/kueue.x-k8s.io_clusterqueues.yaml", "v1beta1"): (4, 0, 0),
    ("kueue/kueue.x-k8s.io_clusterqueues.yaml", "v1beta2"): (4, 0, 0),
    ("kueue/kueue.x-k8s.io_cohorts.yaml", "v1beta1"): (1, 0, 0),
    ("kueue/kueue.x-k8s.io_cohorts.yaml", "v1beta2"): (1, 0, 0),
    ("kueue/kueue.x-k8s.io_localqueues.yaml", "v1beta1"): (0, 1, 0),
    ("kueue/kueue.x-k8s.io_localqueues.yaml", "v1beta2"): (0, 1, 0),
    ("kueue/kueue.x-k8s.io_resourceflavors.yaml", "v1beta1"): (7, 3, 0),
    ("kueue/kueue.x-k8s.io_resourceflavors.yaml", "v1beta2"): (7, 3, 0),
    ("kueue/kueue.x-k8s.io_topologies.yaml", "v1beta1"): (2, 1, 0),
    ("kueue/kueue.x-k8s.io_topologies.yaml", "v1beta2"): (2, 1, 0),
    ("kueue/kueue.x-k8s.io_workloadpriorityclasses.yaml", "v1beta1"): (0, 0, 0),
    ("kueue/kueue.x-k8s.io_workloadpriorityclasses.yaml", "v1beta2"): (0, 0, 0),
}


def _counts(evaluator: CelEvaluator, schema: Mapping[str, Any]) -> tuple[int, int, int]:
    rules = evaluator.rules(schema)
    assert evaluator.count_rules(schema) == len(rules)
    assert all(rule.reason for rule in rules if rule.status == "skipped")
    evaluated = sum(rule.status == "evaluated" for rule in rules)
    transition = sum(rule.reason == SKIP_TRANSITION for rule in rules)
    return evaluated, transition, len(rules) - evaluated - transition


def test_rule_coverage_of_crds_under_test(
    crd_versions: VersionsLoader, evaluator: CelEvaluator
) -> None:
    counts = {
        (crd, version): _counts(evaluator, schema)
        for crd in CRDS_UNDER_TEST
        for version, schema in crd_versions(crd).items()
    }
    assert counts == EXPECTED


def test_every_bundled_crd_rule_runs_or_is_a_transition_rule(
    crds_dir: Path, evaluator: CelEvaluator
) -> None:
    reasons: dict[str, int] = {}
    paths = sorted([*crds_dir.glob("*/*.yaml"), *crds_dir.glob("*/legacy/*.yaml")])
    for path in paths:
        crd = load_yaml(path)
        for version in crd["spec"]["versions"]:
            for rule in evaluator.rules(version.get("schema", {}).get("openAPIV3Schema", {})):
                reasons[rule.reason] = reasons.get(rule.reason, 0) + 1

    assert reasons == {"": 208, SKIP_TRANSITION: 60}
