"""Fault injection for the web reader tests: the real pipeline, except on photos named to hang
(SIGALRM blocked, so only the server's watchdog can end it) or to crash the worker process.

Lives in its own module so that spawned worker processes can import it by name."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from boardsnap.pipeline import Pipeline


class FaultyPipeline(Pipeline):
    def extract(self, path, debug_dir=None):
        name = Path(path).name
        if "hang" in name:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(600)
        if "crash" in name:
            os.kill(os.getpid(), signal.SIGSEGV)
        return super().extract(path, debug_dir)
