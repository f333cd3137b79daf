"""A metric row written under the table's last rule and read as lines beside the table.

A table drawn without a bottom border, whose last row the grid did not take (its column lines
stop short of that row's writing), leaves that row to the text detector: its cells come back as
pieces of writing right under the table, each under its column ("P50 LATENCY", "<250rS",
"324MIS×"). Those pieces are put back in their columns and read as one more metric row, flagged,
rather than said as lines of writing no one could place. Pure: cells and lines as OCR read them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from boardsnap.document import Metric, ReviewCode, flagged
from boardsnap.geometry import Box
from boardsnap.reading.parse.context import ParseContext
from boardsnap.reading.parse.headings import column_roles
from boardsnap.reading.parse.names import match_metric_name
from boardsnap.reading.parse.rows import _POSITIONAL, _cell, build_metric, split_row_line
from boardsnap.reading.parse.values import _has_number, normalise
from boardsnap.reading.results import OcrText

UNDER = (
    (
        "read from writing under the table's last rule (no rule drawn under it)",
        ReviewCode("row.under_table", "row"),
    ),
)


@dataclass(frozen=True)
class _Columns:
    """The table's columns (x from, x to), its bottom and a row's height, from its cells."""

    spans: tuple[tuple[float, float], ...]
    bottom: float
    row_h: float

    @classmethod
    def of(cls, cells: tuple[tuple[OcrText, ...], ...]) -> _Columns | None:
        boxes = [[c.box for c in row if c.box is not None] for row in cells]
        if not cells or any(len(b) != len(cells[0]) for b in boxes) or len(cells[0]) < 2:
            return None
        spans = tuple(
            (min(row[k][0] for row in boxes), max(row[k][0] + row[k][2] for row in boxes))
            for k in range(len(cells[0]))
        )
        bottom = max(b[1] + b[3] for b in boxes[-1])
        heights = [b[3] for row in boxes for b in row]
        return cls(spans, float(bottom), float(np.median(heights)))

    def column(self, box: Box) -> int | None:
        """The column a piece of writing stands in: the one its middle falls in, when the piece
        does not run on over the next column's middle (a sentence crosses the columns)."""
        x, _, w, _ = box
        mid = x + w / 2
        for k, (a, b) in enumerate(self.spans):
            if a <= mid <= b:
                crossed = [(p + q) / 2 for p, q in self.spans if p > b or q < a]
                return None if any(x < c < x + w for c in crossed) else k
        return None


def row_under_table(
    cells: tuple[tuple[OcrText, ...], ...], lines: list[OcrText], ctx: ParseContext
) -> tuple[tuple[Metric, list[str]] | None, set[int]]:
    """The metric row written under the table's last rule, with its warnings, and the indices
    in `lines` of the pieces it was read from; (None, set()) when the lines right under the
    table are no such row. Only the first line of writing under the table is looked at, and only
    when it starts within two thirds of a row's height of the table and every piece of it stands
    in one column, two columns or more, one of them the metric name's."""
    cols = _Columns.of(cells)
    if cols is None:
        return None, set()
    near = [
        (i, ln)
        for i, ln in enumerate(lines)
        if ln.box is not None
        and normalise(ln.text)
        and cols.bottom - 0.3 * cols.row_h <= ln.box[1] <= cols.bottom + 0.67 * cols.row_h
        and ln.box[1] + ln.box[3] / 2 > cols.bottom
    ]
    if not near:
        return None, set()
    first = min(near, key=lambda p: p[1].box[1])[1]  # type: ignore[index]
    row = [(i, ln) for i, ln in near if _same_line(ln.box, first.box)]  # type: ignore[arg-type]
    if len(row) == 1 and cols.column(first.box) is None:  # type: ignore[arg-type]
        across = _one_line(first, ctx)  # the row read as one line across the columns
        return (across, {row[0][0]}) if across is not None else (None, set())
    placed: dict[int, list[OcrText]] = {}
    for _, ln in sorted(row, key=lambda p: p[1].box[0]):  # type: ignore[index]
        k = cols.column(ln.box)  # type: ignore[arg-type]
        if k is None:
            return None, set()  # writing across the columns: a sentence, not a row
        placed.setdefault(k, []).append(ln)
    roles = next((r for r in (column_roles(c) for c in cells[:2]) if r is not None), None)
    roles = roles or dict(_POSITIONAL)
    if len(placed) < 2 or roles.get("name") not in placed:
        return None, set()
    joined = tuple(_joined(placed.get(k, [])) for k in range(len(cols.spans)))
    name, target, actual = (_cell(joined, roles.get(r)) for r in ("name", "target", "actual"))
    values = " ".join(c.text for c in (target, actual) if c is not None)
    if name is None or not _has_number(values) or len(re.findall(r"[A-Za-z]", name.text)) < 2:
        return None, set()  # a metric row names something and writes a number beside it
    metric, warns = build_metric(name, target, actual, _cell(joined, roles.get("mark")), ctx)
    return (flagged(metric, UNDER), warns), {i for i, _ in row}


def _one_line(line: OcrText, ctx: ParseContext) -> tuple[Metric, list[str]] | None:
    """The row under the table read as one line across its columns ("PEAK THROUGHPUT TMIN 500
    RPS 5415 RPS", seed 9473 photo 8): taken only when it names an SLA metric and writes both
    a target and an actual (a root cause or an action under the table does not)."""
    parts = split_row_line(line.text)
    if parts is None or ":" in parts[0] or not (_has_number(parts[1]) and _has_number(parts[2])):
        return None  # "Uptime: failover took 40 min, 2x": a cause names its metric with a colon
    if match_metric_name(parts[0], ctx.name_match)[1] < ctx.name_match:
        return None
    conf = line.confidence
    name, target, actual = (OcrText(t, conf) for t in parts[:3])
    mark = OcrText(parts[3], conf) if parts[3] else None
    metric, warns = build_metric(name, target, actual, mark, ctx)
    box = tuple(int(v) for v in line.box)  # type: ignore[union-attr]
    return flagged(replace(metric, cell_boxes=(box,)), UNDER), warns  # type: ignore[arg-type]


def _same_line(box: Box, other: Box) -> bool:
    """Whether two boxes stand on one line: they overlap by half the smaller one's height."""
    top, bottom = max(box[1], other[1]), min(box[1] + box[3], other[1] + other[3])
    return bottom - top >= 0.5 * min(box[3], other[3])


def _joined(pieces: list[OcrText]) -> OcrText:
    """The pieces of writing in one column as one cell: their texts in order, the least sure
    piece's confidence, the box round them all."""
    if not pieces:
        return OcrText("", 1.0)
    boxes = [p.box for p in pieces if p.box is not None]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    # one confidence a character, the joining spaces sure, when every piece has its own
    aligned = all(len(p.char_confidences) == len(p.text) for p in pieces)
    confs = [c for k, p in enumerate(pieces) for c in ((1.0,) if k else ()) + p.char_confidences]
    return OcrText(
        " ".join(p.text for p in pieces),
        min(p.confidence for p in pieces),
        (x0, y0, x1 - x0, y1 - y0),
        tuple(confs) if aligned else (),
    )
