"""The steady look (reading/steady_look.py) on cells of known truth, read by the real recogniser:
a value whose glyphs run into each other, misread with confidence and doubted by nothing else,
is flagged when a variant of its crop reads another number; a plainly written value is not."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from boardsnap.config import Config
from boardsnap.document import ReviewCode
from boardsnap.reading import judge, ocr, parse
from boardsnap.reading.results import OcrText, Reading
from boardsnap.reading.steady_look import steady_look

CFG = Config()
DKG = "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf"
BREIP = "/usr/share/fonts/truetype/breip/Breip.ttf"
PLAIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
UNSTEADY = "second_look.unsteady"

# (name, target, actual as written, its font, how far a repeated digit runs into the one before)
ROWS = (
    ("p99 latency", "< 500ms", "377 ms", DKG, 0.65),
    ("Uptime", ">= 99.5%", "99.88%", DKG, 0.5),
    ("p95 latency", "< 2 s", "1.33 s", DKG, 0.53),
    ("p90 latency", "< 500ms", "488ms", DKG, 0.56),
    ("p50 latency", "< 2 s", "1.33 s", BREIP, 0.62),
    ("Error rate", "< 0.5%", "0.46%", PLAIN, 0.0),
    ("p75 latency", "< 300ms", "240ms", PLAIN, 0.0),
)
CELL = (360, 100)


def _write(draw: ImageDraw.ImageDraw, at: tuple[int, int], text: str, font_path: str, run: float):
    """`text` glyph by glyph, a digit after the same digit drawn `run` of its width into it (as
    a hand writes "77" or "33" in a hurry)."""
    font = ImageFont.truetype(font_path, 56)
    x, y = at
    prev = None
    for ch in text:
        if ch == prev and ch.isdigit():
            x -= draw.textlength(ch, font=font) * run
        draw.text((x, y), ch, font=font, fill=0)
        x += draw.textlength(ch, font=font)
        prev = ch


@pytest.fixture(scope="module")
def looked():
    w, h = CELL
    image = Image.new("L", (3 * w, h * (len(ROWS) + 1)), 255)
    draw = ImageDraw.Draw(image)
    for r, (_, _, actual, font, run) in enumerate(ROWS, start=1):
        _write(draw, (2 * w + 20, r * h + 20), actual, font, run)
    clean = np.array(image)
    engine = ocr.make_engine(CFG.ocr)
    try:
        header = tuple(
            OcrText(t, 0.99, (c * w, 0, w, h)) for c, t in enumerate(("Metric", "Target", "Actual"))
        )
        cells = [header]
        for r, (name, target, *_rest) in enumerate(ROWS, start=1):
            box = (2 * w, r * h, w, h)
            crop = ocr.prepare_crop(clean, box, CFG.ocr, True)
            text, conf, confs, _ = engine.read_line_frames([crop])[0]
            sure = [
                OcrText(t, 0.99, (c * w, r * h, w, h), (0.99,) * len(t))
                for c, t in enumerate((name, target))
            ]
            cells.append((*sure, OcrText(text, conf, box, confs)))
        reading = Reading(cells=tuple(cells))
        ctx = parse.ParseContext("test")
        before = judge.judge_board(parse.parse_reading(reading, ctx), CFG.judge)
        after = steady_look(before, reading, clean, engine, CFG)
    finally:
        engine.close()
    return before, after


def _truth(row) -> float:
    return parse.read_value(row[2]).value


def test_a_value_misread_and_doubted_by_nothing_else_is_flagged(looked):
    before, after = looked
    assert len(after.metrics) == len(ROWS)
    silent = [
        i
        for i, m in enumerate(before.metrics)
        if m.actual.value != _truth(ROWS[i]) and not m.needs_review
    ]
    assert silent, "no value was misread: the cells no longer test the look"
    for i, m in enumerate(after.metrics):
        right = m.actual.value == _truth(ROWS[i])
        assert right or m.needs_review, (ROWS[i][2], m.actual.text)  # right or flagged
        if i in silent:
            assert ReviewCode(UNSTEADY, "actual") in m.review_codes
            reason = next(r for r in m.review_reasons if "check the board" in r)
            assert repr(m.actual.text) in reason


def test_plainly_written_values_are_not_flagged(looked):
    _, after = looked
    for i, m in enumerate(after.metrics):
        if ROWS[i][3] == PLAIN:
            assert m.actual.value == _truth(ROWS[i])
            assert ReviewCode(UNSTEADY, "actual") not in m.review_codes


def test_the_look_can_be_turned_off(looked):
    from dataclasses import replace

    before, _ = looked
    off = replace(CFG, ocr=replace(CFG.ocr, steady_look=False))
    assert steady_look(before, Reading(cells=()), np.zeros((1, 1), np.uint8), None, off) is before


def test_the_variants_are_read_as_the_second_looks_value_variants(looked):
    """At `[ocr] second_look_value_min_width`, side by side `second_look_pack_gap` apart."""
    from dataclasses import replace

    before, _ = looked
    calls = []

    class Recorded:
        def __init__(self, engine):
            self.engine = engine

        def read_line_frames(self, images, min_width=None, pack_gap=0):
            calls.append((len(images), min_width, pack_gap))
            return self.engine.read_line_frames(images, min_width, pack_gap)

    cfg = replace(CFG, ocr=replace(CFG.ocr, second_look_value_min_width=160))
    plain = replace(before, metrics=tuple(replace(m, needs_review=False) for m in before.metrics))
    w, h = CELL
    image = Image.new("L", (3 * w, h * (len(ROWS) + 1)), 255)
    draw = ImageDraw.Draw(image)
    cells = [tuple(OcrText(t, 0.99, (c * w, 0, w, h)) for c, t in enumerate("MTA"))]
    for r, (name, target, actual, font, run) in enumerate(ROWS, start=1):
        _write(draw, (2 * w + 20, r * h + 20), actual, font, run)
        row = (name, target, actual)
        cells.append(tuple(OcrText(t, 0.99, (c * w, r * h, w, h)) for c, t in enumerate(row)))
    engine = ocr.make_engine(CFG.ocr)
    try:
        steady_look(plain, Reading(cells=tuple(cells)), np.array(image), Recorded(engine), cfg)
    finally:
        engine.close()
    gap = CFG.ocr.second_look_pack_gap
    assert calls == [(2 * len(ROWS), 160, gap)]  # two variants of each actual, in one call
