"""Team isolation: quota, limits, the engineers' Role, Pod Security, and the quota fit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from manifestgen.expand.tenancy import engineer_rules
from manifestgen.expand.tenancy_quota import object_usage, pod_usage
from manifestgen.kinds.catalog import KINDS, deployed_by
from manifestgen.spec.tenancy import ContainerDefaults
from tests.bundle import PLATFORM, build_objects, codes, compile_specs, job_spec, of_kind
from tests.support import CASES, REPO_ROOT
from tests.workloads.support import crd_diagnostics, framework_job

GOLDEN = CASES / "golden" / "tenancy" / "expected"
DEFAULTS = ContainerDefaults()

TENANCY = """
      tenancy:
        engineers: oidc:vision
        quota:
          gpus:
            nvidia.com/gpu: {gpus}
          cpu: "{cpu}"
          memory: 4Ti
          claims: 4
          storage: 4Ti
"""


def platform_with(gpus: int = 32, cpu: int = 400) -> str:
    """The test Platform with a tenancy block on the vision team."""
    anchor = "      registries: [ghcr.io/acme/]\n"
    head, tail = PLATFORM.split(anchor, 1)
    return head + anchor + TENANCY.lstrip("\n").format(gpus=gpus, cpu=cpu) + tail


# A small evaluator of RBAC rules, as the API server's authorizer matches them.
def allows(rules: list[dict[str, Any]], verb: str, group: str, resource: str) -> bool:
    def match(values: list[str], wanted: str) -> bool:
        return "*" in values or wanted in values

    return any(
        match(rule["apiGroups"], group)
        and match(rule["resources"], resource)
        and match(rule["verbs"], verb)
        for rule in rules
    )


def _golden(kind: str) -> list[dict[str, Any]]:
    return [
        yaml.safe_load(p.read_text())
        for p in sorted(GOLDEN.rglob("*.yaml"))
        if yaml.safe_load(p.read_text()).get("kind") == kind
    ]


def test_the_engineers_role_reads_jobs_pods_and_logs_but_never_writes_or_reads_secrets() -> None:
    rules = engineer_rules()
    for verb in ("create", "update", "patch", "delete", "deletecollection"):
        assert not allows(rules, verb, "", "pods"), verb
        for row in deployed_by("cluster"):
            assert not allows(rules, verb, row.group, row.plural), (verb, row.kind)
    for verb in ("get", "list", "watch"):
        assert not allows(rules, verb, "", "secrets")
    for sub in ("pods/exec", "pods/attach", "pods/portforward", "pods/proxy"):
        assert not allows(rules, "create", "", sub)
        assert not allows(rules, "get", "", sub)
    assert allows(rules, "get", "", "pods/log")
    assert allows(rules, "watch", "events.k8s.io", "events")
    assert all("*" not in r["verbs"] + r["resources"] + r["apiGroups"] for r in rules)


def test_the_role_covers_every_namespaced_kind_the_catalog_deploys() -> None:
    roles = _golden("Role")
    assert roles
    for role in roles:
        assert role["rules"] == engineer_rules()
    for row in deployed_by("cluster"):
        if row.namespaced:
            assert allows(engineer_rules(), "list", row.group, row.plural), row.kind


def test_plurals_are_the_ones_the_crds_declare(crds_dir: Path) -> None:
    declared: dict[tuple[str, str], str] = {}
    for path in sorted(crds_dir.rglob("*.yaml")):
        for doc in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                names = doc["spec"]["names"]
                declared[(doc["spec"]["group"], names["kind"])] = names["plural"]
    known = [row for row in KINDS if (row.group, row.kind) in declared]
    assert len(known) >= 8
    for row in known:
        assert row.plural == declared[(row.group, row.kind)], row.kind


def test_the_binding_names_the_platforms_group_and_the_teams_role() -> None:
    for binding in _golden("RoleBinding"):
        team = binding["metadata"]["labels"]["manifestgen.io/team"]
        assert binding["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": f"{team}-engineers",
        }
        assert binding["subjects"] == [
            {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Group",
                "name": f"oidc:{team}-engineers",
            }
        ]


def test_a_limit_range_max_never_names_an_extended_resource() -> None:
    # The LimitRanger refuses a container with no limit for a resource that has a max:
    # a GPU max would refuse every CPU container (launchers, operators' init containers).
    ranges = _golden("LimitRange")
    assert ranges
    for limit_range in ranges:
        for limit in limit_range["spec"]["limits"]:
            assert set(limit.get("max", {})) <= {"cpu", "memory"}
            assert limit["default"] == limit["defaultRequest"]


def test_namespaces_enforce_the_teams_own_profile() -> None:
    profiles = {
        ns["metadata"]["name"]: ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        for ns in _golden("Namespace")
    }
    assert profiles == {"team-nlp": "baseline", "team-vision": "restricted"}


def test_quota_only_where_the_team_has_one() -> None:
    quotas = {
        (q["metadata"]["namespace"], tuple(sorted(q["spec"]["hard"])))
        for q in _golden("ResourceQuota")
    }
    assert (
        "team-nlp",
        ("limits.cpu", "limits.memory", "requests.cpu", "requests.memory"),
    ) in quotas
    assert len(quotas) == 2  # vision on train-a, nlp on train-b only
    assert not (GOLDEN / "train-a" / "team-nlp" / "resourcequota-manifestgen.yaml").exists()


def _committed_pod_specs() -> list[tuple[str, dict[str, Any]]]:
    from manifestgen.kinds.catalog import pod_spec_paths, row_of

    found = []
    for root in (REPO_ROOT / "out", *sorted((CASES / "golden").glob("*/expected"))):
        for path in sorted(root.rglob("*.yaml")):
            obj = yaml.safe_load(path.read_text())
            row = row_of(obj) if isinstance(obj, dict) else None
            for spec_path in pod_spec_paths(obj, row) if row else ():
                spec: Any = obj
                for part in spec_path:
                    spec = spec[part]
                found.append((f"{path}:{obj['apiVersion']}:{spec_path}", spec))
    return found


def test_every_generated_container_sets_cpu_and_memory_as_a_quota_requires() -> None:
    # A quota on cpu or memory makes admission refuse any container without both.
    specs = _committed_pod_specs()
    assert len(specs) > 10
    for where, spec in specs:
        if "trainer.kubeflow.org" in where:
            continue  # partial templates: the node's resources are the TrainJob's, below
        for container in [*spec.get("initContainers", ()), *spec["containers"]]:
            resources = container["resources"]
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources[kind]), where
    # A TrainJob's runtime patch and its runtime carry no resources: the Trainer gives the
    # node container the TrainJob's trainer.resourcesPerNode.
    trainjobs = list((REPO_ROOT / "out").rglob("trainjob.yaml"))
    assert trainjobs
    for path in trainjobs:
        per_node = yaml.safe_load(path.read_text())["spec"]["trainer"]["resourcesPerNode"]
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(per_node[kind]), path


def test_a_pod_counts_its_largest_init_container_or_its_containers_and_sidecars() -> None:
    def c(cpu: str, memory: str, **extra: Any) -> dict[str, Any]:
        amounts = {"cpu": cpu, "memory": memory}
        return {"resources": {"requests": amounts, "limits": amounts}, **extra}

    spec = {
        "initContainers": [c("1", "1Gi", restartPolicy="Always"), c("6", "1Gi")],
        "containers": [c("2", "2Gi"), c("1", "1Gi")],
    }
    usage = pod_usage(spec, DEFAULTS)
    assert usage["requests.cpu"] == 7  # the init container (6) beside the sidecar (1)
    assert usage["requests.memory"] == 4 * 2**30  # containers (3Gi) and the sidecar (1Gi)
    bare = pod_usage({"containers": [{"name": "x"}]}, DEFAULTS)
    assert bare["requests.cpu"] == Decimal("0.1")
    assert bare["limits.memory"] == 128 * 2**20


def test_operator_init_containers_and_elastic_workers_are_counted() -> None:
    template = {
        "spec": {"containers": [{"resources": {"limits": {"cpu": "10m", "memory": "1Mi"}}}]}
    }
    obj = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "spec": {
            "elasticPolicy": {"maxReplicas": 4},
            "pytorchReplicaSpecs": {
                "Master": {"replicas": 1, "template": template},
                "Worker": {"replicas": 2, "template": template},
            },
        },
    }
    usage = object_usage(obj, DEFAULTS)
    # Master 10m; four Workers, each at the larger of 10m and init-pytorch's 50m.
    assert usage["requests.cpu"] == Decimal("0.010") + 4 * Decimal("0.050")
    assert usage["limits.cpu"] == Decimal("0.010") + 4 * Decimal("0.100")


def test_a_job_over_the_gpu_quota_is_refused_at_its_gpu_line(tmp_path: Path) -> None:
    _objects, diagnostics = compile_specs(tmp_path, [job_spec("big")], platform_with(gpus=8))
    assert codes(diagnostics) == ["MG370"]
    (problem,) = [d for d in diagnostics if d.is_error]
    assert "requests.nvidia.com/gpu 8" in problem.message
    assert "big (16)" in problem.message
    assert problem.field == "spec.gpu.perNode"


def test_the_mpi_launcher_counts_against_the_cpu_quota(tmp_path: Path) -> None:
    launcher = {"implementation": "OpenMPI", "launcher": {"cpu": 2, "memory": "4Gi"}}
    job = framework_job("mpi", "ranks", command=["mpirun"], args=["python", "t.py"], mpi=launcher)
    # Four workers of 8 CPUs fit 32 exactly; the launcher's 2 do not.
    _, diagnostics = compile_specs(tmp_path, [job], platform_with(cpu=32))
    assert codes(diagnostics) == ["MG370"]
    assert "ask for 34 together" in next(d for d in diagnostics if d.is_error).message


def test_the_guardrails_pass_the_kubernetes_schemas(tmp_path: Path, crds_dir: Path) -> None:
    objects = build_objects(tmp_path / "plain", [job_spec()], platform_with())
    for kind in ("ResourceQuota", "LimitRange", "Role", "RoleBinding"):
        assert len(of_kind(objects, kind)) == 1, kind
    found = crd_diagnostics(tmp_path / "checked", [job_spec()], crds_dir, platform_with())
    assert not [d for d in found if d.is_error], found


def test_a_quota_on_mig_slices_names_a_resource_the_catalog_advertises(tmp_path: Path) -> None:
    platform = (CASES / "golden" / "mig" / "specs" / "platform.yaml").read_text()
    anchor = "  teams:\n"
    assert anchor in platform
    head, tail = platform.split(anchor, 1)
    team_name, rest = tail.split(":\n", 1)
    block = (
        "      tenancy:\n        engineers: oidc:mig\n        quota:\n          gpus:\n"
        "            nvidia.com/mig-1g.10gb: 70\n            nvidia.com/mig-2g.20gb: 1\n"
    )
    lines = rest.split("\n")
    # The team's own keys are the lines indented by six spaces right after its name.
    end = next(i for i, line in enumerate(lines) if not line.startswith("      "))
    tail = "\n".join([*lines[:end], block.rstrip("\n"), *lines[end:]])
    _, diagnostics = compile_specs(tmp_path, [], head + anchor + team_name + ":\n" + tail)
    problems = [d for d in diagnostics if d.code == "MG372"]
    assert [p.field.endswith("gpus.nvidia.com/mig-2g.20gb") for p in problems] == [True]
