"""A column written beyond a table's outermost column line, where no rule says it is there.

A table drawn without an outer border gets its first and last columns from the extent of its
row lines (grid.py). When those were not found either (a drying marker's dashes, too faint or
too broken for the line masks), the table ends at its outermost column line and the column
beyond it, the metric names on the left, is left out of it: the grid is "Target | Actual" and
the board has no SLA table (seed 9993 photo 15), or the names are read as lines of their own.

Such a column is taken when writing stands just beyond that line in most of the table's rows
(not in one or two: a word beside the table) and ends within reach (writing that runs on is a
sentence or a frame beside the table, not a column). A pure function of line positions and the
text-ink mask, as `grid_rows` is.
"""

from __future__ import annotations

import numpy as np

from boardsnap.config import GridConfig


def outer_columns(
    xs: list[float], ys: list[float], text_ink: np.ndarray, cfg: GridConfig
) -> list[float]:
    """`xs` with a first column before it, a last one after it, or both, where writing shows
    one (see the module's docstring); `xs` itself otherwise."""
    if len(xs) < 3 or len(ys) < 3:
        return xs  # one column between two lines is a frame or a box, not a table yet
    out = list(xs)
    left = _beyond(out, ys, text_ink, cfg)
    if left is not None:
        out.insert(0, out[0] - left)
    flipped = text_ink[:, ::-1]
    w = text_ink.shape[1]
    right = _beyond([w - x for x in reversed(out)], ys, flipped, cfg)
    if right is not None:
        out.append(out[-1] + right)
    return out


def _beyond(xs: list[float], ys: list[float], ink: np.ndarray, cfg: GridConfig) -> float | None:
    """How far before `xs[0]` a column of writing reaches (a width), or None when there is
    none."""
    row_h = float(np.median(np.diff(ys)))
    col_w = float(np.median(np.diff(xs)))
    edge = xs[0] - max(3.0, 0.15 * row_h)  # the line's own ink stays out
    reach = cfg.outer_column_reach * col_w
    start = int(max(0.0, edge - reach))
    end = int(edge)
    if end - start < row_h:
        return None
    bands = [ink[int(y0) : int(y1), start:end] for y0, y1 in zip(ys[:-1], ys[1:], strict=True)]
    # a band is written in when its ink spans as much as a short word (a rule's stub, a
    # letter's tail reaching out of the next row, a speck is not)
    written = [b.any(axis=0) for b in bands if b.size and b.any(axis=0).sum() >= 0.8 * row_h]
    if len(written) < max(2, cfg.outer_column_rows * len(bands)):
        return None
    profile = np.any(written, axis=0)
    # from the line outwards, over the word gaps of one name, to where the writing stops
    gap_max = int(1.5 * row_h)
    inked = np.nonzero(profile)[0]
    if inked.size == 0:
        return None
    near = int(inked[-1])
    if end - start - near > cfg.outer_column_near * col_w:
        return None  # no name comes near the line: writing beside the table, not its column
    far = near
    for x in inked[::-1]:
        if far - x > gap_max:
            break
        far = int(x)
    if far < gap_max:
        return None  # the writing may run on past reach: a sentence or a frame, no column
    return float(xs[0] - (start + far)) + 0.3 * row_h
