"""The free text lines around the table (root causes, actions): lines written into each other
are read as lines, each kept and flagged, never lost. Synthetic images of known text, the
project's recogniser (RapidOCR's models) for real."""

from __future__ import annotations

from datetime import date

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from boardsnap.config import OcrConfig
from boardsnap.reading.ocr import _glyph_lines, make_engine
from boardsnap.reading.parse import ParseContext, parse_reading
from boardsnap.reading.results import OcrText, Reading

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
ACTIONS = (
    "- add circuit breaker @maria 12/15",
    "- fix N+1 queries (tom) Dec 3",
    "- tune GC settings @lena 1/9",
)


def _line(text: str, font: ImageFont.FreeTypeFont, angle: float) -> np.ndarray:
    """`text` as white ink on black, turned by `angle` degrees about its left end."""
    im = Image.new("L", (900, 200), 0)
    ImageDraw.Draw(im).text((10, 10), text, font=font, fill=255)
    ink = np.array(im)
    if angle:
        ink = cv2.warpAffine(ink, cv2.getRotationMatrix2D((0, 40), angle, 1.0), (900, 200))
    return ink


def board_with_crossing_lines(step: int = 50, angle: float = -3.0) -> np.ndarray:
    """A board's lower part: a heading, a root cause, "Actions" and three action lines, the
    second written rising so that its end runs into the third (as hands write)."""
    font = ImageFont.truetype(FONT, 40)
    canvas = np.zeros((560, 1400), np.uint8)
    lines = [("Root causes", 20, 0.0), ("- slow third-party card API", 90, 0.0)]
    lines += [("Actions", 160, 0.0)]
    lines += [(t, 230 + i * step, angle if i == 1 else 0.0) for i, t in enumerate(ACTIONS)]
    for text, y, a in lines:
        ink = _line(text, font, a)[: canvas.shape[0] - y]
        canvas[y : y + ink.shape[0], 50 : 50 + ink.shape[1]] = np.maximum(
            canvas[y : y + ink.shape[0], 50 : 50 + ink.shape[1]], ink
        )
    grey = 248 - canvas.astype(np.int32) * 228 // 255
    return cv2.cvtColor(grey.astype(np.uint8), cv2.COLOR_GRAY2BGR)


def _parse(lines: list[OcrText]):
    title = OcrText("Payments API SLA review 2026-11-20", 0.99, (50, 0, 800, 40))
    reading = Reading(lines=(title, *lines))
    return parse_reading(reading, ParseContext("x.jpg", fallback_date=date(2026, 11, 20)))


@pytest.fixture(scope="module")
def engine():
    e = make_engine(OcrConfig(engine="rapidocr"))
    yield e
    e.close()


def test_lines_written_into_each_other_are_each_kept_and_flagged(engine):
    image = board_with_crossing_lines()
    lines = engine.read_block(image)
    board = _parse(lines)
    assert len(board.actions) == 3, [ln.text for ln in lines]
    first, second, third = board.actions
    assert (first.owner, first.due, first.needs_review) == ("maria", "2026-12-15", False)
    # the two lines run into each other: both are there, each in its own place, flagged
    assert second.owner == "tom" and "N+1" in second.text
    assert third.text.startswith("tune GC settings")
    assert second.needs_review and third.needs_review
    assert second.line_box[1] < third.line_box[1]
    assert [rc.text for rc in board.root_causes] == ["slow third-party card API"]


def test_separate_lines_are_read_as_they_were(engine):
    # nothing written into anything: the lines come out as the detector found them, sure
    image = board_with_crossing_lines(step=70, angle=0.0)
    board = _parse(engine.read_block(image))
    assert [(a.owner, a.needs_review) for a in board.actions] == [
        ("maria", False),
        ("tom", False),
        ("lena", False),
    ]


def test_glyphs_of_two_sloping_lines_are_sorted_into_their_lines():
    # two rows of blobs ("glyphs"), the upper one rising to the right until it nearly meets
    # the lower one: each row's glyphs, and only they, make one line
    blob = np.zeros((120, 600), np.uint8)
    upper, lower = [], []
    for i in range(12):
        x = 20 + i * 48
        yu = int(30 + 0.05 * x)
        yl = 80
        cv2.rectangle(blob, (x, yu - 10), (x + 20, yu + 10), 1, -1)
        cv2.rectangle(blob, (x + 10, yl - 10), (x + 30, yl + 10), 1, -1)
        upper.append((x + 10, yu))
        lower.append((x + 20, yl))
    lines = _glyph_lines(blob, 2, 30.0)
    assert len(lines) == 2
    masks = sorted((m for m, _ in lines), key=lambda m: np.argwhere(m)[:, 0].mean())
    for mask, centres in zip(masks, (upper, lower), strict=True):
        assert all(mask[y, x] for x, y in centres)
        others = lower if centres is upper else upper
        assert not any(mask[y, x] for x, y in others)
