"""The InferenceService and ScaledObject health checks, run by a real Lua 5.1 against the
status KServe (both deployment modes) and KEDA write in each state."""

from __future__ import annotations

from typing import Any

import pytest

from manifestgen.kinds.catalog import lookup
from tests.argocd.test_health_lua import ARGOCD_HEALTH, run_health


def _script(api_version: str, kind: str) -> str:
    row = lookup(api_version, kind)
    assert row is not None
    script = row.health_script()
    assert script is not None
    return script


def _cond(kind: str, status: str, reason: str = "", message: str = "") -> dict[str, str]:
    found = {"type": kind, "status": status}
    if reason:
        found["reason"] = reason
    if message:
        found["message"] = message
    return found


URL = "http://gpt-chat-ml-research.ml.example.com"
# Knative mode writes the route and configuration conditions; Standard mode does not.
KNATIVE_READY = [
    _cond("IngressReady", "True"),
    _cond("PredictorConfigurationReady", "True"),
    _cond("PredictorReady", "True"),
    _cond("PredictorRouteReady", "True"),
    _cond("Ready", "True"),
]
STANDARD_READY = [
    _cond("IngressReady", "True"),
    _cond("PredictorReady", "True"),
    _cond("Ready", "True"),
]

ISVC: dict[str, tuple[dict[str, Any] | None, tuple[str, str]]] = {
    "no-status": (None, ("Progressing", "Waiting for KServe to reconcile")),
    "no-conditions": ({}, ("Progressing", "Waiting for KServe to reconcile")),
    "knative-ready": (
        {"conditions": KNATIVE_READY, "url": URL},
        ("Healthy", URL),
    ),
    # The built-in check counts three Knative conditions and never calls this Healthy.
    "standard-ready": ({"conditions": STANDARD_READY, "url": URL}, ("Healthy", URL)),
    "ready-without-url": ({"conditions": STANDARD_READY}, ("Healthy", "InferenceService is ready")),
    "rolling-out": (
        {
            "conditions": [
                _cond("IngressReady", "True"),
                _cond("PredictorReady", "Unknown", "RevisionMissing", "waiting for revision"),
                _cond("Ready", "Unknown"),
            ]
        },
        ("Progressing", "PredictorReady is Unknown (RevisionMissing): waiting for revision"),
    ),
    "predictor-failed": (
        {
            "conditions": [
                _cond("IngressReady", "True"),
                _cond("PredictorReady", "False", "ProgressDeadlineExceeded", "no GPU nodes"),
                _cond("Ready", "False"),
            ]
        },
        ("Degraded", "PredictorReady is False (ProgressDeadlineExceeded): no GPU nodes"),
    ),
    "not-ready-alone": (
        {"conditions": [_cond("Ready", "False", "Failed")]},
        ("Degraded", "Ready is False (Failed)"),
    ),
    "model-failed-to-load": (
        {
            "conditions": [_cond("Ready", "Unknown")],
            "modelStatus": {
                "states": {"targetModelState": "FailedToLoad"},
                "lastFailureInfo": {"message": "config.json not found"},
            },
        },
        ("Degraded", "Model failed to load: config.json not found"),
    ),
    "model-failed-without-message": (
        {"modelStatus": {"states": {"targetModelState": "FailedToLoad"}}},
        ("Degraded", "Model failed to load"),
    ),
    "stopped": (
        {
            "conditions": [
                _cond("Stopped", "True", message="stopped by annotation"),
                *STANDARD_READY,
            ]
        },
        ("Suspended", "stopped by annotation"),
    ),
    # KServe has not looked at the latest spec yet: the Ready it shows is the old one's.
    "stale-generation": (
        {"conditions": STANDARD_READY, "observedGeneration": 1},
        ("Progressing", "Waiting for KServe to reconcile"),
    ),
}


@pytest.mark.parametrize("case", sorted(ISVC))
def test_inference_service_health_in_each_state(case: str) -> None:
    status, expected = ISVC[case]
    obj: dict[str, Any] = {"metadata": {"name": "gpt-chat", "generation": 2}, "spec": {}}
    if status is not None:
        obj["status"] = {"observedGeneration": 2, **status}
    health = run_health(_script("serving.kserve.io/v1beta1", "InferenceService"), obj)
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == expected


def test_inference_service_being_deleted_is_progressing() -> None:
    obj = {"metadata": {"name": "x", "deletionTimestamp": "2026-01-01T00:00:00Z"}}
    health = run_health(_script("serving.kserve.io/v1beta1", "InferenceService"), obj)
    assert (health["status"], health["message"]) == ("Progressing", "Pending deletion")


SO: dict[str, tuple[list[dict[str, str]] | None, tuple[str, str]]] = {
    "no-status": (None, ("Progressing", "Waiting for KEDA to create the autoscaler")),
    "no-conditions": ([], ("Progressing", "Waiting for KEDA to create the autoscaler")),
    "ready-idle": (
        [
            _cond("Ready", "True", message="ScaledObject is defined correctly and is ready"),
            _cond("Active", "False", message="Scaling is not performed"),
            _cond("Fallback", "False"),
        ],
        ("Healthy", "ScaledObject is defined correctly and is ready"),
    ),
    "ready-active": (
        [
            _cond("Ready", "True", message="ready"),
            _cond("Active", "True", message="Scaling is performed because triggers are active"),
            _cond("Fallback", "False"),
        ],
        ("Healthy", "Scaling is performed because triggers are active"),
    ),
    "ready-without-messages": ([_cond("Ready", "True")], ("Healthy", "ScaledObject is ready")),
    "target-missing": (
        [_cond("Ready", "False", message="ScaledObject doesn't have correct scaleTargetRef")],
        ("Degraded", "ScaledObject doesn't have correct scaleTargetRef"),
    ),
    "not-ready-without-message": (
        [_cond("Ready", "False")],
        ("Degraded", "ScaledObject is not ready"),
    ),
    # Prometheus unreachable: KEDA holds the fallback replicas while Ready stays True.
    "fallback": (
        [
            _cond("Ready", "True"),
            _cond("Active", "True"),
            _cond("Fallback", "True", message="At least one trigger is falling back"),
        ],
        ("Degraded", "At least one trigger is falling back"),
    ),
    "fallback-without-message": (
        [_cond("Ready", "True"), _cond("Fallback", "True")],
        ("Degraded", "Trigger failing: fallback replicas"),
    ),
    "paused": (
        [_cond("Ready", "True"), _cond("Paused", "True", message="ScaledObject is paused")],
        ("Suspended", "ScaledObject is paused"),
    ),
    "unpaused": (
        [_cond("Ready", "True", message="ready"), _cond("Paused", "False")],
        ("Healthy", "ready"),
    ),
    "unknown": (
        [_cond("Ready", "Unknown")],
        ("Progressing", "Waiting for KEDA to create the autoscaler"),
    ),
}


@pytest.mark.parametrize("case", sorted(SO))
def test_scaled_object_health_in_each_state(case: str) -> None:
    conditions, expected = SO[case]
    obj: dict[str, Any] = {"metadata": {"name": "gpt-chat"}, "spec": {}}
    if conditions is not None:
        obj["status"] = {"conditions": conditions}
    health = run_health(_script("keda.sh/v1alpha1", "ScaledObject"), obj)
    assert health["status"] in ARGOCD_HEALTH
    assert (health["status"], health["message"]) == expected


def test_scaled_object_being_deleted_is_progressing() -> None:
    obj = {"metadata": {"name": "x", "deletionTimestamp": "2026-01-01T00:00:00Z"}}
    health = run_health(_script("keda.sh/v1alpha1", "ScaledObject"), obj)
    assert health["status"] == "Progressing"
