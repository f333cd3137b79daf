"""The recipe: load → find board → segment → read → parse → judge (→ second look at doubtful rows
→ the SLO contract, when one is configured).

Each stage is a function of its input and its section of the config, returning a typed result;
this module only calls them in order, keeps the OCR engine warm between photos, and turns "read
nothing that looks like an SLA table" into `NoTableFound`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from boardsnap.config import Config
from boardsnap.document import Board, ReviewCode, flagged
from boardsnap.errors import NoTableFound
from boardsnap.reading import board as board_stage
from boardsnap.reading import (
    debug,
    due_look,
    faint_lines,
    grid,
    inklines,
    judge,
    load,
    ocr,
    owner_look,
    parse,
    section_look,
    steady_look,
    view_edges,
)
from boardsnap.reading.results import Layout, Photo, Reading, RectifiedBoard
from boardsnap.reading.second_look import grammar_look, second_look

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Extraction:
    board: Board
    photo: Photo
    rectified: RectifiedBoard
    layout: Layout
    reading: Reading
    timings: dict[str, float] = field(default_factory=dict)


class Pipeline:
    """Reads photos with one configuration and one warm OCR engine."""

    def __init__(self, cfg: Config | None = None, engine: ocr.OcrEngine | None = None):
        self.cfg = cfg or Config()
        self._engine = engine
        self._contract = None  # the SLO contract of [slo] files, read on first use

    @property
    def contract(self):
        if self._contract is None and self.cfg.slo.files:
            from boardsnap import slo

            self._contract = slo.load_contract(self.cfg.slo.files)
        return self._contract

    @property
    def engine(self) -> ocr.OcrEngine:
        if self._engine is None:
            self._engine = ocr.make_engine(self.cfg.ocr)
        return self._engine

    def extract(self, path: str | Path, debug_dir: Path | None = None) -> Extraction:
        cfg = self.cfg
        t: dict[str, float] = {}
        t0 = time.perf_counter()
        photo = load.load_photo(path, cfg.load)
        t["load"] = time.perf_counter() - t0
        stages = ("board", "grid", "ocr", "parse+judge", "faint lines", "sections", "due grammar")
        stages += ("owner grammar", "grammar", "second look", "steady look")
        t.update(dict.fromkeys(stages, 0.0))
        ctx = self._context(path, photo)

        def lap(stage: str) -> None:
            t[stage] += time.perf_counter() - t0 - sum(t.values())

        # Views best first; the next is tried when a view holds no table, or a table of which
        # no row reads as a metric (a frame found on the wrong thing can shear the table so
        # that its rows cross the lines between them). A view that seems to cut the board
        # short (the photo's edge, a shadow's edge taken for the board's) is said to.
        first: tuple[RectifiedBoard, grid.Segmentation] | None = None  # what a failure shows
        chosen: tuple | None = None
        lines_only: tuple | None = None  # a view whose rows were read from lines only
        cut: str | None = None
        for rectified in board_stage.rectifications(photo, cfg.board):
            lap("board")
            seg, read = self._read_view(rectified, ctx, lap)
            if read is None:
                log.info("%s: no table in the view by %s; next view", photo.path, rectified.method)
                continue
            first = first or (rectified, seg)
            reading, frames, doc = read
            if not doc.metrics:
                log.info(
                    "%s: no metric row in the table of the view by %s; next view",
                    photo.path,
                    rectified.method,
                )
                continue
            if not _cells_read(doc):
                # rows read only from lines of writing beside a table that read as none (a
                # frame's corner taken for a table): a view whose table reads is better
                log.info(
                    "%s: no metric row in the table's cells in the view by %s; next view",
                    photo.path,
                    rectified.method,
                )
                lines_only = lines_only or (rectified, seg, reading, frames, doc)
                continue
            chosen = (rectified, seg, reading, frames, doc)
            break
        chosen = _better_view(chosen, lines_only, photo.path)
        if chosen is not None:
            chosen = self._wider(photo, chosen, ctx, lap)
            cut = view_edges.cut_off(chosen[4], chosen[2], chosen[0], photo, cfg.board)
        if chosen is None:
            rectified, seg = first or (rectified, seg)
            if debug_dir is not None:
                debug.write_stages(debug_dir, photo, rectified, seg.layout, seg.clean, cfg.ocr)
            raise NoTableFound(photo.path, "; ".join(seg.layout.notes) or None)
        rectified, seg, reading, frames, doc = chosen
        doc, reading, faint, recut = self._lines_again(chosen, ctx, lap)
        doc, reading, title_said = due_look.title_look(doc, reading, frames, cfg, ctx)
        doc, reading = due_look.due_look(doc, reading, frames, cfg, ctx)
        lap("due grammar")
        doc, reading = owner_look.owner_look(doc, reading, frames, cfg, ctx)
        lap("owner grammar")
        doc, reading = grammar_look(doc, reading, frames, cfg, ctx)
        lap("grammar")
        doc, reading = second_look(doc, reading, seg.clean, self.engine, cfg, ctx)
        lap("second look")
        doc = steady_look.steady_look(doc, reading, seg.clean, self.engine, cfg)
        lap("steady look")
        doc = _titled(doc, cfg.parse.date_order)
        doc = _said(doc, reading, seg, rectified, cut, faint, cfg)
        doc = section_look.flagged(doc, recut)
        if title_said is not None:  # the review date read under the date grammar
            doc = replace(doc, warnings=(title_said, *doc.warnings))
        if debug_dir is not None:
            debug.write_stages(debug_dir, photo, rectified, seg.layout, seg.clean, cfg.ocr)
        if self.contract is not None:  # the board against the SLO contract ([slo] files)
            from boardsnap import slo

            doc = slo.check(doc, self.contract, cfg.judge)
        for note in seg.layout.notes:
            log.info("%s: %s", photo.path, note)
        log.info(
            "%s: board by %s; %s",
            photo.path,
            rectified.method,
            ", ".join(f"{k} {v:.2f}s" for k, v in t.items()),
        )
        return Extraction(doc, photo, rectified, seg.layout, reading, t)

    def _read_view(
        self, view: RectifiedBoard, ctx: parse.ParseContext, lap: Callable[[str], None]
    ) -> tuple[grid.Segmentation, tuple | None]:
        """A view's table found and read, and its document: (segmentation, (reading, frames,
        document)), or (segmentation, None) when the view holds no table. When the table
        found first reads no row from its cells, or none with a name, the view's next table is
        read (`grid.segmentations`: a drying marker's beside a shadow's edge taken for one; last,
        a table taking a column beyond its column lines), and taken when its cells read named
        rows."""
        first: tuple[grid.Segmentation, tuple | None] | None = None
        for seg in grid.segmentations(view, self.cfg.grid):
            lap("grid")
            if seg.layout.grid is None:
                first = first or (seg, None)
                continue
            read = self._read_table(seg, ctx, lap)
            if _cells_read(read[2]):
                if first is not None:
                    log.info("view by %s: its next table read rows; taken", view.method)
                return seg, read
            if first is None or first[1] is None:
                first = (seg, read)
        assert first is not None  # segmentations yields at least one
        return first

    def _read_table(
        self, seg: grid.Segmentation, ctx: parse.ParseContext, lap: Callable[[str], None]
    ) -> tuple:
        """(reading, frames, document) of a segmentation that holds a table."""
        cfg = self.cfg
        reading, frames = ocr.read_layout_frames(seg.layout, seg.clean, self.engine, cfg.ocr)
        if seg.plain is not None:  # a faint table: its cells read undarkened too
            reading = ocr.surer_cells(reading, frames, seg.layout, seg.plain, self.engine, cfg.ocr)
        lap("ocr")
        doc = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
        lap("parse+judge")
        return reading, frames, doc

    def _wider(
        self, photo: Photo, chosen: tuple, ctx: parse.ParseContext, lap: Callable[[str], None]
    ) -> tuple:
        """The chosen view, or the view widened where the board goes on beyond its edge with
        writing (view_edges.widened): below it, or on the side where writing runs into its
        edge. Taken when it reads more items and no fewer rows, or as many with no writing
        running into its edge any more."""
        cfg = self.cfg.board
        view, doc = chosen[0], chosen[4]
        side = view_edges.cut_side(doc, chosen[2], view, photo, cfg)
        wider = view_edges.widened(photo, view, side or "lower", cfg, seen=side is not None)
        lap("board")
        if wider is None:
            return chosen
        seg, read = self._read_view(wider, ctx, lap)
        if read is None or len(read[2].metrics) < len(doc.metrics):
            return chosen
        more = _items(read[2]) - _items(doc)
        clear = (
            side is not None and view_edges.cut_side(read[2], read[0], wider, photo, cfg) is None
        )
        if more < 0 or (more == 0 and not clear):
            return chosen
        log.info(
            "%s: the view widened at its %s edge read more; taken", photo.path, side or "lower"
        )
        return (wider, seg, *read)

    def _lines_again(
        self, chosen: tuple, ctx: parse.ParseContext, lap: Callable[[str], None]
    ) -> tuple[Board, Reading, faint_lines.FaintReading, frozenset]:
        """The chosen view's lines looked at again: faded writing on the darkened board, and
        sections whose lines touch cut again where their lines start. The document and
        reading after both, what the faint look found, and the boxes of the lines cut again."""
        cfg = self.cfg
        rectified, seg, reading, frames, doc = chosen
        faint = faint_lines.read_faint(
            rectified.gray, seg.layout, reading, frames, self.engine, cfg
        )
        if faint.reading is not reading:
            reading = faint.reading
            doc = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
        lap("faint lines")
        doc, reading, recut = section_look.section_look(
            doc, reading, frames, seg.clean, seg.layout, self.engine, cfg, ctx
        )
        lap("sections")
        return doc, reading, faint, recut

    def _context(self, path: str | Path, photo: Photo) -> parse.ParseContext:
        """What the parser knows of this photo and the configuration."""
        cfg = self.cfg
        return parse.ParseContext(
            source=Path(path).name,
            fallback_date=photo.capture_date or photo.file_date,
            date_order=cfg.parse.date_order,
            low_confidence=cfg.ocr.low_confidence,
            low_digit_confidence=cfg.ocr.low_digit_confidence,
            name_match=cfg.parse.name_match,
            review_date_apart_days=cfg.parse.review_date_apart_days,
            capture_date=photo.capture_date,
            review_capture_days=cfg.parse.review_capture_days,
            team=cfg.team.members,
            owner_match=cfg.team.owner_match,
            owner_word_match=cfg.team.owner_word_match,
            services=cfg.team.services,
            service_match=cfg.team.service_match,
            metrics=cfg.team.metrics,
            parse=cfg.parse,
            near_miss_at=cfg.judge.near_miss_at,
        )

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None


def _titled(doc: Board, date_order: str) -> Board:
    """The board with its title as a report shows it (`parse.tidy_title`: "Seanch SLA reNiew"
    is "Search SLA review" when the service is Search), and, when that changed it, a warning
    with the title as read."""
    if not doc.title:
        return doc
    shown = parse.tidy_title(doc.title, doc.service, date_order)
    if shown == doc.title:
        return doc
    said = f"title: read as {doc.title!r}, shown as {shown!r}"
    return replace(doc, title=shown, warnings=(*doc.warnings, said))


def _said(
    doc: Board,
    reading: Reading,
    seg: grid.Segmentation,
    view: RectifiedBoard,
    cut: str | None,
    faint: faint_lines.FaintReading,
    cfg: Config,
) -> Board:
    """The document with what the reading stages know of it said: a view that cuts the board
    short, sections with more lines than items read, the layout's warnings, a faint table's
    rows, lines read from faded ink, and faded writing left unread."""
    if cut is not None:
        doc = view_edges.say_cut(doc, cut, view, cfg.board)
    doc = say_unread_lines(doc, reading, seg, cfg)
    if seg.layout.warnings:
        doc = replace(doc, warnings=doc.warnings + seg.layout.warnings)
    if seg.layout.faint:
        doc = faint_rows(doc)
    doc = faint_lines.flagged(doc, faint.faint)
    if (unread := faint_lines.unread_warning(faint.unread, seg.layout)) is not None:
        doc = replace(doc, warnings=(unread, *doc.warnings))
    return doc


FAINT_REASON = "read from a faintly drawn table (a drying marker?): check against the board"


def _better_view(chosen: tuple | None, lines_only: tuple | None, path: object) -> tuple | None:
    """The view whose table's cells read, unless the view before it whose rows were read from
    lines only read more of the board (the later view the photo itself, or a table found in
    its rim); either when only one was found."""
    if chosen is None or lines_only is None or _items(lines_only[4]) <= _items(chosen[4]):
        return chosen or lines_only
    log.info(
        "%s: the view by %s read more than the one by %s; taken",
        path,
        lines_only[0].method,
        chosen[0].method,
    )
    return lines_only


def _cells_read(doc: Board) -> bool:
    """Whether a table's cells read a row (not only lines of writing beside it) with its metric
    named: a table whose every row has no name has lost its name column (written beyond its
    column lines, grid_columns), and the view's next table may hold it."""
    return any(m.name and len(m.cell_boxes) > 1 for m in doc.metrics)


def _items(doc: Board) -> int:
    """How much of a board a view read: its rows, actions and root causes."""
    return len(doc.metrics) + len(doc.actions) + len(doc.root_causes)


def faint_rows(doc: Board) -> Board:
    """Every row of a table found only among faint lines flagged for review: its cells were
    read from faded ink, where a digit misread with confidence ("0.78" as "0.36") is likely and
    nothing else in the row need show it."""
    note = ((FAINT_REASON, ReviewCode("table.faint", "row")),)
    return replace(doc, metrics=tuple(flagged(m, note) for m in doc.metrics))


def say_unread_lines(doc: Board, reading: Reading, seg: grid.Segmentation, cfg: Config) -> Board:
    """The document with a warning for each section (Root causes, Actions) under whose heading
    more lines of writing start than were read surely as its items, or far fewer lines than
    items (`section_pieces`): lines that touch or run into each other, read as fewer, as nothing, as
    pieces of each other (an action read with low OCR confidence) or each in pieces, are not
    lost without a word. A section already said to be empty or cut off is not said twice."""
    if not reading.lines:
        return doc
    table = seg.layout.grid.bbox if seg.layout.grid is not None else None
    extra = []
    for sec in inklines.section_lines(seg.clean, table, reading.lines, cfg.ocr, cfg.parse):
        what = "actions" if sec.kind == "actions" else "root causes"
        read = len(doc.actions) if sec.kind == "actions" else len(doc.root_causes)
        unsure = sum(
            any(c.code == "ocr.low_confidence" for c in a.review_codes) for a in doc.actions
        )
        if sec.kind != "actions":
            unsure = 0  # a root cause carries no confidence
        pieces = sec.lines > 0 and read >= sec.lines + cfg.ocr.section_pieces
        if (sec.lines <= read - unsure and not pieces) or any(
            w.startswith(what + ":") for w in doc.warnings
        ):
            continue
        why = " (lines read in pieces?)" if pieces else ""
        why = f" ({unsure} of them unsure)" if unsure and not pieces else why
        lines = f"{sec.lines} line{'s' if sec.lines != 1 else ''}"
        extra.append(
            f"{what}: {lines} under {sec.heading!r}, {read} read as {what}{why}; check the board"
        )
    return replace(doc, warnings=(*extra, *doc.warnings)) if extra else doc


_default: dict[Config, Pipeline] = {}


def extract(
    path: str | Path, cfg: Config | None = None, debug_dir: Path | None = None
) -> Extraction:
    """Read one photo into a judged board document (engine kept warm across calls)."""
    cfg = cfg or Config()
    if cfg not in _default:
        _default[cfg] = Pipeline(cfg)
    return _default[cfg].extract(path, debug_dir)
