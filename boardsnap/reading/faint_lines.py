"""Writing in faded ink outside the table, read from a darkened view.

A marker running dry leaves strokes so pale that the text detector, looking at the board as it
is, finds no line there: a whole Root causes or Actions section can go unread, and with no
heading read nothing says so. After the first reading, ink the darkened board shows (faded ink
made dark, the paper's grain white: grid's darkening) that lies outside the table and outside
every line read is gathered into text-like blobs; where there are any, the detector and the
recogniser run again on the darkened board over those places only. A line found there that no
line read before covers is added to the reading, and what is read from it (a title, a root
cause, an action) is flagged: faded ink is read less surely than it seems.

What ink is still left unread after that is said in a warning ("unread: ..."), so that writing
the tool could not read is never lost without a word.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from boardsnap import document
from boardsnap.config import Config
from boardsnap.document import Board, ReviewCode
from boardsnap.geometry import Box
from boardsnap.reading import grid, ocr
from boardsnap.reading.results import Layout, OcrText, Reading

CODE = "text.faint"
REASON = "read from faded ink (a drying marker?): check against the board"


@dataclass(frozen=True)
class FaintReading:
    reading: Reading  # with the lines read from faded ink added
    faint: frozenset[Box]  # the boxes of those lines
    unread: tuple[Box, ...]  # faded writing still not read by any line


def unread_ink(
    dark: np.ndarray, layout: Layout, lines: tuple[OcrText, ...], cfg: Config
) -> list[Box]:
    """Text-like blobs of the darkened board's ink outside the table and every line read."""
    o = cfg.ocr
    h_img, w_img = dark.shape[:2]
    ink = (dark < o.faint_lines_ink).astype(np.uint8)
    m = max(1, int(o.faint_lines_margin * max(h_img, w_img)))  # the frame, the board's edge
    ink[:m] = 0
    ink[-m:] = 0
    ink[:, :m] = 0
    ink[:, -m:] = 0
    if layout.grid is not None:
        x, y, w, h = layout.grid.bbox
        pad = int(0.01 * max(h_img, w_img))
        ink[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad] = 0
    boxes = [t.box for t in lines if t.box is not None]
    for x, y, w, h in boxes:
        p = int(0.25 * h)
        ink[max(0, y - p) : y + h + p, max(0, x - p) : x + w + p] = 0
    line_h = _line_height(boxes, h_img, o.faint_lines_height)
    k = max(5, int(0.5 * line_h))
    blobs = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((max(3, k // 3), k), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(blobs)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = (int(v) for v in stats[i])
        text_like = 0.4 * line_h <= h <= 3 * line_h and 1.5 * h <= w <= 0.6 * w_img
        # a blob that runs into the left-out margin is the frame or the board's edge
        edge = x <= m + 1 or y <= m + 1 or x + w >= w_img - m - 1 or y + h >= h_img - m - 1
        if text_like and not edge and ink[y : y + h, x : x + w].mean() >= o.faint_lines_fill:
            out.append((x, y, w, h))
    return out


def _line_height(boxes: list[Box], h_img: int, share: float) -> float:
    """The median height of the lines read, or `share` of the view's height if none."""
    return float(np.median([b[3] for b in boxes])) if boxes else share * h_img


def _regions(blobs: list[Box], line_h: float, shape: tuple[int, ...]) -> list[Box]:
    """The blobs gathered into a few regions to look at (those within a line's height of each
    other joined), each grown by a line's height: the detector sees whole lines."""
    h_img, w_img = shape[:2]
    pad = int(line_h)
    rects = [[x - pad, y - pad, x + w + pad, y + h + pad] for x, y, w, h in blobs]
    merged = True
    while merged:
        merged = False
        for i in range(len(rects)):
            for j in range(i + 1, len(rects)):
                a, b = rects[i], rects[j]
                if a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]:
                    rects[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del rects[j]
                    merged = True
                    break
            if merged:
                break
    out = []
    for x0, y0, x1, y1 in rects:
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w_img, x1), min(h_img, y1)
        out.append((x0, y0, x1 - x0, y1 - y0))
    return out


def _covered(box: Box, others: list[Box], share: float) -> bool:
    """Whether `share` of `box` lies under one of `others`."""
    x, y, w, h = box
    for a, b, c, d in others:
        ix = max(0, min(x + w, a + c) - max(x, a))
        iy = max(0, min(y + h, b + d) - max(y, b))
        if ix * iy >= share * max(1, w * h):
            return True
    return False


def read_faint(
    gray: np.ndarray,
    layout: Layout,
    reading: Reading,
    frames: dict,
    engine: ocr.OcrEngine,
    cfg: Config,
) -> FaintReading:
    """The reading with the lines of faded writing outside the table added (see the module)."""
    none = FaintReading(reading, frozenset(), ())
    if not cfg.ocr.faint_lines or not hasattr(engine, "read_block"):
        return none
    dark = grid.darkened(gray, cfg.grid)
    blobs = unread_ink(dark, layout, reading.lines, cfg)
    if not blobs:
        return none
    old = [t.box for t in reading.lines if t.box is not None]
    line_h = _line_height(old, gray.shape[0], cfg.ocr.faint_lines_height)
    outside = dark.copy()
    if layout.grid is not None:
        x, y, w, h = layout.grid.bbox
        outside[max(0, y) : y + h, max(0, x) : x + w] = 255
    # at full scale: shrunk as the board is for the first look, faded strokes break apart
    found = engine.read_block(outside, _regions(blobs, line_h, gray.shape), frames, True)
    new = [t for t in found if t.box is not None and not _covered(t.box, old, 0.3)]
    pieces: list[OcrText] = []
    for t in sorted(new, key=lambda t: -t.confidence):  # one line found twice: the surer
        if not _covered(t.box, [k.box for k in pieces if k.box is not None], 0.5):
            pieces.append(t)
    # A faded piece of a line (the end of an action: its owner and date) is read with the rest
    # of its line as one line. A line is kept when it holds a line read before or is read as
    # surely as `faint_lines_min_confidence` (a piece alone, less sure, is the board's grain);
    # a line with a faded piece in it is one read from faded ink.
    minimum = cfg.ocr.faint_lines_min_confidence
    lines: list[OcrText] = []
    faded: set[Box] = set()
    for t in ocr.join_pieces([*reading.lines, *pieces], frames, cfg.ocr):
        holds = [p.box for p in pieces if p.box is not None and _covered(p.box, [t.box], 1.0)]
        if not holds:
            lines.append(t)  # a line read before, alone
        elif t.confidence >= minimum or any(_covered(b, [t.box], 1.0) for b in old):
            lines.append(t)
            faded.add(tuple(int(v) for v in t.box))
    boxes = [t.box for t in lines if t.box is not None]
    unread = tuple(b for b in blobs if not _covered(b, boxes, 0.3))
    lines.sort(key=lambda t: (t.box[1] + t.box[3] / 2) if t.box else 0)
    return FaintReading(replace(reading, lines=tuple(lines)), frozenset(faded), unread)


def flagged(doc: Board, faint: frozenset[Box]) -> Board:
    """Actions and root causes read from a line of faded ink flagged for review."""
    return document.flagged_lines(doc, faint, ((REASON, ReviewCode(CODE, "text")),))


def unread_warning(unread: tuple[Box, ...], layout: Layout) -> str | None:
    """What to say of faded writing no line was read from, or None: where it is (above, below,
    beside the table), so a person knows where on the board to look."""
    if not unread:
        return None
    places: list[str] = []
    for box in unread:
        where = _where(box, layout)
        if where not in places:
            places.append(where)
    n = len(unread)
    return (
        f"unread: faded writing {' and '.join(places)} ({n} place{'s' if n != 1 else ''}) "
        "was read as no line; check the board"
    )


def _where(box: Box, layout: Layout) -> str:
    if layout.grid is None:
        return "on the board"
    x, y, w, h = box
    tx, ty, tw, th = layout.grid.bbox
    cy, cx = y + h / 2, x + w / 2
    if cy < ty:
        return "above the table"
    if cy > ty + th:
        return "below the table"
    return "left of the table" if cx < tx else "right of the table"
