"""The batch progress bar on stderr: photos done, failed, rate, time left.

One line redrawn in place on a terminal; nothing when stderr is not a terminal (a log file, a
pipe) or with -q. A photo that fails gets its own line above the bar as it happens (also when
there is no bar), naming the photo and the reason.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from boardsnap.batch.jobs import PhotoOutcome, printable
from boardsnap.batch.plan import Progress

BAR_WIDTH = 24


class TerminalProgress(Progress):
    def __init__(self, stream: TextIO | None = None, *, bar: bool | None = None, notes=True):
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty() if bar is None else bar
        self.notes = notes
        self.total = self.done = self.failed = self.no_table = 0
        self.t0 = time.monotonic()
        self._drawn = False

    def start(self, total: int, up_to_date: int) -> None:
        self.total, self.t0 = total, time.monotonic()
        self._draw()

    def update(self, outcome: PhotoOutcome) -> None:
        self.done += 1
        if outcome.status == "failed":
            self.failed += 1
            if self.notes:
                self._note(
                    f"boardsnap: {printable(outcome.job.display)}: failed: "
                    f"{printable(outcome.reason or '')}"
                )
        elif outcome.status == "no_table":
            self.no_table += 1
        self._draw()

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False

    def line(self) -> str:
        """The bar's text (without the terminal's control characters)."""
        total = max(self.total, 1)
        filled = round(BAR_WIDTH * self.done / total)
        text = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total}"
        if self.failed:
            text += f", {self.failed} failed"
        if self.no_table:
            text += f", {self.no_table} no table"
        elapsed = time.monotonic() - self.t0
        if self.done and elapsed > 0:
            rate = self.done / elapsed * 60
            left = (self.total - self.done) / (self.done / elapsed)
            text += f", {rate:.1f}/min, {_duration(left)} left"
        return text

    def _draw(self) -> None:
        if not self.bar:
            return
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.stream.write("\r\033[K" + self.line()[:width])
        self.stream.flush()
        self._drawn = True

    def _note(self, text: str) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.stream.flush()
        self._drawn = False


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
