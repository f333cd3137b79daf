"""Bounded time: a photo (or a document) that takes longer than the limit is an error, not a hang.

`time_limit` arms a real-time timer around one piece of work. When it runs out, the work is
interrupted by `PhotoTimeout` (exit code 8) at the next Python instruction, which unwinds through
the `with` blocks above it, so temporary files are removed as on any other error. Python only
runs a signal handler between byte codes: a C call that never returns (a wedged decoder, an OCR
engine stuck in a loop) would not be interrupted. For that the CLI also arms a `Watchdog`: a thread
that, a grace period after the limit, prints the same one-line error, removes the temporary files
still open (`fileio.remove_open_temps`) and ends the process with exit code 8.

The timer needs the main thread of a POSIX process (SIGALRM); elsewhere (a worker thread, Windows)
`time_limit` only logs that it cannot enforce the limit and the work runs unbounded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from boardsnap.errors import ExitCode, PhotoTimeout

log = logging.getLogger(__name__)

REPEAT = 0.25  # seconds between alarms once the limit is passed
TIMEOUT_FIX = "raise the limit with --timeout SECONDS (or [limits] photo_seconds in the config)"


def timeout_error(path: str | None, seconds: float) -> PhotoTimeout:
    return PhotoTimeout(f"took longer than the {seconds:g} s limit", path=path, fix=TIMEOUT_FIX)


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float | None, path: str | None = None) -> Iterator[None]:
    """Raise `PhotoTimeout` in the body if it runs longer than `seconds` (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    if not _can_alarm():
        log.debug("%s: time limit not enforced outside the main thread", path)
        yield
        return

    fired = False

    def on_alarm(signum: int, frame: object) -> None:
        nonlocal fired
        fired = True
        raise timeout_error(path, seconds)

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    # after the first alarm, one every REPEAT seconds: a library that catches the exception and
    # carries on is interrupted again until the work gives up
    previous_timer = signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        yield
    except BaseException as exc:
        if fired:  # ours, or a library's own exception wrapping ours (rapidocr, omegaconf do)
            raise timeout_error(path, seconds) from exc
        raise
    finally:
        _disarm()
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_timer[0]:  # an outer limit was armed: give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, *previous_timer)


def _disarm() -> None:
    # an alarm may land while disarming (handlers run at calls): disarm until it holds
    while True:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        except PhotoTimeout:
            continue


class Watchdog:
    """Ends the process if the work is not done `seconds + grace` after `arm` (see module doc)."""

    def __init__(self, seconds: float | None, path: str | None, grace: float = 5.0):
        self.seconds = seconds
        self.path = path
        self.grace = grace
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Watchdog:
        if self.seconds and self.seconds > 0:
            self._thread = threading.Thread(target=self._watch, name="boardsnap-watchdog")
            self._thread.daemon = True
            # the thread inherits a mask that blocks SIGALRM: the timer of `time_limit` must
            # interrupt the main thread, not this one
            blocked = hasattr(signal, "pthread_sigmask") and _can_alarm()
            if blocked:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            try:
                self._thread.start()
            finally:
                if blocked:
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()

    def _watch(self) -> None:
        assert self.seconds is not None
        if self._done.wait(self.seconds + self.grace):
            return
        from boardsnap.fileio import remove_open_temps

        remove_open_temps()
        message = timeout_error(self.path, self.seconds).one_line()
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"boardsnap: error: {message} (the work did not stop; ended)\n")
            sys.stderr.flush()
        os._exit(int(ExitCode.TIMEOUT))


@contextlib.contextmanager
def bounded(limits: Any, path: str) -> Iterator[None]:
    """The work on one photo or document (`path`), within `limits.photo_seconds` (a
    `LimitsConfig`; exit 8 past it, the process ended `hang_grace_seconds` later if it hangs)."""
    seconds = limits.photo_seconds
    with Watchdog(seconds, path, limits.hang_grace_seconds), time_limit(seconds, path):
        yield


__all__ = ["bounded", "time_limit", "Watchdog", "timeout_error", "TIMEOUT_FIX"]
