"""Fault injection for the web reader tests: the real pipeline, except on photos named to hang
(SIGALRM blocked, so only the server's watchdog can end it) or to crash the worker process.

Lives in its own module so that spawned worker processes can import it by name."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from boardsnap.reading.pipeline import Pipeline


class FaultyPipeline(Pipeline):
    def extract(self, path, debug_dir=None):
        name = Path(path).name
        if "hang" in name:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(600)
        if "crash" in name:
            os.kill(os.getpid(), signal.SIGSEGV)
        return super().extract(path, debug_dir)


def hang(state, seconds: float) -> bytes:
    """A report renderer stuck in C code: SIGALRM blocked, so only the watchdog ends it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(seconds)
    return b""


def slow_python(state, seconds: float) -> bytes:
    """A report renderer busy in Python: the worker's own time limit stops it (exit code 8)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return b""


def render_html(state, board) -> bytes:
    from boardsnap.config import ReportConfig
    from boardsnap.report import render as report

    return report.render_html(board, ReportConfig(), None).encode()
