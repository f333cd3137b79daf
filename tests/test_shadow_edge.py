"""A cast shadow's edge is not the board's side (boardsnap/reading/board.py, `_shadow_side`).

Photos from the corpus generator (samples/generate.py) with a shadow forced across the board
below its table, so that the root causes and actions are in the shadow: the board's white
surface goes on past the shadow's edge, only darker, and so do its frame and its writing. Real
OpenCV, real pipeline, real OCR; truth from the generator.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from boardsnap.config import BoardConfig, Config
from boardsnap.geometry import Quad
from boardsnap.reading import board as board_stage
from boardsnap.reading.load import load_photo
from boardsnap.reading.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

import generate  # noqa: E402

# a hard shadow's edge, level with the table's rows, a quarter of the table's height below it;
# everything under it (the notes, the rest of the board, the wall) half as bright
SHADOW = {
    "cast_shadow": True,
    "drying_marker": False,
    "five_mp": False,
    "shaken": False,
    "touching_actions": False,
    "cast": {
        "u": 0.5,
        "v": 1.25,
        "vertical": False,
        "tilt": 2.0,
        "dark_after": True,
        "dark": 0.5,
        "soft": 0.002,
    },
}
SHADOW_SEEDS = (1, 3)  # two layouts whose notes are under the table (and so in the shadow)


def _make(tmp_path: Path, seed: int, overrides: dict) -> tuple[Path, dict]:
    path = generate.write_photo(
        tmp_path, f"board-{seed}", seed, 0, 1600, {"exif": 1, "kind": "table", **overrides}
    )
    return path, json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=SHADOW_SEEDS)
def shadowed(request, tmp_path_factory):
    return _make(tmp_path_factory.mktemp("shadow"), request.param, {"hardship": SHADOW})


def _iou(a, b) -> float:
    pts = np.vstack([np.asarray(a), np.asarray(b)])
    w, h = (pts.max(axis=0) + 2).astype(int)
    ma, mb = np.zeros((h, w), np.uint8), np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(ma, np.asarray(a).round().astype(np.int32), 1)
    cv2.fillConvexPoly(mb, np.asarray(b).round().astype(np.int32), 1)
    return float((ma & mb).sum() / max(1, (ma | mb).sum()))


def _first_view(path: Path):
    cfg = Config()
    return next(board_stage.rectifications(load_photo(path, cfg.load), cfg.board))


def _detection_looks(path: Path):
    """The photo at detection size and what the side checks look at, as _best_board_quad
    makes them."""
    cfg = Config()
    img = load_photo(path, cfg.load).image
    h, w = img.shape[:2]
    f = min(1.0, board_stage._DETECT_SIDE / max(h, w))
    small = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 40, 120)
    return board_stage._looks(small, gray, edges), f


def _cut_at_shadow(truth: dict) -> np.ndarray:
    """The board as a detector fooled by the shadow sees it: its top corners, and where the
    shadow's edge meets its left and right sides."""
    c = truth["corpus"]
    tl, tr, br, bl = (np.asarray(p, float) for p in c["board_corners_upright"])
    p = np.asarray(c["effects"]["cast_shadow"]["point_upright"])
    n = np.asarray(c["effects"]["cast_shadow"]["dark_side_normal"])

    def meet(a, b):  # where the segment a-b crosses the line through p with normal n
        t = float(np.dot(p - a, n) / np.dot(b - a, n))
        assert 0.2 < t < 0.95  # the shadow crosses the board's sides, low on them
        return a + t * (b - a)

    return np.array([tl, tr, meet(tr, br), meet(tl, bl)])


def test_the_photo_has_what_the_test_needs(shadowed):
    """The generated photo: the shadow's edge runs across the board between the table and the
    actions, and darkens what is below it."""
    path, truth = shadowed
    c = truth["corpus"]
    assert c["effects"]["cast_shadow"] and "shadow" in c["effects"]["groups"]
    assert c["effects"]["cast_shadow"]["darkening"] == 0.5
    assert truth["actions"] and truth["root_causes"]
    table_bottom = max(y for _x, y in c["table_corners_upright"])
    board_bottom = max(y for _x, y in c["board_corners_upright"])
    cut = _cut_at_shadow(truth)
    assert table_bottom < cut[2:, 1].min() and cut[2:, 1].max() < board_bottom - 50


def test_a_side_along_the_shadow_is_the_shadow_and_the_real_sides_are_not(shadowed):
    path, truth = shadowed
    looks, f = _detection_looks(path)
    cfg = Config().board
    cut = Quad.from_array(_cut_at_shadow(truth) * f)
    assert board_stage._shadow_side(cut, looks, cfg) == 2  # the bottom side
    whole = Quad.from_array(np.asarray(truth["corpus"]["board_corners_upright"]) * f)
    assert board_stage._shadow_side(whole, looks, cfg) is None


def test_the_view_is_the_whole_board_not_the_lit_part(shadowed, monkeypatch):
    path, truth = shadowed
    board = truth["corpus"]["board_corners_upright"]
    view = _first_view(path)
    assert view.method == "frame"
    assert _iou(view.quad.array(), board) > 0.9
    # without the check, the shadow's edge is taken for the board's side (what the check is for)
    monkeypatch.setattr(board_stage, "_shadow_side", lambda *a: None)
    fooled = _first_view(path)
    assert _iou(fooled.quad.array(), board) < 0.75
    assert _iou(fooled.quad.array(), _cut_at_shadow(truth)) > 0.85


def test_a_board_on_a_pale_grey_wall_keeps_its_own_sides(tmp_path):
    """Without a shadow, the board's bottom side over a pale, neutral wall (brightness stepping
    down, colour alike) is still the board's side: its frame ends there, and nothing written
    goes on past it (seed 777, photo 21 of the plain corpus)."""
    path = generate.write_photo(tmp_path, "grey-wall", 777, 21, 1600, {"hard": False})
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    looks, f = _detection_looks(path)
    whole = Quad.from_array(np.asarray(truth["corpus"]["board_corners_upright"]) * f)
    assert board_stage._shadow_side(whole, looks, Config().board) is None
    assert _iou(_first_view(path).quad.array(), truth["corpus"]["board_corners_upright"]) > 0.9


@pytest.fixture(scope="module")
def pipeline():
    p = Pipeline(Config())
    yield p
    p.close()


def test_the_actions_in_the_shadow_are_read(shadowed, pipeline):
    """Through the whole pipeline: every action line under the shadow is found (its fields may
    be misread; that is the parser's to flag), and so are root causes and the table's rows.
    (Before the check, this photo's actions and root causes were all lost, with no warning.)"""
    path, truth = shadowed
    doc = pipeline.extract(path).board
    assert len(doc.actions) == len(truth["actions"])
    assert doc.root_causes
    assert len(doc.metrics) >= len(truth["metrics"])


# a shadow over most of the board: its edge crosses the table near its top, and everything
# below (most of the table, the notes, the rest of the board) is half as bright
DEEP_SHADOW = {**SHADOW, "cast": {**SHADOW["cast"], "v": 0.3, "tilt": 5.0}}


@pytest.mark.parametrize("seed", SHADOW_SEEDS)
def test_a_board_mostly_in_shadow_is_still_the_whole_board(tmp_path, seed):
    """More than half the board in a cast shadow: the dark part is the same white surface (its
    colour, brightness divided out, is the lit part's), so it counts as board, and the view is
    the whole board, not a quad that leans on the lit part (as it did: the photo's top edge and
    the upper half, the actions cut off)."""
    path, truth = _make(tmp_path, seed, {"hardship": DEEP_SHADOW})
    board = np.asarray(truth["corpus"]["board_corners_upright"])
    looks, f = _detection_looks(path)
    whole = Quad.from_array(board * f)
    cfg = Config().board
    img = cv2.resize(load_photo(path, Config().load).image, None, fx=f, fy=f)
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV).astype(np.float32)
    whiteness = cv2.GaussianBlur(hsv[:, :, 2] - 0.6 * hsv[:, :, 1], (0, 0), 2)
    lo, hi = np.percentile(whiteness, [20, 99])
    inside = np.zeros(whiteness.shape, np.uint8)
    cv2.fillConvexPoly(inside, whole.array().round().astype(np.int32), 1)
    lit = float(np.mean(whiteness[inside > 0] > lo + 0.35 * (hi - lo)))
    assert lit < cfg.min_white_inside  # the premise: by brightness alone, not a board
    view = _first_view(path)
    assert view.method == "frame"
    assert _iou(view.quad.array(), board) > 0.9


def _warm_shadow_board() -> tuple[np.ndarray, np.ndarray]:
    """A synthetic board at detection size (800 x 600) on a cream wall of much its own colour,
    three fifths of it in a cast shadow that is warmer than the lit part (a lamp beyond; the lit
    white clips in red), as seed 9859's board-0021 was. Returns the photo and the board's
    corners (inside its 14-pixel frame)."""
    rng = np.random.default_rng(5)
    h, w = 600, 800
    img = np.empty((h, w, 3), np.float32)
    img[:] = (190, 204, 216)  # a cream wall (BGR)
    cv2.rectangle(img, (80, 90), (730, 520), (150, 152, 156), -1)  # the frame
    cv2.rectangle(img, (94, 104), (716, 506), (252, 254, 262), -1)  # the board; red clips
    for y in range(180, 420, 40):  # a ruled table and two lines of writing
        cv2.line(img, (150, y), (600, y), (60, 50, 40), 2)
    for x in (150, 300, 450, 600):
        cv2.line(img, (x, 180), (x, 380), (60, 50, 40), 2)
    for y in (440, 470):
        cv2.line(img, (150, y), (560, y + 3), (70, 60, 50), 3)
    yy, xx = np.mgrid[0:h, 0:w]
    dark = xx > 330 + 0.05 * (yy - 300)  # the shadow's edge, nearly upright
    img[dark] *= np.array([0.56, 0.58, 0.61], np.float32)  # darker, and warmer
    img += rng.normal(0, 2.0, img.shape).astype(np.float32)
    board = np.array([[94, 104], [716, 104], [716, 506], [94, 506]], float)
    return np.clip(img, 0, 255).astype(np.uint8), board


def _score(img: np.ndarray, corners, cfg: BoardConfig | None = None) -> float:
    """`_score_quad` of a quad on a detection-size photo, with what _best_board_quad gives it."""
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV).astype(np.float32)
    whiteness = cv2.GaussianBlur(hsv[:, :, 2] - 0.6 * hsv[:, :, 1], (0, 0), 2)
    lo, hi = np.percentile(whiteness, [20, 99])
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    looks = board_stage._looks(img, gray, cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 40, 120))
    surface = looks.surface.astype(np.float32)
    chroma = surface / np.maximum(surface.sum(axis=2, keepdims=True), 1.0)
    quad = Quad.from_array(np.asarray(corners, float))
    cfg = cfg or Config().board
    return board_stage._score_quad(quad, whiteness, lo, hi, looks.edge_zone, cfg, chroma)


def test_a_framed_board_mostly_in_a_warmer_shadow_is_the_board():
    """The darker part's colour moved with the light (a warm lamp, the lit part's highlights
    clipped) and the wall is the board's cream, so colour alone cannot tell board from wall:
    a quad whose four sides are each the frame's edge, with white past it all along, is the
    board, its shadowed part counted as board. It was not: no board found, only the lit part's
    quads, each cutting the table, and the photo as shot read no table."""
    img, board = _warm_shadow_board()
    cand = board_stage._best_board_quad(img, Config().board)
    assert cand is not None
    quad = cand.quad.array()
    assert _iou(quad, board) > 0.85  # the board, with or without its frame's strip
    inside = quad.astype(np.float32).reshape(-1, 1, 2)
    assert all(cv2.pointPolygonTest(inside, (float(x), float(y)), True) > -3 for x, y in board)


def test_only_a_quad_framed_all_round_counts_its_shadow_whatever_its_tint():
    """The board's quad scores because each of its sides is seen along its length with white
    inside (unframed, by `framed_side_share` above 1, its warmer shadow is not board and the quad
    too dark to be one); a quad with a side across the bare wall is not framed."""
    img, board = _warm_shadow_board()
    assert _score(img, board) > 0
    assert _score(img, board, BoardConfig(framed_side_share=1.01)) == 0
    assert _score(img, [[94, 104], [790, 104], [790, 506], [94, 506]]) == 0  # right: bare wall


def test_candidates_that_share_sides_score_as_each_would_alone(shadowed):
    """The pairs of long edges make many candidate quads of the same sides; what a side shows
    is worked out once per photo (`sides_seen`) and every candidate scores as it would alone."""
    path, _ = shadowed
    cfg = Config()
    img = load_photo(path, cfg.load).image
    h, w = img.shape[:2]
    f = min(1.0, board_stage._DETECT_SIDE / max(h, w))
    small = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV).astype(np.float32)
    whiteness = cv2.GaussianBlur(hsv[:, :, 2] - 0.6 * hsv[:, :, 1], (0, 0), 2)
    lo, hi = np.percentile(whiteness, [20, 99])
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 40, 120)
    looks = board_stage._looks(small, gray, edges)
    surface = looks.surface.astype(np.float32)
    chroma = surface / np.maximum(surface.sum(axis=2, keepdims=True), 1.0)
    quads = board_stage._line_quads(edges, cfg.board)
    assert len(quads) > 50
    shared: dict = {}
    args = (whiteness, lo, hi, looks.edge_zone, cfg.board, chroma)
    together = [board_stage._score_quad(q, *args, shared) for q in quads]
    alone = [board_stage._score_quad(q, *args) for q in quads]
    assert together == alone
    assert any(s > 0 for s in alone) and any(s == 0 for s in alone)
    assert len(shared) < 2 * len(quads)  # sides were shared (four a quad if none were)
