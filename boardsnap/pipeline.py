"""The recipe: load → find board → segment → read → parse → judge (→ second look at doubtful rows
→ the SLO contract, when one is configured).

Each stage is a function of its input and its section of the config, returning a typed result;
this module only calls them in order, keeps the OCR engine warm between photos, and turns "read
nothing that looks like an SLA table" into `NoTableFound`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from boardsnap import board as board_stage
from boardsnap import debug, grid, judge, load, ocr, parse
from boardsnap.config import Config
from boardsnap.document import Board
from boardsnap.errors import NoTableFound
from boardsnap.results import Layout, Photo, Reading, RectifiedBoard
from boardsnap.second_look import grammar_look, second_look

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
        t["board"] = t["grid"] = t["ocr"] = t["parse+judge"] = t["grammar"] = t["second look"] = 0.0
        ctx = parse.ParseContext(
            source=Path(path).name,
            fallback_date=photo.capture_date or photo.file_date,
            date_order=cfg.parse.date_order,
            low_confidence=cfg.ocr.low_confidence,
            low_digit_confidence=cfg.ocr.low_digit_confidence,
            name_match=cfg.parse.name_match,
        )

        def lap(stage: str) -> None:
            t[stage] += time.perf_counter() - t0 - sum(t.values())

        # Views best first; the next is tried when a view holds no table, or a table of which
        # no row reads as a metric (a frame found on the wrong thing can shear the table so
        # that its rows cross the lines between them).
        first: tuple[RectifiedBoard, grid.Segmentation] | None = None  # what a failure shows
        for rectified in board_stage.rectifications(photo, cfg.board):
            lap("board")
            seg = grid.segment(rectified, cfg.grid)
            lap("grid")
            if seg.layout.grid is None:
                log.info("%s: no table in the view by %s; next view", photo.path, rectified.method)
                continue
            first = first or (rectified, seg)
            reading, frames = ocr.read_layout_frames(seg.layout, seg.clean, self.engine, cfg.ocr)
            lap("ocr")
            doc = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
            lap("parse+judge")
            if doc.metrics:
                doc, reading = grammar_look(doc, reading, frames, cfg, ctx)
                lap("grammar")
                doc, reading = second_look(doc, reading, seg.clean, self.engine, cfg, ctx)
                lap("second look")
                break
            log.info(
                "%s: no metric row in the table of the view by %s; next view",
                photo.path,
                rectified.method,
            )
        else:
            rectified, seg = first or (rectified, seg)
            if debug_dir is not None:
                debug.write_stages(debug_dir, photo, rectified, seg.layout, seg.clean, cfg.ocr)
            raise NoTableFound(photo.path, "; ".join(seg.layout.notes) or None)
        if debug_dir is not None:
            debug.write_stages(debug_dir, photo, rectified, seg.layout, seg.clean, cfg.ocr)
        if seg.layout.warnings:
            doc = replace(doc, warnings=doc.warnings + seg.layout.warnings)
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

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None


_default: dict[Config, Pipeline] = {}


def extract(
    path: str | Path, cfg: Config | None = None, debug_dir: Path | None = None
) -> Extraction:
    """Read one photo into a judged board document (engine kept warm across calls)."""
    cfg = cfg or Config()
    if cfg not in _default:
        _default[cfg] = Pipeline(cfg)
    return _default[cfg].extract(path, debug_dir)
