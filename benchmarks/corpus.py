"""A deterministic corpus of valid manifests for the verify benchmark (and its tests).

Every object is valid against the Kubernetes 1.33 schemas and the upstream CRDs in
`../shared/crds`: the benchmark measures the speed of passing resources, which is what a
pre-commit hook or CI sees almost every time. Objects vary (names, replicas, images,
resources) so that nothing is cached per object.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]
Maker = Callable[[random.Random, int], Obj]

_TEAMS = ("vision", "nlp", "recsys", "speech", "robotics", "search")
_IMAGES = ("ghcr.io/acme/train", "123456789012.dkr.ecr.us-east-1.amazonaws.com/ml/train")


def _meta(rng: random.Random, prefix: str, index: int, *, namespaced: bool = True) -> Obj:
    team = rng.choice(_TEAMS)
    meta: Obj = {
        "name": f"{prefix}-{team}-{index:05d}",
        "labels": {"app.kubernetes.io/name": f"{prefix}-{index}", "acme.io/team": team},
        "annotations": {"acme.io/owner": f"{team}@acme.io"},
    }
    if namespaced:
        meta["namespace"] = f"ml-{team}"
    return meta


def _container(rng: random.Random, name: str, gpus: int = 0) -> Obj:
    cpu, memory = rng.choice((4, 8, 16, 32)), rng.choice((16, 32, 64, 128))
    limits: Obj = {"cpu": str(cpu), "memory": f"{memory}Gi"}
    if gpus:
        limits["nvidia.com/gpu"] = gpus
    return {
        "name": name,
        "image": f"{rng.choice(_IMAGES)}:{rng.randint(1, 40)}.{rng.randint(0, 9)}",
        "command": ["torchrun"],
        "args": ["train.py", f"--epochs={rng.randint(1, 90)}", f"--lr={rng.random():.5f}"],
        "env": [{"name": "NCCL_DEBUG", "value": rng.choice(("INFO", "WARN"))}],
        "resources": {"limits": limits, "requests": dict(limits)},
        "volumeMounts": [{"name": "shm", "mountPath": "/dev/shm"}],
        "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True},
    }


def _pod_template(rng: random.Random, name: str, gpus: int = 0, restart: str = "Never") -> Obj:
    return {
        "metadata": {"labels": {"app.kubernetes.io/name": name}},
        "spec": {
            "containers": [_container(rng, name, gpus)],
            "volumes": [{"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "16Gi"}}],
            "tolerations": [
                {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
            ],
            "nodeSelector": {"karpenter.sh/capacity-type": rng.choice(("on-demand", "spot"))},
            "restartPolicy": restart,
        },
    }


def namespace(rng: random.Random, i: int) -> Obj:
    meta = _meta(rng, "ns", i, namespaced=False)
    meta["labels"]["pod-security.kubernetes.io/enforce"] = "restricted"
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def service_account(rng: random.Random, i: int) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _meta(rng, "sa", i),
        "automountServiceAccountToken": False,
    }


def config_map(rng: random.Random, i: int) -> Obj:
    data = {f"key{k}": f"value-{rng.randint(0, 10**6)}" for k in range(rng.randint(1, 6))}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(rng, "cm", i), "data": data}


def claim(rng: random.Random, i: int) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _meta(rng, "pvc", i),
        "spec": {
            "accessModes": [rng.choice(("ReadWriteMany", "ReadWriteOnce"))],
            "storageClassName": "efs-sc",
            "resources": {"requests": {"storage": f"{rng.randint(10, 900)}Gi"}},
        },
    }


def network_policy(rng: random.Random, i: int) -> Obj:
    selector = {"matchLabels": {"app.kubernetes.io/name": f"job-{i}"}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(rng, "netpol", i),
        "spec": {
            "podSelector": selector,
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": selector}]}],
            "egress": [
                {"to": [{"podSelector": selector}]},
                {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
                {"to": [{"ipBlock": {"cidr": f"10.{rng.randint(0, 255)}.0.0/16"}}]},
            ],
        },
    }


def service(rng: random.Random, i: int) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(rng, "svc", i),
        "spec": {
            "selector": {"app.kubernetes.io/name": f"job-{i}"},
            "clusterIP": "None",
            "ports": [{"name": "rdzv", "port": 29500, "targetPort": 29500, "protocol": "TCP"}],
        },
    }


def deployment(rng: random.Random, i: int) -> Obj:
    name = f"serve-{i}"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(rng, "deploy", i),
        "spec": {
            "replicas": rng.randint(1, 8),
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": _pod_template(rng, name, restart="Always"),
        },
    }


def job(rng: random.Random, i: int) -> Obj:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(rng, "job", i),
        "spec": {
            "backoffLimit": rng.randint(0, 6),
            "completions": 1,
            "parallelism": 1,
            "template": _pod_template(rng, f"job-{i}"),
        },
    }


BUILTIN: tuple[Maker, ...] = (
    namespace,
    service_account,
    config_map,
    claim,
    network_policy,
    service,
    deployment,
    job,
)


def pytorch_job(rng: random.Random, i: int) -> Obj:
    gpus = rng.choice((1, 4, 8))
    template = _pod_template(rng, "pytorch", gpus, "OnFailure")
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": _meta(rng, "pt", i),
        "spec": {
            "nprocPerNode": str(gpus),
            "runPolicy": {"cleanPodPolicy": "Running", "backoffLimit": 3},
            "pytorchReplicaSpecs": {
                "Master": {"replicas": 1, "restartPolicy": "OnFailure", "template": template},
                "Worker": {
                    "replicas": rng.randint(1, 15),
                    "restartPolicy": "OnFailure",
                    "template": template,
                },
            },
        },
    }


def tf_job(rng: random.Random, i: int) -> Obj:
    template = _pod_template(rng, "tensorflow", rng.choice((0, 1)), "OnFailure")
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "TFJob",
        "metadata": _meta(rng, "tf", i),
        "spec": {
            "runPolicy": {"cleanPodPolicy": "None"},
            "tfReplicaSpecs": {
                "PS": {"replicas": rng.randint(1, 2), "template": template},
                "Worker": {"replicas": rng.randint(1, 8), "template": template},
            },
        },
    }


def mpi_job(rng: random.Random, i: int) -> Obj:
    return {
        "apiVersion": "kubeflow.org/v2beta1",
        "kind": "MPIJob",
        "metadata": _meta(rng, "mpi", i),
        "spec": {
            "slotsPerWorker": 8,
            "runPolicy": {"cleanPodPolicy": "Running"},
            "mpiReplicaSpecs": {
                "Launcher": {"replicas": 1, "template": _pod_template(rng, "launcher")},
                "Worker": {
                    "replicas": rng.randint(1, 16),
                    "template": _pod_template(rng, "worker", 8),
                },
            },
        },
    }


def train_job(rng: random.Random, i: int) -> Obj:
    gpus = rng.choice((1, 8))
    return {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "metadata": _meta(rng, "tj", i),
        "spec": {
            "runtimeRef": {"name": "torch-distributed"},
            "trainer": {
                "image": f"{rng.choice(_IMAGES)}:{rng.randint(1, 40)}",
                "command": ["torchrun", "train.py"],
                "numNodes": rng.randint(1, 16),
                "resourcesPerNode": {"limits": {"nvidia.com/gpu": gpus}},
                "env": [{"name": "EPOCHS", "value": str(rng.randint(1, 90))}],
            },
        },
    }


def job_set(rng: random.Random, i: int) -> Obj:
    return {
        "apiVersion": "jobset.x-k8s.io/v1alpha2",
        "kind": "JobSet",
        "metadata": _meta(rng, "js", i),
        "spec": {
            "failurePolicy": {"maxRestarts": rng.randint(0, 5)},
            "replicatedJobs": [
                {
                    "name": "node",
                    "replicas": rng.randint(1, 8),
                    "template": {
                        "spec": {
                            "parallelism": 1,
                            "completions": 1,
                            "backoffLimit": 0,
                            "template": _pod_template(rng, "node", 8),
                        }
                    },
                }
            ],
        },
    }


def node_pool(rng: random.Random, i: int) -> Obj:
    family = rng.choice(("p4d", "p5", "g6e"))
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": _meta(rng, "np", i, namespaced=False),
        "spec": {
            "limits": {"nvidia.com/gpu": rng.randint(8, 512)},
            "disruption": {"consolidationPolicy": "WhenEmpty", "consolidateAfter": "10m"},
            "template": {
                "spec": {
                    "nodeClassRef": {
                        "group": "karpenter.k8s.aws",
                        "kind": "EC2NodeClass",
                        "name": "gpu",
                    },
                    "requirements": [
                        {
                            "key": "karpenter.k8s.aws/instance-family",
                            "operator": "In",
                            "values": [family],
                        },
                        {
                            "key": "karpenter.sh/capacity-type",
                            "operator": "In",
                            "values": [rng.choice(("on-demand", "spot"))],
                        },
                    ],
                    "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
                    "expireAfter": "720h",
                }
            },
        },
    }


def ec2_node_class(rng: random.Random, i: int) -> Obj:
    cluster = f"cluster-{rng.randint(1, 9)}"
    return {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": _meta(rng, "nc", i, namespaced=False),
        "spec": {
            "amiSelectorTerms": [{"alias": "al2023@latest"}],
            "role": f"KarpenterNodeRole-{cluster}",
            "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": cluster}}],
            "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": cluster}}],
            "blockDeviceMappings": [
                {
                    "deviceName": "/dev/xvda",
                    "ebs": {
                        "volumeSize": f"{rng.randint(100, 900)}Gi",
                        "volumeType": "gp3",
                        "encrypted": True,
                    },
                }
            ],
            "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2},
        },
    }


def cluster_queue(rng: random.Random, i: int) -> Obj:
    return {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ClusterQueue",
        "metadata": _meta(rng, "cq", i, namespaced=False),
        "spec": {
            "namespaceSelector": {},
            "queueingStrategy": "BestEffortFIFO",
            "resourceGroups": [
                {
                    "coveredResources": ["cpu", "nvidia.com/gpu"],
                    "flavors": [
                        {
                            "name": "p5",
                            "resources": [
                                {"name": "cpu", "nominalQuota": rng.randint(100, 2000)},
                                {"name": "nvidia.com/gpu", "nominalQuota": rng.randint(8, 256)},
                            ],
                        }
                    ],
                }
            ],
        },
    }


def local_queue(rng: random.Random, i: int) -> Obj:
    return {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "LocalQueue",
        "metadata": _meta(rng, "lq", i),
        "spec": {"clusterQueue": f"cq-{rng.choice(_TEAMS)}"},
    }


def application(rng: random.Random, i: int) -> Obj:
    team = rng.choice(_TEAMS)
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {**_meta(rng, "app", i, namespaced=False), "namespace": "argocd"},
        "spec": {
            "project": "ml",
            "source": {
                "repoURL": "https://git.example.com/acme/ml-platform.git",
                "targetRevision": "main",
                "path": f"out/{team}",
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": f"ml-{team}"},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }


def inference_service(rng: random.Random, i: int) -> Obj:
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": _meta(rng, "isvc", i),
        "spec": {
            "predictor": {
                "minReplicas": rng.randint(1, 3),
                "model": {
                    "modelFormat": {"name": rng.choice(("sklearn", "pytorch", "xgboost"))},
                    "storageUri": f"s3://acme-models/{rng.choice(_TEAMS)}/{i}",
                    "resources": {"limits": {"cpu": "2", "memory": "8Gi"}},
                },
            }
        },
    }


def resource_flavor(rng: random.Random, i: int) -> Obj:
    family = rng.choice(("p4d", "p5", "g6e"))
    return {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ResourceFlavor",
        "metadata": _meta(rng, "rf", i, namespaced=False),
        "spec": {
            "nodeLabels": {"karpenter.k8s.aws/instance-family": family},
            "tolerations": [
                {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
            ],
        },
    }


def ray_cluster(rng: random.Random, i: int) -> Obj:
    replicas = rng.randint(1, 8)
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": _meta(rng, "ray", i),
        "spec": {
            "headGroupSpec": {
                "rayStartParams": {"dashboard-host": "0.0.0.0"},
                "template": _pod_template(rng, "ray-head", 0, "Always"),
            },
            "workerGroupSpecs": [
                {
                    "groupName": "gpu",
                    "replicas": replicas,
                    "minReplicas": 1,
                    "maxReplicas": replicas + 4,
                    "rayStartParams": {},
                    "template": _pod_template(rng, "ray-worker", 8, "Always"),
                }
            ],
        },
    }


def pod_group(rng: random.Random, i: int) -> Obj:
    members = rng.randint(2, 16)
    return {
        "apiVersion": "scheduling.volcano.sh/v1beta1",
        "kind": "PodGroup",
        "metadata": _meta(rng, "pg", i),
        "spec": {
            "minMember": members,
            "queue": rng.choice(("default", "research")),
            "minResources": {"nvidia.com/gpu": str(8 * members)},
        },
    }


CUSTOM: tuple[Maker, ...] = (
    pytorch_job,
    tf_job,
    mpi_job,
    train_job,
    job_set,
    node_pool,
    ec2_node_class,
    cluster_queue,
    local_queue,
    application,
    inference_service,
    resource_flavor,
    ray_cluster,
    pod_group,
)


@dataclass(frozen=True)
class Corpus:
    """Where the corpus was written, and its files by part."""

    root: Path
    builtin_files: tuple[tuple[Path, int], ...]  # (file, resources in it)
    custom_files: tuple[tuple[Path, int], ...]

    @property
    def resources(self) -> int:
        return sum(n for _, n in (*self.builtin_files, *self.custom_files))

    @property
    def builtin_resources(self) -> int:
        return sum(n for _, n in self.builtin_files)


def _objects(rng: random.Random, makers: tuple[Maker, ...], count: int) -> Iterator[Obj]:
    for index in range(count):
        yield makers[index % len(makers)](rng, index)


class _Dumper(yaml.CSafeDumper):
    # Shared sub-objects (a pod template used twice) are written out, not as &anchors:
    # real manifests do not use them.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _write(directory: Path, objects: list[Obj], per_file: int) -> tuple[tuple[Path, int], ...]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for start in range(0, len(objects), per_file):
        chunk = objects[start : start + per_file]
        path = directory / f"manifests-{start // per_file:04d}.yaml"
        path.write_text(yaml.dump_all(chunk, Dumper=_Dumper, sort_keys=False))
        written.append((path, len(chunk)))
    return tuple(written)


def write_corpus(
    root: Path,
    resources: int = 10_000,
    *,
    custom_share: float = 0.4,
    per_file: int = 25,
    seed: int = 0,
) -> Corpus:
    """Write `resources` objects under `root` (`builtin/` and `custom/`), deterministically."""
    rng = random.Random(seed)
    custom = round(resources * custom_share)
    builtin_objects = list(_objects(rng, BUILTIN, resources - custom))
    custom_objects = list(_objects(rng, CUSTOM, custom))
    return Corpus(
        root,
        _write(root / "builtin", builtin_objects, per_file),
        _write(root / "custom", custom_objects, per_file),
    )
