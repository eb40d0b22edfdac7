"""The Python API: options that refuse bad values, typed specs rendered without files,
and a public surface that type-checks for users."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import manifestgen
from manifestgen import (
    BuildOptions,
    OptionsError,
    Platform,
    RenderError,
    TrainingJob,
    render_specs,
    run,
    source_name,
)
from tests.support import CASE_PLATFORM, CASES, REPO_ROOT, make_repo, run_cli, tree_bytes

MINIMAL = CASES / "golden" / "minimal" / "specs"
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _readme_example() -> str:
    section = README.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks: list[str] = re.findall(r"```python\n(.*?)```", section, re.S)
    return blocks[0]


def test_a_mode_typo_is_refused_not_run() -> None:
    with pytest.raises(
        OptionsError, match=r"mode must be one of build, check, validate \(got 'buld'\)"
    ):
        BuildOptions(mode="buld")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("specs", "specs", "specs must be a sequence of paths"),
        ("crds", [3], r"crds\[0\] must be a path"),
        ("check_output", "no", "check_output must be True or False"),
        ("root", None, "root must be a path"),
    ],
)
def test_bad_option_values_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BuildOptions(**{field: value})  # type: ignore[arg-type]


def test_options_take_strings_for_paths_and_stay_frozen(tmp_path: Path) -> None:
    options = BuildOptions(root=str(tmp_path), specs=["specs"], mode="check")  # type: ignore[arg-type]
    assert options.root == tmp_path
    assert options.specs == (Path("specs"),)
    with pytest.raises(AttributeError):
        options.mode = "build"  # type: ignore[misc]


def _models(specs: Path) -> tuple[Platform, list[TrainingJob]]:
    documents = [yaml.safe_load(p.read_text()) for p in sorted(specs.glob("*.yaml"))]
    platform = next(Platform.model_validate(d) for d in documents if d["kind"] == "Platform")
    jobs = [TrainingJob.model_validate(d) for d in documents if d["kind"] == "TrainingJob"]
    return platform, jobs


def test_render_specs_gives_what_build_writes(tmp_path: Path) -> None:
    platform, jobs = _models(make_repo(tmp_path / "case", MINIMAL) / "specs")
    # The same documents as files (the models' own YAML, which quotes quantities).
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    (repo / "specs" / "platform.yaml").write_text(yaml.safe_dump(_data(platform)))
    (repo / "specs" / "job.yaml").write_text(yaml.safe_dump(_data(jobs[0])))
    assert run_cli("build", "--root", repo).code == 0
    written = tree_bytes(repo / "out")
    rendered = render_specs(platform, jobs, root=repo)
    assert sorted(rendered) == sorted(written)
    # Only the names of the sources differ: files there, models here.
    for path, content in written.items():
        expected = content.replace(b"specs/job.yaml", source_name(jobs[0]).encode())
        expected = expected.replace(b"specs/platform.yaml", source_name(platform).encode())
        assert rendered[path] == expected, path


def _data(model: Platform | TrainingJob) -> object:
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def test_render_specs_reports_every_error() -> None:
    platform, _ = _models(CASE_PLATFORM.parent)
    job = TrainingJob.model_validate(
        yaml.safe_load((MINIMAL / "job.yaml").read_text().replace("team: vision", "team: nobody"))
    )
    with pytest.raises(RenderError) as caught:
        render_specs(platform, [job], check_output=False)
    codes = {(d.code, d.location.path) for d in caught.value.diagnostics if d.is_error}
    assert codes == {("MG210", "<python>/TrainingJob/mnist.yaml")}
    assert "MG210" in str(caught.value)


def test_run_still_reads_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MINIMAL)
    result = run(BuildOptions(root=repo, mode="validate", check_output=False))
    assert result.ok
    assert "train-a/team-vision/mnist/pytorchjob.yaml" in result.tree


def test_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(_readme_example(), "README.md", "exec"), namespace)
    tree = namespace["tree"]
    assert isinstance(tree, dict)
    assert "train-a/team-vision/resnet/pytorchjob.yaml" in tree


def test_readme_example_is_clean_under_mypy_strict(tmp_path: Path) -> None:
    """As a user sees it: their own directory, no project configuration, the installed package."""
    script = tmp_path / "user_script.py"
    script.write_text(_readme_example())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / ".mypy"),
            script.name,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_public_names_are_exported_and_typed() -> None:
    package = Path(manifestgen.__file__).parent
    assert (package / "py.typed").is_file()
    lazy = set(manifestgen._LAZY)
    assert set(manifestgen.__all__) == {*lazy, "__version__"}
    for name in sorted(lazy):
        assert getattr(manifestgen, name) is not None, name
