"""Fault injection for the batch tests: a real pipeline that takes its worker process down.

Lives in its own module so that spawned worker processes can import it by name.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from boardsnap.reading.pipeline import Pipeline


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


class StallingPipeline(Pipeline):
    """The real pipeline, except that on the photo named `stall_on` it first creates the file
    `marker` (so a test knows the photo is being read) and then never finishes."""

    def __init__(self, cfg, stall_on: str, marker: str):
        super().__init__(cfg)
        self.stall_on = stall_on
        self.marker = marker

    def extract(self, path, debug_dir=None):
        if Path(path).name == self.stall_on:
            Path(self.marker).touch()
            time.sleep(600)
        return super().extract(path, debug_dir)


def stalling_pipeline(cfg, stall_on: str, marker: str) -> StallingPipeline:
    return StallingPipeline(cfg, stall_on, marker)


def main_with_stall() -> None:
    """`boardsnap ARGS...` whose batch workers stall on the photo named by $STALL_ON, after
    creating the file $STALL_MARKER (run as `python -c` by the Ctrl-C test)."""
    import functools

    import boardsnap.batch.plan
    from boardsnap.cli import main

    factory = functools.partial(
        stalling_pipeline, stall_on=os.environ["STALL_ON"], marker=os.environ["STALL_MARKER"]
    )
    boardsnap.batch.plan.run_batch = functools.partial(
        boardsnap.batch.plan.run_batch, pipeline_factory=factory
    )
    main()
