"""Where the text detector looks on a board with a table: the parts of the straightened board
above, below and beside the table that hold ink, and the seams between them.

A line written beside the table at the level of its bottom (or top) edge lies half in the part
beside it and half in the part below (or above); cut there, the detector found neither half
whole (seed 9979's photo 23: "API availability: faster rollback, @tom, 16 Oct" read as
"16.0ct"). So the detector also looks at a strip `[ocr] around_reach` pixels either side of each
such edge, a seam; a line the seam finds whole takes the place of the pieces the parts found of
it, and a line the parts found whole is kept as they found it. The parts themselves are not
grown: the detector's boxes depend on what else is in its input (grown parts moved lines
elsewhere: seed 9979's photo 7 lost three actions of a faint board)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from boardsnap.config import OcrConfig
from boardsnap.geometry import Box


@dataclass(frozen=True)
class Around:
    """The parts of the board the detector looks at, and the seams between them."""

    parts: list[Box]
    seams: list[Box]


def regions_around(image: np.ndarray, table: Box, cfg: OcrConfig, min_side: int = 24) -> Around:
    """The parts of `image` above, below, left and right of the table that hold some ink, and
    the seams at the table's top and bottom edges beside it that do, where the part beside the
    table does. Ink is `around_ink_contrast` grey levels darker than the bare board (its
    median): a light pen's writing (green, a drying marker: 180 of 255 on a board of 243) is
    ink; the ghosts of erased writing are not."""
    ih, iw = image.shape[:2]
    ink_below = float(np.median(image[::4, ::4])) - cfg.around_ink_contrast

    def inked(px: int, py: int, pw: int, ph: int) -> bool:
        if min(pw, ph) < min_side:
            return False
        return np.count_nonzero(image[py : py + ph, px : px + pw] < ink_below) >= cfg.around_min_ink

    x, y, w, h = table
    x0, y0, x1, y1 = max(0, x), max(0, y), min(iw, x + w), min(ih, y + h)
    above_below = [(0, 0, iw, y0), (0, y1, iw, ih - y1)]
    sides = [(0, y0, x0, y1 - y0), (x1, y0, iw - x1, y1 - y0)]
    parts = [p for p in above_below + sides if inked(*p)]
    reach = cfg.around_reach
    seams = []
    for side in [p for p in sides if p in parts]:  # a line across an edge inks its side
        for edge in (y0, y1):
            top, bottom = max(0, edge - reach), min(ih, edge + reach)
            if reach and 0 < edge < ih:
                seams.append((side[0], top, side[2], bottom - top))
    return Around(parts, [s for s in seams if inked(*s)])


def one_per_line(
    in_parts: list[np.ndarray], in_seams: list[np.ndarray], same: float
) -> list[np.ndarray]:
    """The lines the parts found, with those the seams found whole in place of their pieces.

    A seam's box at least `same` inside a box of the parts is a line the parts found whole: left
    out. Any other seam's box is a line cut between the parts (or missed by them): kept, and the
    parts' boxes at least `same` inside it (its pieces) left out; of seams' boxes that are the
    same line (two seams overlap beside a short table), the larger."""
    boxes = [_bounds(q) for q in in_parts]
    seam_boxes = [_bounds(q) for q in in_seams]
    new = [
        j
        for j, s in enumerate(seam_boxes)
        if not any(_inside(s, p) >= same for p in boxes)
        and not any(
            k != j and _inside(s, o) >= same and (_area(o), -k) > (_area(s), -j)
            for k, o in enumerate(seam_boxes)
        )
    ]
    kept = [
        q
        for q, p in zip(in_parts, boxes, strict=True)
        if not any(_inside(p, seam_boxes[j]) >= same for j in new)
    ]
    return kept + [in_seams[j] for j in new]


Bounds = tuple[float, float, float, float]  # x0, y0, x1, y1


def _bounds(q: np.ndarray) -> Bounds:
    (x0, y0), (x1, y1) = q.min(axis=0), q.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def _area(b: Bounds) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _inside(a: Bounds, b: Bounds) -> float:
    """The share of box `a` (x0, y0, x1, y1) that lies inside box `b`."""
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy / _area(a) if dx > 0 and dy > 0 and _area(a) else 0.0
