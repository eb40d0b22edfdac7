"""Signals held during the swap stay held whichever thread the kernel hands them to."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from manifestgen.write.swap import held_signals


def test_a_signal_another_thread_receives_is_held_until_the_block_ends() -> None:
    # A process-directed signal goes to any thread that does not block it: with only the
    # main thread masked, the idle thread below receives it.
    stop = threading.Event()
    idle = threading.Thread(target=stop.wait)
    idle.start()
    reached: list[str] = []
    try:
        with pytest.raises(KeyboardInterrupt):
            _interrupt_while_held(reached)
    finally:
        stop.set()
        idle.join()
    assert reached == ["end of the block"]


def _interrupt_while_held(reached: list[str]) -> None:
    with held_signals():
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(200):
            time.sleep(0.001)
        reached.append("end of the block")


def test_handlers_are_restored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with held_signals():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
