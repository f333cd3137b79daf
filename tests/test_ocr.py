"""Stage 4: both Tesseract engines, for real, on crops of known text."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from boardsnap.config import OcrConfig
from boardsnap.geometry import Cell, Grid
from boardsnap.reading.ocr import find_tessdata, make_engine, prepare_crop, read_layout
from boardsnap.reading.results import Layout

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TEXTS = ["P95 latency", "< 200ms", "99.95%", "add circuit breaker @maria 12/15"]


def _canvas(texts, size=(1400, 120 * 4)) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 44)
    boxes = []
    for i, t in enumerate(texts):
        y = 20 + i * 120
        d.text((40, y + 20), t, font=font, fill=20)
        boxes.append((20, y, 1300, 100))
    return np.array(img), boxes


@pytest.mark.parametrize("engine_name", ["rapidocr", "tesserocr", "pytesseract"])
def test_engines_read_known_text(engine_name):
    engine = make_engine(OcrConfig(engine=engine_name))
    assert engine.name == engine_name
    image, boxes = _canvas(TEXTS)
    try:
        for text, box in zip(TEXTS, boxes, strict=False):
            crop = prepare_crop(image, box, OcrConfig(), in_table=False)
            read, conf = engine.read_line(crop)
            assert read == text
            assert 0.5 < conf <= 1.0
    finally:
        engine.close()


def test_empty_cell_is_not_sent_to_the_engine():
    class Exploding:
        name = "exploding"

        def read_line(self, image):
            raise AssertionError("an empty crop reached the engine")

        def close(self):
            pass

    blank = np.full((300, 600), 255, np.uint8)
    blank[0:4, :] = 0  # a remnant of the ruled line above the cell
    assert prepare_crop(blank, (0, 0, 600, 300), OcrConfig()) is None
    grid = Grid(1, 1, (Cell(0, 0, (0, 0, 600, 300)),), (0, 0, 600, 300))
    reading = read_layout(Layout(grid=grid, text_lines=()), blank, Exploding(), OcrConfig())
    assert reading.cells[0][0].text == "" and reading.cells[0][0].confidence == 1.0


def test_line_remnants_at_cell_sides_are_dropped():
    image, boxes = _canvas(["240ms"], size=(600, 140))
    image[:, 0:5] = 0  # vertical rule along the left side
    image[0:4, :] = 0  # horizontal rule along the top
    crop = prepare_crop(image, (0, 0, 600, 140), OcrConfig())
    engine = make_engine(OcrConfig(engine="tesserocr"))
    try:
        assert engine.read_line(crop)[0] == "240ms"
    finally:
        engine.close()


def test_tessdata_is_found_and_a_bad_setting_is_ignored():
    assert find_tessdata("eng") is not None
    assert find_tessdata("eng", "/nonexistent") == find_tessdata("eng")
    assert find_tessdata("xx-no-such-language") is None


def test_rapidocr_gives_one_confidence_per_character_in_read_layout():
    engine = make_engine(OcrConfig(engine="rapidocr"))
    image, boxes = _canvas(TEXTS[:3])
    grid = Grid(3, 1, tuple(Cell(r, 0, b) for r, b in enumerate(boxes[:3])), (0, 0, 1400, 360))
    try:
        reading = read_layout(Layout(grid=grid, text_lines=()), image, engine, OcrConfig())
    finally:
        engine.close()
    for (cell,), text in zip(reading.cells, TEXTS[:3], strict=True):
        assert cell.text == text
        assert len(cell.char_confidences) == len(text)
        assert all(0.0 <= c <= 1.0 for c in cell.char_confidences)
        # the line's confidence is the mean of its characters'
        assert cell.confidence == pytest.approx(np.mean(cell.char_confidences), abs=1e-3)
