"""Board extraction off the event loop, in worker processes the server can stop.

Extraction is CPU-bound (about 1.5 s a photo) and can hang on hostile input (a TIFF of 200,000
pages, a decoder that never returns). Each of `WebConfig.workers` worker processes keeps its own
warm `Pipeline` (its OCR engine loaded once) and reads one photo at a time under the CLI's limit,
`[limits] photo_seconds` (SIGALRM in the worker: exit code 8's `PhotoTimeout`, a 504). A worker
that has not answered `hang_grace_seconds` after the limit is killed (its C call would never
return) and replaced, and the request gets `PhotoTooSlow` (504); a worker that dies on a photo
is replaced too and the request gets `ReaderDied` (422). At most `workers` photos are in memory
at once, whatever the number of uploads; uploads beyond `max_pending` waiting photos are refused
with a retry message (`Busy`, 503) instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boardsnap import errors
from boardsnap.config import Config
from boardsnap.document import Board

log = logging.getLogger(__name__)

START_SECONDS = 300.0  # a worker loading its OCR engine on a busy machine
STOP_SECONDS = 2.0  # a worker told to stop gets this long before it is killed


class Busy(Exception):
    """Too many photos are waiting already."""


class PhotoTooSlow(Exception):
    """The worker reading the photo did not stop at the time limit: it was killed (504)."""

    def __init__(self, seconds: float):
        super().__init__(f"reading the photo took longer than the {seconds:g} s limit")
        self.seconds = seconds


class ReaderDied(Exception):
    """The worker process died while reading the photo (a crash in a native decoder)."""


@dataclass(frozen=True, eq=False)
class Extracted:
    board: Board
    png: bytes  # the rectified board (front view, light evened out) as PNG
    seconds: float


# ---- in the worker process -------------------------------------------------------------------


def _serve(conn: Any, cfg: Config, parent: int, factory: Any = None) -> None:
    """A worker process: load the pipeline, then read photos sent by path until told to stop
    or the server is gone (its end of the pipe closes: `recv` ends). No PR_SET_PDEATHSIG: it
    fires when the *thread* that started the process ends, and replacements start on a thread."""
    if os.getppid() != parent:
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl-C is for the server
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    import cv2

    from boardsnap.limits import time_limit
    from boardsnap.pipeline import Pipeline

    pipeline = (factory or Pipeline)(cfg)
    with contextlib.suppress(Exception):  # a broken engine fails each photo with its message
        _ = pipeline.engine
    conn.send(("ready",))
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        t0 = time.perf_counter()
        try:
            with time_limit(cfg.limits.photo_seconds, str(path)):
                result = pipeline.extract(Path(path))
                ok, png = cv2.imencode(".png", result.rectified.image)
            if not ok:
                raise RuntimeError("could not encode the rectified board as PNG")
            answer: tuple = ("ok", result.board, png.tobytes(), time.perf_counter() - t0)
        except errors.BoardSnapError as exc:
            answer = ("error", type(exc).__name__, exc.message, exc.path, exc.fix)
        except Exception as exc:  # noqa: BLE001 - a bug: the request fails, the worker goes on
            log.exception("%s: internal error", path)
            answer = ("bug", f"{type(exc).__name__}: {exc}")
        conn.send(answer)


def _rebuild(name: str, message: str, path: str | None, fix: str | None) -> Exception:
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, errors.BoardSnapError)):
        cls = errors.BoardSnapError
    exc = cls.__new__(cls)
    errors.BoardSnapError.__init__(exc, message, path=path, fix=fix)
    return exc


# ---- in the server ---------------------------------------------------------------------------


class _Slot:
    """One worker process and the pipe to it."""

    def __init__(self, cfg: Config, factory: Any = None):
        ctx = multiprocessing.get_context("spawn")  # no inherited threads, locks or sockets
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve,
            args=(child, cfg, os.getpid(), factory),
            name="boardsnap-reader",
            daemon=True,
        )
        self.process.start()
        child.close()

    def wait_ready(self, seconds: float) -> None:
        if not self.conn.poll(seconds):
            raise RuntimeError("a photo reader did not start in time")
        self.conn.recv()

    def stop(self, grace: float = STOP_SECONDS) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(grace)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(grace)
        with contextlib.suppress(OSError):
            self.conn.close()


class Extractor:
    def __init__(self, cfg: Config, factory: Any = None):
        self.cfg = cfg
        self._factory = factory  # tests: a pipeline that hangs or crashes (fault injection)
        self._threads = ThreadPoolExecutor(cfg.web.workers, thread_name_prefix="boardsnap-ocr")
        self._idle: queue.Queue[_Slot] = queue.Queue()
        self._slots: list[_Slot] = []
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False
        self._started = False
        self._start_lock = threading.Lock()
        self.replaced = 0  # workers killed or dead and replaced (for the tests and the log)

    def warm(self) -> None:
        """Start every worker process and load its OCR engine now, not on the first photo
        (without it, the first photo starts them)."""
        with self._start_lock:
            if self._started:
                return
            slots = [self._new_slot() for _ in range(self.cfg.web.workers)]
            for slot in slots:
                slot.wait_ready(START_SECONDS)
                self._idle.put(slot)
            self._started = True

    def _new_slot(self) -> _Slot:
        slot = _Slot(self.cfg, self._factory)
        with self._lock:
            self._slots.append(slot)
        return slot

    def _replace(self, slot: _Slot) -> None:
        """Kill `slot`'s process and start another in the background."""
        with self._lock:
            self.replaced += 1
            if slot in self._slots:
                self._slots.remove(slot)
        slot.stop(grace=0)

        def start() -> None:
            if self._closed:
                return
            new = self._new_slot()
            try:
                new.wait_ready(START_SECONDS)
            except (RuntimeError, EOFError, OSError):
                log.error("a photo reader could not be restarted")
                return
            if self._closed:
                new.stop()
                return
            self._idle.put(new)

        threading.Thread(target=start, name="boardsnap-reader-start", daemon=True).start()

    def _take_idle(self) -> _Slot:
        if not self._started:
            self.warm()
        while True:
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                if self._closed:  # the server is stopping: this photo will not be read
                    raise Busy() from None

    def _extract(self, path: Path) -> Extracted:
        slot = self._take_idle()
        limit = self.cfg.limits.photo_seconds
        wait = (limit + self.cfg.limits.hang_grace_seconds) if limit and limit > 0 else None
        try:
            slot.conn.send(str(path))
            if not slot.conn.poll(wait):
                log.error("%s: the reader did not stop at the %g s limit; killed", path, limit)
                self._replace(slot)
                slot = None
                raise PhotoTooSlow(limit)
            answer = slot.conn.recv()
        except (EOFError, OSError):
            log.error("%s: the photo reader died (exit status %s)", path, slot.process.exitcode)
            self._replace(slot)
            slot = None
            raise ReaderDied() from None
        finally:
            if slot is not None:
                self._idle.put(slot)
        if answer[0] == "ok":
            return Extracted(answer[1], answer[2], answer[3])
        if answer[0] == "error":
            raise _rebuild(*answer[1:])
        raise RuntimeError(answer[1])

    async def extract(self, path: Path) -> Extracted:
        """Read the photo at `path` in a worker process; `Busy` when too many are waiting."""
        with self._lock:
            if self._pending >= self.cfg.web.max_pending:
                raise Busy()
            self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._threads, self._extract, path)
        finally:
            with self._lock:
                self._pending -= 1

    def close(self) -> None:
        """Stop every worker within `STOP_SECONDS` (a photo in flight is not waited for)."""
        self._closed = True
        with self._lock:
            slots = list(self._slots)
        for slot in slots:
            with contextlib.suppress(Exception):
                slot.process.terminate()
        for slot in slots:
            slot.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)


__all__ = ["Extractor", "Extracted", "Busy", "PhotoTooSlow", "ReaderDied"]
