"""BoardSnap from Python: read a photo, judge a document, write a report, keep the history.

    import boardsnap

    board = boardsnap.read_photo("IMG_2041.jpg")            # a judged boardsnap.Board
    for m in board.metrics:
        print(m.name, m.status, m.budget_used, m.needs_review)
    boardsnap.render_report(board, "review.pdf")            # or .html; audience="customer"
    with boardsnap.History("history.db") as history:        # or postgresql://...
        saved = history.save(board)
        overdue = history.actions(overdue=True)

The command line is built on these functions; errors are `boardsnap.BoardSnapError`s that carry
their exit code and a one-line message (see README's exit codes).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boardsnap.config import Config
from boardsnap.document import Board

if TYPE_CHECKING:
    import numpy as np

    from boardsnap.history.store import HistoryContext


def read_photo(path: str | Path, config: Config | None = None) -> Board:
    """The judged board document of the photo at `path` (JPEG, PNG, WebP, TIFF, HEIC).

    Raises `BadInput` (not a usable photo), `NoTableFound` (no SLA table on it) or
    `MissingDependency`. For the straightened board picture too, use `read_photo_with_image`."""
    return read_photo_with_image(path, config)[0]


def read_photo_with_image(
    path: str | Path, config: Config | None = None
) -> tuple[Board, np.ndarray]:
    """The judged board and the straightened board picture (BGR), the report's evidence."""
    from boardsnap.reading.pipeline import Pipeline

    pipeline = Pipeline(config or Config())
    try:
        result = pipeline.extract(path)
    finally:
        pipeline.close()
    return result.board, result.rectified.image


def judge_document(board: Board, config: Config | None = None) -> Board:
    """A document from outside (a person may have corrected it) judged again from its values;
    a row keeps another status only through its `status_override` (docs/board.md)."""
    from boardsnap.reading import judge

    return judge.rejudge(board, (config or Config()).judge)[0]


def render_report(
    board: Board,
    path: str | Path,
    audience: str = "internal",
    *,
    config: Config | None = None,
    redact: Iterable[str] = (),
    fmt: str | None = None,
    board_image: np.ndarray | None = None,
    history: HistoryContext | None = None,
    options: Any = None,
) -> Path:
    """Write the report of `board` to `path`: PDF, or HTML for a .html/.htm name (or `fmt`).

    `audience="customer"` leaves out owners' names, review crops and raw OCR text; `redact`
    names metrics left out everywhere; `board_image` (from `read_photo_with_image`) adds the
    crops of doubtful cells and the board picture; `history` (`History.report_context`) adds
    "Since the previous review"; `options` (a `report.ReportOptions`, branding read) replaces
    audience and redact when given. Written atomically; returns the path."""
    from boardsnap.report import render as report
    from boardsnap.report.branding import load_branding

    cfg = config or Config()
    target = Path(path)
    if fmt is None:
        fmt = "html" if target.suffix.lower() in (".html", ".htm") else "pdf"
    if options is None:
        options = report.ReportOptions(
            audience=audience, redact=tuple(redact), branding=load_branding(cfg.report)
        )
    evidence = report.Evidence(board_image=board_image) if board_image is not None else None
    return report.write_report(
        board, target, fmt, cfg.report, evidence, options=options, history=history
    )


def History(location: str | Path | None = None, config: Config | None = None) -> Any:  # noqa: N802
    """The review history at `location` (an SQLite path or a postgresql:// URL; None:
    $BOARDSNAP_DB, else the XDG data folder), opened and migrated; a context manager.

    Its methods: `save(board)`, `reviews(service=None)`, `actions(service=None, open_only=False,
    overdue=False, today=None)`, `set_action_status(id, status, note)`, `report_context(board)`.
    """
    from boardsnap.history.store import History as Store

    return Store(location, (config or Config()).history)


__all__ = ["read_photo", "read_photo_with_image", "judge_document", "render_report", "History"]
