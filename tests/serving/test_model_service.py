"""A ModelService becomes what KServe and KEDA need in each deployment mode, checked
against the real CRDs, and what a mode cannot do is a located error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from manifestgen.check import OutputValidator
from manifestgen.kinds.catalog import WAVE_JOB
from tests.bundle import job_spec, of_kind
from tests.serving.support import compile_services, errors, service_spec, trained

KNATIVE = {"cluster": "train-b", "team": "nlp"}


def _knative_job() -> dict[str, Any]:
    return trained(
        team="nlp", cluster="train-b", gpu=None, nodes=2, resources={"cpu": 8, "memory": "32Gi"}
    )


def _one(objects: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = of_kind(objects, kind)
    return found


def test_standard_mode_makes_an_external_autoscaled_isvc_and_a_scaled_object(
    tmp_path: Path,
) -> None:
    objects, diagnostics = compile_services(tmp_path, [trained(), service_spec()])
    assert not errors(diagnostics)
    isvc = _one(objects, "InferenceService")
    notes = isvc["metadata"]["annotations"]
    assert notes["serving.kserve.io/deploymentMode"] == "Standard"
    # Without "external" KServe would create an HPA fighting the ScaledObject.
    assert notes["serving.kserve.io/autoscalerClass"] == "external"
    assert notes["storage.kserve.io/readonly"] == "true"
    predictor = isvc["spec"]["predictor"]
    assert predictor["model"]["storageUri"] == "pvc://train-checkpoints/final"
    assert predictor["model"]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert predictor["nodeSelector"] == {
        "karpenter.sh/capacity-type": "on-demand",
        "nvidia.com/gpu.product": "NVIDIA-L4",
    }
    scaled = _one(objects, "ScaledObject")
    # KServe's Standard mode names the predictor Deployment <isvc>-predictor.
    assert scaled["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "chat-predictor",
    }
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (
        predictor["minReplicas"],
        predictor["maxReplicas"],
    )
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "prometheus"
    assert trigger["metadata"]["serverAddress"] == "http://prometheus.monitoring.svc:9090"
    assert "DCGM_FI_DEV_GPU_UTIL" in trigger["metadata"]["query"]
    assert 'pod=~"chat-predictor-.*"' in trigger["metadata"]["query"]
    # KEDA refuses metadata values that are not strings.
    assert all(isinstance(v, str) for v in trigger["metadata"].values())
    assert trigger["metadata"]["threshold"] == "70"
    # Both in the last wave: a sync never waits there for the Deployment KServe creates.
    wave = "argocd.argoproj.io/sync-wave"
    assert scaled["metadata"]["annotations"][wave] == notes[wave] == WAVE_JOB


def test_queue_depth_trigger(tmp_path: Path) -> None:
    spec = service_spec(autoscaling={"metric": "queue-depth", "target": 5})
    objects, diagnostics = compile_services(tmp_path, [trained(), spec])
    assert not errors(diagnostics)
    (trigger,) = _one(objects, "ScaledObject")["spec"]["triggers"]
    assert trigger["metadata"]["query"].startswith("sum(vllm:num_requests_waiting{")
    assert trigger["metadata"]["threshold"] == "5"


def test_knative_mode_scales_to_zero_with_a_canary_and_no_scaled_object(tmp_path: Path) -> None:
    spec = service_spec(**KNATIVE, gpu=None, replicas={"min": 0, "max": 3}, canaryTrafficPercent=10)
    objects, diagnostics = compile_services(tmp_path, [_knative_job(), spec])
    assert not errors(diagnostics)
    assert not of_kind(objects, "ScaledObject")
    isvc = _one(objects, "InferenceService")
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "Knative"
    assert "serving.kserve.io/autoscalerClass" not in isvc["metadata"]["annotations"]
    predictor = isvc["spec"]["predictor"]
    assert predictor["minReplicas"] == 0
    assert predictor["canaryTrafficPercent"] == 10
    assert (predictor["scaleMetric"], predictor["scaleTarget"]) == ("concurrency", 4)
    assert "nodeSelector" not in predictor  # CPU predictors run on general nodes
    policies = [p for p in of_kind(objects, "NetworkPolicy") if p["metadata"]["name"] == "chat"]
    (sources,) = [rule["from"] for rule in policies[0]["spec"]["ingress"]]
    namespaces = {
        s["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for s in sources
    }
    # The activator holds requests while the revision scales up from zero.
    assert namespaces == {"istio-system", "knative-serving", "monitoring"}


def test_generated_objects_pass_the_real_crds(tmp_path: Path, crds_dir: Path) -> None:
    standard = service_spec(autoscaling={"metric": "queue-depth"})
    knative = service_spec("chat-kn", **KNATIVE, gpu=None, replicas={"min": 0, "max": 2})
    _, diagnostics = compile_services(
        tmp_path, [trained(), _knative_job(), standard, knative], crds=crds_dir
    )
    assert [d for d in diagnostics if d.code in ("MG401", "MG404", "MG405")] == []
    unchecked = " ".join(d.message for d in diagnostics if d.code == "MG402")
    assert "InferenceService" not in unchecked
    assert "ScaledObject" not in unchecked


def test_the_keda_crd_refuses_a_number_in_trigger_metadata(tmp_path: Path, crds_dir: Path) -> None:
    objects, _ = compile_services(tmp_path, [trained(), service_spec()])
    scaled = _one(objects, "ScaledObject")
    validator = OutputValidator.create("1.33", [crds_dir / "keda"])
    assert validator.check(scaled).problems == ()
    scaled["spec"]["triggers"][0]["metadata"]["threshold"] = 70
    assert validator.check(scaled).problems


def test_the_served_uri_follows_a_renamed_claim(tmp_path: Path) -> None:
    job = trained(
        checkpoints={"size": "1Ti", "accessMode": "ReadWriteMany", "claimName": "ckpt-v2"}
    )
    objects, diagnostics = compile_services(tmp_path, [job, service_spec()])
    assert not errors(diagnostics)
    model = _one(objects, "InferenceService")["spec"]["predictor"]["model"]
    assert model["storageUri"] == "pvc://ckpt-v2/final"


def test_an_s3_model_gets_its_role_and_https_egress(tmp_path: Path) -> None:
    role = "arn:aws:iam::123456789012:role/model-reader"
    spec = service_spec(model={"uri": "s3://models/chat/v3", "roleArn": role})
    objects, diagnostics = compile_services(tmp_path, [spec])
    assert not errors(diagnostics)
    account = _one(objects, "ServiceAccount")
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == role
    assert account["automountServiceAccountToken"] is False
    policy = _one(objects, "NetworkPolicy")
    assert {
        "ports": [{"port": 443, "protocol": "TCP"}],
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
    } in (policy["spec"]["egress"])


def test_a_service_alone_gets_its_gpu_pool_within_the_quota(tmp_path: Path) -> None:
    spec = service_spec(
        model={"uri": "hf://meta-llama/Llama-3.1-8B"}, replicas={"min": 1, "max": 3}
    )
    objects, diagnostics = compile_services(tmp_path, [spec])
    assert not errors(diagnostics)
    pool = objects["train-a/cluster/nodepool-gpu-l4-on-demand.yaml"]
    assert pool["spec"]["limits"] == {"nvidia.com/gpu": "8"}


def test_mig_slices_through_the_shared_gpu_resources(tmp_path: Path, crds_dir: Path) -> None:
    spec = service_spec(
        model={"uri": "hf://acme/small"},
        gpu={"type": "a100-mig", "count": 1, "migProfile": "1g.10gb"},
        replicas={"min": 1, "max": 8},
    )
    objects, diagnostics = compile_services(tmp_path, [spec], crds=crds_dir)
    assert not errors(diagnostics)
    predictor = _one(objects, "InferenceService")["spec"]["predictor"]
    assert predictor["model"]["resources"]["limits"]["nvidia.com/mig-1g.10gb"] == "1"
    assert predictor["nodeSelector"]["nvidia.com/mig.config"]
    assert predictor["tolerations"][0]["key"] == "nvidia.com/gpu"
    assert of_kind(objects, "NodeOverlay")
    # DCGM reports no GPU_UTIL for MIG slices: the trigger reads their engine activity.
    (trigger,) = _one(objects, "ScaledObject")["spec"]["triggers"]
    assert trigger["metadata"]["query"].startswith("sum(DCGM_FI_PROF_GR_ENGINE_ACTIVE{")
    assert trigger["metadata"]["query"].endswith(" * 100")


MISTAKES: dict[str, tuple[list[dict[str, Any]], list[tuple[str, str]]]] = {
    "scale-to-zero-in-standard": (
        [trained(), service_spec(replicas={"min": 0, "max": 2})],
        [("MG393", "spec.replicas.min")],
    ),
    "canary-in-standard": (
        [trained(), service_spec(canaryTrafficPercent=20)],
        [("MG393", "spec.canaryTrafficPercent")],
    ),
    "gpu-metric-in-knative": (
        [_knative_job(), service_spec(**KNATIVE, autoscaling={"metric": "gpu-utilization"})],
        [("MG393", "spec.autoscaling.metric")],
    ),
    "gpu-metric-without-gpus": (
        [trained(), service_spec(gpu=None, autoscaling={"metric": "gpu-utilization"})],
        [("MG393", "spec.autoscaling.metric")],
    ),
    "unknown-job": (
        [trained(), service_spec(model={"job": "trian", "path": "x"})],
        [("MG390", "spec.model.job")],
    ),
    "job-of-another-team": (
        [trained(team="nlp"), service_spec()],
        [("MG390", "spec.model.job")],
    ),
    "job-without-checkpoints": ([job_spec("train"), service_spec()], [("MG391", "spec.model.job")]),
    # Only a fine-tune says where its model is.
    "job-without-path": (
        [trained(), service_spec(model={"job": "train"})],
        [("MG391", "spec.model.job")],
    ),
    "read-write-once-claim": (
        [trained(nodes=1, checkpoints={"size": "10Gi"}), service_spec()],
        [("MG392", "spec.model.job")],
    ),
    "name-too-long": (
        [trained(), service_spec("x" * 42)],
        [("MG394", "metadata.name")],
    ),
    "knative-revision-name": (
        # The host label (40 + len("-predictor-team-nlp") = 59) fits, but the Service of
        # a revision (40 + len("-predictor-00001-private") = 64) does not.
        [_knative_job(), service_spec("k" * 40, **KNATIVE, gpu=None)],
        [("MG394", "metadata.name")],
    ),
    "too-many-gpus-per-pod": (
        [trained(), service_spec(gpu={"type": "l4", "count": 8})],
        [("MG398", "spec.gpu.count")],
    ),
    "mig-type-without-a-profile": (
        [trained(), service_spec(gpu={"type": "a100-mig", "count": 1})],
        [("MG398", "spec.gpu")],
    ),
    "profile-on-whole-gpus": (
        [trained(), service_spec(gpu={"type": "l4", "count": 1, "migProfile": "1g.10gb"})],
        [("MG398", "spec.gpu")],
    ),
    "profile-not-in-the-layout": (
        [trained(), service_spec(gpu={"type": "a100-mig", "migProfile": "3g.40gb"})],
        [("MG398", "spec.gpu")],
    ),
    "over-quota": (
        [trained(), service_spec(replicas={"min": 1, "max": 9})],
        [("MG396", "spec.replicas.max")],
    ),
    "name-of-a-job": ([trained(), service_spec("train")], [("MG397", "metadata.name")]),
    "unknown-team-and-gpu": (
        [service_spec(team="visoin", gpu={"type": "l40", "count": 1}, model={"uri": "gs://m/x"})],
        [("MG210", "spec.team"), ("MG212", "spec.gpu.type")],
    ),
}


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_each_mistake_is_a_located_error(case: str, tmp_path: Path) -> None:
    documents, expected = MISTAKES[case]
    objects, diagnostics = compile_services(tmp_path, documents)
    assert sorted(errors(diagnostics)) == sorted(expected)
    if expected:
        assert all(d.location.line > 0 for d in diagnostics if d.is_error)
        assert not of_kind(objects, "InferenceService")


def test_a_cluster_without_kserve_is_refused(tmp_path: Path) -> None:
    from tests.bundle import PLATFORM

    _, diagnostics = compile_services(
        tmp_path, [service_spec(model={"uri": "s3://m/x"})], platform=PLATFORM
    )
    assert errors(diagnostics) == [("MG395", "spec.cluster")]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"job": "train", "path": "a", "uri": "s3://b/c"}, "exactly one"),
        ({"uri": "s3://b/c", "path": "x"}, "put it in the uri"),
        ({"job": "train", "path": "../other"}, "no `..`"),
        ({"uri": "gs://b/c", "roleArn": "arn:aws:iam::123456789012:role/r"}, "s3://"),
        ({"uri": "ftp://b/c"}, "does not match"),
    ],
)
def test_model_sources_are_checked(model: dict[str, Any], message: str, tmp_path: Path) -> None:
    _, diagnostics = compile_services(tmp_path, [trained(), service_spec(model=model)])
    (problem,) = [d for d in diagnostics if d.is_error]
    assert problem.code == "MG204"
    assert message in problem.message
