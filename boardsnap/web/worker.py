"""Board extraction off the event loop: a few threads, each with its own warm `Pipeline`.

Extraction is CPU-bound (about 1.5 s a photo). OpenCV and ONNX Runtime release the GIL while they
work, so threads run photos in parallel without copying images between processes; each thread
keeps its own Pipeline (its own OCR engine: engines are not shared between threads). At most
`WebConfig.workers` photos are in memory at once, whatever the number of uploads; uploads beyond
`max_pending` waiting photos are refused with a retry message instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2

from boardsnap.config import Config
from boardsnap.document import Board
from boardsnap.pipeline import Pipeline

log = logging.getLogger(__name__)


class Busy(Exception):
    """Too many photos are waiting already."""


@dataclass(frozen=True, eq=False)
class Extracted:
    board: Board
    png: bytes  # the rectified board (front view, light evened out) as PNG
    seconds: float


class Extractor:
    def __init__(self, cfg: Config):
        self.cfg = cfg
        self._pool = ThreadPoolExecutor(cfg.web.workers, thread_name_prefix="boardsnap-ocr")
        self._local = threading.local()
        self._pipelines: list[Pipeline] = []
        self._lock = threading.Lock()
        self._pending = 0

    def _pipeline(self) -> Pipeline:
        pipe = getattr(self._local, "pipeline", None)
        if pipe is None:
            pipe = Pipeline(self.cfg)
            self._local.pipeline = pipe
            with self._lock:
                self._pipelines.append(pipe)
        return pipe

    def _extract(self, path: Path) -> Extracted:
        t0 = time.perf_counter()
        result = self._pipeline().extract(path)
        ok, png = cv2.imencode(".png", result.rectified.image)
        if not ok:
            raise RuntimeError("could not encode the rectified board as PNG")
        return Extracted(result.board, png.tobytes(), time.perf_counter() - t0)

    def warm(self) -> None:
        """Start every worker thread and load its OCR engine now, not on the first photo."""
        workers = self.cfg.web.workers
        barrier = threading.Barrier(workers)

        def load() -> None:
            _ = self._pipeline().engine
            barrier.wait(timeout=120)  # so each of the threads takes one of these jobs

        for future in [self._pool.submit(load) for _ in range(workers)]:
            future.result()

    async def extract(self, path: Path) -> Extracted:
        """Read the photo at `path` on a worker thread; `Busy` when too many are waiting."""
        with self._lock:
            if self._pending >= self.cfg.web.max_pending:
                raise Busy()
            self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, self._extract, path)
        finally:
            with self._lock:
                self._pending -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for pipe in self._pipelines:
            pipe.close()


__all__ = ["Extractor", "Extracted", "Busy"]
