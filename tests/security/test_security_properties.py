"""Hypothesis properties of the hardening promises, for any text an attacker can choose."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from manifestgen import BuildOptions, run
from manifestgen.report.escape import printable, xml_safe
from manifestgen.spec.credentials import assignments, named_value, shapes
from manifestgen.spec.image import parse_image
from tests.strategies import training_job
from tests.support import CASE_PLATFORM

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
SEPARATORS = st.text(alphabet=" =:;,\"'\n\t", max_size=5)


@given(st.text())
@example("\x1b[2J\ud800\uffff\r\n\u202e")
def test_printable_text_has_no_unsafe_character(text: str) -> None:
    escaped = printable(text)
    assert UNSAFE.search(escaped) is None
    escaped.encode("utf-8")


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_leaves_plain_text_alone(text: str) -> None:
    assert printable(text) == text


@given(st.text(), st.text())
@example("\x00\x1b\ud800", "\ufffe")
def test_junit_style_xml_always_parses(text: str, attribute: str) -> None:
    root = ET.Element("testsuites", name=attribute)
    ET.SubElement(root, "failure", message=attribute).text = text
    document = xml_safe(ET.tostring(root, "unicode"))
    parsed = ET.fromstring(document.encode("utf-8"))
    assert parsed.tag == "testsuites"


@given(st.text(max_size=300))
@example("ghcr.io/acme/../x")
@example("a" * 300)
def test_image_parsing_raises_only_value_errors_and_accepts_only_clean_names(text: str) -> None:
    try:
        parsed = parse_image(text)
    except ValueError:
        return
    assert not any(c.isspace() or ord(c) < 32 for c in text)
    assert all(part and part == part.lower() and part != ".." for part in parsed.path.split("/"))


@given(SEPARATORS, st.from_regex(r"[A-Za-z0-9]{36}", fullmatch=True), SEPARATORS)
def test_a_github_token_is_found_wherever_it_sits(before: str, body: str, after: str) -> None:
    assert "GitHub token" in [f.kind for f in shapes(f"{before}ghp_{body}{after}")]


@given(st.text(max_size=200), st.text(max_size=50))
def test_detectors_never_fail(text: str, name: str) -> None:
    shapes(text)
    assignments(text)
    named_value(name, text)


CREDENTIALS = st.sampled_from(
    [
        "ghp_" + "A1b2" * 9,
        "github_pat_11ABCDEFG0123456789_abcdefghij",
        "xoxb-1234567890-abcdefghij",
        "id=AKIAABCDEFGHIJKLMNOP",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n",
        "0123456789abcdef0123456789abcdef01234567",
        "hf_" + "x" * 30,
    ]
)
PLACES = st.sampled_from(["env", "args", "command", "hyperparameters"])


# Each example is a whole pipeline run: a few dozen cover the places and credentials.
@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(training_job("planted"), CREDENTIALS, PLACES, st.integers(0, 3))
def test_a_credential_planted_anywhere_is_reported_at_its_field(
    job: dict[str, Any], credential: str, place: str, position: int
) -> None:
    spec = job["spec"]
    if place == "env":
        spec["env"]["OPT_PLANTED"] = credential
        field = "spec.env.OPT_PLANTED"
    elif place == "hyperparameters":
        spec["hyperparameters"]["planted"] = credential
        field = "spec.hyperparameters.planted"
    else:
        items = spec.setdefault(place, [])
        index = min(position, len(items))
        items.insert(index, credential)
        field = f"spec.{place}[{index}]"
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "specs").mkdir()
        shutil.copy(CASE_PLATFORM, root / "specs" / "platform.yaml")
        # JSON is YAML that quotes every string (PyYAML would leave `0E0` plain, which a
        # YAML 1.2 reader takes for a number).
        (root / "specs" / "job.yaml").write_text(json.dumps(job))
        result = run(BuildOptions(root=root, mode="validate", check_output=False))
    assert field in [d.field for d in result.diagnostics if d.code == "MG223"]
