"""A one-line progress display for long runs, drawn on a terminal only.

The pipeline announces how far each stage is with `report(stage, done, total)`. Nothing
is drawn unless the CLI installed a `Display` (stderr is a terminal, not CI, not `-q`,
text output), and then only once the run has taken `delay` seconds: a pre-commit hook, a
CI job and a small repository see no extra output at all, and the line is erased before
the diagnostics and summary are printed, so it never ends up in what is read later.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import monotonic
from typing import TextIO

# Long enough that a run on a handful of specs never flickers a line.
DELAY_SECONDS = 0.5
# Redraw at most this often: a terminal write per object would cost more than the work.
INTERVAL_SECONDS = 0.1
_ERASE = "\r\x1b[K"


class Display:
    """Draws `stage done/total` on one line of `stream`, rewriting it in place."""

    def __init__(
        self,
        stream: TextIO,
        clock: Callable[[], float] = monotonic,
        delay: float = DELAY_SECONDS,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._start = clock()
        self._delay = delay
        self._interval = interval
        self._drawn_at: float | None = None
        self._stage = ""

    def update(self, stage: str, done: int, total: int) -> None:
        now = self._clock()
        if now - self._start < self._delay:
            return
        new_stage = stage != self._stage
        if not new_stage and done < total and self._since_drawn(now) < self._interval:
            return
        self._stage = stage
        self._drawn_at = now
        self._stream.write(f"{_ERASE}manifestgen: {stage} {done}/{total}")
        self._stream.flush()

    def clear(self) -> None:
        if self._drawn_at is not None:
            self._stream.write(_ERASE)
            self._stream.flush()
            self._drawn_at = None

    def _since_drawn(self, now: float) -> float:
        return now - self._drawn_at if self._drawn_at is not None else float("inf")


_CURRENT: ContextVar[Display | None] = ContextVar("manifestgen_progress", default=None)


def report(stage: str, done: int, total: int) -> None:
    """How far `stage` is; costs one lookup when no display is installed."""
    display = _CURRENT.get()
    if display is not None:
        display.update(stage, done, total)


@contextmanager
def showing(display: Display | None) -> Iterator[None]:
    """Install `display` for the duration of a run (None: show nothing) and erase it after."""
    token = _CURRENT.set(display)
    try:
        yield
    finally:
        _CURRENT.reset(token)
        if display is not None:
            display.clear()


def display_for(stream: TextIO, *, quiet: bool, text_output: bool) -> Display | None:
    """A display when a person is watching `stream`: a terminal, not CI, not dumb, not -q."""
    isatty = getattr(stream, "isatty", None)
    if quiet or not text_output or not (isatty and isatty()):
        return None
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return None
    return Display(stream)
