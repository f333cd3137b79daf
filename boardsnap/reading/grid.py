"""Stage 3: find the hand-drawn table as rows x columns of cells, and the text lines around it.

Ruled lines are found by morphology on the ink mask: an opening with a long thin kernel keeps
runs of ink that stay straight over a short distance (a wobbly, slanted or skipping pen line
still does), and segments that continue each other are chained into one `RuledLine`. The table
is the largest group of horizontal and vertical lines that cross each other. Its outer edges are
the extent of its lines, so a table with no outer border still gets its first and last rows and
columns; a band between two row lines that holds several text lines is split by the gaps in its
ink, or where a rule the grid did not keep runs across it (`grid_rows`). Cells are cropped
between the lines with the lines themselves erased, so text touching a line is kept but the
line is not read as a character.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace

import cv2
import numpy as np

from boardsnap.config import GridConfig
from boardsnap.geometry import Box, Cell, Grid, RuledLine
from boardsnap.reading import grid_columns, grid_rows
from boardsnap.reading.results import Layout, RectifiedBoard

log = logging.getLogger(__name__)


# said on the board document when the table was found only among faint lines: its cells were
# read from faded ink, darkened for OCR, and a faded digit can be read as another
FAINT_WARNING = (
    "the table is drawn faintly (a drying marker?): its cells were read from faded ink; "
    "check the values against the board"
)


def outer_warning(sides: tuple[str, ...]) -> str:
    """What the board document says of a table that took a column beyond its column lines."""
    which = " and ".join(sides)
    return (
        f"table: its {which} column was taken from writing beyond its column lines, where no "
        "rule was found; check the board"
    )


@dataclass(frozen=True, eq=False)
class Segmentation:
    """The layout plus the cleaned image OCR should read (ruled lines erased)."""

    layout: Layout
    clean: np.ndarray  # grey, ink dark on white, lines erased
    ink: np.ndarray  # binary ink mask (255 = ink), lines included
    # a faint table's: `clean` with the table's cells as photographed (rules erased), not
    # darkened; their cells are read from both (ocr.surer_cells)
    plain: np.ndarray | None = None


def segment(board: RectifiedBoard, cfg: GridConfig) -> Segmentation:
    """The table and text lines of `board`, and the image OCR reads.

    Ruled lines are looked for in the ink a global threshold keeps; only when they make no table
    is the board looked at again for faint ruled lines (a drying marker), so a board whose table
    reads at the usual threshold is read exactly as before.
    """
    return next(segmentations(board, cfg))


def segmentations(board: RectifiedBoard, cfg: GridConfig) -> Iterator[Segmentation]:
    """`segment`'s segmentation, then, for a caller that found no SLA table in its table, the
    faint pass's tables when the usual pass had found one: a shadow's edge or the board's
    frame is a group of ruled lines at the usual threshold, and the table drawn with a drying
    marker beside it is found only among faint lines (`[grid] faint_lines`). Of the faint
    pass's tables, the one found with its column lines bridged wider comes first when it goes
    on beyond the other (`_faint_passes`); the other follows, for a caller whose first one read
    no row. Last, for a caller that read no SLA table in any of those, the same passes again with
    a table taking a column written beyond its outermost column line (`grid_columns`): only the
    tables that took one."""
    ink = ink_mask(board.gray)
    yield from _passes(board.gray, ink, replace(cfg, outer_columns=False))
    if cfg.outer_columns:
        # last, for a caller that read no SLA table in any of those: the same passes, a table
        # taking the column written beyond its outermost column line (grid_columns); only the
        # tables that took one (the others were read above)
        for seg in _passes(board.gray, ink, cfg):
            if seg.layout.grid is not None and seg.layout.grid.outer:
                yield seg


def _passes(gray: np.ndarray, ink: np.ndarray, cfg: GridConfig) -> Iterator[Segmentation]:
    found = _segment_with(gray, line_masks(ink, cfg), ink, cfg)
    if not cfg.faint_lines:
        yield found
    elif found.layout.grid is None:
        yield from _faint_passes(gray, ink, found, cfg) or [found]
    else:
        yield found
        yield from _faint_passes(gray, ink, found, cfg, avoid=found.layout.grid.bbox)


def _faint_passes(
    gray: np.ndarray,
    ink: np.ndarray,
    found: Segmentation,
    cfg: GridConfig,
    avoid: Box | None = None,
) -> list[Segmentation]:
    """The segmentations by the tables found among faint ruled lines (none in the place of
    `avoid`: the usual pass's table, read as no SLA table), with the board around the table as
    the usual pass (`found`) cleaned it; none when faint lines make no table, or one whose
    rules the usual pass saw dark (`_dark_share`). The faint ink is bridged down column lines
    twice when its ink goes on along them past the table found first: a dashed column line
    whose dashes stand further apart breaks the table where they start (`_goes_on`)."""
    faint = faint_ink_mask(gray, cfg)
    close = _segment_with(gray, line_masks(faint, cfg, True), ink, cfg, faint, avoid)
    tried = [close]
    grid = close.layout.grid
    if cfg.faint_gap_columns_wide > cfg.faint_gap_columns and (
        grid is None or _columns_go_on(grid, faint, cfg)
    ):
        wide = replace(cfg, faint_gap_columns=cfg.faint_gap_columns_wide)  # dashes further apart
        further = _segment_with(gray, line_masks(faint, wide, True), ink, wide, faint, avoid)
        if _goes_on(further.layout.grid, grid):
            tried.insert(0, further)
    return [seg for seg in (_around_as_found(t, found, ink, faint, cfg) for t in tried) if seg]


def _around_as_found(
    retry: Segmentation, found: Segmentation, ink: np.ndarray, faint: np.ndarray, cfg: GridConfig
) -> Segmentation | None:
    """A faint pass's segmentation with the board around its table as the usual pass cleaned
    it, or None when it holds no table or one whose rules the usual pass saw dark."""
    grid = retry.layout.grid
    if grid is None or _dark_share(grid, ink, faint) > cfg.faint_max_dark:
        return None
    # Around the table the board is read as the usual pass cleaned it. The faint pass bridges
    # skips along faded strokes to find the rules, and a word written with the same drying
    # marker is bridged into a "line" too: erased outside the table, it left a white bar where
    # the word was ("p99 latency: warm cache" read as "p99 ... warm ...").
    inside = _table_zone(grid, found.clean.shape)
    assert retry.plain is not None  # the faint pass's table: its cells as photographed
    clean, plain = found.clean.copy(), found.clean.copy()
    clean[inside] = retry.clean[inside]
    plain[inside] = retry.plain[inside]
    return replace(retry, clean=clean, plain=plain)


def _columns_go_on(grid: Grid, faint: np.ndarray, cfg: GridConfig) -> bool:
    """Whether faint ink goes on along the table's column lines beyond its top or its bottom:
    along half of its column lines, within a row's height past the table, ink on the line's
    track over `faint_goes_on` of that height, and a `faint_goes_on_side` share of that or less
    on one side of the track (a dashed line's dashes are narrow; writing above or below the
    table, which the track crosses, spreads to both sides)."""
    x, y, w, h = grid.bbox
    row = max(4, int(h / grid.rows))
    k = max(3, int(0.006 * faint.shape[1]))

    def cover(band: np.ndarray, a: int, b: int) -> float:
        strip = band[:, max(0, a) : max(0, b)]
        return float(strip.any(axis=1).mean()) if strip.size else 0.0

    going = 0
    for line in grid.v_lines:
        at = int(line.position())
        for band in (faint[max(0, y - row) : y], faint[y + h : y + h + row]):
            on = cover(band, at - k, at + k)
            side = min(cover(band, at - 4 * k, at - 2 * k), cover(band, at + 2 * k, at + 4 * k))
            if on >= cfg.faint_goes_on and side <= cfg.faint_goes_on_side * on:
                going += 1
                break
    return going >= 0.5 * len(grid.v_lines)


def _goes_on(wide: Grid | None, close: Grid | None) -> bool:
    """Whether the table found with wider skips bridged down its column lines is the table
    found with closer ones gone on: as many columns, over the same place, reaching a row's
    height or more above or below it. A dashed column line whose dashes stand further apart
    than the closer bridging reaches breaks, and the table found ends where it broke (seed 9473
    photo 8: 1 row of 7 read, the others under it read as lines of writing)."""
    if wide is None or close is None:
        return wide is not None
    x, y, w, h = close.bbox
    wx, wy, ww, wh = wide.bbox
    inside = wx <= x + w / 2 <= wx + ww and wy <= y + h / 2 <= wy + wh
    row = h / close.rows
    further = y - wy >= row or (wy + wh) - (y + h) >= row
    return inside and wide.cols == close.cols and further


def _table_zone(grid: Grid, shape: tuple[int, ...]) -> tuple[slice, slice]:
    """The table's box with a margin of 1 % of the board's longer side."""
    x, y, bw, bh = grid.bbox
    pad = int(0.01 * max(shape[:2]))
    return slice(max(0, y - pad), y + bh + pad), slice(max(0, x - pad), x + bw + pad)


def _dark_share(grid: Grid, ink: np.ndarray, faint: np.ndarray) -> float:
    """The share of the table's rule ink that the usual threshold keeps too.

    A table found only among faint lines whose rules are dark after all is not a faded table:
    the usual pass saw those rules and rightly made no table of them (a frame found on the wrong
    thing, writing that is not a table), and the next view of the board is the one to try.
    """
    rules = _ruled_ink(faint, [*grid.h_lines, *grid.v_lines], reach=4)
    on_rules = rules > 0
    return float((ink[on_rules] > 0).mean()) if on_rules.any() else 1.0


def _segment_with(
    gray: np.ndarray,
    masks: tuple[np.ndarray, np.ndarray],
    ink: np.ndarray,
    cfg: GridConfig,
    faint: np.ndarray | None = None,
    avoid: Box | None = None,
) -> Segmentation:
    """One pass: ruled lines from the horizontal and vertical line `masks`, text from `ink`
    (255 = ink on 0).

    `faint`: the faint pass's ink, which the masks were made from. The table's cells are then
    read from it, and from the board with faded ink darkened; the writing around the table is
    still the usual ink on the board as it is (only the table's pen is known to be drying, and
    ghosts of erased writing, which the faint ink holds more of, would join text lines there).
    `avoid`: where a table already read as none stands; a table in its place is not taken.
    """
    h, w = gray.shape
    h_mask, v_mask = masks
    h_lines = _chain(_segments(h_mask, "h", w, h), "h", w, h)
    v_lines = _chain(_segments(v_mask, "v", w, h), "v", w, h)
    h_lines, v_lines = (
        _drawn_through(h_lines, v_lines, h_mask, cfg.drawn_cover),
        _drawn_through(v_lines, h_lines, v_mask, cfg.drawn_cover),
    )

    grow = np.ones((5, 5), np.uint8)
    line_ink = h_mask | v_mask
    reach = max(3, int(cfg.faint_erase * max(w, h))) if faint is not None else 0
    lines_zone = cv2.dilate(_ruled_ink(line_ink, h_lines + v_lines, reach), grow)
    text_ink = cv2.bitwise_and(ink, cv2.bitwise_not(lines_zone))
    cell_ink = text_ink if faint is None else cv2.bitwise_and(faint, cv2.bitwise_not(lines_zone))

    notes: list[str] = []
    grid, others = _table(h_lines, v_lines, cell_ink, cfg, w, h, avoid)
    warnings = tuple(
        f"another table ({g.rows} rows x {g.cols} columns) is on the board and was not read; "
        "photograph each table on its own"
        for g in others
    )
    clean = gray.copy()
    if grid is None:
        notes.append(
            f"no ruled table among {len(h_lines)} horizontal and {len(v_lines)} vertical lines"
        )
        if faint is not None:  # the usual pass's layout stands; no need to finish this one
            return Segmentation(Layout(None, (), tuple(notes)), clean, ink)
        outside = text_ink
    else:
        notes.append(f"table of {grid.rows} rows x {grid.cols} columns")
        outside = text_ink.copy()
        x, y, bw, bh = grid.bbox
        pad = int(0.01 * max(w, h))
        inside = _table_zone(grid, gray.shape)
        outside[inside] = 0
        if grid.outer:
            notes[-1] += f" ({' and '.join(grid.outer)} column beyond its column lines)"
            warnings += (outer_warning(grid.outer),)
        if faint is not None:
            notes[-1] += " drawn faintly (a drying marker?)"
            warnings += (FAINT_WARNING,)
            clean[inside] = darkened(gray, cfg)[inside]
        # inside the table only its own rules are erased: a straight stroke there that is not
        # one of them is a tall letter ("l", "1", "b") that the cell's text needs
        box = (x - pad, y - pad, bw + 2 * pad, bh + 2 * pad)
        rules = [*grid.h_lines, *grid.v_lines]
        rules += [ln for ln in h_lines + v_lines if not _overlaps(ln, box)]
        lines_zone = cv2.dilate(_ruled_ink(line_ink, rules, reach), grow)
    plain = None
    if grid is not None and faint is not None:
        plain = gray.copy()  # darkening breaks a stroke the drying marker left whole
        plain[lines_zone > 0] = 255
    clean[lines_zone > 0] = 255
    text_lines = find_text_lines(outside)
    layout = Layout(
        grid=grid,
        text_lines=text_lines,
        notes=tuple(notes),
        warnings=warnings,
        faint=grid is not None and faint is not None,
    )
    return Segmentation(layout, clean, ink, plain)


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Marker ink as 255 on 0; faint ghosts of erased writing stay out."""
    mask = (gray < ink_threshold(gray)).astype(np.uint8) * 255
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def ink_threshold(gray: np.ndarray) -> float:
    """Grey level below which a pixel is ink: Otsu's, kept within sane bounds."""
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(min(max(otsu, 120), 210))


def faint_ink_mask(gray: np.ndarray, cfg: GridConfig) -> np.ndarray:
    """Ink as faint as a drying marker leaves it: darker than the board by `faint_contrast`.

    The board's lighting is already divided out (the rectified grey is ~white everywhere), so the
    paper's level is one number, its median; the threshold is that level less a fixed contrast,
    not Otsu's, which a board of dark writing sets far below a faded pen's grey. Ghosts of erased
    writing are fainter still and stay out (the generator's darken the board by 10 % at most).
    """
    thresh = max(ink_threshold(gray), _paper(gray) - cfg.faint_contrast)
    mask = (gray < thresh).astype(np.uint8) * 255
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def _paper(gray: np.ndarray) -> float:
    """The bare board's grey: the median of the (lighting-flattened) board, most of which is
    bare; every 4th pixel each way is as good a sample and 16 times quicker to sort."""
    return float(np.median(gray[::4, ::4]))


def darkened(gray: np.ndarray, cfg: GridConfig) -> np.ndarray:
    """The board for OCR with faded ink made dark and the paper's grain white.

    OCR stretches a crop's contrast from its darkest ink to its paper; with a faded pen that
    darkest is near the paper and the grain would be stretched into grey noise round broken
    strokes. Here each pixel's darkness below the bare board (the median less `faint_grain`
    spreads of its grain, measured robustly: most pixels are board) is multiplied by
    `faint_gain`, after a light blur that joins a stroke's blotches and evens the grain.
    """
    paper = _paper(gray)
    sample = gray[::4, ::4].astype(np.float32)
    spread = 1.4826 * float(np.median(np.abs(sample - paper)))
    bare = paper - cfg.faint_grain * max(1.0, spread)
    smooth = cv2.GaussianBlur(gray, (0, 0), 1.0).astype(np.float32)
    dark = np.clip((bare - smooth) * cfg.faint_gain, 0, 255)
    return (255 - dark).astype(np.uint8)


def line_masks(
    ink: np.ndarray, cfg: GridConfig, faint: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruled-line ink: runs of `ink` straight for `line_kernel`.

    `faint`: the ink is a drying marker's, a line of blotches with bare skips between them; the
    skips up to `faint_gap` (`faint_gap_columns` down a column line) are bridged along each
    direction before the opening, and what comes out thicker across than `faint_thickness` is
    lines of words the bridging ran together. Down a column the bridge is shorter: there it
    would join the letters written above and below a row line, through it, into a thin chain.
    """
    h, w = ink.shape
    # thicken across the line direction first, so a slanted or wobbly line survives the opening
    k_h = max(15, int(cfg.line_kernel * w))
    k_v = max(15, int(cfg.line_kernel * h))
    thick_h = cv2.dilate(ink, np.ones((5, 1), np.uint8))
    thick_v = cv2.dilate(ink, np.ones((1, 5), np.uint8))
    run_h, run_v = ink, ink
    if faint:
        g_h, g_v = max(3, int(cfg.faint_gap * w)), max(3, int(cfg.faint_gap_columns * h))
        thick_h = cv2.morphologyEx(thick_h, cv2.MORPH_CLOSE, np.ones((1, g_h), np.uint8))
        thick_v = cv2.morphologyEx(thick_v, cv2.MORPH_CLOSE, np.ones((g_v, 1), np.uint8))
        run_h = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, g_h), np.uint8))
        run_v = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((g_v, 1), np.uint8))
    h_mask = cv2.morphologyEx(thick_h, cv2.MORPH_OPEN, np.ones((1, k_h), np.uint8))
    v_mask = cv2.morphologyEx(thick_v, cv2.MORPH_OPEN, np.ones((k_v, 1), np.uint8))
    if faint:
        h_mask = _thin_only(h_mask, max(7, int(cfg.faint_thickness * h)), "h")
        v_mask = _thin_only(v_mask, max(7, int(cfg.faint_thickness * w)), "v")
    # back to the ink that made them (undo the thickening), then bridge small pen skips
    h_mask = cv2.bitwise_and(cv2.dilate(h_mask, np.ones((3, 3), np.uint8)), run_h)
    v_mask = cv2.bitwise_and(cv2.dilate(v_mask, np.ones((3, 3), np.uint8)), run_v)
    return h_mask, v_mask


def _thin_only(mask: np.ndarray, thickness: int, orient: str) -> np.ndarray:
    """`mask` less what is `thickness` or more across its direction (a run of words)."""
    across = np.ones((thickness, 1) if orient == "h" else (1, thickness), np.uint8)
    thick = cv2.morphologyEx(mask, cv2.MORPH_OPEN, across)
    return cv2.bitwise_and(mask, cv2.bitwise_not(cv2.dilate(thick, np.ones((3, 3), np.uint8))))


def _overlaps(line: RuledLine, box: Box) -> bool:
    x, y, bw, bh = box
    return any(x <= px <= x + bw and y <= py <= y + bh for px, py in line.points)


def _ruled_ink(mask: np.ndarray, lines: list[RuledLine], reach: int = 0) -> np.ndarray:
    """The pieces of `mask` that make up the chained ruled lines.

    The line masks also hold every straight run of ink longer than the kernel, and a tall
    handwritten letter ("l", "b", "1") is one; only the pieces a ruled line runs through are
    erased before OCR, so the letters stay. `reach` > 0 keeps only what lies within that many
    pixels of a line's track: faint line masks are bridged along their direction, and a piece
    of one can run on into the writing beside the line.
    """
    track = np.zeros_like(mask)
    for line in lines:
        pts = np.array(line.points, np.float32).round().astype(np.int32)
        cv2.polylines(track, [pts.reshape(-1, 1, 2)], False, 255, thickness=3)
    n, labels = cv2.connectedComponents(mask, connectivity=8)
    on_line = np.zeros(n, bool)
    on_line[np.unique(labels[(track > 0) & (mask > 0)])] = True
    on_line[0] = False
    pieces = (on_line[labels] * 255).astype(np.uint8)
    if reach > 0:
        near = cv2.dilate(track, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
        pieces = cv2.bitwise_and(pieces, near)
    return pieces


@dataclass
class _Seg:
    lo: float  # start along the line
    hi: float  # end along the line
    pts: list[tuple[float, float]]  # (along, across)


def _segments(mask: np.ndarray, orient: str, w: int, h: int) -> list[_Seg]:
    m = mask if orient == "h" else mask.T
    length = w if orient == "h" else h
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    segs = []
    min_len = 0.03 * length
    for i in range(1, n):
        x, y, sw, sh, area = stats[i]
        if sw < min_len or sh > 0.25 * sw + 12:
            continue
        ys, xs = np.nonzero(labels[y : y + sh, x : x + sw] == i)
        step = max(4, sw // 40)
        pts = []
        for a in range(0, sw, step):
            sel = (xs >= a) & (xs < a + step)
            if sel.any():
                pts.append((float(x + a + step / 2), float(y + ys[sel].mean())))
        segs.append(_Seg(float(x), float(x + sw), pts))
    return segs


def _chain(segs: list[_Seg], orient: str, w: int, h: int) -> list[RuledLine]:
    """Join segments that continue each other (pen skips) into lines."""
    length = w if orient == "h" else h
    max_gap = 0.06 * length  # pen skips; letters are shorter than the kernel, so none chain
    max_off = 0.012 * length
    segs = sorted(segs, key=lambda s: s.lo)
    chains: list[_Seg] = []
    for s in segs:
        best = None
        for c in chains:
            gap = s.lo - c.hi
            if -0.02 * length < gap < max_gap:
                off = abs(c.pts[-1][1] - s.pts[0][1])
                if off < max_off + 0.05 * max(gap, 0) and (best is None or off < best[0]):
                    best = (off, c)
        if best is not None:
            c = best[1]
            c.hi = max(c.hi, s.hi)
            c.pts.extend(s.pts)
        else:
            chains.append(_Seg(s.lo, s.hi, list(s.pts)))
    out = []
    for c in chains:
        if c.hi - c.lo < 0.06 * length:
            continue
        pts = sorted(c.pts)
        if orient == "v":
            pts = [(b, a) for a, b in pts]
        out.append(RuledLine(orient, tuple(pts)))
    return out


def _drawn_through(
    lines: list[RuledLine], across: list[RuledLine], mask: np.ndarray, cover: float
) -> list[RuledLine]:
    """The lines whose ink runs on through the lines they cross.

    Tall letters that happen to stand one above the other in consecutive rows ("l" of "latency"
    under the "T" of "MTTR") chain into something line-shaped across the table, but each stops
    short of the row lines between them; a drawn rule crosses them. A line with at least two
    crossings inside its length, most of them with no ink of its own on both sides, is writing,
    unless its ink covers at least `cover` of its length: a rule drawn cell by cell, its pen
    lifted where it meets the column lines (letters leave gaps a row's margins wide).
    """
    h, w = mask.shape
    reach = max(6, round(0.01 * max(h, w)))
    kept = []
    for ln in lines:
        lo, hi = ln.span()
        inner = through = 0
        for other in across:
            olo, ohi = other.span()
            at = other.at(ln.position())  # where `other` is, along `ln`
            if not (lo + 2 * reach < at < hi - 2 * reach):
                continue
            pos = ln.at(at)  # where `ln` is, along `other`
            if not (olo - reach <= pos <= ohi + reach):
                continue
            inner += 1
            p, a = round(pos), round(at)
            if ln.orientation == "v":
                sides = (
                    mask[a - reach - 2 : a - reach + 3, max(0, p - 4) : p + 5],
                    mask[a + reach - 2 : a + reach + 3, max(0, p - 4) : p + 5],
                )
            else:
                sides = (
                    mask[max(0, p - 4) : p + 5, a - reach - 2 : a - reach + 3],
                    mask[max(0, p - 4) : p + 5, a + reach - 2 : a + reach + 3],
                )
            through += all(side.any() for side in sides)
        if inner >= 2 and through < 0.5 * inner and _coverage(ln, mask) < cover:
            continue
        kept.append(ln)
    return kept


def _coverage(line: RuledLine, mask: np.ndarray) -> float:
    """The share of a line's length along which `mask` has ink on its track (4 pixels
    either side)."""
    lo, hi = line.span()
    size = mask.shape[1] if line.orientation == "h" else mask.shape[0]
    along = np.arange(max(0, int(lo)), min(int(hi), size - 1) + 1)
    if along.size == 0:
        return 0.0
    pts = sorted(line.points, key=lambda p: p[0] if line.orientation == "h" else p[1])
    at = [(p[0], p[1]) if line.orientation == "h" else (p[1], p[0]) for p in pts]
    track = np.round(np.interp(along, [a for a, _ in at], [b for _, b in at])).astype(int)
    offsets = np.arange(-4, 5)
    across = np.clip(
        track[:, None] + offsets[None, :], 0, mask.shape[0 if line.orientation == "h" else 1] - 1
    )
    ink = mask[across, along[:, None]] if line.orientation == "h" else mask[along[:, None], across]
    return float((ink > 0).any(axis=1).mean())


def _table(
    h_lines: list[RuledLine],
    v_lines: list[RuledLine],
    text_ink: np.ndarray,
    cfg: GridConfig,
    w: int,
    h: int,
    avoid: Box | None = None,
) -> tuple[Grid | None, list[Grid]]:
    """The SLA table (the largest plausible group of crossing rules) and any other plausible
    tables, which are not read but must not go unmentioned; none in the place of `avoid`."""
    # the board's own edges (frame remnants after rectification) are not table rules
    edge = 0.03
    h_lines = [ln for ln in h_lines if edge * h < ln.position() < (1 - edge) * h]
    v_lines = [ln for ln in v_lines if edge * w < ln.position() < (1 - edge) * w]
    if not h_lines or not v_lines:
        return None, []
    tol = 0.012 * max(w, h)  # how far a rule may stop short of (or overshoot) another
    # bipartite crossing graph; each connected group of crossing lines is a candidate table
    edges = []
    for i, hl in enumerate(h_lines):
        x0, x1 = hl.span()
        for j, vl in enumerate(v_lines):
            y0, y1 = vl.span()
            x = vl.at(hl.position())
            y = hl.at(vl.position())
            if x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol:
                edges.append((i, j))
    parent = list(range(len(h_lines) + len(v_lines)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, j in edges:
        parent[find(i)] = find(len(h_lines) + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i, j in edges:
        groups.setdefault(find(i), []).append((i, j))
    # the largest group that makes a plausible table; other plausible ones are only counted
    found = []
    for group in sorted(groups.values(), key=len, reverse=True):
        if len(group) < (cfg.min_rows + 1) * (cfg.min_cols + 1) and found:
            break  # too few crossings for another table's rules
        grid = _grid_from_group(group, h_lines, v_lines, text_ink, cfg, w, h)
        if grid is not None and not (avoid is not None and _same_place(grid.bbox, avoid)):
            found.append(grid)
    return (found[0], found[1:]) if found else (None, [])


def _same_place(box: Box, other: Box) -> bool:
    """Whether two boxes are mostly the same place: their overlap half their union or more (a
    table inside a larger one, the board's frame taken for a table round it, is elsewhere)."""
    ax, ay, aw, ah = box
    bx, by, bw, bh = other
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    return w * h >= 0.5 * (aw * ah + bw * bh - w * h)


def _grid_from_group(
    best: list[tuple[int, int]],
    h_lines: list[RuledLine],
    v_lines: list[RuledLine],
    text_ink: np.ndarray,
    cfg: GridConfig,
    w: int,
    h: int,
) -> Grid | None:
    if len(best) < 2:
        return None
    group_h = {i for i, _ in best}
    # a stroke of handwriting that crosses one rule is not a column line: keep the lines about
    # as long as the table's longest, then of those the ones that cross about as many of the
    # others as the best do (counting crossings with short strokes would let tall letters
    # outvote a faint row line)
    long_h, long_v = _long(best, 0, h_lines), _long(best, 1, v_lines)
    best = [(i, j) for i, j in best if i in long_h and j in long_v]
    if len(best) < 2:
        return None
    hs = _prune(best, 0)
    vs = _prune(best, 1)
    best = [(i, j) for i, j in best if i in hs and j in vs]
    if len(best) < 2:
        return None
    rows_l = [h_lines[i] for i in sorted(hs, key=lambda i: h_lines[i].position())]
    cols_l = [v_lines[j] for j in sorted(vs, key=lambda j: v_lines[j].position())]

    # the table's extent is the extent of its lines (works with or without an outer border)
    # (the median end, so one line that runs on into the writing around the table does not
    # stretch it)
    left = min(_median_end(rows_l, 0), min(vl.position() for vl in cols_l))
    right = max(_median_end(rows_l, 1), max(vl.position() for vl in cols_l))
    top = min(_median_end(cols_l, 0), min(hl.position() for hl in rows_l))
    bottom = max(_median_end(cols_l, 1), max(hl.position() for hl in rows_l))

    min_gap = 0.02 * h
    ys = grid_rows.boundaries([hl.position() for hl in rows_l], top, bottom, min_gap)
    xs = grid_rows.boundaries([vl.position() for vl in cols_l], left, right, 0.03 * w)
    # pieces of row lines too short to be kept as the table's (a rule broken by a shadow)
    pieces = [h_lines[i] for i in sorted(group_h - hs)]
    pieces = [pc for pc in pieces if pc.span()[1] - pc.span()[0] >= cfg.rule_piece * (right - left)]
    ys = grid_rows.split_rows(ys, left, right, text_ink, [pc.position() for pc in pieces], cfg)
    # (rows are split between the column lines only: a column of names beyond them, its
    # writing on baselines of its own, would close the gaps between rows)
    outer: tuple[str, ...] = ()
    if cfg.outer_columns:
        wider = grid_columns.outer_columns(xs, ys, text_ink, cfg)
        outer = (("first",) if wider[0] < xs[0] else ()) + (("last",) if wider[-1] > xs[-1] else ())
        left, right, xs = min(left, wider[0]), max(right, wider[-1]), wider
    ys = grid_rows.trailing_row(ys, xs, cols_l, text_ink)
    bottom = max(bottom, ys[-1])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < cfg.min_rows or n_cols < cfg.min_cols or n_cols > cfg.max_cols:
        return None

    cells = []
    for r in range(n_rows):
        for c in range(n_cols):
            x0, x1, y0, y1 = xs[c], xs[c + 1], ys[r], ys[r + 1]
            m = int(cfg.cell_margin * 0.25 * min(x1 - x0, y1 - y0))
            box = (
                int(x0) + m,
                int(y0) + m,
                max(1, int(x1 - x0) - 2 * m),
                max(1, int(y1 - y0) - 2 * m),
            )
            cells.append(Cell(r, c, box))
    bbox = (int(left), int(top), int(right - left), int(bottom - top))
    return Grid(n_rows, n_cols, tuple(cells), bbox, tuple(rows_l), tuple(cols_l), outer)


def _median_end(lines: list[RuledLine], end: int) -> float:
    return float(np.median([ln.span()[end] for ln in lines]))


def _long(crossings: list[tuple[int, int]], side: int, lines: list[RuledLine]) -> set[int]:
    lengths = {pair[side]: lines[pair[side]].span() for pair in crossings}
    longest = max(hi - lo for lo, hi in lengths.values())
    return {k for k, (lo, hi) in lengths.items() if hi - lo >= 0.5 * longest}


def _prune(crossings: list[tuple[int, int]], side: int) -> set[int]:
    count: dict[int, int] = {}
    for pair in crossings:
        count[pair[side]] = count.get(pair[side], 0) + 1
    most = max(count.values())
    return {k for k in count if count[k] >= 0.5 * most}


def find_text_lines(ink: np.ndarray) -> tuple[Box, ...]:
    """Boxes of text lines in `ink`, top to bottom: words joined along the line."""
    h, w = ink.shape
    join = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (max(9, w // 60), 3)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(join, connectivity=8)
    boxes = []
    edge = int(0.012 * max(w, h))
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if bh < 0.012 * h or bh > 0.15 * h or bw < 0.015 * w:
            continue
        if x <= edge or y <= edge or x + bw >= w - edge or y + bh >= h - edge:
            continue  # frame remnants along the board's edge
        boxes.append([x, y, x + bw, y + bh])
    # merge pieces of one line: vertical overlap and a modest horizontal gap
    boxes.sort(key=lambda b: b[0])
    merged: list[list[int]] = []
    for b in boxes:
        for m in merged:
            overlap = min(m[3], b[3]) - max(m[1], b[1])
            if overlap > 0.5 * min(m[3] - m[1], b[3] - b[1]) and b[0] - m[2] < 0.06 * w:
                m[0], m[1] = min(m[0], b[0]), min(m[1], b[1])
                m[2], m[3] = max(m[2], b[2]), max(m[3], b[3])
                break
        else:
            merged.append(list(b))
    merged.sort(key=lambda b: (b[1] + b[3]) / 2)
    return tuple((b[0], b[1], b[2] - b[0], b[3] - b[1]) for b in merged)
