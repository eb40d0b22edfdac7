"""The pod KServe (and Knative) make of one generated InferenceService, as quota admission
sees it, and how many of them there can be at once.

An InferenceService carries no pod template: its controllers add containers the object
never shows, and the namespace quota charges for them all.

- `kserve-container`: the model server, with the predictor's resources.
- `storage-initializer`: KServe's pod webhook adds this init container to download a
  model from an object store (s3://, gs://, hf://). A `pvc://` model is mounted straight
  into the model server, with no init container. Its resources are the defaults of the
  `storageInitializer` entry of KServe's `inferenceservice-config` ConfigMap
  (config/configmap/inferenceservice.yaml).
- `queue-proxy`: in Knative mode, Knative's revision reconciler puts this container
  beside the model server. Knative's `config-deployment` asks only `25m` CPU for it by
  default (queue-sidecar-cpu-request; its other requests and limits are set only under
  the `queueproxy.resource-defaults` feature, off by default), so the namespace's
  LimitRange fills in the rest. Standard mode (a plain Deployment) adds none.

The predictor counts at its `maxReplicas`: the autoscaler (KEDA, or Knative's) may scale
to it at any time. The extra pods of a rollout (a Deployment's surge, a new Knative
revision beside the old) are not counted: a quota that refuses them slows the rollout,
it does not stop the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode"
PVC_PREFIX = "pvc://"

STORAGE_INITIALIZER = {
    "name": "storage-initializer",
    "resources": {
        "limits": {"cpu": "1", "memory": "1Gi"},
        "requests": {"cpu": "100m", "memory": "100Mi"},
    },
}
QUEUE_PROXY = {"name": "queue-proxy", "resources": {"requests": {"cpu": "25m"}}}


def predictor_pod(isvc: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """The predictor's pod spec (containers and init containers, as admitted) and the
    most of them that run at once."""
    predictor = isvc["spec"]["predictor"]
    model = predictor["model"]
    containers: list[Mapping[str, Any]] = [
        {"name": "kserve-container", "resources": model.get("resources") or {}}
    ]
    annotations = isvc.get("metadata", {}).get("annotations") or {}
    if annotations.get(DEPLOYMENT_MODE) == "Knative":
        containers.append(QUEUE_PROXY)
    pod: dict[str, Any] = {"containers": containers}
    if not str(model.get("storageUri", "")).startswith(PVC_PREFIX):
        pod["initContainers"] = [STORAGE_INITIALIZER]
    return pod, int(predictor.get("maxReplicas", 1))
