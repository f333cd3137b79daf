"""Pieces of one written line that the text detector found apart are read as that line
(boardsnap/reading/ocr.py, join_pieces): a line cut in two lost its owner and due date to the
second piece, which then read as an action of its own ("share" and "eva" for "share report,
owner eva"). Real recogniser on crops in the generator's handwriting fonts; real detector on a
drawn board."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from synthetic import drawn_line

from boardsnap.config import Config
from boardsnap.reading import detector, ocr, parse, recogniser
from boardsnap.reading.pipeline import Pipeline
from boardsnap.reading.results import OcrText

DKG = "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf"  # a font of samples/boardgen/ink.py
CFG = Config().ocr
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def engine():
    e = ocr.make_engine(Config().ocr)
    yield e
    e.close()


def _pieces(engine, texts: list[str], boxes: list[tuple[int, int, int, int]]):
    """Each text read by the real recogniser, placed at its box; and their frames by box."""
    read = engine.read_line_frames([drawn_line(t, DKG) for t in texts])
    frames: dict = {}
    lines = []
    for (text, conf, confs, fr), box in zip(read, boxes, strict=True):
        lines.append(OcrText(text, conf, box, confs))
        frames[box] = fr
    return lines, frames


def test_two_pieces_side_by_side_are_one_line_with_its_owner_and_date(engine):
    lines, frames = _pieces(
        engine, ["add retry backoff", "@maria 12/15"], [(100, 500, 420, 60), (560, 506, 260, 58)]
    )
    assert lines[1].text == "@maria 12/15"  # read right apart
    joined = ocr.join_pieces(lines, frames, CFG)
    assert len(joined) == 1
    line = joined[0]
    assert line.text == f"{lines[0].text} @maria 12/15"
    assert line.box == (100, 500, 720, 64)
    assert min(t.confidence for t in lines) <= line.confidence <= max(t.confidence for t in lines)
    assert len(line.char_confidences) == len(line.text)
    # the frames end to end read as the whole line: a due date is decoded again from them
    whole = frames[line.box]
    assert isinstance(whole, recogniser.Frames)
    assert whole.best_path()[0] == line.text
    action, _ = parse.read_action(line.text, date(2026, 11, 20), [], "mdy", 0.8)
    assert action is not None and action.owner == "maria" and action.due == "2026-12-15"


def test_lines_one_above_the_other_far_apart_or_overlapping_stay_apart(engine):
    cases = {
        "one under the other": [(100, 500, 420, 60), (100, 570, 420, 60)],
        "far apart on one line (two columns)": [
            (100, 500, 420, 60),
            (100 + 420 + 60 * 3, 500, 300, 60),
        ],
        "overlapping (lines that touch)": [(100, 500, 420, 60), (400, 530, 420, 60)],
        "level but barely sharing a height": [(100, 500, 420, 60), (540, 535, 300, 60)],
        # "(kenji)" ending the line above, beside a box that holds this line and that line's
        # descenders: most of the small piece's height, a third of the tall box's
        "small piece high beside a tall box": [(100, 500, 420, 68), (540, 493, 130, 30)],
    }
    for name, boxes in cases.items():
        lines, frames = _pieces(engine, ["add retry backoff", "@maria 12/15"], boxes)
        assert len(ocr.join_pieces(lines, frames, CFG)) == 2, name


def test_three_pieces_join_left_to_right_whatever_their_order(engine):
    boxes = [(700, 503, 200, 60), (100, 500, 300, 60), (440, 498, 220, 62)]
    lines, frames = _pieces(engine, ["12/15", "add retry", "@maria"], boxes)
    joined = ocr.join_pieces(lines, frames, CFG)
    assert [t.text for t in joined] == [f"{lines[1].text} {lines[2].text} {lines[0].text}"]


def test_the_detector_s_pieces_of_a_line_are_read_as_one(engine):
    """On a drawn board, a line with a wide space in it: the detector finds two regions; the
    block reading gives one line with both."""
    image = Image.new("L", (1600, 400), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(DKG, 56)
    draw.text((60, 150), "- fix token refresh", font=font, fill=20)
    left = draw.textbbox((60, 150), "- fix token refresh", font=font)
    draw.text((left[2] + 160, 150), "@raj 5/14", font=font, fill=20)
    gray = np.array(image)
    found = detector.Detector(CFG.detect_long_side)
    assert len(found.quads(gray)) == 2  # what the test is about: the detector cut the line
    frames: dict = {}
    found = engine.read_block(gray, None, frames)
    assert len(found) == 2  # read apart ...
    found = ocr.join_pieces(found, frames, CFG)
    assert len(found) == 1, [t.text for t in found]  # ... and joined
    action, _ = parse.read_action(found[0].text, date(2026, 4, 1), [], "mdy", 0.8)
    assert action is not None and action.owner == "raj" and action.due == "2026-05-14"


def test_a_view_whose_rows_come_only_from_lines_gives_way_to_one_whose_table_reads(tmp_path):
    """Found on the development corpus (seed 9473, photo 17): the first view's "table" was a
    frame's corner of two rows by two columns that read as no metric, and with its pieces
    joined, writing beside it ("RESOLUTION TIME" and "<= 8HR") read as a row of its own. That
    view was taken, and the real table lost; the next view, whose table's cells read, is the
    one to take."""
    sys.path.insert(0, str(ROOT / "samples"))
    import generate

    path = generate.write_photo(tmp_path, "board", 9473, 17, None)
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    got = Pipeline(Config()).extract(path)
    assert got.layout.grid is not None
    assert got.layout.grid.rows == len(truth["metrics"]) + 1  # + the header row
    assert all(len(m.cell_boxes) > 1 for m in got.board.metrics)  # read from the table's cells


def test_a_piece_reaching_back_into_the_one_before_is_its_line(engine):
    """Two touching lines cut apart leave pieces that overlap where a stroke of one dipped into
    the other's box: a second piece starting 0.4 line heights inside the first is still the
    line's end (seed 9859's board-0007: 'due 12/5 - @jonas' read as an action of its own), one
    reaching back over most of the first is not (`[ocr] join_back`). An owner and date boxed
    apart from their text reach back further: 0.52 and 0.84 line heights on seeds 9987 (photo
    34: 'owner: amar, 46') and 9473 (photo 3: 'Mar 9'), so up to one line height is the line's
    end; the pieces of different lines that met reached back 1.1 to 1.7."""
    for back in (0.4, 0.85):
        x = 520 - round(back * 58)
        lines, frames = _pieces(
            engine, ["add retry backoff", "@maria 12/15"], [(100, 500, 420, 60), (x, 502, 260, 58)]
        )
        assert len(ocr.join_pieces(lines, frames, CFG)) == 1, back
    lines, frames = _pieces(
        engine, ["add retry backoff", "@maria 12/15"], [(100, 500, 420, 60), (439, 502, 260, 58)]
    )
    assert len(ocr.join_pieces(lines, frames, CFG)) == 2  # 1.4 line heights back: not its end
    lines, frames = _pieces(
        engine, ["add retry backoff", "@maria 12/15"], [(100, 500, 420, 60), (300, 502, 260, 58)]
    )
    assert len(ocr.join_pieces(lines, frames, CFG)) == 2
