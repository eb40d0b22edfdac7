"""Predictor pods count in the team's namespace quota beside the jobs' pods, as quota
admission counts them: at replicas.max, with the containers KServe and Knative add."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from manifestgen.expand.tenancy_quota import object_usage
from manifestgen.serving.pods import predictor_pod
from manifestgen.spec.tenancy import ContainerDefaults
from tests.serving.support import SERVING_PLATFORM, compile_services, service_spec, trained

MI = Decimal(2**20)
GI = Decimal(2**30)
QUOTA = """      tenancy:
        engineers: oidc:{team}
        quota:
          gpus:
            nvidia.com/gpu: {gpus}
          cpu: "{cpu}"
          memory: 4Ti
"""


def platform_with(team: str = "vision", gpus: int = 32, cpu: str = "400") -> str:
    """The serving Platform with a namespace quota on `team` (vision, or nlp: train-b is
    the Knative cluster and only nlp may use it)."""
    anchor = "      registries: [ghcr.io/acme/]\n"
    parts = SERVING_PLATFORM.split(anchor)
    at = 1 if team == "vision" else 2
    quota = QUOTA.format(team=team, gpus=gpus, cpu=cpu)
    return anchor.join(parts[:at]) + anchor + quota + anchor.join(parts[at:])


def _isvc(mode: str, uri: str, cpu: str = "4", memory: str = "16Gi") -> dict[str, Any]:
    amounts = {"cpu": cpu, "memory": memory}
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"annotations": {"serving.kserve.io/deploymentMode": mode}},
        "spec": {
            "predictor": {
                "maxReplicas": 3,
                "minReplicas": 1,
                "model": {"resources": {"limits": amounts, "requests": amounts}, "storageUri": uri},
            }
        },
    }


def _names(pod: dict[str, Any], key: str) -> list[str]:
    return [c["name"] for c in pod.get(key, ())]


def test_knative_adds_the_queue_proxy_and_an_object_store_the_storage_initializer() -> None:
    pod, replicas = predictor_pod(_isvc("Knative", "s3://models/chat"))
    assert replicas == 3
    assert _names(pod, "containers") == ["kserve-container", "queue-proxy"]
    assert _names(pod, "initContainers") == ["storage-initializer"]


def test_standard_mode_and_a_claim_add_neither() -> None:
    pod, _ = predictor_pod(_isvc("Standard", "pvc://train-checkpoints/final"))
    assert _names(pod, "containers") == ["kserve-container"]
    assert "initContainers" not in pod


def test_each_predictor_pod_counts_at_max_replicas_with_what_the_controllers_add() -> None:
    usage = object_usage(_isvc("Knative", "s3://models/chat"), ContainerDefaults())
    # Per pod: the model server, plus the queue-proxy's 25m request and, from the
    # LimitRange defaults, its 100m limit and 128Mi; the storage-initializer (100m/100Mi
    # requested, 1 CPU/1Gi limits) is smaller than both containers together.
    assert usage["requests.cpu"] == 3 * (Decimal(4) + Decimal("0.025"))
    assert usage["limits.cpu"] == 3 * (Decimal(4) + Decimal("0.1"))
    assert usage["requests.memory"] == usage["limits.memory"] == 3 * (16 * GI + 128 * MI)


def test_a_small_predictor_counts_its_larger_storage_initializer() -> None:
    usage = object_usage(
        _isvc("Standard", "s3://models/tiny", "500m", "256Mi"), ContainerDefaults()
    )
    # The init container's 1-CPU, 1Gi limits are more than the 500m/256Mi model server's.
    assert usage["limits.cpu"] == 3 * Decimal(1)
    assert usage["limits.memory"] == 3 * GI
    assert usage["requests.cpu"] == 3 * Decimal("0.5")


def _errors(diagnostics: tuple[Any, ...]) -> list[tuple[str, str, str]]:
    return sorted((d.code, d.location.path, d.field) for d in diagnostics if d.is_error)


def test_jobs_and_services_that_fit_alone_but_not_together_are_refused_at_both(
    tmp_path: Path,
) -> None:
    # `train`: 2 nodes of 90 CPUs; `chat`: 4 predictor pods of 8 (Standard mode, a claim).
    objects, diagnostics = compile_services(
        tmp_path, [trained(), service_spec()], platform=platform_with(cpu="200")
    )
    assert [(code, field) for code, _, field in _errors(diagnostics)] == [
        ("MG361", "spec.resources.cpu"),
        ("MG361", "spec.resources.cpu"),
    ]
    problem = next(d for d in diagnostics if d.is_error)
    assert "requests.cpu (and limits.cpu) 200" in problem.message
    assert "its jobs at their peak ask for 180 (train (180))" in problem.message
    assert "its services at their most replicas ask for 32 (chat (32: 4 pods of 8))" in (
        problem.message
    )
    assert "212 together" in problem.message
    assert "teams.vision.tenancy.quota" in problem.hint
    # The quota is the Platform's number: never raised to make room.
    quota = objects["train-a/cluster/team-vision/resourcequota-manifestgen.yaml"]
    assert quota["spec"]["hard"]["requests.cpu"] == "200"


def test_the_service_is_located_at_the_field_that_asks(tmp_path: Path) -> None:
    _, diagnostics = compile_services(
        tmp_path, [trained(), service_spec()], platform=platform_with(gpus=19)
    )
    # 16 GPUs for the job, 4 for the service: both asked at their GPU fields.
    assert {d.field for d in diagnostics if d.code == "MG361"} == {
        "spec.gpu.perNode",
        "spec.gpu.count",
    }


def test_jobs_over_the_quota_alone_are_one_mg370_not_also_mg361(tmp_path: Path) -> None:
    _, diagnostics = compile_services(
        tmp_path, [trained(), service_spec()], platform=platform_with(cpu="150")
    )
    assert {code for code, _, _ in _errors(diagnostics)} == {"MG370"}
    assert all("services" not in d.message for d in diagnostics if d.code == "MG370")


def test_services_that_fit_raise_nothing_and_the_quota_stays_the_platforms(
    tmp_path: Path,
) -> None:
    objects, diagnostics = compile_services(
        tmp_path, [trained(), service_spec()], platform=platform_with(cpu="212")
    )
    assert _errors(diagnostics) == []
    quota = objects["train-a/cluster/team-vision/resourcequota-manifestgen.yaml"]
    assert quota["spec"]["hard"]["requests.cpu"] == "212"


def test_a_knative_service_alone_over_its_limits_names_the_queue_proxys_share(
    tmp_path: Path,
) -> None:
    service = service_spec(
        "sum",
        team="nlp",
        cluster="train-b",
        model={"uri": "s3://acme-models/sum"},
        gpu=None,
        runtime=None,
        resources={"cpu": 4, "memory": "16Gi"},
        replicas={"min": 0, "max": 2},
    )
    _, diagnostics = compile_services(tmp_path, [service], platform=platform_with("nlp", cpu="8.1"))
    (problem,) = [d for d in diagnostics if d.is_error]
    assert problem.code == "MG361"
    assert "may hold limits.cpu 8.1" in problem.message
    assert "sum (8.2: 2 pods of 4.1)" in problem.message
