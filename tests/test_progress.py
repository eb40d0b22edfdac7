"""The progress line of long builds: drawn on a terminal only, erased before the report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from manifestgen.report.progress import Display, display_for, report, showing
from tests.support import CASES, make_repo, run_cli

ERASE = "\r\x1b[K"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_drawn_before_the_delay() -> None:
    stream, clock = Terminal(), Clock()
    display = Display(stream, clock, delay=0.5, interval=0.1)
    clock.now = 0.4
    display.update("expanding jobs", 1, 10)
    display.clear()
    assert stream.getvalue() == ""


def test_a_long_stage_is_redrawn_at_most_once_per_interval() -> None:
    stream, clock = Terminal(), Clock()
    display = Display(stream, clock, delay=0.5, interval=0.1)
    clock.now = 1.0
    display.update("expanding jobs", 1, 10)
    clock.now = 1.05
    display.update("expanding jobs", 2, 10)  # too soon: skipped
    clock.now = 1.2
    display.update("expanding jobs", 3, 10)
    display.update("expanding jobs", 10, 10)  # the last step is always shown
    assert stream.getvalue() == (
        f"{ERASE}manifestgen: expanding jobs 1/10"
        f"{ERASE}manifestgen: expanding jobs 3/10"
        f"{ERASE}manifestgen: expanding jobs 10/10"
    )


def test_a_new_stage_is_drawn_at_once_and_the_line_erased_at_the_end() -> None:
    stream, clock = Terminal(), Clock()
    display = Display(stream, clock, delay=0.0, interval=10.0)
    with showing(display):
        report("reading specs", 1, 2)
        report("reading specs", 2, 2)
        report("checking objects", 1, 5)
    assert stream.getvalue() == (
        f"{ERASE}manifestgen: reading specs 1/2"
        f"{ERASE}manifestgen: reading specs 2/2"
        f"{ERASE}manifestgen: checking objects 1/5"
        f"{ERASE}"
    )
    report("reading specs", 1, 1)  # uninstalled: nothing more
    assert stream.getvalue().endswith(f"5{ERASE}")


@pytest.mark.parametrize(
    ("stream", "quiet", "text", "env"),
    [
        (io.StringIO(), False, True, {}),  # a pipe or a file: a hook, CI logs
        (Terminal(), True, True, {}),  # -q
        (Terminal(), False, False, {}),  # --format json or github
        (Terminal(), False, True, {"CI": "true"}),
        (Terminal(), False, True, {"TERM": "dumb"}),
    ],
)
def test_no_display_where_no_one_watches_a_terminal(
    stream: io.StringIO,
    quiet: bool,
    text: bool,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert display_for(stream, quiet=quiet, text_output=text) is None


def test_a_terminal_gets_a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert isinstance(display_for(Terminal(), quiet=False, text_output=True), Display)


def test_a_build_reports_every_stage(tmp_path: Path) -> None:
    root = make_repo(tmp_path, CASES / "golden" / "minimal" / "specs")
    stream = Terminal()
    with showing(Display(stream, delay=0.0, interval=0.0)):
        result = run(BuildOptions(root=root, use_cache=False))
    assert result.ok, result.diagnostics
    drawn = stream.getvalue()
    for stage in ("reading specs", "expanding jobs", "checking objects", "writing files"):
        assert f"manifestgen: {stage} " in drawn, stage
    assert drawn.endswith(ERASE)
    files = len(result.tree)
    assert f"writing files {files}/{files}" in drawn


def test_the_cli_draws_nothing_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    root = make_repo(tmp_path, CASES / "golden" / "minimal" / "specs")
    done = run_cli("build", "--root", root)
    assert done.code == 0, done.stdout
    assert done.stderr == ""
