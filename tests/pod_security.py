"""What the cluster does to a generated PyTorchJob's pods, for tests.

`operator_pods` builds the pods the Kubeflow Training Operator v1 (1.9) would create
from a PyTorchJob, including the `init-pytorch` init container it adds to every Worker
pod when the job has a Master (alpine, no securityContext). `violations` judges a pod
spec by the Pod Security Standards, as the API server's admission does for the level
a namespace enforces (only the checks a generated pod could fail are modelled).
"""

from __future__ import annotations

from typing import Any

# The baseline level allows these added capabilities and no others.
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
RESTRICTED_VOLUMES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
INJECTED_INIT = {
    "name": "init-pytorch",
    "image": "alpine:3.10",
    "command": ["sh", "-c", "until nslookup master; do sleep 2; done"],
}


def operator_pods(job: dict[str, Any]) -> list[dict[str, Any]]:
    """One pod spec per replica type, as the operator would create it."""
    specs = job["spec"]["pytorchReplicaSpecs"]
    pods = []
    for replica, spec in sorted(specs.items()):
        pod = dict(spec["template"]["spec"])
        if replica == "Worker" and "Master" in specs:
            pod["initContainers"] = [*pod.get("initContainers", []), INJECTED_INIT]
        pods.append(pod)
    return pods


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def _baseline(pod: dict[str, Any]) -> list[str]:
    found = [f"pod sets {key}" for key in ("hostNetwork", "hostPID", "hostIPC") if pod.get(key)]
    found += [
        f"volume {v['name']} is a hostPath" for v in pod.get("volumes", []) if "hostPath" in v
    ]
    for container in _containers(pod):
        context = container.get("securityContext", {})
        if context.get("privileged"):
            found.append(f"container {container['name']} is privileged")
        added = set(context.get("capabilities", {}).get("add", []))
        if added - BASELINE_CAPABILITIES:
            found.append(f"container {container['name']} adds {sorted(added)}")
    return found


def _pod_or_container(pod: dict[str, Any], container: dict[str, Any], key: str) -> Any:
    own = container.get("securityContext", {}).get(key)
    return own if own is not None else pod.get("securityContext", {}).get(key)


def _restricted_container(pod: dict[str, Any], container: dict[str, Any]) -> list[str]:
    name = container["name"]
    context = container.get("securityContext", {})
    found = []
    if context.get("allowPrivilegeEscalation") is not False:
        found.append(f"container {name} allows privilege escalation")
    capabilities = context.get("capabilities", {})
    if "ALL" not in capabilities.get("drop", []):
        found.append(f"container {name} does not drop ALL capabilities")
    if set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
        found.append(f"container {name} adds capabilities")
    if _pod_or_container(pod, container, "runAsNonRoot") is not True:
        found.append(f"container {name} may run as root")
    seccomp = _pod_or_container(pod, container, "seccompProfile") or {}
    if seccomp.get("type") not in ("RuntimeDefault", "Localhost"):
        found.append(f"container {name} has no seccomp profile")
    return found


def violations(pod: dict[str, Any], level: str) -> list[str]:
    """Why the API server would reject this pod in a namespace enforcing `level`."""
    found = _baseline(pod)
    if level == "restricted":
        for container in _containers(pod):
            found += _restricted_container(pod, container)
        for volume in pod.get("volumes", []):
            kinds = set(volume) - {"name"}
            if kinds - RESTRICTED_VOLUMES:
                found.append(f"volume {volume['name']} is of a restricted type")
    return found
