"""A section whose lines touch, cut again into its lines where they start.

Lines of a section written closer than their own height (four actions squeezed under a heading)
touch all along: the text detector gives two or three of them one box, and the recogniser reads
the line whose ink is darkest there surely and drops the others. Their starts (bullets, first
letters) stay apart, and the section counter (inklines.section_lines) finds each line's start
row there. When it counts more lines under a heading than items were read, the section's ink
is cut again into one line per start: each line is fitted through the glyphs nearest it from its
start row (inklines.refit), and read from its own ink only (inklines.own_masks).

A line of the cut that the detector had already found alone keeps its first reading. The cut
is taken only when every line read from it reads (no empty line, none below `[ocr]
line_min_confidence`) and the section then holds more items than before, the other section no
fewer, and no fewer owners and due dates together are read (counted after the due-date and
owner looks that follow). Items read from the cut are flagged
for review (`text.recut`): which glyph belongs to which line was decided by the cut, not seen.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from boardsnap import document
from boardsnap.config import Config
from boardsnap.document import Board
from boardsnap.geometry import Box
from boardsnap.reading import due_look, inklines, judge, owner_look, parse
from boardsnap.reading.results import Layout, OcrText, Reading

CODE = "text.recut"
REASON = "read from lines written into each other, cut apart where they start: check the board"


def section_look(
    doc: Board,
    reading: Reading,
    frames: dict,
    image: np.ndarray,
    layout: Layout,
    engine: object,
    cfg: Config,
    ctx: parse.ParseContext,
) -> tuple[Board, Reading, frozenset[Box]]:
    """The document and reading with each section that holds more lines than items cut again
    into its lines (when that reads more of it), and the boxes of the lines read so."""
    if not hasattr(engine, "read_line_frames") or len(reading.lines) < 2:
        return doc, reading, frozenset()
    table = layout.grid.bbox if layout.grid is not None else None
    med = float(np.median([ln.box[3] for ln in reading.lines if ln.box is not None]))
    recut: set[Box] = set()
    for sec in inklines.section_lines(image, table, reading.lines, cfg.ocr, cfg.parse):
        before = _items(doc, sec.kind)
        if sec.lines <= before or len(sec.starts) < 2 or sec.heading_box is None:
            continue
        gray = _blanked(image, table)
        end = _ink_end(gray, sec, med)
        own = [ln for ln in reading.lines if _in_section(ln, sec, end)]
        cut = _cut(gray, sec, own, end, med)
        if not cut:
            continue
        first = _read_already(cut, own, med)
        cut = [c for i, c in enumerate(cut) if i not in first]
        read = engine.read_line_frames([crop for _, crop in cut])  # type: ignore[attr-defined]
        if any(not text or conf < cfg.ocr.line_min_confidence for text, conf, _, _ in read):
            continue
        new = []
        for (quad, _), (text, conf, confs, fr) in zip(cut, read, strict=True):
            x0, y0 = quad.min(axis=0)
            x1, y1 = quad.max(axis=0)
            box = (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
            new.append((OcrText(text, conf, box, tuple(confs)), fr))
        kept = [ln for ln in reading.lines if ln not in own or ln in first.values()]
        lines = sorted([*kept, *(t for t, _ in new)], key=_centre_row)
        trial = replace(reading, lines=tuple(lines))
        trial_doc = judge.judge_board(parse.parse_reading(trial, ctx), cfg.judge)
        with_new = {**frames, **{t.box: fr for t, fr in new}}
        if not _reads_more(trial_doc, doc, sec.kind) or _fields(
            _looked(trial_doc, trial, with_new, cfg, ctx)
        ) < _fields(_looked(doc, reading, frames, cfg, ctx)):
            continue
        doc, reading = trial_doc, trial
        for t, fr in new:
            frames[t.box] = fr
            recut.add(t.box)  # type: ignore[arg-type]
    return doc, reading, frozenset(recut)


def _read_already(
    cut: list[tuple[np.ndarray, np.ndarray]], own: list[OcrText], med: float
) -> dict[int, OcrText]:
    """The lines of the cut (by index) that a line read first already is: its box holds only
    that cut line's middle (no other's within a third of its height of its own middle: not
    lines merged), within a quarter of a line of its own middle, and most of its length (not
    a piece of it). Those keep their first reading, read from the detector's own box; only the
    others are read from the cut."""
    mids = [inklines.quad_midline(quad) for quad, _ in cut]
    out: dict[int, OcrText] = {}
    for ln in own:
        x, y, w, h = ln.box  # type: ignore[misc]
        cx, cy = x + w / 2, y + h / 2
        off = [abs(cy - (a + b * cx)) for a, b in mids]
        i = int(np.argmin(off))
        inside = sum(d < h / 3 for d in off)
        length = float(np.ptp(cut[i][0][:, 0]))
        if inside == 1 and off[i] < 0.25 * med and w >= 0.8 * length and i not in out:
            out[i] = ln
    return out


def flagged(doc: Board, recut: frozenset[Box]) -> Board:
    """Actions and root causes read from a line of a section cut again flagged for review."""
    return document.flagged_lines(doc, recut, ((REASON, document.ReviewCode(CODE, "text")),))


def _items(doc: Board, kind: str) -> int:
    return len(doc.actions) if kind == "actions" else len(doc.root_causes)


def _reads_more(trial: Board, doc: Board, kind: str) -> bool:
    """Whether a cut's document holds more items in the section cut than the first, and no
    fewer in the other."""
    other = "root" if kind == "actions" else "actions"
    return _items(trial, kind) > _items(doc, kind) and _items(trial, other) >= _items(doc, other)


def _looked(
    doc: Board, reading: Reading, frames: dict, cfg: Config, ctx: parse.ParseContext
) -> Board:
    """The document as the due-date and owner looks will leave it (they come after this one):
    what a cut is weighed by."""
    doc, reading = due_look.due_look(doc, reading, frames, cfg, ctx)
    return owner_look.owner_look(doc, reading, frames, cfg, ctx)[0]


def _fields(doc: Board) -> int:
    """The owners and due dates the document's actions have: a cut through a blurred section
    can read more lines, each worse, and is not taken when it reads fewer of them."""
    return sum((a.owner is not None) + (a.due is not None) for a in doc.actions)


def _centre_row(t: OcrText) -> float:
    return (t.box[1] + t.box[3] / 2) if t.box else 0.0


def _in_section(line: OcrText, sec: inklines.SectionLines, end: int) -> bool:
    """Whether a line read lies under the section's heading: its middle between the strip's top
    and bottom, its start left of `end`, where the section's writing ends (a column beside the
    section starts further)."""
    if line.box is None or line.box == sec.heading_box:
        return False
    x, y, w, h = line.box
    _, sy, _, sh = sec.box
    return sy <= y + h / 2 <= sy + sh and x < end


def _blanked(image: np.ndarray, table: Box | None) -> np.ndarray:
    """The image, grey, with the table's box white (its ink is no section's writing)."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    gray = gray.copy()
    if table is not None:
        tx, ty, tw, th = table
        gray[max(0, ty) : ty + th, max(0, tx) : tx + tw] = 255
    return gray


def _cut(
    gray: np.ndarray, sec: inklines.SectionLines, own: list[OcrText], end: int, med: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(quad, crop) of each line that starts under the section: the section's ink (its lines'
    boxes and the start strip together, the headings' glyphs left out) sorted among lines fitted
    from the start rows; each crop holds its line's own ink only, `med` (a line's box height on
    this board) high. [] when a start has no ink."""
    ih, iw = gray.shape
    boxes = [ln.box for ln in own if ln.box is not None]
    sx, sy, _, sh = sec.box
    # (a section none of whose lines the detector boxed has only its start strip)
    x0 = max(0, min([sx, *(b[0] for b in boxes)]))
    x1 = min(iw, max([end, *(b[0] + b[2] for b in boxes)]))
    y0 = max(0, min([sy, *(b[1] for b in boxes)]))
    y1 = min(ih, max([sy + sh, *(b[1] + b[3] for b in boxes)]))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    region = gray[y0:y1, x0:x1]
    blob = inklines.ink_mask(region)
    n, labels, stats, centres = cv2.connectedComponentsWithStats(blob, connectivity=8)
    hx, hy, hw, hh = sec.heading_box  # type: ignore[misc]
    for j in range(1, n):
        cx, cy = centres[j, 0] + x0, centres[j, 1] + y0
        heading = hx <= cx <= hx + hw and cy <= hy + 1.1 * hh
        below = cy > sy + sh + 0.35 * med  # the next section's
        if heading or below or stats[j, 4] < 4:
            blob[labels == j] = 0
    fits = parallel_fit(blob, [float(s - y0) for s in sec.starts], sec.box[0] + sec.box[2] / 2 - x0)
    spans = [(-1.0, float(x1 - x0))] * len(fits)
    masks = inklines.own_masks(blob, fits, spans)
    white = int(np.percentile(region, 90))
    out = []
    for (a, b), mine in zip(fits, masks, strict=True):
        if mine.sum() < 8:
            return []
        others = cv2.dilate(((blob > 0) & ~mine).astype(np.uint8), np.ones((3, 3), np.uint8))
        only = gray.copy()
        only[y0:y1, x0:x1][(others > 0) & ~mine] = white
        xs = np.flatnonzero(mine.any(axis=0))
        lx0, lx1 = float(xs[0]), float(xs[-1] + 1)
        quad = inklines.band_quad((a, b), lx0, lx1, 0.6 * med)
        quad = inklines.grown_quad(quad, mine, (0, 0), 0.08 * med) + np.array([x0, y0], np.float32)
        quad[:, 0] = quad[:, 0].clip(0, iw - 1)
        quad[:, 1] = quad[:, 1].clip(0, ih - 1)
        out.append((quad, inklines.quad_crop(only, quad)))
    return out


def _ink_end(gray: np.ndarray, sec: inklines.SectionLines, med: float) -> int:
    """Where the section's writing ends on the right: the first run of columns `med` x 2 wide
    without ink in the section's rows, from its start strip on (a column beside it lies
    further)."""
    sx, sy, _, sh = sec.box
    rows = gray[sy : sy + sh, sx:]
    if rows.size == 0:
        return sx
    inked = inklines.ink_mask(rows).sum(axis=0) > 1
    blank, gap = 0, int(2 * med)
    for x, has in enumerate(inked):
        blank = 0 if has else blank + 1
        if blank > gap:
            return sx + x - blank + 1
    return sx + len(inked)


def parallel_fit(
    blob: np.ndarray, rows: list[float], at: float = 0.0, rounds: int = 8
) -> list[inklines.Fit]:
    """Lines y = a_i + b x through the glyphs (connected pieces of ink) of `blob`, one from each
    start row in `rows` (rows at column `at`), all of one slope: first the slope along which
    the ink's rows are sharpest (`ink_slope`); then each glyph goes with the nearest line, the
    slope is fitted to all lines' glyphs together (each about its own line's middle, weighted by
    its ink) and each line's height to its own glyphs. A section's lines run alike, and a short
    line fitted alone tilts towards the next line's glyphs beyond its end; the long lines hold
    the slope."""
    n, _, stats, centres = cv2.connectedComponentsWithStats(blob, connectivity=8)
    idx = [j for j in range(1, n) if stats[j, 4] >= 4]
    b0 = ink_slope(blob)
    fits = [(r - b0 * at, b0) for r in rows]
    if not idx:
        return fits
    cx, cy = centres[idx, 0], centres[idx, 1]
    weight = stats[idx, 4].astype(float)
    for _ in range(rounds):
        b = fits[0][1]
        assign = np.abs(cy[None, :] - np.array([a + b * cx for a, _ in fits])).argmin(axis=0)
        dx, dy = np.zeros_like(cx), np.zeros_like(cy)
        for i in range(len(fits)):
            sel = assign == i
            if sel.any():
                dx[sel] = cx[sel] - np.average(cx[sel], weights=weight[sel])
                dy[sel] = cy[sel] - np.average(cy[sel], weights=weight[sel])
        spread = float(np.sum(weight * dx * dx))
        b = float(np.clip(np.sum(weight * dx * dy) / spread, -0.25, 0.25)) if spread > 0 else b
        new = []
        for i, (a0, _) in enumerate(fits):
            sel = assign == i
            a = float(np.average(cy[sel] - b * cx[sel], weights=weight[sel])) if sel.any() else a0
            new.append((a, b))
        if np.allclose(new, fits, atol=0.5):
            return new
        fits = new
    return fits


def ink_slope(blob: np.ndarray, most: float = 0.25, step: float = 0.005) -> float:
    """The slope (within +-`most`) along which the ink of `blob` falls into the sharpest rows:
    the ink's row profile taken along each slope, the one whose squares sum highest (lines of
    writing are bands of ink; along their slope the bands are narrowest and tallest)."""
    ys, xs = np.nonzero(blob)
    if len(xs) == 0:
        return 0.0
    best, best_b = -1.0, 0.0
    for b in np.arange(-most, most + step / 2, step):
        rows = np.round(ys - b * xs).astype(np.int64)
        counts = np.bincount(rows - rows.min()).astype(float)
        score = float(np.dot(counts, counts))
        if score > best + 1e-9 or (abs(score - best) <= 1e-9 and abs(b) < abs(best_b)):
            best, best_b = score, float(b)
    return best_b
