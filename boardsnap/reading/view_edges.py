"""Where a view may cut the board short, and a wider view where the board goes on.

A view is cut short when a section heading (Actions, Root causes) has nothing read under it,
when the board's found side is the photo's own edge (the photo cut the board), or when a line
of writing runs into one of the view's edges. The last two are said at the top of the
document (`say_cut`); before that, a view by the board's frame is widened below it, or on the
side where writing runs into its edge (`widened`): the frame found may be a shadow's edge, a
sticker, the tray's shadow, and the board with its writing go on beyond it, even where no line
runs into the edge (the edge may fall between two lines). A view by the table's border, which
reaches only so far beside the table (board.TABLE_REACH), reaches further on the side where
writing runs into its edge. The wider view is read again only where a glance at the strip
beyond the old edge shows the board going on (no frame or tray across it), with ink unless a
line was seen running into the edge.
"""

from __future__ import annotations

import re
from dataclasses import replace

import cv2
import numpy as np

from boardsnap.config import BoardConfig
from boardsnap.document import Board
from boardsnap.geometry import Quad
from boardsnap.reading import board as board_stage
from boardsnap.reading.results import OcrText, Photo, Reading, RectifiedBoard


def cut_off(
    doc: Board, reading: Reading, view: RectifiedBoard, photo: Photo, cfg: BoardConfig
) -> str | None:
    """What says the view may cut the board short, or None: a section heading (Actions, Root
    causes) with nothing read under it, a board whose found edge is the photo's own, or a text
    line running into the view's edge (not a side of the frame: `_line_at_edge`)."""
    for w in doc.warnings:
        if w.startswith(("actions:", "root causes:")):
            return w.split(":", 1)[0] + " heading with nothing under it"
    side = _on_photo_border(view, photo.image.shape)
    if side is not None:
        return f"the board runs off the photo's {side} edge"
    at = _line_at_edge(reading, view, photo, cfg)
    if at is not None:
        return f"the line {at[0].text[:40]!r} runs into the view's {at[1]} edge"
    return None


def _line_at_edge(
    reading: Reading, view: RectifiedBoard, photo: Photo, cfg: BoardConfig
) -> tuple[OcrText, str] | None:
    """The first line of writing (not a speck) that runs into an edge of the view, and that
    edge. A line written up to the left or right side of the board's frame is no cut: long
    lines reach the frame, and the frame's strip is there beyond the edge (`_board_ends`)."""
    ends: dict[str, bool] = {}
    for line in reading.lines:
        if line.box is not None and len(re.findall(r"\w", line.text)) >= 3:  # not a speck
            edge = _at_edge(line.box, view.gray.shape, cfg)
            if edge in ("left", "right") and edge not in ends:
                ends[edge] = _board_ends(photo, view, edge, cfg)
            if edge is not None and not ends.get(edge, False):
                return line, edge
    return None


def _at_edge(
    box: tuple[int, int, int, int], shape: tuple[int, ...], cfg: BoardConfig
) -> str | None:
    """The edge ("lower", "upper", "right", "left") of a view of `shape` that a text line's box
    runs into: within `edge_margin` of the view's side, or above or below it within
    `edge_line_share` of the line's own height."""
    h, w = shape[:2]
    margin = max(cfg.edge_margin * h, cfg.edge_line_share * box[3])
    if box[1] + box[3] >= h - margin:
        return "lower"
    if box[1] <= min(margin, cfg.edge_margin * h):
        return "upper"  # a title may sit high: only the edge's own margin
    if box[0] + box[2] >= w - cfg.edge_margin * w:
        return "right"
    if box[0] <= cfg.edge_margin * w:
        return "left"
    return None


def _on_photo_border(view: RectifiedBoard, shape: tuple[int, ...]) -> str | None:
    """The side of the photo ("lower", "upper", "left", "right") that a found board's side lies
    on: the photo cut the board there. None for the views that are the photo itself."""
    if view.method in ("photo", "level"):
        return None
    h, w = shape[:2]
    tol = 0.005 * max(h, w)
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = view.quad.points
    sides = {
        "lower": y2 >= h - 1 - tol and y3 >= h - 1 - tol,
        "upper": y0 <= tol and y1 <= tol,
        "left": x0 <= tol and x3 <= tol,
        "right": x1 >= w - 1 - tol and x2 >= w - 1 - tol,
    }
    return next((k for k, on in sides.items() if on), None)


def say_cut(doc: Board, cut: str, view: RectifiedBoard, cfg: BoardConfig) -> Board:
    """The document with a warning of what cut the board short, first (unless an empty section
    already says so), and its actions read on a line at the view's edge flagged."""
    actions = tuple(
        replace(a, needs_review=True)
        if a.line_box is not None and _at_edge(a.line_box, view.gray.shape, cfg) is not None
        else a
        for a in doc.actions
    )
    warnings = doc.warnings
    if not any(w.startswith(("actions:", "root causes:")) for w in warnings):
        warnings = (f"cut off: {cut}: writing beyond it may be missing; check the board", *warnings)
    return replace(doc, actions=actions, warnings=warnings)


def cut_side(
    doc: Board, reading: Reading, view: RectifiedBoard, photo: Photo, cfg: BoardConfig
) -> str | None:
    """The edge of the view ("lower", "upper", "right", "left") that writing runs into: a
    section heading with nothing read under it (its lines are below), or a line of writing at
    the edge. None when nothing does."""
    if any(w.startswith(("actions:", "root causes:")) for w in doc.warnings):
        return "lower"
    at = _line_at_edge(reading, view, photo, cfg)
    return None if at is None else at[1]


_GLANCE_SIDE = 480  # long side of the look beyond a view's edge


def widened(
    photo: Photo, view: RectifiedBoard, side: str, cfg: BoardConfig, seen: bool = False
) -> RectifiedBoard | None:
    """The view widened on `side` where the board goes on beyond that edge (`_board_goes_on`;
    with writing there too, unless writing was `seen` running into the edge): a view by the
    board's frame along the same homography, its quad's side moved out by up to `widen_share`
    of its height or width (less where the photo ends sooner: the middle of the moved side
    stays on the photo); a view by the table's border, only where writing was `seen` at its
    edge, reaching `widen_table_reach` further (`_reached`). None for other views, when the
    photo ends at the edge, or when the board does not go on."""
    if view.method == "table" and seen:
        return _reached(photo, view, side, cfg)
    if view.method != "frame":
        return None
    for part in (1.0, 0.75, 0.5, 0.3):
        more = cfg.widen_share * part
        quad = _beyond(view, side, more, photo.image.shape)
        if quad is not None:
            break
    else:
        return None
    glance = board_stage.warp_quad(photo.image, quad, _GLANCE_SIDE)  # board or wall: enough
    ink = None if seen else cfg.widen_ink
    if not _board_goes_on(glance, side, more / (1.0 + more), cfg.widen_light, cfg.widen_frame, ink):
        return None
    # widened on its left or right: on the view's own scale, the writing as many pixels high as
    # before (longer, not shrunk to the same length). Below or above, the long side as every
    # view's: kept on the scale, two of seed 9967's widened views read fewer rows (0038: 7 -> 6)
    scale = max(quad.size()) / max(view.quad.size()) if side in ("left", "right") else 1.0
    warped = board_stage.warp_quad(photo.image, quad, round(cfg.rectified_long_side * scale))
    return board_stage.flattened(warped, quad, "frame", cfg)


def _beyond(view: RectifiedBoard, side: str, more: float, shape: tuple[int, ...]) -> Quad | None:
    """The quad of a view by the frame with its `side` moved out by `more` of its height or
    width along the same homography; None when the middle of the moved side is off the photo."""
    h, w = shape[:2]
    unit = np.float32([[0, 0], [1, 0], [1, 1], [0, 1]])
    to_photo = cv2.getPerspectiveTransform(unit, view.quad.array())
    x0, y0, x1, y1 = _grown((0.0, 0.0, 1.0, 1.0), side, more)
    square = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    pts = cv2.perspectiveTransform(square[None], to_photo)[0]
    a, b = _SIDE_CORNERS[side]
    mx, my = (pts[a] + pts[b]) / 2
    if not (0 <= mx <= w - 1 and 0 <= my <= h - 1):
        return None
    return Quad(tuple((float(x), float(y)) for x, y in pts))


def _board_ends(photo: Photo, view: RectifiedBoard, side: str, cfg: BoardConfig) -> bool:
    """Whether the board ends at the `side` of a view by its frame: a glance just beyond it (a
    tenth or a twentieth of the view) is not the board going on: darker than `end_light` of
    the board, or a band across it that dark (the frame's strip, the wall). False for other
    views, and where the photo ends first (the board may go on out of sight)."""
    if view.method != "frame":
        return False
    for more in (0.1, 0.05):
        quad = _beyond(view, side, more, photo.image.shape)
        if quad is not None:
            break
    else:
        return False
    glance = board_stage.warp_quad(photo.image, quad, _GLANCE_SIDE)
    # held to `end_light`: a frame's aluminium strip in the light is nearly as light as the
    # board, and writing on the board going on leaves it lighter still
    return not _board_goes_on(glance, side, more / (1.0 + more), cfg.end_light, cfg.end_light)


_SIDES = ("left", "upper", "right", "lower")  # the order of board.TABLE_REACH
_SIDE_CORNERS = {"left": (0, 3), "upper": (0, 1), "right": (1, 2), "lower": (2, 3)}


def _grown(bounds: tuple[float, ...], side: str, more: float) -> tuple[float, ...]:
    """(x0, y0, x1, y1) moved out by `more` on `side`."""
    grown = list(bounds)
    i = _SIDES.index(side)
    grown[i] += more if i >= 2 else -more
    return tuple(grown)


def _reached(
    photo: Photo, view: RectifiedBoard, side: str, cfg: BoardConfig
) -> RectifiedBoard | None:
    """The view by the table's border reaching `widen_table_reach` further beyond the table on
    `side`, when the photo goes on there and the strip beyond the old edge is the board's."""
    reach = list(board_stage.TABLE_REACH)
    reach[_SIDES.index(side)] += cfg.widen_table_reach
    img = photo.image
    warped = board_stage.warp_around(img, view.quad, cfg.rectified_long_side, tuple(reach))
    across = 1 if side in ("left", "right") else 0
    old, new = view.gray.shape[across], warped.shape[across]
    if new < 1.05 * old:
        return None  # the photo ends at the edge
    f = _GLANCE_SIDE / max(warped.shape[:2])
    glance = cv2.resize(warped, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    if not _board_goes_on(glance, side, (new - old) / new, cfg.widen_light, cfg.widen_frame):
        return None
    return board_stage.flattened(warped, view.quad, "table", cfg)


def _board_goes_on(
    warped: np.ndarray,
    side: str,
    share: float,
    light: float,
    frame: float,
    ink: float | None = None,
) -> bool:
    """Whether the part of a widened view beyond the old edge (`share` of its height or width on
    `side`) is the board going on: its half nearer the old edge about as light as the rest of
    the view (`light` of its median grey; a frame and the wall beyond are darker), no band
    across it darker on average than `frame` of that grey (the frame, the pen tray: the board
    ends there), and, when `ink` is given, holding writing (that share of its pixels darker
    than half that grey)."""
    gray = warped.min(axis=2) if warped.ndim == 3 else warped
    if side in ("left", "right"):  # turned: its left or right side is its upper or lower one
        gray = np.ascontiguousarray(gray.T)
        side = "upper" if side == "left" else "lower"
    n = gray.shape[0]
    cut = int(round(n * share))
    if cut < 4:
        return False
    near = gray[n - cut : n - cut // 2] if side == "lower" else gray[cut // 2 : cut]
    board = gray[: n - cut] if side == "lower" else gray[cut:]
    paper = float(np.median(board))
    if float(np.median(near)) < light * paper:
        return False
    rows = np.convolve(near.mean(axis=1), np.ones(3) / 3, mode="valid")
    if len(rows) and float(rows.min()) < frame * paper:
        return False
    return ink is None or float((near < 0.5 * paper).mean()) >= ink
