"""Where a view may cut the board short, and a wider view where the board goes on.

A view is cut short when a section heading (Actions, Root causes) has nothing read under it,
when the board's found side is the photo's own edge (the photo cut the board), or when a line
of writing runs into the view's upper or lower edge. The last two are said at the top of the
document (`say_cut`); before that, a view by the board's frame is widened below it, or above it
when writing runs into its upper edge (`widened`): the frame found may be a shadow's edge, a
sticker, the tray's shadow, and the board with its writing go on beyond it, even where no line
runs into the edge (the edge may fall between two lines). The wider view is read again only
where a glance at the strip beyond the old edge shows the board going on (no frame or tray
across it), with ink unless a line was seen running into the edge.
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
    doc: Board, reading: Reading, view: RectifiedBoard, shape: tuple[int, ...], cfg: BoardConfig
) -> str | None:
    """What says the view may cut the board short, or None: a section heading (Actions, Root
    causes) with nothing read under it, a board whose found edge is the photo's own (`shape`),
    or a text line running into the view's top or bottom edge."""
    for w in doc.warnings:
        if w.startswith(("actions:", "root causes:")):
            return w.split(":", 1)[0] + " heading with nothing under it"
    side = _on_photo_border(view, shape)
    if side is not None:
        return f"the board runs off the photo's {side} edge"
    at = _line_at_edge(reading, view, cfg)
    if at is not None:
        return f"the line {at[0].text[:40]!r} runs into the view's {at[1]} edge"
    return None


def _line_at_edge(
    reading: Reading, view: RectifiedBoard, cfg: BoardConfig
) -> tuple[OcrText, str] | None:
    """The first line of writing (not a speck) that runs into the view's upper or lower edge,
    and that edge."""
    h = view.gray.shape[0]
    for line in reading.lines:
        if line.box is not None and len(re.findall(r"\w", line.text)) >= 3:  # not a speck
            edge = _at_edge(line.box, h, cfg)
            if edge is not None:
                return line, edge
    return None


def _at_edge(box: tuple[int, int, int, int], h: int, cfg: BoardConfig) -> str | None:
    """The edge ("lower", "upper") of a view `h` high that a text line's box runs into."""
    margin = max(cfg.edge_margin * h, cfg.edge_line_share * box[3])
    if box[1] + box[3] >= h - margin:
        return "lower"
    if box[1] <= min(margin, cfg.edge_margin * h):
        return "upper"  # a title may sit high: only the edge's own margin
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
    h = view.gray.shape[0]
    actions = tuple(
        replace(a, needs_review=True)
        if a.line_box is not None and _at_edge(a.line_box, h, cfg) is not None
        else a
        for a in doc.actions
    )
    warnings = doc.warnings
    if not any(w.startswith(("actions:", "root causes:")) for w in warnings):
        warnings = (f"cut off: {cut}: writing beyond it may be missing; check the board", *warnings)
    return replace(doc, actions=actions, warnings=warnings)


def cut_side(doc: Board, reading: Reading, view: RectifiedBoard, cfg: BoardConfig) -> str | None:
    """The edge of the view ("lower", "upper") that writing runs into: a section heading with
    nothing read under it (its lines are below), or a line of writing at the edge. None when
    nothing does."""
    if any(w.startswith(("actions:", "root causes:")) for w in doc.warnings):
        return "lower"
    at = _line_at_edge(reading, view, cfg)
    return None if at is None else at[1]


_GLANCE_SIDE = 480  # long side of the look beyond a view's edge


def widened(
    photo: Photo, view: RectifiedBoard, side: str, cfg: BoardConfig, seen: bool = False
) -> RectifiedBoard | None:
    """The view by the board's frame (`view`) widened on `side` ("lower" or "upper"): the same
    homography, its quad's side moved out by up to `widen_share` of its height (less where the
    photo ends sooner: the middle of the moved side stays on the photo), when the board goes on
    beyond the edge (`_board_goes_on`; with writing there too, unless writing was `seen` running
    into the edge). None for other views, when the photo ends at the edge, or when the board
    does not go on."""
    if view.method != "frame" or side not in ("lower", "upper"):
        return None
    img = photo.image
    h, w = img.shape[:2]
    unit = np.float32([[0, 0], [1, 0], [1, 1], [0, 1]])
    to_photo = cv2.getPerspectiveTransform(unit, view.quad.array())
    for part in (1.0, 0.75, 0.5, 0.3):
        more = cfg.widen_share * part
        top, bottom = (0.0, 1.0 + more) if side == "lower" else (-more, 1.0)
        square = np.float32([[0, top], [1, top], [1, bottom], [0, bottom]])
        pts = cv2.perspectiveTransform(square[None], to_photo)[0]
        mx, my = (pts[2] + pts[3]) / 2 if side == "lower" else (pts[0] + pts[1]) / 2
        if 0 <= mx <= w - 1 and 0 <= my <= h - 1:
            break
    else:
        return None
    quad = Quad(tuple((float(x), float(y)) for x, y in pts))
    glance = board_stage.warp_quad(img, quad, _GLANCE_SIDE)  # enough to tell board from wall
    if not _board_goes_on(glance, side, more / (1.0 + more), cfg, ink=not seen):
        return None
    warped = board_stage.warp_quad(img, quad, cfg.rectified_long_side)
    return board_stage.flattened(warped, quad, "frame", cfg)


def _board_goes_on(
    warped: np.ndarray, side: str, share: float, cfg: BoardConfig, ink: bool = True
) -> bool:
    """Whether the part of a widened view beyond the old edge (`share` of its height on `side`)
    is the board going on: its half nearer the old edge about as light as the rest of the view
    (`widen_light` of its median grey; a frame and the wall beyond are darker), no band of rows
    across it darker on average than `widen_frame` of that grey (the frame, the pen tray: the
    board ends there), and, when `ink`, holding writing (`widen_ink` of its pixels darker than
    half that grey)."""
    gray = warped.min(axis=2) if warped.ndim == 3 else warped
    n = gray.shape[0]
    cut = int(round(n * share))
    if cut < 4:
        return False
    near = gray[n - cut : n - cut // 2] if side == "lower" else gray[cut // 2 : cut]
    board = gray[: n - cut] if side == "lower" else gray[cut:]
    paper = float(np.median(board))
    if float(np.median(near)) < cfg.widen_light * paper:
        return False
    rows = np.convolve(near.mean(axis=1), np.ones(3) / 3, mode="valid")
    if len(rows) and float(rows.min()) < cfg.widen_frame * paper:
        return False
    return not ink or float((near < 0.5 * paper).mean()) >= cfg.widen_ink
