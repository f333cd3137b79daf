"""The web app's one door to the review history.

Everything the pages need from the history goes through `Store`, which calls these methods of
`boardsnap.history.store.History` (the interface agreed with the history issue) and nothing else:

    History(location)                       open (migrates)
    save(board, photo_sha256)               -> SaveResult(review_id, created)
    services()                              -> list[str]
    reviews(service)                        -> list[ReviewRecord]
    review_summaries(query, service)        -> list[ReviewSummary]
    actions(service)                        -> list[ActionRecord]
    set_action_status(action_id, status, note) -> ActionRecord
    report_context(board, photo_sha256)     -> HistoryContext | None
    close()

An unknown action id comes back as `LookupError` (the history's `NotFound`), whatever the
store says, so the pages and the API answer 404.

Every call runs on one dedicated thread: an SQLite connection belongs to the thread that opened
it, and a slow database never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from boardsnap.config import HistoryConfig
from boardsnap.document import Board
from boardsnap.errors import NotFound
from boardsnap.history.store import History, HistoryContext, ReviewRecord, ReviewSummary

log = logging.getLogger(__name__)
T = TypeVar("T")


def open_history(location: str | Path | None, cfg: HistoryConfig | None = None) -> History:
    return History(location, cfg)


# ---- what the pages see ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewView:
    id: int
    review_date: str | None
    title: str | None
    metrics: tuple[tuple[str, str, str], ...]


def _review_view(record: ReviewRecord) -> ReviewView:
    """A saved review as the pages use it: (metric name, status, actual as written) per row."""
    rows = tuple((m.name, m.status, m.actual_text) for m in record.metrics)
    return ReviewView(record.id, record.review_date, record.title, rows)


class Store:
    """The history as the web app uses it: every call on one thread, awaited from the loop."""

    def __init__(self, location: str | Path | None, cfg: HistoryConfig | None = None):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="boardsnap-history")
        self.history = self._thread.submit(open_history, location, cfg).result()

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    async def save(self, board: Board, photo_sha256: str | None) -> tuple[int, bool]:
        result = await self._call(self.history.save, board, photo_sha256)
        return int(result.review_id), bool(result.created)

    async def services(self) -> list[str]:
        return list(await self._call(self.history.services))

    async def reviews(self, service: str) -> list[ReviewView]:
        return [_review_view(r) for r in await self._call(self.history.reviews, service)]

    async def review_summaries(
        self, query: str | None = None, service: str | None = None
    ) -> list[ReviewSummary]:
        """The list of reviews: by service, newest first, narrowed by `query` and `service`."""
        return list(await self._call(self.history.review_summaries, query, service))

    async def actions(self, service: str | None = None) -> list[Any]:
        return list(await self._call(self.history.actions, service))

    async def set_action_status(self, action_id: int, status: str, note: str = "") -> Any:
        try:
            return await self._call(self.history.set_action_status, action_id, status, note)
        except NotFound as exc:
            raise LookupError(action_id) from exc

    async def report_context(
        self, board: Board, photo_sha256: str | None = None
    ) -> HistoryContext | None:
        """What the report of `board` shows of the service's earlier reviews (None when it has
        none): read on the history's thread, handed to the report thread as plain data."""
        return await self._call(self.history.report_context, board, photo_sha256)

    def close(self) -> None:
        try:
            self._thread.submit(self.history.close).result()
        finally:
            self._thread.shutdown(wait=True)


__all__ = ["Store", "open_history", "ReviewView"]
