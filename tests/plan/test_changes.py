"""What a plan says about jobs, claims, namespaces and node pools, against out/ on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifestgen.plan.markdown import render_markdown
from manifestgen.plan.model import ClusterPlan, JobChange, Plan
from tests.plan.support import CPU_JOB, GPU_JOB, build, edit, make_plan_repo, plan


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_plan_repo(tmp_path / "repo")


def _cluster(found: Plan | None, name: str = "train-a") -> ClusterPlan:
    assert found is not None
    return next(c for c in found.clusters if c.name == name)


def _job(found: Plan | None, name: str) -> JobChange:
    return next(j for j in _cluster(found).jobs if j.name == name)


def test_nothing_changed_is_an_empty_plan(repo: Path) -> None:
    result = plan(repo)
    assert result.ok
    assert result.plan is not None
    assert not result.plan.changed
    cluster = _cluster(result.plan)
    assert (cluster.jobs, cluster.unchanged_jobs, cluster.files.count) == ((), 2, 0)


def test_a_new_job_is_created_with_a_new_claim(repo: Path) -> None:
    (repo / "specs" / "jobs" / "second.yaml").write_text(
        GPU_JOB.replace("llm", "llm-second").replace("nodes: 2", "nodes: 1")
    )
    job = _job(plan(repo).plan, "llm-second")
    assert (job.change, job.before, job.checkpoints) == ("created", None, "new-claim")
    assert job.after is not None
    assert job.after.startswith("llm-second-")
    assert job.claim == "llm-second-checkpoints"
    claims = _cluster(plan(repo).plan).claims
    assert [(c.name, c.change, c.detail) for c in claims] == [
        ("llm-second-checkpoints", "created", "100Gi")
    ]


def test_a_changed_job_is_recreated_and_resumes_from_its_claim(repo: Path) -> None:
    edit(repo / "specs" / "jobs" / "big.yaml", "llm:2.0.0", "llm:2.1.0")
    job = _job(plan(repo).plan, "llm")
    assert job.change == "recreated"
    assert job.before != job.after
    assert (job.checkpoints, job.claim) == ("resumes", "llm-checkpoints")


def test_a_changed_job_without_checkpoints_trains_from_the_start(repo: Path) -> None:
    edit(repo / "specs" / "jobs" / "mnist.yaml", "mnist:1.0.0", "mnist:1.0.1")
    job = _job(plan(repo).plan, "mnist")
    assert (job.change, job.checkpoints, job.claim) == ("recreated", "none", None)


def test_a_new_claim_name_means_an_empty_claim(repo: Path) -> None:
    edit(
        repo / "specs" / "jobs" / "big.yaml",
        "  checkpoints:\n",
        "  checkpoints:\n    claimName: llm-v2\n",
    )
    found = plan(repo).plan
    job = _job(found, "llm")
    assert (job.change, job.checkpoints, job.claim) == ("recreated", "new-claim", "llm-v2")
    claims = {(c.name, c.change, c.retained) for c in _cluster(found).claims}
    assert claims == {("llm-checkpoints", "deleted", True), ("llm-v2", "created", False)}


def test_a_deleted_spec_deletes_the_job_and_the_claim_stays(repo: Path) -> None:
    (repo / "specs" / "jobs" / "big.yaml").unlink()
    found = plan(repo).plan
    job = _job(found, "llm")
    assert (job.change, job.after, job.checkpoints) == ("deleted", None, "kept")
    (claim,) = _cluster(found).claims
    assert (claim.name, claim.change, claim.retained) == ("llm-checkpoints", "deleted", True)
    pools = {(p.name, p.change) for p in _cluster(found).node_pools}
    assert pools == {("gpu-a100-80gb-on-demand", "deleted")}


def test_completed_and_suspended_jobs(repo: Path) -> None:
    edit(repo / "specs" / "jobs" / "big.yaml", "  nodes: 2\n", "  nodes: 2\n  state: Completed\n")
    edit(repo / "specs" / "jobs" / "mnist.yaml", "  nodes: 1\n", "  nodes: 1\n  state: Suspended\n")
    found = plan(repo).plan
    completed, suspended = _job(found, "llm"), _job(found, "mnist")
    assert (completed.change, completed.checkpoints) == ("completed", "kept")
    assert _cluster(found).claims == ()  # a Completed job keeps its claim in the tree
    assert (suspended.change, suspended.detail, suspended.before) == (
        "updated",
        "suspended",
        suspended.after,
    )
    build(repo)
    edit(repo / "specs" / "jobs" / "mnist.yaml", "  state: Suspended\n", "")
    assert _job(plan(repo).plan, "mnist").detail == "resumed"


def test_a_removed_team_leaves_its_namespace_on_the_cluster(repo: Path) -> None:
    platform = repo / "specs" / "platform.yaml"
    edit(platform, "      clusters: [train-a, train-b]\n", "      clusters: [train-a]\n")
    found = plan(repo).plan
    namespaces = [(n.name, n.change, n.retained) for n in _cluster(found, "train-b").namespaces]
    assert namespaces == [("team-nlp", "deleted", True)]


def test_a_platform_change_keeps_jobs_and_changes_pools(repo: Path) -> None:
    # A Platform change alone keeps the running job (history/jobs.py): only the pool moves.
    edit(repo / "specs" / "platform.yaml", "a100-80gb: 32", "a100-80gb: 48")
    found = plan(repo).plan
    cluster = _cluster(found)
    assert cluster.jobs == ()
    (pool,) = cluster.node_pools
    assert (pool.name, pool.change) == ("gpu-a100-80gb-on-demand", "changed")
    assert "spec.limits" in pool.detail
    (row,) = cluster.gpus
    assert (row.demand_before, row.demand_after) == (16, 16)
    assert (row.quota_before, row.quota_after) == (None, 48)  # out/ records no quota
    assert (row.limits_before, row.limits_after) == ((("on-demand", 32),), (("on-demand", 48),))


def test_demand_counts_elastic_maximum_and_spot_pools(repo: Path) -> None:
    spot = GPU_JOB.replace("llm", "elastic").replace(
        "  nodes: 2\n",
        "  nodes: 1\n  capacityType: spot\n  elastic:\n    minNodes: 1\n    maxNodes: 2\n",
    )
    (repo / "specs" / "jobs" / "elastic.yaml").write_text(spot)
    (row,) = _cluster(plan(repo).plan).gpus
    # 2 nodes x 8 on demand + up to 2 nodes x 8 on spot: the quota rule's demand.
    assert (row.demand_before, row.demand_after, row.over_quota) == (16, 32, False)
    assert dict(row.limits_after) == {"on-demand": 16, "spot": 16}


def test_a_cpu_only_repository_has_no_gpu_rows(tmp_path: Path) -> None:
    repo = make_plan_repo(tmp_path / "repo", {"mnist.yaml": CPU_JOB})
    edit(repo / "specs" / "platform.yaml", "      gpuQuota:\n        a100-80gb: 32\n", "")
    found = plan(repo).plan
    assert found is not None
    assert [c.gpus for c in found.clusters] == [(), ()]


def test_a_job_moved_to_another_team_is_recreated_with_an_empty_claim(repo: Path) -> None:
    edit(repo / "specs" / "jobs" / "big.yaml", "team: nlp", "team: vision")
    found = plan(repo).plan
    (job,) = _cluster(found).jobs
    assert (job.name, job.namespace, job.change) == ("llm", "team-vision", "recreated")
    assert (job.detail, job.checkpoints) == ("moves from namespace team-nlp", "new-claim")
    assert job.before is not None
    assert job.before.startswith("llm-")
    claims = {(c.namespace, c.change, c.retained) for c in _cluster(found).claims}
    assert claims == {("team-nlp", "deleted", True), ("team-vision", "created", False)}
    assert _cluster(found).unchanged_jobs == 1


def test_a_cluster_that_leaves_the_platform_is_marked_removed(repo: Path) -> None:
    platform = repo / "specs" / "platform.yaml"
    edit(platform, "      clusters: [train-a, train-b]\n", "      clusters: [train-a]\n")
    text = platform.read_text()
    start, end = text.index("    train-b:\n"), text.index("  gpus:\n")
    platform.write_text(text[:start] + text[end:])
    found = plan(repo).plan
    assert found is not None
    removed = _cluster(found, "train-b")
    assert removed.removed
    assert not _cluster(found, "train-a").removed
    assert "argocd/application-manifestgen-train-b.yaml" in found.argocd.deleted
    text = render_markdown(found)
    assert "> **The cluster leaves the Platform.** Its Application `manifestgen-train-b`" in text
    assert "`argocd app delete manifestgen-train-b --cascade`" in text
