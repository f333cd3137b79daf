"""Steady look: the value cells of the rows nothing else doubts, read again under variants of
their crops; a row whose value reads as another number under a variant is flagged.

The recogniser misreads one glyph of hard handwriting with confidence ("377 ms" as "37 ms" at
0.97, "3.26%" as "3.4%", "<250MS" as "<25MS"): every check of the parser passes and the row was
reported unflagged (seed 9979: 8 such rows of 178). Read with its strokes thinner, or squashed to
80 % of its height, such a cell often reads otherwise ("377 ms", "3.46%", "<259MS"), while a cell
read right mostly reads the same. The variant's reading is not taken (it is no surer than the
first): the row is flagged with both, for a person to read the board."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from boardsnap.config import Config
from boardsnap.document import Board, Metric, ReviewCode, flagged
from boardsnap.reading import ocr, parse, second_look
from boardsnap.reading.results import OcrText, Reading

# the second look's variants that mostly read a misread glyph otherwise and a right one alike
VARIANTS = tuple(v for v in second_look.VARIANTS if v[0] in ("with thinner strokes", "squashed"))


def steady_look(
    doc: Board, reading: Reading, clean: np.ndarray, engine: ocr.OcrEngine, cfg: Config
) -> Board:
    """The board with each unflagged row whose target or actual reads as another number under
    a variant of its cell's crop flagged (`second_look.unsteady`), naming both readings."""
    if not cfg.ocr.steady_look or not hasattr(engine, "read_line_frames"):
        return doc
    where = second_look.cells_by_box(reading)
    todo: list[tuple[int, str, OcrText]] = []
    crops: list[np.ndarray] = []
    for i, m in enumerate(doc.metrics):
        if m.needs_review or len(m.cell_boxes) < 3:
            continue
        for what, box in (("target", m.cell_boxes[1]), ("actual", m.cell_boxes[2])):
            rc = where.get(box)
            if rc is None or box == m.cell_boxes[0]:
                continue  # a row read from one merged cell
            first = reading.cells[rc[0]][rc[1]]
            crop = ocr.prepare_crop(clean, box, cfg.ocr, True) if first.text else None
            if crop is None or parse.read_value(first.text).value is None:
                continue
            todo.append((i, what, first))
            crops.extend(make(crop) for _, make in VARIANTS)
    if not todo:
        return doc
    read = engine.read_line_frames(  # type: ignore[attr-defined]
        crops, cfg.ocr.second_look_value_min_width, cfg.ocr.second_look_pack_gap
    )
    metrics = list(doc.metrics)
    for k, (i, what, first) in enumerate(todo):
        texts = [r[0] for r in read[k * len(VARIANTS) : (k + 1) * len(VARIANTS)]]
        metrics[i] = _noted(metrics[i], what, first.text, texts)
    return replace(doc, metrics=tuple(metrics))


def _noted(m: Metric, what: str, first: str, texts: list[str]) -> Metric:
    """`m` flagged for the first variant reading that says another number than `first` in the
    same unit. A variant that reads another unit or none has misread the unit, more likely
    than not ("<=2%" squashed: "<=22"; "<=1S" thinner: "C⇐15"): the number is not what it
    doubts. Nor does one with the same digits and the point elsewhere or gone ("99.1%" squashed:
    "991%", "98%" thinner: "9.8%"): over seven seeds, 6 of the 11 flags on right rows were such,
    and 1 of the 17 on wrong rows (9979 photo 25, whose error was its comparator). A first
    reading that lost its point is mostly implausible, and flagged, before this look."""
    said = parse.read_value(first)
    for (words, _), text in zip(VARIANTS, texts, strict=True):
        again = parse.read_value(text)
        if _digits(text) == _digits(first):
            continue  # only the point moved: the variants lose and invent points (see below)
        if again.value is not None and again.unit == said.unit and again.value != said.value:
            reason = f"{what} read as {first!r}, but as {text!r} when read again {words}"
            reason += ": check the board"
            return flagged(m, ((reason, ReviewCode("second_look.unsteady", what)),))
    return m


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
