"""Writing in faded ink outside the table is read from a darkened view
(boardsnap/reading/faint_lines.py), flagged, and what stays unread is said.

A synthetic board of known truth (tests/synthetic.py): a dark ruled table, and below it a Root
causes and an Actions section written with a marker running dry (the ink lightened to a pale
grey and broken into blotches). Real OpenCV, real detector and recogniser, the whole pipeline.
"""

from __future__ import annotations

from dataclasses import replace
from difflib import SequenceMatcher
from pathlib import Path

import cv2
import numpy as np
import pytest
from synthetic import draw_board, photograph

from boardsnap.config import Config
from boardsnap.reading import faint_lines
from boardsnap.reading.pipeline import Pipeline

BELOW = (
    "Root causes",
    "P95 latency: cache misses after deploy",
    "Actions",
    "P95 latency: add circuit breaker @maria 12/15",
    "Error rate: fix token refresh @omar 12/20",
)
ACTIONS = ("add circuit breaker", "fix token refresh")
CFG = Config()
OFF = replace(CFG, ocr=replace(CFG.ocr, faint_lines=False))
# a first look that takes this faded ink for bare board, as it did before it looked at ink 40
# grey levels below the board (`[ocr] around_ink_contrast`); ink fainter than that still goes
# unseen by it, and this is how the test gets such a photo from a drawn one
BLIND = replace(CFG, ocr=replace(CFG.ocr, around_ink_contrast=200.0))
BLIND_OFF = replace(BLIND, ocr=replace(BLIND.ocr, faint_lines=False))


def _faded(board: np.ndarray, top: int, seed: int) -> np.ndarray:
    """`board` with its ink below `top` faded as a drying marker leaves it: a fifth as dark,
    and a quarter of it gone in small blotches."""
    rng = np.random.default_rng(seed)
    out = board.astype(np.float32)
    part = out[top:]
    paper = np.array([250, 250, 248], np.float32)
    faded = paper - (paper - part) * 0.2
    holes = cv2.resize(
        (rng.random((part.shape[0] // 6 + 1, part.shape[1] // 6 + 1)) < 0.25).astype(np.uint8),
        (part.shape[1], part.shape[0]),
        interpolation=cv2.INTER_NEAREST,
    ).astype(bool)
    faded[holes] = paper
    out[top:] = faded
    return out.clip(0, 255).astype(np.uint8)


def _photo(tmp_path: Path, faint: bool) -> Path:
    board, rows, _ = draw_board(lines_below=BELOW)
    if faint:
        board = _faded(board, int(rows[-1]) + 20, seed=3)
    photo, _, _ = photograph(board)
    path = tmp_path / f"board-{'faint' if faint else 'plain'}.jpg"
    cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


def _found(actions, want: str) -> bool:
    return any(SequenceMatcher(None, a.text.lower(), want).ratio() >= 0.7 for a in actions)


@pytest.fixture(scope="module")
def faint_photo(tmp_path_factory) -> Path:
    return _photo(tmp_path_factory.mktemp("faint"), faint=True)


def test_faded_sections_are_read_and_flagged(faint_photo):
    without = Pipeline(BLIND_OFF).extract(faint_photo).board
    board = Pipeline(BLIND).extract(faint_photo).board
    assert board.metrics  # the table, drawn dark, is read as before
    found = [w for w in ACTIONS if _found(board.actions, w)]
    missed = [w for w in ACTIONS if _found(without.actions, w)]
    assert len(found) > len(missed)  # the darkened look is what reads them
    assert found
    for action in board.actions:  # read from faded ink: a person checks each
        assert action.needs_review
        assert any(c.code == faint_lines.CODE for c in action.review_codes), action
    assert any(c.needs_review for c in board.root_causes)


def test_faded_ink_the_first_look_sees_is_read_and_the_faint_look_loses_none_of_it(faint_photo):
    first = Pipeline(OFF).extract(faint_photo).board
    board = Pipeline(CFG).extract(faint_photo).board
    assert all(_found(board.actions, w) for w in ACTIONS)
    assert all(_found(board.actions, a.text) for a in first.actions)


def test_a_plain_board_is_read_as_before(tmp_path):
    path = _photo(tmp_path, faint=False)
    board = Pipeline(CFG).extract(path).board
    assert board == Pipeline(OFF).extract(path).board
    assert not any(w.startswith("unread: ") and "faded" in w for w in board.warnings)
    assert all(_found(board.actions, w) for w in ACTIONS)


def test_faded_writing_left_unread_is_said():
    """Ink the darkened look finds no line in is named in a warning, with where it is."""
    from boardsnap.geometry import Grid
    from boardsnap.reading.results import Layout

    grid = Grid(rows=2, cols=3, cells=(), bbox=(100, 200, 900, 300))
    layout = Layout(grid=grid, text_lines=())
    assert faint_lines.unread_warning((), layout) is None
    said = faint_lines.unread_warning(((100, 700, 300, 40), (90, 800, 200, 40)), layout)
    assert said == (
        "unread: faded writing below the table (2 places) was read as no line; check the board"
    )
    said = faint_lines.unread_warning(((100, 50, 300, 40), (1100, 300, 200, 40)), layout)
    assert said is not None and "above the table and right of the table" in said
