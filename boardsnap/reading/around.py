"""Where the text detector looks on a board with a table: the parts of the straightened board
above, below and beside the table that hold ink, and one quad per line where those parts
overlap.

The parts beside the table reach `[ocr] around_reach` pixels above and below it: a line written
beside the table at the level of its bottom (or top) edge lies half in the part beside it and
half in the part below (or above); cut there, the detector found neither half whole (seed 9979's
photo 23: "API availability: faster rollback, @tom, 16 Oct" read as "16.0ct"). Where two parts
find the same line, the larger box is kept: the other is the line cut by its part's edge."""

from __future__ import annotations

import numpy as np

from boardsnap.config import OcrConfig
from boardsnap.geometry import Box


def regions_around(image: np.ndarray, table: Box, cfg: OcrConfig, min_side: int = 24) -> list[Box]:
    """The parts of `image` above, below, left and right of the table that hold some ink: the
    text detector looks only there. Ink is `around_ink_contrast` grey levels darker than the
    bare board (its median): a light pen's writing (green, a drying marker: 180 of 255 on a
    board of 243) is ink; the ghosts of erased writing are not. A part beside the table is
    kept when its own rows (the table's) hold ink, and then reaches `around_reach` above and
    below them."""
    ih, iw = image.shape[:2]
    ink_below = float(np.median(image[::4, ::4])) - cfg.around_ink_contrast
    x, y, w, h = table
    x0, y0, x1, y1 = max(0, x), max(0, y), min(iw, x + w), min(ih, y + h)
    top, bottom = max(0, y0 - cfg.around_reach), min(ih, y1 + cfg.around_reach)
    parts = [
        ((0, 0, iw, y0), None),
        ((0, y1, iw, ih - y1), None),
        ((0, y0, x0, y1 - y0), (0, top, x0, bottom - top)),
        ((x1, y0, iw - x1, y1 - y0), (x1, top, iw - x1, bottom - top)),
    ]
    out = []
    for (px, py, pw, ph), reach in parts:
        if min(pw, ph) < min_side:
            continue
        if np.count_nonzero(image[py : py + ph, px : px + pw] < ink_below) < cfg.around_min_ink:
            continue  # blank board
        out.append(reach or (px, py, pw, ph))
    return out


def one_per_line(found: list[tuple[np.ndarray, int]], same: float) -> list[np.ndarray]:
    """The quads of `found` (each with the index of the region it was found in), less those
    that are a line another region found larger: a box of which at least `same` lies inside a
    larger box of another region's. Boxes of one region are all kept (lines written into each
    other overlap)."""
    boxes = [_bounds(q) for q, _ in found]
    areas = [(b[2] - b[0]) * (b[3] - b[1]) for b in boxes]
    dropped: set[int] = set()
    for i, (_, ri) in enumerate(found):
        for j, (_, rj) in enumerate(found):
            if ri == rj or areas[i] > areas[j] or (areas[i] == areas[j] and i < j):
                continue
            a, b = boxes[i], boxes[j]
            dx = min(a[2], b[2]) - max(a[0], b[0])
            dy = min(a[3], b[3]) - max(a[1], b[1])
            if dx > 0 and dy > 0 and dx * dy >= same * areas[i]:
                dropped.add(i)
                break
    return [q for k, (q, _) in enumerate(found) if k not in dropped]


def _bounds(q: np.ndarray) -> tuple[float, float, float, float]:
    (x0, y0), (x1, y1) = q.min(axis=0), q.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)
