"""Action lines written so close that they touch are read as separate lines, and an action line
is never lost without a warning (boardsnap/reading/inklines.py, RapidOcrEngine.read_block,
pipeline.say_unread_lines).

Two kinds of evidence: synthetic images of text lines of known content drawn with OpenCV to
touch (each line also drawn alone, so which ink is whose is known), and photos from the corpus
generator (samples/generate.py) with the action lines forced to touch. Real OpenCV, the real
detector and recogniser (RapidOCR's models), the real pipeline.
"""

from __future__ import annotations

import json
import sys
from difflib import SequenceMatcher
from pathlib import Path

import cv2
import numpy as np
import pytest

from boardsnap.config import Config, OcrConfig
from boardsnap.document import Action, Board
from boardsnap.reading import grid, inklines, ocr
from boardsnap.reading.ocr import make_engine
from boardsnap.reading.pipeline import Pipeline, say_unread_lines
from boardsnap.reading.results import Layout, OcrText, Reading

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

import generate  # noqa: E402

FONT = cv2.FONT_HERSHEY_SIMPLEX
SCALE, THICK = 1.5, 3  # text about 33 px high, descenders about 14 px below the baseline
LINES = ("- apply gauge replay query", "- hold payroll by July")
PITCH = 34  # baselines this far apart: one line's descenders run into the next one's letters


def _draw(texts: tuple[str, ...], pitch: int = PITCH, size=(260, 900)) -> list[np.ndarray]:
    """Each text as its own ink mask (bool), on baselines `pitch` apart, from y = 60."""
    out = []
    for i, text in enumerate(texts):
        canvas = np.zeros(size, np.uint8)
        cv2.putText(canvas, text, (20, 60 + i * pitch), FONT, SCALE, 255, THICK, cv2.LINE_AA)
        out.append(canvas > 127)
    return out


def _board(masks: list[np.ndarray]) -> np.ndarray:
    """Grey board: dark ink where any mask is, white elsewhere."""
    ink = np.any(masks, axis=0)
    return np.where(ink, 30, 245).astype(np.uint8)


def _box_quad(mask: np.ndarray, pad: int = 6) -> np.ndarray:
    """The quad a text detector gives a line: its ink's box, grown a little."""
    ys, xs = np.nonzero(mask)
    x0, y0, x1, y1 = xs.min() - pad, ys.min() - pad, xs.max() + pad, ys.max() + pad
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


@pytest.fixture(scope="module")
def engine():
    e = make_engine(OcrConfig(engine="rapidocr"))
    yield e
    e.close()


def test_the_drawn_lines_touch():
    # the premise: the two lines' ink overlaps in rows, and their boxes overlap
    first, second = _draw(LINES)
    rows1, rows2 = np.flatnonzero(first.any(axis=1)), np.flatnonzero(second.any(axis=1))
    assert rows1.max() > rows2.min() + 5
    q1, q2 = _box_quad(first), _box_quad(second)
    assert q1[2, 1] - q2[0, 1] > 0.2 * (q2[2, 1] - q2[0, 1])


def test_each_line_keeps_its_own_ink_and_only_its_own():
    first, second = _draw(LINES)
    gray = _board([first, second])
    quads = [_box_quad(first), _box_quad(second)]
    cfg = OcrConfig()
    assert inklines.touching_neighbours(quads, 40.0, cfg) == {0: [1], 1: [0]}
    own = inklines.own_ink_lines(gray, quads, 40.0, cfg)
    assert set(own) == {0, 1}
    for i, (mine, theirs) in enumerate(((first, second), (second, first))):
        quad, crop = own[i]
        # the crop, laid back onto the board: its dark pixels are this line's ink
        back = np.full(gray.shape, 255, np.uint8)
        w, h = crop.shape[1], crop.shape[0]
        dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        m = cv2.getPerspectiveTransform(dst, quad)
        back = cv2.warpPerspective(crop, m, gray.shape[::-1], borderValue=255)
        dark = back < 128
        only_mine = mine & ~theirs
        only_theirs = theirs & ~mine
        kept = (dark & only_mine).sum() / only_mine.sum()
        foreign = (dark & only_theirs).sum() / only_theirs.sum()
        assert kept > 0.97, f"line {i} lost {1 - kept:.1%} of its own ink (its descenders?)"
        assert foreign < 0.03, f"line {i} kept {foreign:.1%} of the other line's ink"


def test_the_lines_read_apart_from_their_own_ink(engine):
    first, second = _draw(LINES)
    gray = _board([first, second])
    own = inklines.own_ink_lines(gray, [_box_quad(first), _box_quad(second)], 40.0, OcrConfig())
    for i, text in enumerate(LINES):
        read, conf, _, _ = engine.read_line_frames([own[i][1]])[0]
        assert _similar(read, text) >= 0.85, (read, text)


def test_a_box_two_lines_tall_is_two_bands_and_one_line_of_big_writing_is_not():
    # lines 1.2 line heights apart, as the generator's touching actions are: one's descenders
    # reach the other's ascenders
    first, second = _draw(LINES, pitch=40)
    both = _board([first, second])
    ys, xs = np.nonzero(first | second)
    assert inklines.two_bands(both[ys.min() - 4 : ys.max() + 4, xs.min() : xs.max()], 0.35)
    canvas = np.zeros((200, 1400), np.uint8)
    cv2.putText(canvas, "Payments SLA review", (10, 120), FONT, 3.0, 255, 6, cv2.LINE_AA)
    ys, xs = np.nonzero(canvas)
    title = np.where(canvas > 127, 30, 245).astype(np.uint8)
    assert not inklines.two_bands(title[ys.min() - 4 : ys.max() + 4, :], 0.35)


def test_touching_lines_are_counted_at_their_starts():
    texts = ("- apply gauge", "- hold payroll", "- query jam", "- pay gym")
    gray = _board(_draw(texts, size=(320, 900)))
    assert inklines.count_line_starts(gray[20:240, :140], 0.7 * 48, OcrConfig()) == 4
    # the board's frame below the last line (a grey band across the strip) is no line
    gray[250:275, :] = 150
    assert inklines.count_line_starts(gray[20:290, :140], 0.7 * 48, OcrConfig()) == 4


def test_lines_written_closer_than_the_boards_others_are_counted_at_their_own_pitch():
    # four lines, the middle two closer (baselines 40, 28 and 40 px apart); at the board's line
    # height (its title and other lines written bigger) the two closer ones are smoothed into
    # one band. The gaps between the three starts (40, 68) show a line skipped: counted again
    # at the section's own pitch, four
    texts = ("- apply gauge", "- hold payroll", "- query jam", "- pay gym")
    masks = []
    for text, y in zip(texts, (60, 100, 128, 168), strict=True):
        canvas = np.zeros((320, 900), np.uint8)
        cv2.putText(canvas, text, (20, y), FONT, SCALE, 255, THICK, cv2.LINE_AA)
        masks.append(canvas > 127)
    strip = _board(masks)[20:240, :140]
    board_line = 50.0
    assert inklines.count_line_starts(strip, board_line, OcrConfig()) == 3  # the premise
    assert len(inklines.section_starts(strip, board_line, OcrConfig())) == 4
    # evenly spaced lines are counted as before, at either height
    even = _board(_draw(texts, size=(320, 900)))[20:240, :140]
    assert len(inklines.section_starts(even, 0.7 * 48, OcrConfig())) == 4


def test_the_detector_and_recogniser_read_touching_lines_as_two(engine):
    first, second = _draw(LINES)
    image = cv2.copyMakeBorder(
        _board([first, second]), 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=245
    )
    heading = np.full((80, image.shape[1]), 245, np.uint8)
    cv2.putText(heading, "Actions", (60, 50), FONT, SCALE, 30, THICK, cv2.LINE_AA)
    found = engine.read_block(cv2.cvtColor(np.vstack([heading, image]), cv2.COLOR_GRAY2BGR))
    texts = [t.text for t in found]
    for line in LINES:
        assert max(_similar(line, t) for t in texts) >= 0.8, (line, texts)


def _section_reading(n_read: int) -> tuple[Board, Reading, grid.Segmentation]:
    """A board's lower part: "Actions" and three touching action lines, of which `n_read`
    were read as actions."""
    texts = ("- add retry backoff @li", "- fix pager routing @tom", "- apply gym quota @ana")
    masks = _draw(texts, size=(300, 900))
    heading = np.full((80, 900), 245, np.uint8)
    cv2.putText(heading, "Actions", (20, 55), FONT, SCALE, 30, THICK, cv2.LINE_AA)
    clean = np.vstack([np.full((40, 900), 245, np.uint8), heading, _board(masks)])
    lines = [OcrText("Actions", 0.99, (14, 55, 150, 54))]
    actions = []
    for i in range(n_read):
        ys, xs = np.nonzero(masks[i])
        box = (int(xs.min()), int(ys.min()) + 120, int(np.ptp(xs)), int(np.ptp(ys)))
        lines.append(OcrText(texts[i], 0.95, box))
        actions.append(Action(texts[i][2:].split(" @")[0], owner=texts[i].split("@")[1]))
    seg = grid.Segmentation(Layout(None, ()), clean, (clean < 128).astype(np.uint8) * 255)
    return Board("x.jpg", actions=tuple(actions)), Reading(lines=tuple(lines)), seg


def test_more_lines_under_actions_than_read_is_said():
    board, reading, seg = _section_reading(2)
    said = say_unread_lines(board, reading, seg, Config())
    warns = [w for w in said.warnings if w.startswith("actions:")]
    assert warns == ["actions: 3 lines under 'Actions', 2 read as actions; check the board"]


def test_as_many_actions_read_as_lines_says_nothing():
    board, reading, seg = _section_reading(3)
    assert say_unread_lines(board, reading, seg, Config()).warnings == ()


# ---- photos from the generator ---------------------------------------------------------------

TOUCHING = {
    "touching_actions": True,
    "touch_gap": 1.12,
    "drying_marker": False,
    "cast_shadow": False,
    "five_mp": False,
    "shaken": False,
}
SEEDS = (101, 109, 114)  # boards with two, three and four actions


@pytest.fixture(scope="module", params=SEEDS)
def touching_board(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("touching")
    overrides = {"exif": 1, "kind": "table", "hardship": TOUCHING}
    path = generate.write_photo(out, f"board-{request.param}", request.param, 0, 1600, overrides)
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    assert truth["corpus"]["effects"]["action_line_gap"] == pytest.approx(1.12)
    pipe = Pipeline(Config())
    try:
        yield truth, pipe.extract(path).board
    finally:
        pipe.close()


def test_every_touching_action_is_read_or_said_missing(touching_board):
    truth, board = touching_board
    warned = [w for w in board.warnings if w.startswith("actions:")]
    read = [a.text for a in board.actions]
    for action in truth["actions"]:
        best = max((_similar(action["text"], r) for r in read), default=0.0)
        assert best >= 0.7 or warned, (action["text"], read, board.warnings)


def test_lines_written_into_each_other_are_tried_as_two_however_little_taller(engine):
    """Two lines written so far into each other that their ink is barely taller than a
    detected line's box (1.13 of it), but 1.6 times a line's writing: the writing left out by
    the detector is tried as one line and as two, and two read better. (Counted against the
    box's height, it was one line only, and read as a few letters of the first line.)"""
    first, second = _draw(LINES, pitch=20, size=(400, 900))
    others = [
        np.roll(m, 160, axis=0)
        for m in _draw(("- ship the gauge query", "- pay by May"), 120, (400, 900))
    ]
    image = _board([first, second, *others])
    quads = [_box_quad(m) for m in others]
    med = ocr._median_height(quads)
    rows = np.flatnonzero((first | second).any(axis=1))
    assert rows[-1] - rows[0] + 1 < OcrConfig().unsure_split_ratio * med  # the premise
    (options,) = ocr.recover_lines(image, quads, None, OcrConfig())
    readings = [engine.read_line_frames([crop for _, crop in o]) for o in options]
    best = max(readings, key=lambda rs: np.mean([r[1] for r in rs]))
    assert len(best) == 2
    for line, other, reading in zip(LINES, LINES[::-1], best, strict=True):
        assert _similar(line, reading[0]) > _similar(other, reading[0]), (line, reading[0])


def test_lines_the_detector_took_in_with_their_heading_are_cut_without_it(engine):
    """A heading written so close above two touching lines that the detector gives all three
    one box, the heading also found alone and read well: the box is cut into the two lines
    below the heading, the bands spanning their own ink's rows (cut in bands from the box's
    top, the first band had held the heading and read as neither)."""
    head, first, second = _draw(("Remediation plan", *LINES), pitch=PITCH, size=(300, 900))
    image = _board([head, first, second])
    assert (head.any(axis=1) & first.any(axis=1)).any()  # the premise: heading and line touch
    merged = _box_quad(head | first | second)
    heading = _box_quad(head, pad=2)
    med = ocr._median_height([_box_quad(first), _box_quad(second)])
    options = ocr.split_merged(image, merged, med, OcrConfig(), [heading])
    bands = options[0]
    assert len(bands) == 2
    top = int(bands[0][0][:, 1].min())
    assert top > np.flatnonzero(head.any(axis=1)).max() - 0.5 * med  # below the heading's ink
    for line, (_, crop) in zip(LINES, bands, strict=True):
        read = engine.read_line_frames([crop])[0][0]
        assert _similar(read, line) >= 0.8, (read, line)
        assert "remed" not in read.lower()


def test_each_pixel_goes_to_its_nearest_line_one_line_at_a_time(monkeypatch):
    """`ocr._glyph_lines` gives each pixel of the blob's box to its nearest fitted line one
    line's distances at a time (all k at once cost +175 MB on seed 9983's photo 16): the same
    masks as every distance stacked and argmin taken, ties to the first line."""
    rng = np.random.default_rng(7)
    blob = np.zeros((90, 400), np.uint8)
    for k in range(3):  # three slanted lines of glyphs
        for x in range(10, 390, 18):
            y = int(15 + 30 * k + 0.05 * x + rng.integers(-3, 4))
            blob[y : y + 8, x : x + 10] = 1
    fits = [(15.0, 0.05), (45.0, 0.05), (75.0, 0.05)]
    monkeypatch.setattr(inklines, "refit", lambda *a, **k: fits)  # the fits given: ties exist
    lines = ocr._glyph_lines(blob, 3, 30.0)
    ys, xs = np.mgrid[0:90, 0:400]
    stacked = np.stack([np.abs(ys - (a + b * xs)) for a, b in fits]).argmin(axis=0)
    assert len(lines) == 3
    for i, (mask, _) in enumerate(lines):
        assert np.array_equal(mask, stacked == i)


def test_a_guessed_actions_heading_ends_the_root_causes_count():
    # "Acbon ilens" for "Action items" (seed 9987 photo 13): the parser takes it for the Actions
    # heading; the counter did not, and counted the actions under it as root causes
    texts = [
        ("Root causes", 20),
        ("- disk full", 40),
        ("- bad deploy", 40),
        ("Acbon ilens", 20),
        ("- add alert @li", 40),
        ("- fix deploy @tom", 40),
    ]
    image = np.full((560, 900), 245, np.uint8)
    lines = []
    for i, (text, x) in enumerate(texts):
        y = 60 + 80 * i
        cv2.putText(image, text, (x, y), FONT, SCALE, 30, THICK, cv2.LINE_AA)
        ys, xs = np.nonzero(image[y - 45 : y + 15] < 128)
        lines.append(
            OcrText(
                text, 0.95, (x, y - 45 + int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1)
            )
        )
    plain = inklines.section_lines(image, None, tuple(lines), OcrConfig())
    # the premise: the count runs on through the heading and the actions (2 + 1 + 2)
    assert [(s.kind, s.lines) for s in plain] == [("root", 5)]
    guessed = inklines.section_lines(image, None, tuple(lines), OcrConfig(), Config().parse)
    assert [(s.kind, s.heading, s.lines) for s in guessed] == [
        ("root", "Root causes", 2),
        ("actions", "Acbon ilens", 2),
    ]
