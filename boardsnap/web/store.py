"""The web app's one door to the review history.

Everything the pages need from the history goes through `Store`, which calls these methods of
`boardsnap.history.History` (the interface agreed with the history issue) and nothing else:

    History(location)                       open (migrates)
    save(board, photo_sha256)               -> SaveResult(review_id, created)
    services()                              -> list[str]
    reviews(service)                        -> list[ReviewRecord]
    actions(service)                        -> list[ActionRecord]
    set_action_status(action_id, status, note) -> ActionRecord
    close()

When `boardsnap.history` cannot be imported (a branch without it), `InMemoryHistory` stands in:
the same methods, kept in memory only, and the server says so at start-up. It is never used when
the real history is there.

Every call runs on one dedicated thread: an SQLite connection belongs to the thread that opened
it, and a slow database never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from boardsnap.document import ACTION_STATUSES, Board
from boardsnap.errors import BadInput

log = logging.getLogger(__name__)
T = TypeVar("T")


# ---- the in-memory stand-in ------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    review_id: int
    created: bool


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    service: str
    review_date: str | None
    title: str | None
    # (metric name, status, actual text) per row: enough for a trend table
    metrics: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class ActionRecord:
    id: int
    service: str
    review_id: int
    review_date: str | None
    metric: str | None
    text: str
    owner: str | None
    due: str | None
    status: str
    overdue: bool
    updated_at: str
    note: str = ""


@dataclass
class InMemoryHistory:
    """Stand-in for `boardsnap.history.History` while that module is absent: nothing is kept
    after the server stops. Same method names and results as the agreed interface."""

    location: Any = None
    _reviews: list[ReviewRecord] = field(default_factory=list)
    _actions: dict[int, ActionRecord] = field(default_factory=dict)
    _keys: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def save(self, board: Board, photo_sha256: str | None = None) -> SaveResult:
        doc_key = "doc:" + board.to_json(indent=None)
        with self._lock:
            for key in (photo_sha256 and "photo:" + photo_sha256, doc_key):
                if key and key in self._keys:
                    return SaveResult(self._keys[key], False)
            review_id = len(self._reviews) + 1
            service = board.service or "unknown service"
            self._reviews.append(
                ReviewRecord(
                    review_id,
                    service,
                    board.review_date,
                    board.title,
                    tuple((m.name, m.status, m.actual.text) for m in board.metrics),
                )
            )
            today = date.today().isoformat()
            for a in board.actions:
                action_id = len(self._actions) + 1
                self._actions[action_id] = ActionRecord(
                    id=action_id,
                    service=service,
                    review_id=review_id,
                    review_date=board.review_date,
                    metric=a.metric,
                    text=a.text,
                    owner=a.owner,
                    due=a.due,
                    status=a.status,
                    overdue=bool(a.due and a.due < today and a.status != "done"),
                    updated_at=_now(),
                )
            self._keys[doc_key] = review_id
            if photo_sha256:
                self._keys["photo:" + photo_sha256] = review_id
            return SaveResult(review_id, True)

    def services(self) -> list[str]:
        with self._lock:
            return sorted({r.service for r in self._reviews})

    def reviews(self, service: str | None = None) -> list[ReviewRecord]:
        with self._lock:
            return [r for r in self._reviews if service is None or r.service == service]

    def actions(self, service: str | None = None, open_only: bool = False) -> list[ActionRecord]:
        with self._lock:
            return [
                a
                for a in self._actions.values()
                if (service is None or a.service == service)
                and not (open_only and a.status == "done")
            ]

    def set_action_status(self, action_id: int, status: str, note: str = "") -> ActionRecord:
        if status not in ACTION_STATUSES:
            raise BadInput(f"unknown action status {status!r}", fix="open, in_progress or done")
        with self._lock:
            if action_id not in self._actions:
                raise KeyError(action_id)
            old = self._actions[action_id]
            new = dataclasses.replace(
                old,
                status=status,
                note=note,
                updated_at=_now(),
                overdue=bool(old.due and old.due < date.today().isoformat() and status != "done"),
            )
            self._actions[action_id] = new
            return new

    def close(self) -> None:
        pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_history(location: str | Path | None) -> tuple[Any, bool]:
    """(history, persistent): the real History when the module exists, else the stand-in."""
    try:
        from boardsnap.history import History  # type: ignore[import-not-found]
    except ImportError:
        log.warning(
            "boardsnap.history is not available: reviews are kept in memory only "
            "and are gone when the server stops"
        )
        return InMemoryHistory(location), False
    return History(location), True


# ---- what the pages see ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewView:
    id: int
    review_date: str | None
    title: str | None
    metrics: tuple[tuple[str, str, str], ...]


def _review_view(record: Any) -> ReviewView:
    """A ReviewRecord of either store as the pages use it (only the agreed id/date fields are
    required; per-row figures are shown when the record carries them)."""
    rid = getattr(record, "id", None)
    if rid is None:
        rid = getattr(record, "review_id", 0)
    rows = []
    for m in getattr(record, "metrics", ()) or ():
        if isinstance(m, tuple):
            rows.append(tuple(str(x) for x in m[:3]))
        else:
            actual = getattr(m, "actual", "")
            rows.append(
                (
                    str(getattr(m, "name", getattr(m, "metric", ""))),
                    str(getattr(m, "status", "unknown")),
                    str(getattr(actual, "text", actual) or ""),
                )
            )
    return ReviewView(
        int(rid), getattr(record, "review_date", None), getattr(record, "title", None), tuple(rows)
    )


class Store:
    """The history as the web app uses it: every call on one thread, awaited from the loop."""

    def __init__(self, location: str | Path | None):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="boardsnap-history")
        self.history, self.persistent = self._thread.submit(open_history, location).result()

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    async def save(self, board: Board, photo_sha256: str | None) -> tuple[int, bool]:
        result = await self._call(self.history.save, board, photo_sha256)
        return int(result.review_id), bool(result.created)

    async def services(self) -> list[str]:
        return list(await self._call(self.history.services))

    async def reviews(self, service: str) -> list[ReviewView]:
        return [_review_view(r) for r in await self._call(self.history.reviews, service)]

    async def actions(self, service: str | None = None) -> list[Any]:
        return list(await self._call(self.history.actions, service))

    async def set_action_status(self, action_id: int, status: str, note: str = "") -> Any:
        return await self._call(self.history.set_action_status, action_id, status, note)

    def close(self) -> None:
        try:
            self._thread.submit(self.history.close).result()
        finally:
            self._thread.shutdown(wait=True)


__all__ = ["Store", "InMemoryHistory", "open_history", "ReviewView"]
