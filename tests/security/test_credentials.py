"""Credentials are found in every string that reaches out/, and reported at the spec line."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifestgen.spec.credentials import assignments, is_secret_name, named_value, shapes
from tests.support import CASE_PLATFORM, make_repo, run_cli

JOB = """\
apiVersion: manifestgen.io/v1alpha1
kind: TrainingJob
metadata:
  name: quiet
spec:
  team: nlp
  cluster: train-a
  image: ghcr.io/acme/train:1.0
  nodes: 1
  resources:
    cpu: 8
    memory: 64Gi
"""


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASS", True),
        ("PGPASSWORD", True),
        ("dbPassword", True),
        ("hf-token", True),
        ("WANDB_API_KEY", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("client_secret", True),
        ("TOKENIZERS_PARALLELISM", False),
        ("max_tokens", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("SECRET_NAME", False),
        ("token_file", False),
        ("COMPASS", False),
        ("learning_rate", False),
    ],
)
def test_secret_names_are_judged_by_their_last_word(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE", "private key"),
        ("-----BEGIN PRIVATE KEY-----", "private key"),
        ("-----BEGIN PGP PRIVATE KEY BLOCK-----", "private key"),
        ("--creds=id=AKIAABCDEFGHIJKLMNOP", "AWS access key ID"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "GitHub token"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "GitHub token"),
        ("xoxb-1234567890-abcdefghij", "Slack token"),
        ("hf_abcdefghijklmnopqrstuvwxyz", "Hugging Face token"),
        ("sk-proj-abcdefghijklmnopqrstuvwxyz", "OpenAI or Anthropic key"),
        ("key 0123456789abcdef0123456789abcdef01234567 end", "40-hex API key"),
        ("https://bot:hunter2@git.example.com/repo.git", "password in a URL"),
        ("glpat-abcdefghijklmnopqrst", "GitLab token"),
    ],
)
def test_credential_shapes_are_found_inside_longer_text(text: str, kind: str) -> None:
    assert [f.kind for f in shapes(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "torchrun --nproc-per-node 8 train.py",
        "sha256:" + "a" * 64,  # a digest is 64 hex digits, not 40
        "0123456789012345678901234567890123456789",  # 40 decimal digits: an ID
        "https://git.example.com/ml/platform.git",
        "postgres://user:$(DB_PASSWORD)@db:5432/x",
        "AKIAABCDEFGHIJKLMNOPQ",  # 21 characters: not a key ID
    ],
)
def test_ordinary_text_has_no_credential_shape(text: str) -> None:
    assert shapes(text) == ()


def test_assignments_and_named_values_skip_references_and_paths() -> None:
    assert [f.text for f in assignments("export DB_PASS=x1; run")] == ["x1"]
    assert assignments("--db-password=$(DB_PASSWORD) --token=${T} --secret=/run/s") == []
    assert named_value("API_KEY", "") is None
    assert named_value("API_KEY", "$(API_KEY)") is None
    assert named_value("API_KEY", "abc") is not None


def _validate(tmp_path: Path, job: str, platform: str | None = None) -> str:
    root = make_repo(tmp_path)
    (root / "specs" / "job.yaml").write_text(job)
    (root / "specs" / "platform.yaml").write_text(platform or CASE_PLATFORM.read_text())
    result = run_cli("validate", "--root", root, "--no-output-check")
    return result.stdout


def test_credential_in_the_platform_is_reported_at_its_line(tmp_path: Path) -> None:
    platform = CASE_PLATFORM.read_text().replace(
        "https://git.example.com/ml/platform.git",
        "https://x-access-token:ghp_abcdefghijklmnopqrstuvwxyz0123@git.example.com/ml.git",
    )
    out = _validate(tmp_path, JOB, platform)
    assert "specs/platform.yaml:7:14: error[MG223] spec.gitops.repoURL: " in out
    assert "(password in a URL)" in out
    assert "out/argocd/appproject-training.yaml: note: the generated object" in out


def test_allow_marker_is_needed_on_each_flagged_line(tmp_path: Path) -> None:
    job = JOB + (
        "  args:\n"
        "    - --run=0123456789abcdef0123456789abcdef01234567  # manifestgen: allow-credential\n"
        "    - --other=fedcba9876543210fedcba9876543210fedcba98\n"
    )
    out = _validate(tmp_path, job)
    assert "spec.args[0]" not in out
    assert "specs/job.yaml:15:7: error[MG223] spec.args[1]: secret value written inline" in out
    assert "1 error," in out


def test_a_job_without_credentials_has_no_finding(tmp_path: Path) -> None:
    job = JOB + "  env:\n    TOKENIZERS_PARALLELISM: 'false'\n    HF_HOME: /cache/hf\n"
    assert "MG223" not in _validate(tmp_path, job)
