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
import functools
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


class WorkTooSlow(Exception):
    """The worker did not stop at the time limit: it was killed and replaced (504)."""

    what = "the work"

    def __init__(self, seconds: float):
        super().__init__(f"{self.what} took longer than the {seconds:g} s limit")
        self.seconds = seconds


class PhotoTooSlow(WorkTooSlow):
    what = "reading the photo"


class ReportTooSlow(WorkTooSlow):
    what = "making the report"


class ReaderDied(Exception):
    """The worker process died on its work (a crash in a native decoder or renderer)."""


@dataclass(frozen=True, eq=False)
class Extracted:
    board: Board
    png: bytes  # the rectified board (front view, light evened out) as PNG
    seconds: float


# ---- in the worker process -------------------------------------------------------------------


def _serve(conn: Any, cfg: Config, parent: int, setup: Any = None) -> None:
    """A worker process: `setup(cfg)` once (a warm pipeline), then run `fn(state, *args)` for
    each job sent, under `[limits] photo_seconds`, until told to stop or the server is gone (its
    end of the pipe closes: `recv` ends). No PR_SET_PDEATHSIG: it fires when the *thread* that
    started the process ends, and replacements start on a thread."""
    if os.getppid() != parent:
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl-C is for the server
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from boardsnap.limits import time_limit

    state = setup(cfg) if setup is not None else None
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args, name = job
        try:
            with time_limit(cfg.limits.photo_seconds, name):
                answer: tuple = ("ok", fn(state, *args))
        except errors.BoardSnapError as exc:
            answer = ("error", type(exc).__name__, exc.message, exc.path, exc.fix)
        except Exception as exc:  # noqa: BLE001 - a bug: the request fails, the worker goes on
            log.exception("%s: internal error", name)
            answer = ("bug", f"{type(exc).__name__}: {exc}")
        conn.send(answer)


def warm_pipeline(cfg: Config, factory: Any = None) -> Any:
    """A photo reader's state: its pipeline, OCR engine loaded."""
    from boardsnap.reading.pipeline import Pipeline

    pipeline = (factory or Pipeline)(cfg)
    with contextlib.suppress(Exception):  # a broken engine fails each photo with its message
        _ = pipeline.engine
    return pipeline


def read_photo(pipeline: Any, path: str) -> Extracted:
    """In a reader process: the board on the photo at `path`, and the rectified board."""
    import cv2

    t0 = time.perf_counter()
    result = pipeline.extract(Path(path))
    ok, png = cv2.imencode(".png", result.rectified.image)
    if not ok:
        raise RuntimeError("could not encode the rectified board as PNG")
    return Extracted(result.board, png.tobytes(), time.perf_counter() - t0)


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

    def __init__(self, cfg: Config, setup: Any = None):
        ctx = multiprocessing.get_context("spawn")  # no inherited threads, locks or sockets
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve,
            args=(child, cfg, os.getpid(), setup),
            name="boardsnap-worker",
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


class WorkerPool:
    """`workers` worker processes, each set up once by `setup(cfg)`; `run(fn, *args)` runs
    `fn(state, *args)` (module-level, picklable) in one of them under the time limit, killing
    and replacing a worker that does not stop (`too_slow`, 504) or dies (`ReaderDied`)."""

    too_slow: type[WorkTooSlow] = WorkTooSlow

    def __init__(self, cfg: Config, workers: int, setup: Any = None):
        self.cfg = cfg
        self.workers = workers
        self._setup = setup
        self._threads = ThreadPoolExecutor(workers, thread_name_prefix="boardsnap-work")
        self._idle: queue.Queue[_Slot] = queue.Queue()
        self._slots: list[_Slot] = []
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False
        self._started = False
        self._start_lock = threading.Lock()
        self.replaced = 0  # workers killed or dead and replaced (for the tests and the log)

    def warm(self) -> None:
        """Start every worker process and set it up now, not on the first job (without it,
        the first job starts them)."""
        with self._start_lock:
            if self._started:
                return
            slots = [self._new_slot() for _ in range(self.workers)]
            for slot in slots:
                slot.wait_ready(START_SECONDS)
                self._idle.put(slot)
            self._started = True

    def _new_slot(self) -> _Slot:
        slot = _Slot(self.cfg, self._setup)
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
                log.error("a worker process could not be restarted")
                return
            if self._closed:
                new.stop()
                return
            self._idle.put(new)

        threading.Thread(target=start, name="boardsnap-worker-start", daemon=True).start()

    def _take_idle(self) -> _Slot:
        if not self._started:
            self.warm()
        while True:
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                if self._closed:  # the server is stopping: this job will not run
                    raise Busy() from None

    def _run(self, fn: Any, args: tuple, name: str) -> Any:
        slot = self._take_idle()
        limit = self.cfg.limits.photo_seconds
        wait = (limit + self.cfg.limits.hang_grace_seconds) if limit and limit > 0 else None
        try:
            slot.conn.send((fn, args, name))
            if not slot.conn.poll(wait):
                log.error("%s: the worker did not stop at the %g s limit; killed", name, limit)
                self._replace(slot)
                slot = None
                raise self.too_slow(limit)
            answer = slot.conn.recv()
        except (EOFError, OSError):
            log.error("%s: the worker process died (exit status %s)", name, slot.process.exitcode)
            self._replace(slot)
            slot = None
            raise ReaderDied() from None
        finally:
            if slot is not None:
                self._idle.put(slot)
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "error":
            raise _rebuild(*answer[1:])
        raise RuntimeError(answer[1])

    async def run(self, fn: Any, *args: Any, name: str = "") -> Any:
        """`fn(state, *args)` in a worker process; `Busy` when too many jobs are waiting."""
        with self._lock:
            if self._pending >= self.cfg.web.max_pending:
                raise Busy()
            self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._threads, self._run, fn, args, name)
        finally:
            with self._lock:
                self._pending -= 1

    def close(self) -> None:
        """Stop every worker within `STOP_SECONDS` (a job in flight is not waited for)."""
        self._closed = True
        with self._lock:
            slots = list(self._slots)
        for slot in slots:
            with contextlib.suppress(Exception):
                slot.process.terminate()
        for slot in slots:
            slot.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)


class Extractor(WorkerPool):
    """The photo readers: `[web] workers` processes, each with a warm pipeline."""

    too_slow = PhotoTooSlow

    def __init__(self, cfg: Config, factory: Any = None):
        # `factory`: tests pass a pipeline that hangs or crashes (fault injection)
        setup = functools.partial(warm_pipeline, factory=factory) if factory else warm_pipeline
        super().__init__(cfg, cfg.web.workers, setup)

    async def extract(self, path: Path) -> Extracted:
        """Read the photo at `path` in a reader process; `Busy` when too many are waiting."""
        return await self.run(read_photo, str(path), name=str(path))


class Renderer(WorkerPool):
    """Where reports are made: one process (WeasyPrint is not shared between threads), each
    report under the time limit (`ReportTooSlow`, 504). `await renderer.run(fn, *args)` with a
    module-level `fn(None, *args)` that returns the report's bytes."""

    too_slow = ReportTooSlow

    def __init__(self, cfg: Config):
        super().__init__(cfg, 1, None)


__all__ = [
    "WorkerPool",
    "Extractor",
    "Renderer",
    "Extracted",
    "Busy",
    "WorkTooSlow",
    "PhotoTooSlow",
    "ReportTooSlow",
    "ReaderDied",
    "read_photo",
    "warm_pipeline",
]
