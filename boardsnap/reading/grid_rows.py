"""Where a table's rows run, between the row lines the grid stage found.

The row lines' positions plus the table's extent where no line was drawn (`boundaries`); a
band between two row lines split where it holds several lines of writing, or where a rule runs
across a band two rows tall that the grid did not keep as one of its lines (`split_rows`); a
last row written under the last rule of a table drawn without a bottom border
(`trailing_row`). Pure functions of line positions and the text-ink mask.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from boardsnap.config import GridConfig
from boardsnap.geometry import RuledLine


def boundaries(lines: list[float], lo: float, hi: float, min_gap: float) -> list[float]:
    """Line positions, plus the table's extent at either end where no line was drawn there.

    A line within `min_gap` of the extent is the border itself (the extent is then only its
    overshoot); two lines closer than `min_gap` are one line drawn twice.
    """
    pos = sorted(lines)
    if len(pos) >= 2:
        min_gap = max(min_gap, 0.45 * float(np.median(np.diff(pos))))
    out = list(pos)
    if not out or out[0] - lo >= min_gap:
        out.insert(0, lo)
    if hi - out[-1] >= min_gap:
        out.append(hi)
    merged = [out[0]]
    for p in out[1:]:
        if p - merged[-1] < 0.4 * min_gap:
            merged[-1] = (merged[-1] + p) / 2
        else:
            merged.append(p)
    return merged


def split_rows(
    ys: list[float],
    left: float,
    right: float,
    text_ink: np.ndarray,
    pieces: Sequence[float],
    cfg: GridConfig,
) -> list[float]:
    """Split a band between row lines that holds several text lines (rows drawn without lines),
    or a band as tall as two rows across which a rule runs that was not kept: a piece of a row
    line (`pieces`, their y) or ink the line masks did not keep (`_missed_rule`)."""
    heights = np.diff(ys)
    if len(heights) == 0:
        return ys
    row_h = float(np.median(heights))
    out = [ys[0]]
    for y0, y1 in zip(ys[:-1], ys[1:], strict=False):
        band = text_ink[int(y0) : int(y1), int(left) : int(right)]
        inner = [p - y0 for p in pieces if y0 + 0.25 * row_h < p < y1 - 0.25 * row_h]
        rule = _missed_rule(band, row_h, inner, cfg)
        if rule is not None:
            out.extend((y0 + rule, y1))
            continue
        runs = ink_runs(band)
        if len(runs) >= 2:
            line_h = np.median([b - a for a, b in runs])
            gaps = [
                (runs[k][1] + runs[k + 1][0]) / 2
                for k in range(len(runs) - 1)
                if runs[k + 1][0] - runs[k][1] > 0.3 * line_h
            ]
            out.extend(y0 + g for g in gaps)
        out.append(y1)
    return out


def _missed_rule(
    band: np.ndarray, row_h: float, pieces: Sequence[float], cfg: GridConfig
) -> int | None:
    """Where a rule runs across a band at least `tall_row` rows tall with writing above and
    below it, or None: a piece of a row line too short to be kept as one of the table's
    (`pieces`, y in the band: a rule broken where a shadow falls, seed 9473 photo 6), or else a
    pixel row at least `rule_fill` inked across the table's width (writing fills a third at
    most; a dashed or faint rule the line masks did not keep fills more; seed 9473 photo 0: the
    dashed rule under a faint table's header). Without it the two rows are read as one cell
    each and one is lost."""
    h = band.shape[0]
    if h < cfg.tall_row * row_h or band.shape[1] == 0:
        return None
    edge = int(0.25 * row_h)
    if pieces:
        at = int(np.median(pieces))
    else:
        fill = (band > 0).mean(axis=1)
        inner = fill[edge : h - edge]
        if inner.size == 0 or inner.max() < cfg.rule_fill:
            return None
        at = edge + int(np.argmax(inner))
    clear = max(3, int(0.1 * row_h))  # the rule's own thickness either side
    above, below = band[: max(0, at - clear)], band[at + clear :]
    if len(ink_runs(above)) == 0 or len(ink_runs(below)) == 0:
        return None
    return at


def trailing_row(
    ys: list[float], xs: list[float], cols: list[RuledLine], text_ink: np.ndarray
) -> list[float]:
    """A last row written below the last rule of a table drawn without a bottom border.

    Taken only when a column line runs on below that rule (the table goes on), the first line of
    writing under it starts within a row's height, and its ink falls in two columns or more
    without crossing where a column line would run (a sentence under the table runs across).
    """
    if len(ys) < 3 or len(xs) < 3:
        return ys
    row_h = float(np.median(np.diff(ys)))
    last = ys[-1]
    if not any(vl.span()[1] - last >= 0.3 * row_h for vl in cols):
        return ys
    y0 = int(last)
    band = text_ink[y0 : int(last + 1.5 * row_h), int(xs[0]) : int(xs[-1])]
    runs = ink_runs(band)
    if not runs or runs[0][0] > 0.6 * row_h or runs[0][1] - runs[0][0] > 1.2 * row_h:
        return ys
    line = text_ink[y0 + runs[0][0] : y0 + runs[0][1]]
    k = max(2, int(0.1 * row_h))
    cells = zip(xs[:-1], xs[1:], strict=True)
    inked = sum(bool(line[:, int(a) + k : int(b) - k].any()) for a, b in cells)
    # at a column line drawn on through that writing, its ink is the line's own
    drawn = [vl.position() for vl in cols if vl.span()[1] >= last + runs[0][1]]
    crossed = any(
        line[:, int(x) - k : int(x) + k].any(axis=0).mean() >= 0.5  # writing, not a stub
        for x in xs[1:-1]
        if not any(abs(x - d) < 2 * k for d in drawn)
    )
    if inked < 2 or crossed:
        return ys
    return ys + [last + runs[0][1] + 0.25 * row_h]


def ink_runs(band: np.ndarray) -> list[tuple[int, int]]:
    """Vertical extents of the text lines in `band`, from its row profile."""
    if band.size == 0:
        return []
    profile = (band > 0).sum(axis=1)
    on = profile > max(2, 0.004 * band.shape[1])
    runs, start = [], None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(on)))
    tall = [r for r in runs if r[1] - r[0] >= 0.012 * band.shape[1] or r[1] - r[0] >= 12]
    return tall
