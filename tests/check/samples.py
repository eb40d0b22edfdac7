"""Sample objects, as manifestgen's generators emit them, one per kind the tests use."""

from __future__ import annotations

from typing import Any

_POD_TEMPLATE: dict[str, Any] = {
    "metadata": {
        "labels": {"app.kubernetes.io/name": "resnet"},
        "annotations": {"karpenter.sh/do-not-disrupt": "true"},
    },
    "spec": {
        "containers": [
            {
                "name": "pytorch",
                "image": "ghcr.io/example/resnet:1.0",
                "command": ["torchrun"],
                "args": ["--nnodes", "2", "train.py"],
                "env": [{"name": "NCCL_DEBUG", "value": "INFO"}],
                "resources": {
                    "limits": {"nvidia.com/gpu": 8, "cpu": "32", "memory": "256Gi"},
                    "requests": {"nvidia.com/gpu": 8, "cpu": "32", "memory": "256Gi"},
                },
                "volumeMounts": [{"name": "shm", "mountPath": "/dev/shm"}],
            }
        ],
        "volumes": [{"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "64Gi"}}],
        "nodeSelector": {"karpenter.sh/nodepool": "gpu"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "restartPolicy": "OnFailure",
    },
}

_META = {"name": "resnet", "namespace": "train", "labels": {"app.kubernetes.io/name": "resnet"}}

SAMPLES: dict[str, dict[str, Any]] = {
    "Namespace": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "train"}},
    "ServiceAccount": {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "trainer", "namespace": "train"},
        "automountServiceAccountToken": False,
    },
    "ConfigMap": {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "resnet-config", "namespace": "train"},
        "data": {"config.yaml": "epochs: 10\n"},
    },
    "PersistentVolumeClaim": {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "checkpoints", "namespace": "train"},
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "efs",
            "resources": {"requests": {"storage": "1Ti"}},
        },
    },
    "NetworkPolicy": {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "resnet-rendezvous", "namespace": "train"},
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "resnet"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "resnet"}}}
                    ],
                    "ports": [{"port": 29500, "protocol": "TCP"}, {"port": "metrics"}],
                }
            ],
        },
    },
    "PyTorchJob": {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": _META,
        "spec": {
            "nprocPerNode": "8",
            "elasticPolicy": {
                "minReplicas": 1,
                "maxReplicas": 4,
                "maxRestarts": 3,
                "rdzvBackend": "c10d",
                "rdzvId": "resnet",
            },
            "runPolicy": {
                "cleanPodPolicy": "None",
                "ttlSecondsAfterFinished": 3600,
                "activeDeadlineSeconds": 86400,
                "backoffLimit": 3,
                "suspend": False,
                "schedulingPolicy": {"minAvailable": 4, "queue": "gpu", "priorityClass": "high"},
            },
            "pytorchReplicaSpecs": {
                "Master": {"replicas": 1, "restartPolicy": "OnFailure", "template": _POD_TEMPLATE},
                "Worker": {"replicas": 3, "restartPolicy": "OnFailure", "template": _POD_TEMPLATE},
            },
        },
    },
    "NodePool": {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "gpu", "labels": {"team": "ml"}},
        "spec": {
            "weight": 50,
            "limits": {"cpu": "1000", "memory": "4000Gi", "nvidia.com/gpu": 64},
            "disruption": {
                "consolidationPolicy": "WhenEmpty",
                "consolidateAfter": "10m",
                "budgets": [
                    {"nodes": "10%"},
                    {"nodes": "0", "reasons": ["Drifted"], "schedule": "@daily", "duration": "8h"},
                ],
            },
            "template": {
                "metadata": {"labels": {"workload": "training"}, "annotations": {"a": "b"}},
                "spec": {
                    "nodeClassRef": {
                        "group": "karpenter.k8s.aws",
                        "kind": "EC2NodeClass",
                        "name": "gpu",
                    },
                    "requirements": [
                        {
                            "key": "karpenter.sh/capacity-type",
                            "operator": "In",
                            "values": ["on-demand"],
                        },
                        {
                            "key": "karpenter.k8s.aws/instance-family",
                            "operator": "In",
                            "values": ["p5", "p4d"],
                            "minValues": 1,
                        },
                    ],
                    "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
                    "startupTaints": [{"key": "example.com/not-ready", "effect": "NoExecute"}],
                    "expireAfter": "720h",
                    "terminationGracePeriod": "48h",
                },
            },
        },
    },
    "EC2NodeClass": {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": "gpu"},
        "spec": {
            "amiSelectorTerms": [{"alias": "al2023@latest"}],
            "subnetSelectorTerms": [
                {"tags": {"karpenter.sh/discovery": "ml"}},
                {"id": "subnet-0abc"},
            ],
            "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "ml"}}],
            "role": "KarpenterNodeRole-ml",
            "tags": {"team": "ml"},
            "blockDeviceMappings": [
                {
                    "deviceName": "/dev/xvda",
                    "ebs": {
                        "volumeSize": "500Gi",
                        "volumeType": "gp3",
                        "encrypted": True,
                        "deleteOnTermination": True,
                        "iops": 10000,
                        "throughput": 500,
                    },
                }
            ],
            "metadataOptions": {
                "httpEndpoint": "enabled",
                "httpProtocolIPv6": "disabled",
                "httpPutResponseHopLimit": 2,
                "httpTokens": "required",
            },
            "kubelet": {"maxPods": 110, "systemReserved": {"cpu": "100m"}},
        },
    },
    "Application": {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": "training",
            "namespace": "argocd",
            "labels": {"team": "ml"},
            "annotations": {"argocd.argoproj.io/sync-wave": "1"},
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "ml",
            "source": {
                "repoURL": "https://github.com/example/ml-platform.git",
                "targetRevision": "main",
                "path": "out/train",
                "directory": {"recurse": True},
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "train"},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True, "allowEmpty": False},
                "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                "retry": {
                    "limit": 5,
                    "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"},
                },
            },
            "ignoreDifferences": [
                {
                    "group": "kubeflow.org",
                    "kind": "PyTorchJob",
                    "jsonPointers": ["/spec/runPolicy/suspend"],
                }
            ],
        },
    },
    "AppProject": {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": "ml", "namespace": "argocd"},
        "spec": {
            "description": "ML training",
            "sourceRepos": ["https://github.com/example/ml-platform.git"],
            "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "train"}],
            "clusterResourceWhitelist": [{"group": "karpenter.sh", "kind": "NodePool"}],
            "namespaceResourceWhitelist": [{"group": "kubeflow.org", "kind": "PyTorchJob"}],
        },
    },
    "TrainJob": {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "metadata": {"name": "llama", "namespace": "train"},
        "spec": {
            "runtimeRef": {
                "name": "torch-distributed",
                "kind": "ClusterTrainingRuntime",
                "apiGroup": "trainer.kubeflow.org",
            },
            "suspend": True,
            "trainer": {
                "image": "ghcr.io/example/llama:1.0",
                "command": ["torchrun", "train.py"],
                "numNodes": 2,
                "numProcPerNode": 8,
                "resourcesPerNode": {"limits": {"nvidia.com/gpu": 8}},
                "env": [{"name": "NCCL_DEBUG", "value": "INFO"}],
            },
        },
    },
    "JobSet": {
        "apiVersion": "jobset.x-k8s.io/v1alpha2",
        "kind": "JobSet",
        "metadata": {"name": "llama", "namespace": "train"},
        "spec": {
            "failurePolicy": {"maxRestarts": 3},
            "replicatedJobs": [
                {
                    "name": "node",
                    "replicas": 2,
                    "template": {
                        "spec": {
                            "parallelism": 1,
                            "completions": 1,
                            "backoffLimit": 0,
                            "template": _POD_TEMPLATE,
                        }
                    },
                }
            ],
        },
    },
    "ClusterQueue": {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ClusterQueue",
        "metadata": {"name": "gpu"},
        "spec": {
            "cohortName": "ml",
            "namespaceSelector": {},
            "queueingStrategy": "BestEffortFIFO",
            "resourceGroups": [
                {
                    "coveredResources": ["cpu", "nvidia.com/gpu"],
                    "flavors": [
                        {
                            "name": "p5",
                            "resources": [
                                {"name": "cpu", "nominalQuota": 1000},
                                {"name": "nvidia.com/gpu", "nominalQuota": "64"},
                            ],
                        }
                    ],
                }
            ],
        },
    },
}
