"""A table drawn with a drying marker is found (boardsnap/reading/grid.py, the faint pass).

Photos from the corpus generator (samples/generate.py) with its drying-marker effect forced on
the pen the table is drawn with: the ruled lines are faint and patchy (blotches with bare skips
between them) and so is the writing in the cells. The usual threshold keeps only the darkest
blotches, and no table is made of them; the faint pass must find the table, hand OCR an image
in which the faded ink is dark on white, and say on the board that the table was faint. Real
OpenCV, real pipeline, real OCR; truth from the generator.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pytest

from boardsnap.config import Config
from boardsnap.document import ReviewCode
from boardsnap.errors import NoTableFound
from boardsnap.reading import board as board_stage
from boardsnap.reading import grid as grid_stage
from boardsnap.reading.load import load_photo
from boardsnap.reading.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

import generate  # noqa: E402

# a marker far gone (70 % of its ink, patchy over 80 % of the strokes); the pen it hits is the
# first of the board's pens in order ("black"), the table's pen on the layouts of DRY_SEEDS;
# every other hardship off, so the faded table is all that is hard about these photos
DRY = {
    "drying_marker": True,
    "dry_level": 0.7,
    "dry_patch": 0.8,
    "dry_pen_pick": 0.0,
    "cast_shadow": False,
    "five_mp": False,
    "shaken": False,
    "touching_actions": False,
}
DRY_SEEDS = (1, 4)
# the same layout with every hardship off: an ordinary board
PLAIN = {**DRY, "drying_marker": False}


def _make(tmp_path: Path, seed: int, overrides: dict, kind: str = "table") -> tuple[Path, dict]:
    path = generate.write_photo(
        tmp_path, f"board-{seed}-{kind}", seed, 0, 1600, {"exif": 1, "kind": kind, **overrides}
    )
    return path, json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=DRY_SEEDS)
def dried(request, tmp_path_factory):
    return _make(tmp_path_factory.mktemp("dry"), request.param, {"hardship": DRY})


def _first_view(path: Path):
    cfg = Config()
    return next(board_stage.rectifications(load_photo(path, cfg.load), cfg.board))


def _name_matches(read: str, truth: str) -> bool:
    a, b = " ".join(read.lower().split()), " ".join(truth.lower().split())
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.8


def test_faded_table_is_found_only_by_the_faint_pass(dried):
    path, truth = dried
    assert truth["corpus"]["effects"]["drying_marker"] == "black"
    view = _first_view(path)
    usual = dataclasses.replace(Config().grid, faint_lines=False)
    # the photo is what the test is about: the usual threshold makes no table of these lines
    assert grid_stage.segment(view, usual).layout.grid is None

    layout = grid_stage.segment(view, Config().grid).layout
    assert layout.grid is not None, layout.notes
    assert layout.grid.rows == truth["corpus"]["table_rows"] + 1  # + the header row
    assert layout.grid.cols == truth["corpus"]["table_cols"]
    assert grid_stage.FAINT_WARNING in layout.warnings and layout.faint
    assert any("faint" in note for note in layout.notes)


def test_faded_cells_are_dark_on_white_for_ocr(dried):
    """The image OCR reads has the faded writing darkened and the board's grain white: the crop
    of every metric-name cell holds ink darker than the faded pen left it on the photo."""
    path, _ = dried
    view = _first_view(path)
    seg = grid_stage.segment(view, Config().grid)
    assert seg.layout.grid is not None
    names = [c for c in seg.layout.grid.cells if c.col == 0 and c.row > 0]
    assert names
    for cell in names:
        x, y, w, h = cell.box
        before = view.gray[y : y + h, x : x + w]
        after = seg.clean[y : y + h, x : x + w]
        assert np.median(after) == 255  # the board between strokes is white, not grain
        assert np.percentile(after, 1) < np.percentile(before, 1) - 30  # the ink darker
        assert np.percentile(after, 1) < 110


def test_writing_around_a_faded_table_is_left_as_the_usual_pass_cleaned_it(dried):
    """The faint pass bridges skips along faded strokes to find the rules; a word written with
    the same drying marker is bridged into a "line" too. Around the table, the image OCR reads
    is the usual pass's: no word there is erased as a rule (on seed 1 a white bar was left where
    "failover", "@raj" and the title's date were)."""
    path, _ = dried
    view = _first_view(path)
    seg = grid_stage.segment(view, Config().grid)
    usual = grid_stage.segment(view, dataclasses.replace(Config().grid, faint_lines=False))
    assert seg.layout.grid is not None and seg.layout.faint
    x, y, w, h = seg.layout.grid.bbox
    pad = int(0.01 * max(view.gray.shape))
    around = np.ones(view.gray.shape, bool)
    around[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad] = False
    assert np.array_equal(seg.clean[around], usual.clean[around])
    # and that is the photo's writing: the ink of its lines of text is still there
    writing = np.zeros(view.gray.shape, bool)
    for bx, by, bw, bh in usual.layout.text_lines:
        writing[by : by + bh, bx : bx + bw] = True
    ink = grid_stage.ink_mask(view.gray) > 0
    assert (seg.clean[around & writing & ink] == 255).mean() < 0.1  # (underlines are erased)


def test_faded_table_is_read(dried):
    path, truth = dried
    board = Pipeline(Config()).extract(path).board
    names = [m["name"] for m in truth["metrics"]]
    assert len(board.metrics) >= len(names) - 1
    right = sum(any(_name_matches(m.name, n) for m in board.metrics) for n in names)
    assert right > len(names) / 2, [m.name for m in board.metrics]
    # read from faded ink, which the board says, and every row is flagged: a digit read off
    # faded ink with confidence ("0.78" as "0.36" on seed 1) shows nothing else
    assert grid_stage.FAINT_WARNING in board.warnings
    for m in board.metrics:
        assert m.needs_review and ReviewCode("table.faint", "row") in m.review_codes


def test_ordinary_board_reads_as_before(tmp_path):
    """A board whose table the usual pass finds is segmented exactly as without the faint
    pass: same table, same image for OCR, no warning."""
    path, _ = _make(tmp_path, DRY_SEEDS[0], {"hardship": PLAIN})
    view = _first_view(path)
    usual = grid_stage.segment(view, dataclasses.replace(Config().grid, faint_lines=False))
    now = grid_stage.segment(view, Config().grid)
    assert usual.layout.grid is not None
    assert now.layout == usual.layout
    assert np.array_equal(now.clean, usual.clean)
    assert grid_stage.FAINT_WARNING not in now.layout.warnings


@pytest.mark.parametrize("kind", ["no_table", "blank_board"])
def test_no_table_drawn_with_a_drying_marker_is_still_none(tmp_path, kind):
    path, truth = _make(tmp_path, DRY_SEEDS[0], {"hardship": DRY}, kind=kind)
    assert truth["corpus"]["expect"] == "no_table"
    with pytest.raises(NoTableFound):
        Pipeline(Config()).extract(path)


def _view(method: str, metrics: int, cells: int, actions: int, causes: int = 0) -> tuple:
    from boardsnap.document import Action, Actual, Board, Metric, RootCause, Target
    from boardsnap.geometry import Quad
    from boardsnap.reading.results import RectifiedBoard

    white = np.full((40, 60), 255, np.uint8)
    quad = Quad(((0.0, 0.0), (60.0, 0.0), (60.0, 40.0), (0.0, 40.0)))
    boxes = tuple((i * 10, 0, 10, 10) for i in range(cells))
    doc = Board(
        source="t.jpg",
        metrics=tuple(
            Metric(
                f"row {i}", Target("<", 1.0, "%", "<1%"), Actual(0.5, "%", "0.5%"), cell_boxes=boxes
            )
            for i in range(metrics)
        ),
        actions=tuple(Action(text=f"action {i}") for i in range(actions)),
        root_causes=tuple(RootCause(None, f"cause {i}") for i in range(causes)),
    )
    return (RectifiedBoard(np.dstack([white] * 3), white, quad, method), None, None, None, doc)


def test_a_later_view_whose_cells_read_a_row_does_not_replace_one_that_read_the_board():
    """A faded table whose cells read as no row in the board's own view (its rows read from
    lines only), then one row read from a table found in the photo as a whole: the board's
    view, with its actions, is the reading; a later view that reads the table is taken over a
    frame's corner whose lines gave a few rows."""
    from boardsnap.reading.pipeline import _better_view

    board_lines = _view("frame", metrics=2, cells=1, actions=3, causes=1)
    photo_cells = _view("photo", metrics=1, cells=2, actions=0)
    assert _better_view(photo_cells, board_lines, "t.jpg") is board_lines
    table_cells = _view("table", metrics=6, cells=3, actions=3, causes=1)
    assert _better_view(table_cells, board_lines, "t.jpg") is table_cells
    assert _better_view(None, board_lines, "t.jpg") is board_lines
    assert _better_view(table_cells, None, "t.jpg") is table_cells


def test_a_lighter_faded_table_is_read_cell_by_cell_from_the_surer_image(tmp_path):
    """A marker drying less far (seed 9859's photo 16: about half its ink, dashed rules, a cast
    shadow and a shaken hand besides): darkening its faded ink broke the strokes of most cells
    apart ("Downtime" read "AWMO"), no row read as a metric, and the board was answered 'no SLA
    table'. Each cell is read from the darkened board and from the board as photographed, and
    the surer reading kept (ocr.surer_cells)."""
    path = generate.write_photo(tmp_path, "board-9859-16", 9859, 16, None)
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    assert truth["corpus"]["effects"]["drying_marker"]  # the premise: a faded table
    view = _first_view(path)
    seg = grid_stage.segment(view, Config().grid)
    assert seg.layout.faint and seg.plain is not None
    board = Pipeline(Config()).extract(path).board
    names = [m["name"] for m in truth["metrics"]]
    right = sum(any(_name_matches(m.name, n) for m in board.metrics) for n in names)
    # (the dashed rules of the table's upper rows are not bridged: 4 of its 7 rows are found)
    assert len(board.metrics) >= 4 and right >= 2, [m.name for m in board.metrics]
    assert all(m.needs_review for m in board.metrics)  # read from faded ink: flagged


def test_a_dashed_faded_table_is_found_by_bridging_wider_down_its_columns(tmp_path):
    """Seed 9859's photo 18: a faded table whose column rules are dashes further apart than
    `faint_gap_columns` bridges; the faint pass made no table of them and the photo was
    answered 'no SLA table'. Where the closer bridging makes no table, the faint pass tries
    `faint_gap_columns_wide`; without it, none."""
    path = generate.write_photo(tmp_path, "board-9859-18", 9859, 18, None)
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    assert truth["corpus"]["effects"]["drying_marker"]
    view = _first_view(path)
    grid_cfg = Config().grid
    narrow = dataclasses.replace(grid_cfg, faint_gap_columns_wide=grid_cfg.faint_gap_columns)
    assert grid_stage.segment(view, narrow).layout.grid is None  # the premise
    layout = grid_stage.segment(view, grid_cfg).layout
    assert layout.grid is not None and layout.faint
    assert layout.grid.cols == truth["corpus"]["table_cols"]
    board = Pipeline(Config()).extract(path).board
    assert len(board.metrics) >= 3
    assert all(m.needs_review for m in board.metrics)


def _with_empty_grid(path: Path, truth: dict, out: Path) -> Path:
    """The photo with a grid of empty boxes drawn in a dark pen on the board's bare right half
    (3 x 3 boxes, 30 % of the board wide): a table of lines the usual threshold keeps, which
    holds no SLA row."""
    import cv2

    quad = np.float32(truth["corpus"]["board_corners"])
    unit = np.float32([[0, 0], [1, 0], [1, 1], [0, 1]])
    to_photo = cv2.getPerspectiveTransform(unit, quad)

    def at(x: float, y: float) -> tuple[int, int]:
        px, py = cv2.perspectiveTransform(np.float32([[[x, y]]]), to_photo)[0, 0]
        return int(px), int(py)

    image = cv2.imread(str(path))
    for k in range(4):
        y, x = 0.36 + k * 0.28 / 3, 0.64 + k * 0.30 / 3
        cv2.line(image, at(0.64, y), at(0.94, y), (40, 40, 40), 6)
        cv2.line(image, at(x, 0.36), at(x, 0.64), (40, 40, 40), 6)
    cv2.imwrite(str(out), image)
    return out


def test_a_faded_table_beside_a_dark_table_of_no_rows_is_read(tmp_path):
    """A dark grid that is no SLA table (a shadow's edge, the board's frame, a drawing) is what
    the usual threshold finds; the faded SLA table beside it is found only among faint lines.
    When the first table reads no row, the view's faint table that stands elsewhere is read
    (`grid.segmentations`): the board is read, not said to hold no SLA table."""
    path, truth = _make(tmp_path, DRY_SEEDS[0], {"hardship": DRY})
    decoyed = _with_empty_grid(path, truth, tmp_path / "decoyed.jpg")
    view = _first_view(decoyed)
    first, *then = grid_stage.segmentations(view, Config().grid)
    assert first.layout.grid is not None and not first.layout.faint  # the empty grid
    assert first.layout.grid.bbox[0] > view.gray.shape[1] // 2
    assert len(then) == 1 and then[0].layout.faint and then[0].layout.grid is not None
    assert then[0].layout.grid.bbox[0] < view.gray.shape[1] // 4  # the table, on the left
    assert grid_stage.segment(view, Config().grid) is not None  # the first, as before

    pipeline = Pipeline(Config())
    board = pipeline.extract(decoyed).board
    assert len(board.metrics) >= len(truth["metrics"]) - 1
    assert grid_stage.FAINT_WARNING in board.warnings
    # read as the photo without the empty grid is: the same targets, row by row
    plain = pipeline.extract(path).board
    assert len(board.metrics) == len(plain.metrics)
    pairs = zip(board.metrics, plain.metrics, strict=True)
    assert sum(a.target.text == b.target.text for a, b in pairs) >= len(plain.metrics) - 1


def test_a_dark_table_of_no_rows_alone_is_still_no_sla_table(tmp_path):
    """The same empty grid on an ordinary board with no table: the faint pass finds nothing
    else, and the photo is said to hold no SLA table."""
    path, truth = _make(tmp_path, DRY_SEEDS[0], {"hardship": PLAIN}, kind="no_table")
    decoyed = _with_empty_grid(path, truth, tmp_path / "decoyed.jpg")
    with pytest.raises(NoTableFound):
        Pipeline(Config()).extract(decoyed)


def test_a_faint_table_inside_the_usual_passs_is_not_its_place():
    """Seed 9473 photo 31: the usual pass took the board's frame and its sections for a table of
    3 x 3 round the whole board; the faded SLA table lies inside it and is read. Only a table
    in the same place as the one read as none (half their union shared) is passed over."""
    frame, faded = (119, 658, 1559, 833), (154, 855, 879, 195)
    assert not grid_stage._same_place(faded, frame)
    assert grid_stage._same_place((1153, 450, 549, 352), (1150, 455, 552, 350))
