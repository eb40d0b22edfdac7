"""Job identity across builds: what a Platform edit, a spec edit or a state change does to a
job that is already in out/ (and so on the cluster)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import manifestgen
from manifestgen import BuildOptions, run
from manifestgen.errors import UsageError
from manifestgen.history.changes import references
from tests.lifecycle_support import (
    JOB,
    LLM_JOB,
    MNIST_JOB,
    build,
    codes,
    edit,
    job_name,
    job_name_of,
    lifecycle_repo,
    platform_edit,
)
from tests.support import run_cli, tree_bytes


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return lifecycle_repo(tmp_path / "repo")


def test_platform_edit_keeps_jobs_and_says_so(repo: Path) -> None:
    assert build(repo).ok
    before = tree_bytes(repo / "out")
    platform_edit(repo)
    result = build(repo)
    assert result.ok
    after = tree_bytes(repo / "out")
    # The job objects are byte-for-byte what was deployed: nothing restarts.
    assert (
        after["train-a/team-nlp/llm/pytorchjob.yaml"]
        == before["train-a/team-nlp/llm/pytorchjob.yaml"]
    )
    assert (
        after["train-a/team-vision/mnist/pytorchjob.yaml"]
        == before["train-a/team-vision/mnist/pytorchjob.yaml"]
    )
    notes = {d.location.path: d for d in result.diagnostics if d.code == "MG523"}
    assert set(notes) == {"specs/llm.yaml", "specs/mnist.yaml"}
    llm = notes["specs/llm.yaml"]
    assert "spec.runPolicy.backoffLimit" in llm.message
    assert "['vpc.amazonaws.com/efa']" in llm.message
    assert "resume from the checkpoints in claim 'llm-checkpoints'" in llm.message
    assert "trains from the start" in notes["specs/mnist.yaml"].message
    assert llm.hint == "to restart it with the new rendering, build with `--recreate llm`"
    assert (llm.location.line, llm.location.column) == (4, 9)
    # check, as CI runs it, is clean on what build wrote, and says the same.
    checked = build(repo, "check")
    assert checked.ok
    assert checked.drift is not None
    assert checked.drift.clean
    assert codes(checked) == ["MG523", "MG523"]


def test_platform_edit_through_the_cli_exits_zero(repo: Path) -> None:
    assert run_cli("build", "--root", repo, "--no-output-check").code == 0
    platform_edit(repo)
    built = run_cli("build", "--root", repo, "--no-output-check")
    assert built.code == 0
    assert (
        "specs/llm.yaml:4:9: note[MG523] metadata.name: job 'llm' keeps its object" in built.stdout
    )
    assert run_cli("check", "--root", repo, "--no-output-check").code == 0


def test_the_rendered_check_hook_shows_what_a_change_does_to_jobs(repo: Path) -> None:
    # `check --drift-only` is what the manifestgen-check-rendered hook runs.
    assert run_cli("build", "--root", repo, "--no-output-check").code == 0
    platform_edit(repo)
    kept = run_cli("check", "--root", repo, "--no-output-check", "--drift-only")
    assert "note[MG523] metadata.name: job 'llm' keeps its object" in kept.stdout
    edit(repo / "specs" / "llm.yaml", "llm:2.0.0", "llm:2.1.0")
    stale = run_cli("check", "--root", repo, "--no-output-check", "--drift-only")
    assert stale.code == 1
    assert (
        "note[MG524] metadata.name: job 'llm' will be recreated (its spec changed)" in stale.stdout
    )
    assert "error[MG502]" in stale.stdout


def test_recreate_flag_applies_the_new_rendering(repo: Path) -> None:
    build(repo)
    old = job_name(repo, LLM_JOB)
    platform_edit(repo)
    result = build(repo, recreate=("train-a/llm",))
    assert result.ok
    new = job_name(repo, LLM_JOB)
    assert new != old
    (note,) = [d for d in result.diagnostics if d.code == "MG524"]
    assert f"Argo CD deletes {old!r} and creates {new!r}" in note.message
    assert "requested with --recreate" in note.message
    # mnist was not named: still kept.
    assert [d.location.path for d in result.diagnostics if d.code == "MG523"] == [
        "specs/mnist.yaml"
    ]
    assert codes(build(repo, "check")) == ["MG523"]
    assert build(repo, recreate_all=True).ok
    assert codes(build(repo, "check")) == []


def test_recreate_names_must_be_jobs(repo: Path) -> None:
    with pytest.raises(UsageError, match="--recreate names no job: lm"):
        build(repo, recreate=("lm",))
    result = run_cli("build", "--root", repo, "--no-output-check", "--recreate", "lm")
    assert result.code == 2
    assert "--recreate names no job: lm" in result.stderr


def test_spec_edit_recreates_with_a_note(repo: Path) -> None:
    build(repo)
    old = job_name(repo, LLM_JOB)
    edit(repo / "specs" / "llm.yaml", "llm:2.0.0", "llm:2.1.0")
    result = build(repo)
    new = job_name(repo, LLM_JOB)
    assert new != old
    (note,) = [d for d in result.diagnostics if d.code == "MG524"]
    assert "(its spec changed)" in note.message
    assert "resume from the checkpoints in claim 'llm-checkpoints'" in note.message
    assert codes(build(repo, "check")) == []


def test_claim_only_edit_does_not_count_as_a_job_change(repo: Path) -> None:
    build(repo)
    before = (repo / LLM_JOB).read_bytes()
    platform_edit(repo)
    # Growing the claim and opening egress reach other objects, not the job: the
    # Platform change must still not restart it.
    edit(repo / "specs" / "llm.yaml", "size: 100Gi", "size: 200Gi")
    (repo / "specs" / "llm.yaml").write_text(
        (repo / "specs" / "llm.yaml").read_text() + "  egress:\n    - cidr: 10.0.0.0/8\n"
    )
    result = build(repo)
    assert result.ok
    kept = yaml.safe_load((repo / LLM_JOB).read_text())
    assert kept["metadata"]["name"] == job_name_of(before)
    assert kept["spec"] == yaml.safe_load(before)["spec"]
    assert "MG523" in codes(result)


def test_builds_without_the_run_digest_fall_back_to_the_spec_digest(repo: Path) -> None:
    build(repo)
    # out/ as an older manifestgen wrote it: no run digest on the job.
    path = repo / MNIST_JOB
    lines = [ln for ln in path.read_text().splitlines(keepends=True) if "run-digest" not in ln]
    path.write_text("".join(lines))
    platform_edit(repo)
    result = build(repo)
    assert [d.location.path for d in result.diagnostics if d.code == "MG523"] == [
        "specs/llm.yaml",
        "specs/mnist.yaml",
    ]


def test_hand_edited_job_cannot_be_kept(repo: Path) -> None:
    build(repo)
    before = tree_bytes(repo / "out")
    edit(repo / MNIST_JOB, "cpu: '4'", "cpu: '5'")
    platform_edit(repo)
    result = build(repo)
    assert not result.ok
    (error,) = [d for d in result.diagnostics if d.code == "MG526"]
    assert "was not generated as it stands" in error.message
    assert error.hint.endswith("`--recreate mnist`")
    assert result.written is None
    assert (
        tree_bytes(repo / "out")["train-a/team-nlp/llm/pytorchjob.yaml"]
        == before["train-a/team-nlp/llm/pytorchjob.yaml"]
    )
    assert build(repo, recreate=("mnist",)).ok


def test_namespace_move_is_refused_without_recreate(repo: Path) -> None:
    build(repo)
    edit(repo / "specs" / "platform.yaml", "namespace: team-nlp", "namespace: nlp-jobs")
    result = build(repo)
    (error,) = [d for d in result.diagnostics if d.code == "MG526"]
    assert "moves from namespace 'team-nlp' to 'nlp-jobs'" in error.message
    assert "checkpoints stay in namespace 'team-nlp'" in error.message
    assert build(repo, recreate=("llm",)).ok
    assert (repo / "out/train-a/nlp-jobs/llm/pytorchjob.yaml").is_file()
    assert not (repo / LLM_JOB).exists()


def test_suspend_keeps_the_name_and_resumes_in_place(repo: Path) -> None:
    build(repo)
    name = job_name(repo, LLM_JOB)
    (repo / "specs" / "llm.yaml").write_text(JOB + "  state: Suspended\n")
    assert build(repo).ok
    job = yaml.safe_load((repo / LLM_JOB).read_text())
    assert job["metadata"]["name"] == name
    assert job["spec"]["runPolicy"]["suspend"] is True
    (repo / "specs" / "llm.yaml").write_text(JOB + "  state: Running\n")
    result = build(repo)
    job = yaml.safe_load((repo / LLM_JOB).read_text())
    assert job["metadata"]["name"] == name
    assert "suspend" not in job["spec"]["runPolicy"]
    assert codes(result) == []


def test_suspend_applies_to_a_kept_job(repo: Path) -> None:
    build(repo)
    name = job_name(repo, LLM_JOB)
    platform_edit(repo)
    (repo / "specs" / "llm.yaml").write_text(JOB + "  state: Suspended\n")
    result = build(repo)
    job = yaml.safe_load((repo / LLM_JOB).read_text())
    assert job["metadata"]["name"] == name
    assert job["spec"]["runPolicy"] == {
        "backoffLimit": 3,
        "cleanPodPolicy": "Running",
        "suspend": True,
    }
    assert "MG523" in codes(result)
    assert build(repo, "check").drift == build(repo, "check").drift


def test_suspended_job_passes_the_upstream_crd(repo: Path, crds_dir: Path) -> None:
    (repo / "specs" / "llm.yaml").write_text(JOB + "  state: Suspended\n")
    result = run(BuildOptions(root=repo, crds=(crds_dir,)))
    assert result.ok, result.diagnostics
    assert not [d for d in result.diagnostics if d.code == "MG402" and "PyTorchJob" in d.message]


def test_completed_job_is_no_longer_generated_and_keeps_its_claim(repo: Path) -> None:
    build(repo)
    name = job_name(repo, LLM_JOB)
    (repo / "specs" / "llm.yaml").write_text(JOB + "  state: Completed\n")
    result = build(repo)
    assert result.ok
    assert not (repo / LLM_JOB).exists()
    assert (repo / "out/train-a/team-nlp/llm/persistentvolumeclaim.yaml").is_file()
    # It runs no pods, so it no longer holds a GPU node pool open.
    assert not (repo / "out/train-a/cluster/nodepool-gpu-a100-80gb-on-demand.yaml").exists()
    assert (repo / "out/train-a/cluster/nodepool-cpu-on-demand.yaml").is_file()
    kustomization = (repo / "out/train-a/team-nlp/kustomization.yaml").read_text()
    assert "llm/pytorchjob.yaml" not in kustomization
    assert "llm/persistentvolumeclaim.yaml" in kustomization
    (note,) = [d for d in result.diagnostics if d.code == "MG525"]
    assert f"PyTorchJob {name!r} is no longer generated" in note.message
    # Neither a Platform change nor a rebuild brings it back.
    platform_edit(repo)
    assert build(repo).ok
    assert not (repo / LLM_JOB).exists()
    checked = build(repo, "check")
    assert checked.ok
    assert checked.drift is not None
    assert checked.drift.clean
    assert [d.location.path for d in checked.diagnostics] == ["specs/mnist.yaml"]


def test_kept_jobs_are_deterministic(repo: Path, tmp_path: Path) -> None:
    build(repo)
    platform_edit(repo)
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    build(repo)
    build(copy)
    assert tree_bytes(repo / "out") == tree_bytes(copy / "out")
    build(repo)
    assert tree_bytes(repo / "out") == tree_bytes(copy / "out")


def test_interrupted_swap_does_not_make_jobs_look_new(repo: Path) -> None:
    build(repo)
    before = (repo / LLM_JOB).read_bytes()
    # What a build cut short between its two renames leaves behind.
    (repo / "out").rename(repo / ".out.manifestgen-backup")
    platform_edit(repo)
    result = build(repo)
    assert result.ok
    assert (repo / LLM_JOB).read_bytes() == before
    assert "MG523" in codes(result)


DEFAULTS = st.fixed_dictionaries(
    {},
    optional={
        "backoffLimit": st.integers(0, 100),
        "activeDeadlineSeconds": st.integers(1, 10**6),
        "cleanPodPolicy": st.sampled_from(["None", "All", "Running"]),
        "sharedMemoryFraction": st.sampled_from([0.1, 0.3, 0.5]),
        "runAsUser": st.integers(1, 65535),
    },
)


@settings(max_examples=20)
# p4de.24xlarge has 4 EFA interfaces: asking for more is a Platform error (MG271).
@given(defaults=DEFAULTS, efa=st.integers(0, 4))
def test_no_platform_edit_renames_a_built_job(defaults: dict[str, object], efa: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = lifecycle_repo(Path(directory) / "repo")
        build(root)
        jobs = {rel: (root / rel).read_bytes() for rel in (LLM_JOB, MNIST_JOB)}
        edit(root / "specs" / "platform.yaml", "efaPerNode: 4", f"efaPerNode: {efa}")
        platform = yaml.safe_load((root / "specs" / "platform.yaml").read_text())
        platform["spec"]["defaults"] = defaults
        (root / "specs" / "platform.yaml").write_text(yaml.safe_dump(platform))
        assert build(root).ok
        assert {rel: (root / rel).read_bytes() for rel in jobs} == jobs
        assert build(root, "check").ok


def test_specs_compiled_in_memory_ignore_an_out_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(repo)
    platform_edit(repo)
    kept = build(repo, "validate")
    assert "MG523" in codes(kept)
    monkeypatch.chdir(repo)
    fresh = build(repo, "validate", previous_build=False)
    assert codes(fresh) == []
    assert fresh.tree != kept.tree
    specs = repo / "specs"
    platform = manifestgen.Platform.model_validate(
        yaml.safe_load((specs / "platform.yaml").read_text())
    )
    job = manifestgen.TrainingJob.model_validate(yaml.safe_load((specs / "llm.yaml").read_text()))
    rendered = manifestgen.compile_specs(platform, [job], check_output=False)
    assert codes(rendered) == []


def test_a_kept_job_must_still_find_what_it_refers_to(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(repo)
    # A release that names checkpoint claims differently: the job in out/ mounts the old
    # claim, which the new build no longer generates, so it cannot simply be kept.
    import manifestgen.expand.pod as pod
    import manifestgen.expand.workload as workload

    renamed = lambda job: f"{job.name}-ckpt"  # noqa: E731
    monkeypatch.setattr(pod, "checkpoint_claim_name", renamed)
    monkeypatch.setattr(workload, "checkpoint_claim_name", renamed)
    # A real release has other files, so the cache misses; patched code cannot say so.
    result = build(repo, use_cache=False)
    (error,) = [d for d in result.diagnostics if d.code == "MG526"]
    assert "it refers to PersistentVolumeClaim 'llm-checkpoints', which the new rendering" in (
        error.message
    )
    assert build(repo, recreate=("llm",), use_cache=False).ok


def test_references_name_every_object_a_pod_uses() -> None:
    pod = {
        "serviceAccountName": "sa",
        "volumes": [
            {"configMap": {"name": "cm"}},
            {"persistentVolumeClaim": {"claimName": "pvc"}},
            {"secret": {"secretName": "s1"}},
        ],
        "containers": [
            {
                "env": [{"valueFrom": {"secretKeyRef": {"name": "s2", "key": "k"}}}],
                "envFrom": [{"configMapRef": {"name": "cm2"}}, {"secretRef": {"name": "s3"}}],
            }
        ],
    }
    assert references({"spec": {"template": {"spec": pod}}}) == {
        "ServiceAccount 'sa'",
        "ConfigMap 'cm'",
        "ConfigMap 'cm2'",
        "PersistentVolumeClaim 'pvc'",
        "Secret 's1'",
        "Secret 's2'",
        "Secret 's3'",
    }


def test_completed_jobs_do_not_count_against_the_gpu_quota(repo: Path) -> None:
    # Three 16-GPU jobs on a 32-GPU quota: over it, until one of them is Completed.
    for name in ("llm-b", "llm-c"):
        (repo / "specs" / f"{name}.yaml").write_text(JOB.replace("name: llm", f"name: {name}"))
    assert "MG226" in codes(build(repo, "validate"))
    (repo / "specs" / "llm-c.yaml").write_text(
        JOB.replace("name: llm", "name: llm-c") + "  state: Completed\n"
    )
    assert "MG226" not in codes(build(repo, "validate"))
