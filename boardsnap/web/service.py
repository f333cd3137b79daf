"""What the pages and the JSON API both do: read an upload, correct, render, publish.

`WebApp` holds the server's parts (settings, uploads folder, extraction workers, the history
store, the report thread) and exposes each step as one awaitable method; the routes only turn
requests into calls and results into pages or JSON.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from boardsnap.config import Config, ReportConfig
from boardsnap.document import Board
from boardsnap.errors import BadInput
from boardsnap.fileio import atomic_write_bytes, atomic_write_text
from boardsnap.history.store import HistoryContext
from boardsnap.reading import judge
from boardsnap.report import render as report_stage
from boardsnap.report.branding import load_branding
from boardsnap.report.view import ReportOptions
from boardsnap.web.drafts import Draft, Drafts
from boardsnap.web.store import Store
from boardsnap.web.worker import Extractor, Renderer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    token: str | None = None
    data_dir: Path | None = None  # None: $XDG_DATA_HOME/boardsnap/web
    db: str | None = None  # the history's location (see boardsnap.history.store)
    config: Config = Config()
    warm: bool = True  # load the OCR engines at start-up rather than on the first photo
    # How reports are cut (audience, branding); None: from config.report (branding read then).
    report_options: ReportOptions | None = None


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "boardsnap" / "web"


@dataclass(frozen=True)
class Publication:
    review_id: int
    created: bool
    board: Board
    actions: list[Any]  # the history's ActionRecords of this review


class WebApp:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.cfg = settings.config
        self.data_dir = Path(settings.data_dir or default_data_dir())
        self.drafts = Drafts(self.data_dir)
        self.extractor = Extractor(self.cfg)
        self.store = Store(settings.db, self.cfg.history)
        self.report_options = settings.report_options or ReportOptions(
            audience=self.cfg.report.audience, branding=load_branding(self.cfg.report)
        )
        # Reports are laid out in a process of their own, one at a time (fontconfig is not made
        # for threads), under the time limit: one that does not finish is killed (504)
        self._renderer = Renderer(self.cfg)
        self._publishing = asyncio.Lock()
        self._deliveries: set[asyncio.Future] = set()  # webhook deliveries under way
        self.contract = None  # the SLO contract every board is checked against ([slo] files)
        if self.cfg.slo.files:
            from boardsnap import slo

            self.contract = slo.load_contract(self.cfg.slo.files)

    def start(self) -> None:
        if self.settings.warm:
            t0 = time.perf_counter()
            self.extractor.warm()
            log.info(
                "%d OCR worker(s) ready in %.1f s", self.cfg.web.workers, time.perf_counter() - t0
            )

    def close(self) -> None:
        self.extractor.close()
        self._renderer.close()
        self.store.close()

    # ---- steps -----------------------------------------------------------------------------

    def store_upload(self, data: bytes, client_name: str | None) -> Draft:
        """Keep the upload under a new id (`BadInput` when it is empty or no photo)."""
        if not data:
            raise BadInput("the file is empty; take the photo again")
        if len(data) > self.cfg.web.max_upload_bytes:
            from boardsnap.web.security import BodyTooLarge

            raise BodyTooLarge(self.cfg.web.max_upload_bytes)
        return self.drafts.create(data, client_name)

    async def read_draft(self, draft: Draft) -> float:
        """Read the stored photo's board on a worker and keep the document and the straightened
        board; the upload is removed again when it is no photo we can read. Returns seconds."""
        try:
            result = await self.extractor.extract(draft.photo)
        except BaseException:
            _remove_tree(draft.folder)
            raise
        board = replace(result.board, source=draft.meta()["name"])  # checked by the pipeline
        atomic_write_bytes(draft.board_png, result.png)
        atomic_write_text(draft.folder / "extracted.json", board.to_json())
        draft.save_board(board)
        return result.seconds

    def rejudge(self, board: Board) -> Board:
        """A document from a person (a correction, an API client) judged again from its values;
        a row keeps another status only through its status_override (docs/board.md)."""
        judged, changes = judge.rejudge(board, self.cfg.judge)
        for change in changes:
            log.info("%s: %s", board.source or "document", change.line())
        return self.checked(judged)

    def checked(self, board: Board) -> Board:
        """`board` checked against the SLO contract, when the server has one."""
        if self.contract is None:
            return board
        from boardsnap import slo

        return slo.check(board, self.contract, self.cfg.judge)

    def options(self, audience: str | None = None) -> ReportOptions:
        """The server's report options, for another audience when one is asked for."""
        if audience is None or audience == self.report_options.audience:
            return self.report_options
        return replace(self.report_options, audience=audience)

    async def history_of(self, board: Board, draft: Draft | None = None) -> HistoryContext | None:
        """The service's earlier reviews as the report shows them ("since the previous review");
        None for a first review. The draft's photo tells a published review apart from the
        earlier ones when it is published again."""
        photo_sha256 = draft.meta().get("sha256") if draft is not None else None
        return await self.store.report_context(board, photo_sha256)

    async def render(
        self,
        board: Board,
        fmt: str,
        draft: Draft | None = None,
        audience: str | None = None,
        history: HistoryContext | None = None,
    ) -> bytes:
        """The report of `board` as PDF or HTML bytes, through boardsnap.report.render (its URL
        fetcher refuses everything but data: URIs and the templates folder), with `history`
        (see `history_of`) as its "since the previous review" section."""
        png = str(draft.board_png) if draft is not None and draft.board_png.is_file() else None
        return await self._renderer.run(
            render_report_bytes,
            board,
            fmt,
            png,
            self.cfg.report,
            self.options(audience),
            history,
            name=board.source or "report",
        )

    async def publish(self, draft: Draft) -> Publication:
        """Render both reports beside the upload, then save the review to the history."""
        async with self._publishing:  # one tap twice still makes one review
            board = self.rejudge(draft.board())
            draft.save_board(board)
            history = await self.history_of(board, draft)  # read before this review is saved
            for fmt in ("pdf", "html"):
                report = await self.render(board, fmt, draft, history=history)
                atomic_write_bytes(draft.report(fmt), report)
            meta = draft.meta()
            try:
                review_id, created = await self.store.save(board, meta.get("sha256"))
            except BaseException:
                # not published: no report of it stays downloadable as if it were
                for fmt in ("pdf", "html"):
                    draft.report(fmt).unlink(missing_ok=True)
                raise
            draft.update_meta(
                published={"review_id": review_id, "created": created, "at": time.time()}
            )
        if created and self.cfg.notify.webhooks:
            self._notify(board, review_id, f"/drafts/{draft.id}/report.pdf")
        return Publication(review_id, created, board, await self.review_actions(board, review_id))

    def _notify(self, board: Board, review_id: int, report: str) -> None:
        """The review.saved event to `[notify] webhooks`, on a thread: the publish answers at
        once, and a delivery that fails is kept in the outbox (never fails the publish)."""
        from boardsnap import notify

        base = self.cfg.notify.report_base_url.rstrip("/")
        event = notify.review_saved(board, review_id, base + report if base else report)

        def send() -> None:
            for delivery in notify.deliver(event, self.cfg.notify.webhooks, self.cfg.notify):
                (log.info if delivery.ok else log.warning)("%s", delivery.line())

        future = asyncio.get_running_loop().run_in_executor(None, send)
        self._deliveries.add(future)
        future.add_done_callback(self._deliveries.discard)

    async def review_actions(self, board: Board, review_id: int) -> list[Any]:
        service = board.service or "unknown service"
        # every action this review lists: new ones and those carried forward (done ones too)
        return [a for a in await self.store.actions(service) if review_id in a.reviews]


def render_report_bytes(
    state: Any,
    board: Board,
    fmt: str,
    board_png: str | None,
    cfg: ReportConfig,
    options: ReportOptions,
    history: HistoryContext | None,
) -> bytes:
    """The report as PDF or HTML bytes, in the renderer's process (`Renderer.run`): through
    boardsnap.report.render, whose URL fetcher refuses everything but data: URIs and the
    templates."""
    evidence = None
    if board_png is not None:
        import cv2

        image = cv2.imread(board_png, cv2.IMREAD_COLOR)
        evidence = report_stage.Evidence(board_image=image) if image is not None else None
    if fmt == "pdf":
        return report_stage.render_pdf(board, cfg, evidence, options, history=history)
    return report_stage.render_html(board, cfg, evidence, options, history=history).encode("utf-8")


def report_filename(board: Board, fmt: str) -> str:
    """A download name from the service and date: ASCII letters, digits and dashes only."""
    stem = " ".join(x for x in (board.service, board.review_date) if x) or "review"
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_stem).strip("-").lower()[:60] or "review"
    return f"boardsnap-{slug}.{fmt}"


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


__all__ = ["WebApp", "Settings", "Publication", "default_data_dir", "report_filename"]
