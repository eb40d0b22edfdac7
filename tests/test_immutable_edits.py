"""Edits the API server would refuse, found against the previous build in out/, and the
reader of that build."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifestgen.history.previous import PreviousBuild
from manifestgen.pipeline import BuildResult
from manifestgen.render.yaml import header
from tests.lifecycle_support import JOB, build, codes, edit, lifecycle_repo
from tests.support import run_cli

SPEC = "specs/llm.yaml"
CLAIM = "out/train-a/team-nlp/llm/persistentvolumeclaim.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return lifecycle_repo(tmp_path / "repo")


# The exact first line manifestgen writes: only files that start with it are its own.
HEADER = header(None)


def errors(result: BuildResult) -> list[tuple[str, int, str, str]]:
    return [
        (d.code, d.location.line, d.field, d.message)
        for d in result.diagnostics
        if d.code.startswith(("MG52", "MG26"))
    ]


def test_storage_class_change_is_a_located_error(repo: Path) -> None:
    assert build(repo).ok
    before = (repo / CLAIM).read_bytes()
    edit(repo / SPEC, "storageClass: efs-sc", "storageClass: fsx-sc")
    result = build(repo)
    assert not result.ok
    ((code, line, field, message),) = errors(result)
    assert (code, line, field) == ("MG520", 18, "spec.checkpoints.storageClass")
    assert "already exists with spec.storageClassName 'efs-sc'" in message
    assert "rejects changing it to 'fsx-sc'" in message
    (diagnostic,) = [d for d in result.diagnostics if d.code == "MG520"]
    assert "spec.checkpoints.claimName" in diagnostic.hint
    assert (repo / CLAIM).read_bytes() == before  # nothing written
    # check and validate (what CI and the pre-commit hook run) say the same.
    assert "MG520" in codes(build(repo, "check"))
    assert "MG520" in codes(build(repo, "validate"))


# (edits (file, old, new) before the first build, the spec edit after it, and the code,
# line, spec field and a part of the message of the one error it gives)
PLATFORM = "specs/platform.yaml"
QUOTA = "      gpuQuota:\n        a100-80gb: 32\n"
# A storage-class catalog for cluster train-a that lists efs-sc.
CATALOG = (
    "      storageClasses:\n        efs-sc:\n          readWriteMany: true\n"
    "          expandable: {expandable}\n"
)

REFUSED = {
    "class removed": (
        [],
        ("    storageClass: efs-sc\n", ""),
        (
            "MG520",
            16,
            "spec.checkpoints.storageClass",
            "'efs-sc'; the API server rejects changing it to unset",
        ),
    ),
    "access mode": (
        [
            (SPEC, "nodes: 2", "nodes: 1"),
            (SPEC, "efs-sc", "efs-sc\n    accessMode: ReadWriteMany"),
        ],
        ("accessMode: ReadWriteMany", "accessMode: ReadWriteOnce"),
        ("MG520", 19, "spec.checkpoints.accessMode", "spec.accessModes ['ReadWriteMany']"),
    ),
    "grown on a class that cannot expand": (
        [(PLATFORM, QUOTA, QUOTA + CATALOG.format(expandable="false"))],
        ("size: 100Gi", "size: 200Gi"),
        (
            "MG527",
            17,
            "spec.checkpoints.size",
            "storage class 'efs-sc' does not allow expansion, so it cannot grow to 200Gi",
        ),
    ),
    "shrink": (
        [],
        ("size: 100Gi", "size: 99Gi"),
        ("MG521", 17, "spec.checkpoints.size", "with 100Gi; a claim cannot shrink to 99Gi"),
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_claim_edits_are_located_errors(repo: Path, case: str) -> None:
    setup, change, (code, line, field, part) = REFUSED[case]
    for path, old, new in setup:
        edit(repo / path, old, new)
    assert build(repo).ok
    edit(repo / SPEC, *change)
    result = build(repo)
    assert not result.ok
    ((found_code, found_line, found_field, message),) = errors(result)
    assert (found_code, found_line, found_field) == (code, line, field)
    assert part in message


def test_adding_a_class_to_a_claim_without_one_is_a_warning(repo: Path) -> None:
    edit(repo / SPEC, "    storageClass: efs-sc\n", "")
    assert build(repo).ok
    edit(repo / SPEC, "size: 100Gi\n", "size: 100Gi\n    storageClass: efs-sc\n")
    result = build(repo)
    assert result.ok
    (warning,) = [d for d in result.diagnostics if d.code == "MG520"]
    assert warning.severity.value == "warning"
    assert "already exists with spec.storageClassName unset" in warning.message


def test_growing_a_claim_is_a_note(repo: Path) -> None:
    build(repo)
    edit(repo / SPEC, "size: 100Gi", "size: 0.2Ti")
    result = build(repo)
    assert result.ok
    ((code, _, _, message),) = errors(result)
    assert code == "MG522"
    assert "grows from 100Gi to 0.2Ti" in message
    assert "allowVolumeExpansion: true" in message
    assert codes(build(repo, "check")) == []


def test_a_new_claim_name_is_the_way_to_a_new_class(repo: Path) -> None:
    build(repo)
    edit(
        repo / SPEC,
        "storageClass: efs-sc",
        "storageClass: fsx-sc\n    claimName: llm-checkpoints-fsx",
    )
    result = build(repo)
    assert result.ok, result.diagnostics
    assert "name: llm-checkpoints-fsx" in (repo / CLAIM).read_text()
    assert (
        "claimName: llm-checkpoints-fsx"
        in (repo / "out/train-a/team-nlp/llm/pytorchjob.yaml").read_text()
    )
    # The job's pods mount another claim: that is a spec change, so a new run.
    assert "MG524" in codes(result)


def test_two_jobs_cannot_share_a_claim(repo: Path) -> None:
    second = JOB.replace("name: llm", "name: llm-b").replace(
        "storageClass: efs-sc", "storageClass: efs-sc\n    claimName: llm-checkpoints"
    )
    (repo / "specs" / "llm-b.yaml").write_text(second)
    result = build(repo)
    assert not result.ok
    ((code, line, field, message),) = errors(result)
    assert (code, line, field) == ("MG260", 19, "spec.checkpoints.claimName")
    assert message == (
        "claim 'llm-checkpoints' in namespace 'team-nlp' is also the checkpoint claim of "
        "specs/llm.yaml"
    )


def test_cli_reports_immutable_edit_with_exit_one(repo: Path) -> None:
    assert run_cli("build", "--root", repo, "--no-output-check").code == 0
    edit(repo / SPEC, "storageClass: efs-sc", "storageClass: fsx-sc")
    result = run_cli("check", "--root", repo, "--no-output-check")
    assert result.code == 1
    assert f"{SPEC}:18:5: error[MG520] spec.checkpoints.storageClass:" in result.stdout


def test_previous_build_reads_only_its_own_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "mine.yaml").write_text(HEADER + "kind: ConfigMap\n")
    (out / "a" / "hand.yaml").write_text("kind: ConfigMap\n")
    (out / "a" / "broken.yaml").write_text(HEADER + "kind: [\n")
    (out / "a" / "list.yaml").write_text(HEADER + "- 1\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text(HEADER + "kind: Secret\n")
    (out / "link").symlink_to(outside, target_is_directory=True)
    (out / "a" / "file-link.yaml").symlink_to(outside / "x.yaml")
    previous = PreviousBuild(out)
    assert previous.object_at("a/mine.yaml") == {"kind": "ConfigMap"}
    for rel in ("a/hand.yaml", "a/broken.yaml", "a/list.yaml", "link/x.yaml", "a/file-link.yaml"):
        assert previous.object_at(rel) is None, rel
    assert previous.find("*/*.yaml") == (
        "a/broken.yaml",
        "a/hand.yaml",
        "a/list.yaml",
        "a/mine.yaml",
    )
    assert previous.find("link/*.yaml") == ()
    assert PreviousBuild(tmp_path / "missing").object_at("a/mine.yaml") is None
    (out / "a" / "named.yaml").write_text(
        HEADER + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-1\n"
    )
    (out / "a" / "hand-named.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: cm-1\n")
    assert previous.name_at("a/named.yaml") == "cm-1"
    assert previous.name_at("a/hand-named.yaml") is None
    assert previous.name_at("a/mine.yaml") is None
    assert PreviousBuild(tmp_path / "missing").find("*") == ()


@pytest.mark.parametrize("content", ["", "not: [yaml", "\x00"])
def test_unreadable_previous_job_is_treated_as_absent(repo: Path, content: str) -> None:
    build(repo)
    job = repo / "out/train-a/team-nlp/llm/pytorchjob.yaml"
    job.write_text(HEADER + content)
    result = build(repo, "check")
    assert codes(result) == ["MG502"]


def test_growth_on_an_expandable_class_is_a_note(repo: Path) -> None:
    edit(repo / PLATFORM, QUOTA, QUOTA + CATALOG.format(expandable="true"))
    assert build(repo).ok
    edit(repo / SPEC, "size: 100Gi", "size: 200Gi")
    result = build(repo)
    assert result.ok
    ((code, _, _, message),) = errors(result)
    assert code == "MG522"
    assert message.endswith("grows from 100Gi to 200Gi: storage class 'efs-sc' allows expansion")
