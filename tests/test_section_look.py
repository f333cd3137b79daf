"""A section whose lines touch is cut again into its lines where they start
(boardsnap/reading/section_look.py).

Synthetic boards of known truth drawn with OpenCV: a title, an "Actions" heading and four action
lines written closer than their own height, so that each line's descenders run into the next
line's letters. Real OpenCV, the real detector and recogniser (RapidOCR's models), the real
parser.
"""

from __future__ import annotations

from datetime import date
from difflib import SequenceMatcher

import cv2
import numpy as np
import pytest

from boardsnap.config import Config
from boardsnap.reading import grid, inklines, judge, ocr, parse, section_look
from boardsnap.reading.pipeline import say_unread_lines
from boardsnap.reading.results import Layout, OcrText, Reading

FONT = cv2.FONT_HERSHEY_SIMPLEX
ACTIONS = (
    ("add retry backoff", "li"),
    ("fix pager routing", "tom"),
    ("apply gym quota", "ana"),
    ("pay by July", "sam"),
)
CTX = parse.ParseContext(source="x.jpg", fallback_date=date(2026, 5, 1))


def _board(pitch: int, slope: float = 0.0) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A grey board with a title, "Actions" and the four action lines on baselines `pitch`
    apart (sloping by `slope`), and each action line's ink box."""
    img = np.full((520, 1000), 245, np.uint8)
    cv2.putText(img, "Payments SLA review", (20, 55), FONT, 1.5, 30, 3, cv2.LINE_AA)
    cv2.putText(img, "Actions", (20, 135), FONT, 1.5, 30, 3, cv2.LINE_AA)
    boxes = []
    for i, (text, owner) in enumerate(ACTIONS):
        line = np.zeros_like(img)
        cv2.putText(line, f"- {text} @{owner}", (20, 210 + i * pitch), FONT, 1.5, 255, 3)
        if slope:
            m = np.float32([[1, 0, 0], [slope, 1, -slope * 20]])
            line = cv2.warpAffine(line, m, line.shape[::-1])
        ys, xs = np.nonzero(line > 127)
        boxes.append((int(xs.min()), int(ys.min()), int(np.ptp(xs)), int(np.ptp(ys))))
        img[line > 127] = 30
    return img, boxes


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


@pytest.fixture(scope="module")
def engine():
    e = ocr.make_engine(Config().ocr)
    yield e
    e.close()


def _parsed(reading: Reading):
    return judge.judge_board(parse.parse_reading(reading, CTX), Config().judge)


def _merged_reading(img: np.ndarray, boxes, engine, frames) -> Reading:
    """The reading the detector gives such a section: the title and heading read, and the four
    action lines as two boxes of two lines each, each read as its darker line only."""
    title = OcrText("Payments SLA review", 0.99, (18, 20, 500, 48))
    heading = OcrText("Actions", 0.99, (18, 100, 180, 48))
    lines = [title, heading]
    for i in (0, 2):
        (ax, ay, aw, ah), (bx, by, bw, bh) = boxes[i], boxes[i + 1]
        x0, y0 = min(ax, bx) - 4, min(ay, by) - 4
        x1, y1 = max(ax + aw, bx + bw) + 4, max(ay + ah, by + bh) + 4
        text, owner = ACTIONS[i]
        lines.append(OcrText(f"- {text} @{owner}", 0.95, (x0, y0, x1 - x0, y1 - y0)))
    return Reading(lines=tuple(lines))


@pytest.mark.parametrize("slope", [0.0, 0.03, -0.04])
def test_four_touching_lines_read_as_two_are_cut_into_four(engine, slope):
    img, boxes = _board(30, slope)
    frames: dict = {}
    reading = _merged_reading(img, boxes, engine, frames)
    doc = _parsed(reading)
    assert len(doc.actions) == 2  # the premise: two actions lost in the boxes of others
    (sec,) = [s for s in inklines.section_lines(img, None, reading.lines, Config().ocr)]
    assert sec.lines == 4
    after, read, recut = section_look.section_look(
        doc, reading, frames, img, Layout(None, ()), engine, Config(), CTX
    )
    assert len(after.actions) == 4
    assert len(recut) == 4 and all(box in frames for box in recut)
    for (text, owner), action in zip(ACTIONS, after.actions, strict=True):
        assert _similar(text, action.text) >= 0.6, (text, action.text)
        assert action.owner == owner, (owner, action.text, action.owner)
    flagged = section_look.flagged(after, recut)
    for action in flagged.actions:
        assert any(c.code == section_look.CODE for c in action.review_codes)
        assert section_look.REASON in action.review_reasons


def test_touching_lines_the_detector_reads_short_are_all_read(engine):
    # the whole path from the detector: lines half a line apart, of which it reads fewer
    img, _ = _board(24, 0.03)
    frames: dict = {}
    bgr = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    cfg = Config()
    found = ocr.join_pieces(engine.read_block(bgr, None, frames), frames, cfg.ocr)
    lines = tuple(sorted(found, key=lambda t: t.box[1] + t.box[3] / 2))
    reading = Reading(lines=lines)
    doc = _parsed(reading)
    assert len(doc.actions) < 4  # the premise
    after, _, recut = section_look.section_look(
        doc, reading, frames, img, Layout(None, ()), engine, cfg, CTX
    )
    assert len(after.actions) == 4 and len(recut) >= 2
    # each action is read from the cut (and flagged so) or is a line the detector found alone
    first = {t.box for t in lines}
    flagged = section_look.flagged(after, recut)
    for a in flagged.actions:
        cut = any(c.code == section_look.CODE for c in a.review_codes)
        assert cut == (tuple(a.line_box) in recut)
        assert cut or tuple(a.line_box) in first


def test_a_cut_that_reads_fewer_owners_is_not_taken_and_the_lines_are_said():
    # level lines half a line apart: the detector reads three of the four, with their owners;
    # the cut reads all four, but fewer owners and due dates. It is left, and the section's
    # warning says what was not read.
    # The scenario is the detector's reading of the image whole (three lines, each with its
    # owner); looked at in bands (`[ocr] detect_tile_rows`) it finds these squeezed lines
    # otherwise, and the cut then reads as many owners (tests/test_speed_paths.py covers bands)
    img, _ = _board(24, 0.0)
    frames: dict = {}
    cfg = Config().with_overrides(ocr={"detect_tile_rows": 0})
    whole = ocr.make_engine(cfg.ocr)
    found = ocr.join_pieces(
        whole.read_block(cv2.cvtColor(img, cv2.COLOR_GRAY2BGR), None, frames), frames, cfg.ocr
    )
    reading = Reading(lines=tuple(sorted(found, key=lambda t: t.box[1] + t.box[3] / 2)))
    doc = _parsed(reading)
    after, read, recut = section_look.section_look(
        doc, reading, frames, img, Layout(None, ()), whole, cfg, CTX
    )
    owners = sum(a.owner is not None for a in doc.actions)
    assert len(doc.actions) < 4 and owners >= 3  # the premise
    assert after is doc and read is reading and recut == frozenset()
    seg = grid.Segmentation(Layout(None, ()), img, (img < 128).astype(np.uint8) * 255)
    said = say_unread_lines(doc, reading, seg, cfg)
    assert any(w.startswith("actions: 4 lines under 'Actions'") for w in said.warnings)


def test_a_section_read_whole_is_left_as_read(engine):
    img, boxes = _board(60)  # lines well apart
    cfg = Config()
    lines = [
        OcrText("Payments SLA review", 0.99, (18, 20, 500, 48)),
        OcrText("Actions", 0.99, (18, 100, 180, 48)),
    ]
    for (text, owner), (x, y, w, h) in zip(ACTIONS, boxes, strict=True):
        lines.append(OcrText(f"- {text} @{owner}", 0.95, (x - 4, y - 4, w + 8, h + 8)))
    reading = Reading(lines=tuple(lines))
    doc = _parsed(reading)
    after, read, recut = section_look.section_look(
        doc, reading, {}, img, Layout(None, ()), engine, cfg, CTX
    )
    assert after is doc and read is reading and recut == frozenset()


def test_a_cut_that_reads_no_more_items_is_not_taken(engine):
    # the start strip counts four lines, but the section's ink is two lines only (the
    # others rubbed out): a cut into four reads lines of nothing, and is dropped
    img, boxes = _board(30)
    x0 = min(b[0] for b in boxes[1:]) + 60  # rub out the right part of the lower lines
    for x, y, w, h in boxes[2:]:
        img[y - 2 : y + h + 3, x0 : x + w + 3] = 245
    frames: dict = {}
    reading = _merged_reading(img, boxes, engine, frames)
    doc = _parsed(reading)
    after, read, recut = section_look.section_look(
        doc, reading, frames, img, Layout(None, ()), engine, Config(), CTX
    )
    assert len(after.actions) >= len(doc.actions)
    for action in after.actions:  # whatever was taken, nothing read from a cut is unflagged
        if action.line_box is not None and tuple(action.line_box) in recut:
            flagged = section_look.flagged(after, recut)
            assert all(
                any(c.code == section_look.CODE for c in a.review_codes)
                for a in flagged.actions
                if tuple(a.line_box or ()) in recut
            )


def test_parallel_fit_holds_a_short_line_to_the_long_lines_slope():
    # a short line above a long one: fitted alone it would tilt towards the long line's glyphs
    # beyond its end; fitted together both keep the long line's slope
    blob = np.zeros((120, 800), np.uint8)
    for x in range(10, 790, 24):  # the long line, sloping down 0.05
        y = int(70 + 0.05 * x)
        blob[y - 6 : y + 6, x : x + 12] = 1
    for x in range(10, 300, 24):  # the short line, 25 px above it
        y = int(45 + 0.05 * x)
        blob[y - 6 : y + 6, x : x + 12] = 1
    fits = section_look.parallel_fit(blob, [45.0, 70.0])
    assert [round(b, 3) for _, b in fits] == [pytest.approx(0.05, abs=0.005)] * 2
    assert fits[0][0] == pytest.approx(45 + 6 * 0.05, abs=2)
    assert fits[1][0] == pytest.approx(70 + 6 * 0.05, abs=2)


def test_a_line_the_detector_found_alone_keeps_its_first_reading(engine):
    img, boxes = _board(30)
    (x, y, w, h), rest = boxes[0], boxes[1:]
    alone = OcrText("- add retry backoff @li", 0.97, (x - 4, y - 4, w + 8, h + 8))
    x0 = min(b[0] for b in rest) - 4
    y0 = min(b[1] for b in rest) - 4
    x1 = max(b[0] + b[2] for b in rest) + 4
    y1 = max(b[1] + b[3] for b in rest) + 4
    merged = OcrText("- fix pager routing @tom", 0.95, (x0, y0, x1 - x0, y1 - y0))
    reading = Reading(
        lines=(
            OcrText("Payments SLA review", 0.99, (18, 20, 500, 48)),
            OcrText("Actions", 0.99, (18, 100, 180, 48)),
            alone,
            merged,
        )
    )
    doc = _parsed(reading)
    after, read, recut = section_look.section_look(
        doc, reading, {}, img, Layout(None, ()), engine, Config(), CTX
    )
    assert len(after.actions) == 4 and len(recut) == 3
    assert alone in read.lines and merged not in read.lines
    assert after.actions[0].line_box is not None and tuple(after.actions[0].line_box) == alone.box


def test_a_section_with_no_line_boxed_is_cut_from_its_start_strip_alone():
    """Seed 9991 photo 1 (fresh): a section whose lines the detector boxed none of, only their
    starts counted under the heading; cutting it took the extent of no boxes and the photo
    failed ("bug: TypeError"). Its lines are cut from the start strip alone."""
    img, boxes = _board(pitch=48)
    sx = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    strip = (sx, top, 80, max(b[1] + b[3] for b in boxes) - top)
    starts = tuple(b[1] + b[3] // 2 for b in boxes)
    sec = inklines.SectionLines("actions", "Actions", strip, starts, (18, 100, 180, 48))
    cut = section_look._cut(img, sec, [], 960, 40.0)
    assert len(cut) == len(boxes)  # each start's line
    for (quad, crop), (bx, _, bw, _) in zip(cut, boxes, strict=True):
        assert crop.shape[1] >= 0.9 * bw and quad[:, 0].min() <= bx + 8  # the whole line
