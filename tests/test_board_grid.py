"""Stages 2 and 3 on synthetic boards of known geometry under a known homography."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from synthetic import FONT, ROWS, draw_board, synth

from boardsnap.config import Config
from boardsnap.errors import NoTableFound
from boardsnap.geometry import Quad
from boardsnap.reading import board, grid, grid_rows
from boardsnap.reading.board import find_board, flatten_lighting
from boardsnap.reading.grid import segment
from boardsnap.reading.pipeline import Pipeline
from boardsnap.reading.results import Photo, RectifiedBoard

CFG = Config()


def _photo(img: np.ndarray) -> Photo:
    return Photo(path="synthetic.jpg", image=img, original_size=img.shape[1::-1], scale=1.0)


CORNERS = {
    "square": np.array([[300, 200], [2100, 200], [2100, 1600], [300, 1600]], np.float32),
    "pose": np.array([[420, 300], [2010, 360], [1960, 1480], [460, 1420]], np.float32),
    "rotated": np.array([[380, 420], [1980, 250], [2060, 1380], [470, 1560]], np.float32),
}


@pytest.mark.parametrize("pose", sorted(CORNERS))
def test_board_corners_are_found_under_perspective(pose):
    s = synth(corners=CORNERS[pose])
    rb = find_board(_photo(s.photo), CFG.board)
    assert rb.method == "frame"
    found = rb.quad.array()
    err = np.linalg.norm(found - s.board_corners, axis=1).max()
    assert err < 0.015 * max(s.photo.shape[:2]), f"corner error {err:.1f}px"


@pytest.mark.parametrize("pose", sorted(CORNERS))
@pytest.mark.parametrize("border", [True, False])
def test_grid_is_recovered_within_tolerance(pose, border):
    s = synth(corners=CORNERS[pose], border=border, wobble=1.2, seed=3)
    rb = find_board(_photo(s.photo), CFG.board)
    layout = segment(rb, CFG.grid).layout
    g = layout.grid
    assert g is not None
    assert (g.rows, g.cols) == (len(ROWS), len(ROWS[0]))
    out_h, out_w = rb.gray.shape
    bw, bh = s.board_size
    # every drawn rule appears at its true place, in board-relative coordinates
    found_y = sorted(line.position() / out_h for line in g.h_lines)
    found_x = sorted(line.position() / out_w for line in g.v_lines)
    for y in s.row_lines:
        assert min(abs(y / bh - f) for f in found_y) < 0.015
    for x in s.col_lines:
        assert min(abs(x / bw - f) for f in found_x) < 0.015
    # each cell's box lies inside its true cell
    true_x = [120, 540, 840, 1140]
    first_rule = s.row_lines[0] if border else s.row_lines[0] - 90
    true_y = [first_rule + 90 * i for i in range(len(ROWS) + 1)]
    for cell in g.cells:
        x, y, w, h = cell.box
        cx, cy = (x + w / 2) / out_w * bw, (y + h / 2) / out_h * bh
        assert true_x[cell.col] < cx < true_x[cell.col + 1]
        assert true_y[cell.row] < cy < true_y[cell.row + 1]


def test_a_rule_drawn_cell_by_cell_is_a_rule():
    """A row rule drawn a cell at a time, the pen lifted just before each column line, has no
    ink of its own on both sides of the lines it crosses, as letters stacked down a column
    have none; its ink covers nearly all its length, which theirs does not. Seen on seed 9859
    photo 34: the header's rule dropped, the header and the first row read as one row, and that
    row lost."""
    s = synth(corners=CORNERS["square"], lifted=22, seed=2)
    layout = segment(find_board(_photo(s.photo), CFG.board), CFG.grid).layout
    assert layout.grid is not None
    assert (layout.grid.rows, layout.grid.cols) == (len(ROWS), len(ROWS[0]))
    strict = replace(CFG.grid, drawn_cover=1.01)  # the crossings' rule alone drops those rules
    layout = segment(find_board(_photo(s.photo), CFG.board), strict).layout
    assert layout.grid is None or layout.grid.rows < len(ROWS)


def test_pen_skips_do_not_split_lines():
    s = synth(corners=CORNERS["pose"], skip=True, seed=5)
    layout = segment(find_board(_photo(s.photo), CFG.board), CFG.grid).layout
    assert layout.grid is not None
    assert (layout.grid.rows, layout.grid.cols) == (len(ROWS), len(ROWS[0]))
    assert len(layout.grid.h_lines) == len(s.row_lines)


def test_text_lines_outside_the_table_are_found_in_order():
    s = synth(corners=CORNERS["square"])
    layout = segment(find_board(_photo(s.photo), CFG.board), CFG.grid).layout
    tops = [y for _, y, _, _ in layout.text_lines]
    assert len(layout.text_lines) == 3  # title above; "Actions" and one action below
    assert tops == sorted(tops)
    table_top = layout.grid.bbox[1]
    assert tops[0] < table_top < tops[1]


def test_board_without_table_has_no_grid():
    s = synth(corners=CORNERS["square"], rows=[], lines_below=("just some notes",))
    layout = segment(find_board(_photo(s.photo), CFG.board), CFG.grid).layout
    assert layout.grid is None


def test_photo_without_board_falls_back_to_whole_photo():
    rng = np.random.default_rng(1)
    wall = rng.integers(60, 120, (900, 1200, 3)).astype(np.uint8)
    rb = find_board(_photo(wall), CFG.board)
    assert rb.method == "photo"


def test_flatten_lighting_removes_a_gradient_and_keeps_ink():
    h, w = 600, 800
    light = np.linspace(140, 250, w)[None, :, None].repeat(h, 0).repeat(3, 2)
    img = light.copy()
    img[280:300, 100:700] = light[280:300, 100:700] * 0.25  # a dark stroke across the gradient
    flat = flatten_lighting(img.astype(np.uint8), 0.06)
    paper = flat[50:150].astype(float)
    assert paper.std() < 6 and paper.mean() > 225
    stroke = flat[285:295, 120:680].astype(float)
    assert stroke.mean() < 100


def test_a_hard_shadow_across_the_table_is_not_taken_for_the_board_edge():
    # A shadow's edge is a long straight edge with white on one side, like a frame; but the board
    # goes on beyond it (the table's lines cross it), so the whole board must still be found.
    s = synth(corners=CORNERS["pose"])
    img = s.photo.astype(np.float32)
    h, w = img.shape[:2]
    table_mid_x = float(np.mean(s.board_corners[:, 0]))
    yy, xx = np.mgrid[0:h, 0:w]
    shadow = xx > table_mid_x + 0.15 * (yy - h / 2)  # a slanting edge through the table
    img[shadow] *= 0.4
    rb = find_board(_photo(img.astype(np.uint8)), CFG.board)
    err = np.linalg.norm(rb.quad.array() - s.board_corners, axis=1).max()
    assert err < 0.02 * max(h, w), f"corner error {err:.1f}px"


def test_table_border_is_not_taken_from_a_frame_running_out_of_the_photo():
    # the board runs out of the photo on the right: its frame is the largest dark outline, but
    # an outline cut by the photo's edge is no table's border
    corners = np.array([[420, 300], [2900, 360], [2850, 1480], [460, 1420]], np.float32)
    s = synth(corners=corners, size=(2400, 1000))
    small = cv2.resize(s.photo, (800, 600), interpolation=cv2.INTER_AREA)
    quad = board._table_border_quad(small, CFG.board)
    assert quad is not None
    # the table's left edge is at x = 120 of the 2400-wide board: well inside the photo
    xs = quad.array()[:, 0] * 3
    assert xs.max() < 2400 - 100 and xs.min() > corners[0, 0]


def test_when_the_frame_view_holds_no_table_the_next_view_is_used(tmp_path, monkeypatch):
    # fault injection: a "frame" found on an empty corner of the board (as a shadow or the
    # actions' text can make one) must not end the reading with "no SLA table found"
    s = synth(corners=CORNERS["pose"])
    path = tmp_path / "board.png"
    cv2.imwrite(str(path), s.photo)
    corner = board._Candidate(Quad(((560, 10), (790, 10), (790, 180), (560, 180))), 1.0, "fake")
    monkeypatch.setattr(board, "_best_board_quad", lambda small, cfg: corner)

    views = [rb.method for rb in board.rectifications(_photo(s.photo), CFG.board)]
    assert views[:2] == ["frame", "table"] and views[-1] == "photo"
    result = Pipeline(CFG).extract(path)
    assert result.rectified.method == "table"
    assert [m.name for m in result.board.metrics] == [r[0] for r in ROWS[1:]]


def test_when_the_first_views_table_reads_no_metric_the_next_view_is_used(tmp_path, monkeypatch):
    # fault injection: a frame found on the wrong thing shears the table so that no row reads as
    # a metric (the first view here holds a table of words only); the reading must go on to the
    # next view rather than end with "no SLA table found"
    s = synth(corners=CORNERS["pose"])
    path = tmp_path / "board.png"
    cv2.imwrite(str(path), s.photo)
    words = [["Team", "Room", "Floor"], ["red", "blue", "green"], ["north", "south", "west"]]
    decoy = draw_board(rows=words, lines_above=(), lines_below=())[0]
    decoy_view = board.flattened(decoy, Quad(((0, 0), (1, 0), (1, 1), (0, 1))), "frame", CFG.board)
    real_views = board.rectifications

    def views(photo, cfg):
        yield decoy_view
        yield from (rb for rb in real_views(photo, cfg) if rb.method != "frame")

    monkeypatch.setattr(board, "rectifications", views)
    assert segment(decoy_view, CFG.grid).layout.grid is not None  # the decoy does hold a table
    result = Pipeline(CFG).extract(path)
    assert result.rectified.method != "frame"
    assert [m.name for m in result.board.metrics] == [r[0] for r in ROWS[1:]]


def _open_bottom_table(below: list[tuple[int, str]]) -> RectifiedBoard:
    """A table whose writer drew no bottom border: the middle column line runs on a little
    below the last rule, the others stop at it; `below` is the writing under that rule."""
    img = Image.new("L", (1400, 900), 250)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 40)
    xs, ys = [100, 600, 900, 1200], [200, 290, 380, 470]
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=30, width=5)
    for x in xs:
        d.line([(x, ys[0]), (x, 560 if x == 600 else ys[-1])], fill=30, width=5)
    rows = [("Metric", "Target", "Actual"), ("Uptime", "99.9%", "99.95%"), ("MTTR", "1h", "42m")]
    for y, row in zip(ys, rows, strict=False):
        for x, text in zip(xs, row, strict=False):
            d.text((x + 20, y + 20), text, font=font, fill=20)
    for x, text in below:
        d.text((x, 490), text, font=font, fill=20)
    gray = np.array(img)
    return RectifiedBoard(image=cv2.merge([gray] * 3), gray=gray, quad=None, method="photo")


def test_a_last_row_below_the_last_rule_of_a_table_without_bottom_border_is_a_row():
    rb = _open_bottom_table([(120, "Errors"), (620, "1%"), (920, "0.92%")])
    g = segment(rb, CFG.grid).layout.grid
    assert g is not None and (g.rows, g.cols) == (4, 3)
    x, y, w, h = g.cell(3, 2).box
    assert y > 470 and y + h > 530  # the cell holds the writing under the last rule


def test_a_sentence_under_a_table_without_bottom_border_is_no_row():
    rb = _open_bottom_table([(120, "- Errors: schema migration locked the table for hours")])
    g = segment(rb, CFG.grid).layout.grid
    assert g is not None and (g.rows, g.cols) == (3, 3)


def test_tall_letters_are_kept_when_the_ruled_lines_are_erased():
    # a big handwritten "l" or "1" is a straight vertical run longer than the line kernel (60 px
    # here); only the table's rules may be erased from the image OCR reads, never such a letter
    h, w = 1200, 1800
    gray = np.full((h, w), 250, np.uint8)
    xs, ys = [100, 700, 1100, 1500], [200, 330, 460, 590]
    for y in ys:
        cv2.line(gray, (xs[0], y), (xs[-1], y), 30, 5)
    for x in xs:
        cv2.line(gray, (x, ys[0]), (x, ys[-1]), 30, 5)
    for i, x in enumerate(range(180, 600, 60)):  # tall strokes inside the first column's cells
        cv2.line(gray, (x, 360), (x + 2, 360 + 66 - i), 30, 6)
    rb = RectifiedBoard(image=cv2.merge([gray] * 3), gray=gray, quad=None, method="photo")
    seg = segment(rb, CFG.grid)
    assert seg.layout.grid is not None and seg.layout.grid.rows == 3
    strokes = seg.clean[360:430, 170:620]
    assert (strokes < 128).sum() >= 0.8 * (gray[360:430, 170:620] < 128).sum()
    for y in ys:  # and the ruled lines are gone
        assert (seg.clean[y - 2 : y + 3, 750:1050] < 128).sum() == 0


def _slanted_board_filling_the_photo(tmp_path) -> Path:
    """A photo taken close and turned 7 degrees: the board fills it (no frame in view) and its
    table has no outer border, so neither a frame nor a table border can be squared."""
    board_img = draw_board(border=False)[0]
    turn = cv2.getRotationMatrix2D((800, 500), -7, 1.0)
    photo = cv2.warpAffine(board_img, turn, (1600, 1000), borderMode=cv2.BORDER_REPLICATE)
    path = tmp_path / "slanted.png"
    cv2.imwrite(str(path), photo)
    return path


ROWS_READ = [("Uptime", 99.9, 99.95), ("P95 latency", 200, 240), ("Error rate", 0.5, 0.46)]


def test_a_slanted_table_with_no_frame_or_border_in_view_is_read_from_a_levelled_view(tmp_path):
    path = _slanted_board_filling_the_photo(tmp_path)
    photo = _photo(cv2.imread(str(path)))
    assert [rb.method for rb in board.rectifications(photo, CFG.board)] == ["level", "photo"]
    result = Pipeline(CFG).extract(path)
    assert result.rectified.method == "level"
    assert [(m.name, m.target.value, m.actual.value) for m in result.board.metrics] == ROWS_READ


def test_without_the_levelled_view_the_slanted_table_is_misread(tmp_path):
    path = _slanted_board_filling_the_photo(tmp_path)
    cfg = Config(board=replace(CFG.board, level_min_tilt=90.0))
    try:
        metrics = Pipeline(cfg).extract(path).board.metrics
    except NoTableFound:
        metrics = ()
    assert [(m.name, m.target.value, m.actual.value) for m in metrics] != ROWS_READ


def test_a_level_photo_gets_no_levelled_view():
    s = synth(corners=CORNERS["square"])
    views = [rb.method for rb in board.rectifications(_photo(s.photo), CFG.board)]
    assert "level" not in views


def test_the_table_view_keeps_actions_written_well_below_the_table(tmp_path):
    # a photo taken close: the board fills it (no frame to find), so the view is squared by the
    # table's border; it must still hold the actions, written here well below the table
    gap = ("",) * 9  # ten lines of 60 px under a table of 4 rows of 90 px
    below = ("Actions", *gap, "P95 latency: add cache @maria 12/15", "Uptime: add DNS @tom")
    photo = draw_board(size=(1600, 1400), lines_below=below)[0]
    path = tmp_path / "board.png"
    cv2.imwrite(str(path), photo)
    result = Pipeline(CFG).extract(path)
    assert result.rectified.method == "table"
    assert [(a.owner, a.metric) for a in result.board.actions] == [
        ("maria", "P95 latency"),
        ("tom", "Uptime"),
    ]


def test_a_faint_table_whose_column_lines_turn_dashed_is_read_to_its_end(tmp_path):
    """Faint rules whose column lines go on below the second row as dashes spaced wider than the
    faint pass's closer bridging: that bridging finds the table only down to where the dashes
    start; the wider one goes on to its end and is taken (seeds 9473 photo 8, 9859 photo 16:
    the rows below read as lines of writing, or not at all)."""
    rows = [*ROWS, ("MTTR", "< 4h", "3.2h"), ("Apdex", ">= 0.9", "0.93")]
    s = synth(rows=rows, rule_colour=(200, 200, 200), column_dashes=(18, 12), size=(1600, 1100))
    rb = find_board(_photo(s.photo), CFG.board)
    close = replace(CFG.grid, faint_gap_columns_wide=CFG.grid.faint_gap_columns)
    cut = next(iter(grid.segmentations(rb, close))).layout.grid
    assert cut is not None and cut.rows < len(rows)  # the closer bridging alone stops short
    first, then = (seg.layout for seg in grid.segmentations(rb, CFG.grid))
    assert first.faint and first.grid is not None
    assert (first.grid.rows, first.grid.cols) == (len(rows), len(rows[0]))
    # the closer bridging's table follows, for a caller whose wider table read no row
    assert then.faint and then.grid is not None and then.grid.bbox == cut.bbox
    path = tmp_path / "dashed.png"
    cv2.imwrite(str(path), s.photo)
    doc = Pipeline(CFG).extract(path).board
    assert [m.name for m in doc.metrics] == [r[0] for r in rows[1:]]


def _two_lines_and_a_rule(dashed: bool) -> np.ndarray:
    """Text ink (255 on 0) of a table 1000 px wide, rows 110 px apart but the first band twice
    that: the header's words and the first row's written close above and below a thick dashed
    rule that touches both (or joined by a stroke that is no rule)."""
    img = Image.new("L", (1000, 440), 0)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 44)
    rows = [("Metric", "Target", "Actual"), ("Uptime", "99.9%", "99.95%"), ("MTTR", "<4h", "3h")]
    rows += [("Apdex", "0.9", "0.93")]
    for base, row in zip((20, 90, 240, 350), rows, strict=True):
        for c, text in enumerate(row):
            d.text((20 + 330 * c, base), text, font=font, fill=255)
    if dashed:  # under the header: its dashes reach the letters above and below it
        for x in range(0, 1000, 30):
            d.rectangle((x, 66, x + 20, 100), fill=255)
    else:
        d.rectangle((40, 50, 56, 110), fill=255)
    return np.array(img)


@pytest.mark.parametrize("dashed", [True, False])
def test_a_rule_no_line_mask_kept_splits_a_band_two_rows_tall(dashed):
    """Seed 9473 photo 0: the faint table's dashed rule under the header was not found as a
    line, and the header's words touch it from above as the first row's do from below: one
    band of ink, one cell read, the first row lost. A pixel row half inked across the band
    is a rule; a band without one is left to the gaps between its lines."""
    ink = _two_lines_and_a_rule(dashed)
    ys = [0.0, 220.0, 330.0, 440.0]  # the first band holds the header and a row
    assert len(grid_rows.ink_runs(ink[:220])) == 1  # one band of ink: no gap to split at
    out = grid_rows.split_rows(ys, 0, 1000, ink, [], CFG.grid)
    if dashed:
        assert len(out) == len(ys) + 1 and 66 <= out[1] <= 100
    else:
        assert out == ys


def test_a_piece_of_a_row_line_too_short_to_keep_splits_a_band_two_rows_tall():
    """Seed 9473 photo 6: a shadow broke the rule between two rows into pieces each shorter
    than half the table, not kept as its lines and erased as ink all the same; the band of the
    two rows is split where the pieces run."""
    ink = _two_lines_and_a_rule(False)  # one band of ink, no rule in it
    ys = [0.0, 220.0, 330.0, 440.0]
    assert grid_rows.split_rows(ys, 0, 1000, ink, [83.0], CFG.grid) == [
        0.0,
        83.0,
        220.0,
        330.0,
        440.0,
    ]
    # a piece near the band's edge is the rule there, drawn twice: no split
    assert grid_rows.split_rows(ys, 0, 1000, ink, [210.0], CFG.grid) == ys


def _rules_only_between_values(beside: dict[int, str]) -> RectifiedBoard:
    """A table whose writer drew no outer border and whose row rules, where the metric names
    stand, were not found (a drying marker's dashes): the rules run only between the column
    lines of Target and Actual. `beside`: writing left of the first column line, by row."""
    img = Image.new("L", (1500, 900), 250)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 40)
    xs, ys = [600, 900], [200, 290, 380, 470, 560]
    for y in ys[1:-1]:
        d.line([(xs[0], y), (1200, y)], fill=30, width=5)
    for x in xs:
        d.line([(x, ys[0]), (x, ys[-1])], fill=30, width=5)
    rows = [("Target", "Actual"), ("99.9%", "99.95%"), ("1h", "42m"), ("1%", "0.9%")]
    for r, (y, row) in enumerate(zip(ys, rows, strict=False)):
        for x, text in zip(xs, row, strict=True):
            d.text((x + 20, y + 20), text, font=font, fill=20)
        if r in beside:
            d.text(
                (600 - 20 - d.textlength(beside[r], font=font), y + 20),
                beside[r],
                font=font,
                fill=20,
            )
    gray = np.array(img)
    return RectifiedBoard(image=cv2.merge([gray] * 3), gray=gray, quad=None, method="photo")


def test_metric_names_beyond_the_first_column_line_are_the_tables_first_column():
    names = {0: "Metric", 1: "Uptime", 2: "MTTR", 3: "Errors"}
    rb = _rules_only_between_values(names)
    # the usual passes come first and find the two columns between lines, as before: the
    # widened table is for a caller that read no SLA table in them
    assert segment(rb, CFG.grid).layout.grid.cols == 2
    seg = list(grid.segmentations(rb, CFG.grid))[-1]
    g = seg.layout.grid
    assert g is not None and (g.rows, g.cols) == (4, 3) and g.outer == ("first",)
    assert grid.outer_warning(("first",)) in seg.layout.warnings
    x, _, w, _ = g.cell(2, 0).box
    # the first column holds the names ("MTTR" starts about 120 px before the line), the
    # second still begins at the first column line
    assert x < 600 - 120 and x + w <= 600
    assert abs(g.cell(2, 1).box[0] - 600) < 20


def test_a_word_beside_one_row_is_no_column():
    segs = list(grid.segmentations(_rules_only_between_values({2: "why?"}), CFG.grid))
    assert [(s.layout.grid.rows, s.layout.grid.cols, s.layout.grid.outer) for s in segs] == [
        (4, 2, ())
    ]


def test_writing_that_runs_on_beside_the_table_is_no_column():
    # a sentence beside every row runs past the reach of a column (two and a half columns)
    long = {r: "- notes on this that go on and on" for r in range(4)}
    rb = _rules_only_between_values(long)
    assert rb.gray[:, :100].min() < 128  # the writing does reach the board's left part
    segs = list(grid.segmentations(rb, CFG.grid))
    assert [(s.layout.grid.cols, s.layout.grid.outer) for s in segs] == [(2, ())]


def test_a_table_whose_name_column_has_no_rules_is_read_with_its_names(tmp_path):
    rb = _rules_only_between_values({0: "Metric", 1: "Uptime", 2: "MTTR", 3: "Errors"})
    wall = np.full((1300, 1900, 3), 70, np.uint8)  # the board on a darker wall, its frame in view
    wall[200:1100, 200:1700] = rb.image
    path = tmp_path / "open-names.png"
    cv2.imwrite(str(path), wall)
    board_read = Pipeline(CFG).extract(path).board
    assert [m.name for m in board_read.metrics] == ["Uptime", "MTTR", "Errors"]
    assert [m.actual.text for m in board_read.metrics] == ["99.95%", "42m", "0.9%"]
    assert grid.outer_warning(("first",)) in board_read.warnings
