"""Only valid OCI image references are accepted, each refusal located at `image:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifestgen.spec.image import ImageReference, from_registry, parse_image
from tests.support import make_repo, run_cli

SHA256 = "a" * 64
SHA512 = "b" * 128


@pytest.mark.parametrize(
    ("reference", "parsed"),
    [
        ("ghcr.io/acme/train:1.0", ImageReference("ghcr.io", "acme/train", "1.0", "")),
        ("ubuntu", ImageReference("", "ubuntu", "", "")),
        ("library/ubuntu:22.04", ImageReference("", "library/ubuntu", "22.04", "")),
        (
            "localhost:5000/x/y_z__w:v1-rc.2",
            ImageReference("localhost:5000", "x/y_z__w", "v1-rc.2", ""),
        ),
        (
            "Registry.Example.com/a--b/c.d",
            ImageReference("Registry.Example.com", "a--b/c.d", "", ""),
        ),
        ("[::1]:5000/a", ImageReference("[::1]:5000", "a", "", "")),
        (
            f"ghcr.io/acme/x@sha256:{SHA256}",
            ImageReference("ghcr.io", "acme/x", "", f"sha256:{SHA256}"),
        ),
        (
            f"ghcr.io/acme/x:1@sha512:{SHA512}",
            ImageReference("ghcr.io", "acme/x", "1", f"sha512:{SHA512}"),
        ),
    ],
)
def test_valid_references_parse(reference: str, parsed: ImageReference) -> None:
    assert parse_image(reference) == parsed


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("ghcr.io/acme/../evil:1", "repository path '..' is not valid"),
        ("ghcr.io/acme/a..b:1", "repository path 'a..b' is not valid"),
        ("ghcr.io/Acme/train:1", "repository path 'Acme' must be lower case"),
        ("ghcr.io/", "has no repository"),
        ("ghcr.io//train", "has an empty repository path component"),
        (":1.0", "has no repository"),
        ("ghcr.io/acme/train:1\x00", "contains whitespace or a control character"),
        ("ghcr.io/acme/train: 1", "contains whitespace or a control character"),
        ("ghcr.io/acme/train:-1", "tag '-1' is not valid"),
        ("ghcr.io/acme/train:" + "t" * 129, "is not valid (1-128 letters"),
        (
            "ghcr.io/acme/train@sha256:abc",
            "a sha256 digest is 64 lower-case hex digits (got 'abc')",
        ),
        (f"ghcr.io/acme/train@sha256:{SHA256.upper()}", "a sha256 digest is 64 lower-case hex"),
        (f"ghcr.io/acme/train@sha256:{SHA256}0", "a sha256 digest is 64"),
        (f"ghcr.io/acme/train@sha512:{SHA256}", "a sha512 digest is 128"),
        (f"ghcr.io/acme/train@md5:{'c' * 32}", "digest algorithm 'md5' is not supported"),
        ("ghcr.io/acme/train@", "has an empty digest"),
        (f"ghcr.io/acme/x@sha256:{SHA256}@sha256:{SHA256}", "is 64 lower-case hex"),
        ("bad_host.io/acme/x", "registry 'bad_host.io' is not a valid host[:port]"),
        ("ghcr.io/" + "a/" * 130 + "x", "longer than 255 characters"),
    ],
)
def test_invalid_references_say_why(reference: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r"image ") as caught:
        parse_image(reference)
    assert reason in str(caught.value)


def test_an_invalid_image_is_located_at_its_line(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "specs" / "job.yaml").write_text(
        "apiVersion: manifestgen.io/v1alpha1\nkind: TrainingJob\nmetadata:\n  name: x\n"
        "spec:\n  team: nlp\n  cluster: train-a\n"
        '  image: "ghcr.io/acme/../../evil/x:1"\n'
        "  nodes: 1\n  resources: {cpu: 8, memory: 64Gi}\n"
    )
    result = run_cli("validate", "--root", root, "--no-output-check")
    assert result.code == 1
    assert result.stdout.startswith(
        "specs/job.yaml:8:10: error[MG204] spec.image: image 'ghcr.io/acme/../../evil/x:1': "
        "repository path '..' is not valid"
    )


def test_a_digest_pins_the_image_whatever_its_algorithm(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "specs" / "job.yaml").write_text(
        "apiVersion: manifestgen.io/v1alpha1\nkind: TrainingJob\nmetadata:\n  name: x\n"
        f"spec:\n  team: nlp\n  cluster: train-a\n  image: ghcr.io/acme/x@sha512:{SHA512}\n"
        "  nodes: 1\n  resources: {cpu: 8, memory: 64Gi}\n"
    )
    result = run_cli("validate", "--root", root, "--no-output-check")
    assert "MG228" not in result.stdout
    assert result.code == 0


@pytest.mark.parametrize(
    ("reference", "prefix", "allowed"),
    [
        ("ghcr.io/acme/x:1", "ghcr.io/acme/", True),
        ("ghcr.io/acme/x:1", "ghcr.io/acme", True),
        ("ghcr.io/acme:1", "ghcr.io/acme", True),
        (f"ghcr.io/acme@sha256:{SHA256}", "ghcr.io/acme", True),
        ("ghcr.io/acme", "ghcr.io/acme", True),
        ("ghcr.io/acmeevil/x:1", "ghcr.io/acme", False),
        ("ghcr.io/acme-labs/x:1", "ghcr.io/acme", False),
        ("ghcr.io.evil.com/acme/x:1", "ghcr.io", False),
        ("ghcr.io/acme/x:1", "ghcr.io/acme/x:1", True),
    ],
)
def test_registry_entries_match_whole_name_components(
    reference: str, prefix: str, allowed: bool
) -> None:
    assert from_registry(reference, prefix) is allowed


def test_a_registry_entry_without_a_slash_does_not_admit_a_longer_name(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    platform = root / "specs" / "platform.yaml"
    platform.write_text(platform.read_text().replace("[ghcr.io/acme/]", "[ghcr.io/acme]"))
    job = (
        "apiVersion: manifestgen.io/v1alpha1\nkind: TrainingJob\nmetadata:\n  name: x\n"
        "spec:\n  team: nlp\n  cluster: train-a\n  image: {image}\n"
        "  nodes: 1\n  resources: {{cpu: 8, memory: 64Gi}}\n"
    )
    (root / "specs" / "job.yaml").write_text(job.format(image="ghcr.io/acmeevil/x:1.0"))
    refused = run_cli("validate", "--root", root, "--no-output-check")
    assert refused.code == 1
    assert "specs/job.yaml:8:10: error[MG214] spec.image: image 'ghcr.io/acmeevil/x:1.0'" in (
        refused.stdout
    )
    (root / "specs" / "job.yaml").write_text(job.format(image="ghcr.io/acme/x:1.0"))
    accepted = run_cli("validate", "--root", root, "--no-output-check")
    assert "MG214" not in accepted.stdout
    assert accepted.code == 0
