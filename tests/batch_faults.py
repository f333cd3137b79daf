"""Fault injection for the batch tests: a real pipeline that takes its worker process down.

Lives in its own module so that spawned worker processes can import it by name.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from boardsnap.pipeline import Pipeline


class CrashingPipeline(Pipeline):
    """The real pipeline, except that on the photo named `crash_on` the process segfaults."""

    def __init__(self, cfg, crash_on: str):
        super().__init__(cfg)
        self.crash_on = crash_on

    def extract(self, path, debug_dir=None):
        if Path(path).name == self.crash_on:
            os.kill(os.getpid(), signal.SIGSEGV)
        return super().extract(path, debug_dir)


def crashing_pipeline(cfg, crash_on: str) -> CrashingPipeline:
    return CrashingPipeline(cfg, crash_on)
