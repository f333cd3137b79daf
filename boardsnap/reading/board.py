"""Stage 2: find the whiteboard, warp it to a front view, even out the lighting.

The board is the largest bright, low-saturation quadrilateral whose edges are visible in the photo
(its frame or the wall behind it), not the drawn table, which is often the largest rectangle ON
the board. Candidates come from two independent detectors (bright-region segmentation at several
thresholds, and closed edge contours) and are scored by size, how white their inside is, and how
much of their outline lies on an image edge. A candidate with a side that crosses drawn lines
(a shadow's edge running through the table looks like a frame, but the table goes on beyond it)
is not the board, and neither is one with a side past which the same surface goes on, only
darker: a cast shadow's edge, with the board's colour on both sides once the shadow's step is
divided out, no frame between, and the writing carrying on beyond it. When no board outline is
found, or no table is found on the board it gave
(`rectifications` yields the views in turn), the table's outer border rectifies the photo
instead; failing that the whole photo is used as it is.

Lighting: the board's background (white with glare, shadow and vignetting) is estimated by a
large morphological closing that removes the ink, and each colour channel is divided by it, so
marker colours are kept and the background becomes uniformly white.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from boardsnap.config import BoardConfig
from boardsnap.geometry import Quad
from boardsnap.reading.results import Photo, RectifiedBoard

log = logging.getLogger(__name__)

_DETECT_SIDE = 800  # detection runs on a copy this size: quads need no more
_FLATTEN_BAND_PIXELS = 1 << 18  # pixels of a band of rows evened out at a time


@dataclass(frozen=True)
class _Candidate:
    quad: Quad
    score: float
    source: str


def find_board(photo: Photo, cfg: BoardConfig) -> RectifiedBoard:
    """Locate the board on `photo`, rectify it and flatten its lighting (the best guess)."""
    return next(rectifications(photo, cfg))


def rectifications(photo: Photo, cfg: BoardConfig) -> Iterator[RectifiedBoard]:
    """Front views of the board, best guess first: by its frame, by the table's border, levelled
    by the slant of its ruled lines, as shot.

    The pipeline takes the next one when the grid stage finds no table on a view (a frame found
    on the wrong thing crops the table away); each is computed only when asked for.
    """
    img = photo.image
    h, w = img.shape[:2]
    f = min(1.0, _DETECT_SIDE / max(h, w))
    small = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)

    best = _best_board_quad(small, cfg)
    if best is not None:
        quad = Quad(tuple((x / f, y / f) for x, y in best.quad.points))
        log.debug("%s: board found by %s (score %.2f)", photo.path, best.source, best.score)
        yield flattened(warp_quad(img, quad, cfg.rectified_long_side), quad, "frame", cfg)
    table = _table_border_quad(small, cfg)
    if table is not None:
        quad = Quad(tuple((x / f, y / f) for x, y in table.points))
        log.debug("%s: rectifying by the table's border", photo.path)
        yield flattened(warp_around(img, quad, cfg.rectified_long_side), quad, "table", cfg)
    quad = Quad(((0.0, 0.0), (w - 1.0, 0.0), (w - 1.0, h - 1.0), (0.0, h - 1.0)))
    slant = _ruled_slant(small)
    if slant is not None and max(abs(slant[0]), abs(slant[1] - 90)) >= cfg.level_min_tilt:
        # no frame or border to square, but the table's own lines tell the photo's slant
        log.debug("%s: levelling the photo by its ruled lines (%.1f°, %.1f°)", photo.path, *slant)
        levelled = _warp_level(img, *slant, cfg.rectified_long_side)
        yield flattened(levelled, quad, "level", cfg)
    log.debug("%s: using the whole photo as it is", photo.path)
    s = cfg.rectified_long_side / max(h, w)
    whole = cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    yield flattened(whole, quad, "photo", cfg)


def flattened(warped: np.ndarray, quad: Quad, method: str, cfg: BoardConfig) -> RectifiedBoard:
    flat = flatten_lighting(warped, cfg.background_kernel)
    gray = flat.min(axis=2)  # darkest channel: every marker colour is dark in one channel
    return RectifiedBoard(image=flat, gray=gray, quad=quad, method=method)


# ---- candidates ------------------------------------------------------------------------------


def _best_board_quad(small: np.ndarray, cfg: BoardConfig) -> _Candidate | None:
    h, w = small.shape[:2]
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    value = hsv[:, :, 2].astype(np.float32)
    sat = hsv[:, :, 1].astype(np.float32)
    whiteness = cv2.GaussianBlur(value - 0.6 * sat, (0, 0), 2)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 40, 120)
    looks = _looks(small, gray, edges)
    edge_zone = looks.edge_zone
    ruled = _ruled_lines(gray)

    quads: list[tuple[Quad, str]] = []
    # 1) bright regions at several thresholds: the board is the large white blob
    lo, hi = np.percentile(whiteness, [20, 99])
    for t in np.linspace(0.45, 0.8, 5):
        mask = (whiteness > lo + t * (hi - lo)).astype(np.uint8) * 255
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))
        quads += [(q, f"bright@{t:.2f}") for q in _quads_from_mask(mask, cfg)]
    # 2) closed edge contours
    closed = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        q = _contour_to_quad(c, cfg, w * h)
        if q is not None:
            quads.append((q, "edges"))

    # 3) pairs of long straight edges: the frame's sides, even where a shadow or glare splits
    #    the board's white into pieces
    quads += [(q, "lines") for q in _line_quads(edges, cfg)]

    surface = looks.surface.astype(np.float32)
    chroma = surface / np.maximum(surface.sum(axis=2, keepdims=True), 1.0)
    sides_seen: dict = {}
    scored = [
        _Candidate(q, _score_quad(q, whiteness, lo, hi, edge_zone, cfg, chroma, sides_seen), s)
        for q, s in quads
    ]
    # best first; the (costlier) checks for sides across drawn lines and sides along a shadow's
    # edge only until one passes
    for cand in sorted((c for c in scored if c.score > 0), key=lambda c: -c.score):
        if _cuts_ruled_lines(cand.quad, ruled, cfg):
            continue
        if _shadow_side(cand.quad, looks, cfg) is not None:
            continue
        return cand
    return None


def _line_quads(edges: np.ndarray, cfg: BoardConfig, per_side: int = 8) -> list[Quad]:
    """Quads bounded by two near-horizontal and two near-vertical long edge lines."""
    h, w = edges.shape
    segs = cv2.HoughLinesP(
        edges, 1, np.pi / 360, threshold=60, minLineLength=int(0.2 * min(h, w)), maxLineGap=25
    )
    if segs is None:
        return []
    horiz: list[tuple[float, np.ndarray]] = []
    vert: list[tuple[float, np.ndarray]] = []
    for x1, y1, x2, y2 in segs.reshape(-1, 4).astype(np.float64):
        length = float(np.hypot(x2 - x1, y2 - y1))
        angle = np.degrees(np.arctan2(y2 - y1, x2 - x1)) % 180
        line = np.array([x1, y1, x2, y2])
        if angle < 35 or angle > 145:
            horiz.append((length, line))
        elif 55 < angle < 125:
            vert.append((length, line))
    horiz = _distinct(horiz, axis=1, gap=0.04 * h)[:per_side]
    vert = _distinct(vert, axis=0, gap=0.04 * w)[:per_side]
    # the photo's own edges stand in for the sides of a board that runs out of the picture
    horiz += [np.array([0.0, 0.0, w - 1.0, 0.0]), np.array([0.0, h - 1.0, w - 1.0, h - 1.0])]
    vert += [np.array([0.0, 0.0, 0.0, h - 1.0]), np.array([w - 1.0, 0.0, w - 1.0, h - 1.0])]
    out = []
    for i in range(len(horiz)):
        for j in range(i + 1, len(horiz)):
            top, bottom = sorted((horiz[i], horiz[j]), key=lambda ln: ln[1] + ln[3])
            if abs((bottom[1] + bottom[3]) - (top[1] + top[3])) / 2 < 0.2 * h:
                continue
            for k in range(len(vert)):
                for m in range(k + 1, len(vert)):
                    left, right = sorted((vert[k], vert[m]), key=lambda ln: ln[0] + ln[2])
                    if abs((right[0] + right[2]) - (left[0] + left[2])) / 2 < 0.2 * w:
                        continue
                    corners = [
                        _cross(top, left),
                        _cross(top, right),
                        _cross(bottom, right),
                        _cross(bottom, left),
                    ]
                    if any(c is None for c in corners):
                        continue
                    pts = np.array(corners)
                    if (
                        (pts < -0.25 * max(h, w)).any()
                        or (pts[:, 0] > 1.25 * w).any()
                        or (pts[:, 1] > 1.25 * h).any()
                    ):
                        continue
                    out.append(Quad.from_array(pts))
    return out


def _distinct(lines: list[tuple[float, np.ndarray]], axis: int, gap: float) -> list[np.ndarray]:
    """The longest lines, one per position (collinear pieces of one edge count once)."""
    kept: list[np.ndarray] = []
    for _, ln in sorted(lines, key=lambda t: -t[0]):
        pos = (ln[axis] + ln[axis + 2]) / 2
        if all(abs(pos - (k[axis] + k[axis + 2]) / 2) > gap for k in kept):
            kept.append(ln)
    return kept


def _cross(a: np.ndarray, b: np.ndarray) -> tuple[float, float] | None:
    x1, y1, x2, y2 = a
    x3, y3, x4, y4 = b
    d = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    if abs(d) < 1e-9:
        return None
    t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / d
    return float(x1 + t * (x2 - x1)), float(y1 + t * (y2 - y1))


def _quads_from_mask(mask: np.ndarray, cfg: BoardConfig) -> list[Quad]:
    h, w = mask.shape
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
        q = _contour_to_quad(c, cfg, w * h)
        if q is not None:
            out.append(q)
    return out


def _contour_to_quad(contour: np.ndarray, cfg: BoardConfig, image_area: float) -> Quad | None:
    area = cv2.contourArea(contour)
    if not (cfg.min_board_area * image_area <= area <= cfg.max_board_area * image_area):
        return None
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.045, 0.06):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            quad = Quad.from_array(approx.reshape(4, 2))
            if not cv2.isContourConvex(quad.array().astype(np.int32)):
                return None
            # the blob must fill its quad: rejects L shapes and diagonal slivers
            if area < 0.85 * quad.area():
                return None
            return quad
        if len(approx) < 4:
            break
    return None


def _score_quad(
    quad: Quad,
    whiteness: np.ndarray,
    lo: float,
    hi: float,
    edge_zone: np.ndarray,
    cfg: BoardConfig,
    chroma: np.ndarray | None = None,
    sides_seen: dict | None = None,
) -> float:
    """How much `quad` looks like the board (0: not at all). `sides_seen` keeps what each side
    showed, for the other candidates of the same photo that share it (the pairs of long
    edges make many quads of the same sides)."""
    h, w = whiteness.shape
    area_frac = quad.area() / (w * h)
    if not (cfg.min_board_area <= area_frac <= cfg.max_board_area):
        return 0.0
    qw, qh = quad.size()
    if min(qw, qh) < 0.2 * max(qw, qh) or not _sides_near_axes(quad):
        return 0.0
    # Each side must be a visible edge with the board's white on its inner side (a line of the
    # drawn table has white on both sides). A side along the photo's border is a board running
    # out of the picture: it is neither evidence for nor against, but two sides must be seen.
    # (Checked before the whiteness inside, which costs more and rejects fewer candidates.)
    pts = quad.array()
    centre = pts.mean(axis=0)
    step = 0.04 * (hi - lo)
    off = max(3.0, 0.008 * max(w, h))
    fracs = []
    sides = []  # each side's points seen, inward normal, points with white inside, points
    for i in range(4):
        a, b = pts[i], pts[(i + 1) % 4]
        normal = np.array([-(b - a)[1], (b - a)[0]]) / (np.linalg.norm(b - a) + 1e-9)
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal  # point inwards
        key = (*a.tolist(), *b.tolist(), *normal.tolist())
        seen = sides_seen.get(key, False) if sides_seen is not None else False
        if seen is False:
            seen = _side_seen(a, b, normal, whiteness, edge_zone, step)
            if sides_seen is not None:
                sides_seen[key] = seen
        if seen is None:
            continue  # the photo's edge
        frac, side = seen
        if frac < 0.35:
            return 0.0
        fracs.append(frac)
        sides.append(side)
    if len(fracs) < 2:
        return 0.0
    # (a low bar: a board half in shadow is still a board); the quad's bounding box only
    corners = pts.astype(np.int32)
    x0, y0 = np.clip(corners.min(axis=0), 0, None)
    x1, y1 = corners.max(axis=0) + 1
    inside = np.zeros((max(0, min(h, y1) - y0), max(0, min(w, x1) - x0)), np.uint8)
    cv2.fillConvexPoly(inside, corners - np.array([x0, y0], np.int32), 255)
    region = whiteness[y0 : y0 + inside.shape[0], x0 : x0 + inside.shape[1]]
    white = region > lo + 0.35 * (hi - lo)
    white_inside = float(np.mean(white[inside > 0]))
    if white_inside < cfg.min_white_inside and chroma is not None and len(fracs) == 4:
        # a board half in a cast shadow, on the evidence of all four sides seen as edges (a
        # quad leaning on the photo's edge may be any bright patch with a shadow beside it)
        tint = chroma[y0 : y0 + inside.shape[0], x0 : x0 + inside.shape[1]]
        framed = _framed_share(sides, whiteness, off, step) >= cfg.framed_side_share
        white_inside = _white_or_shaded(region, tint, white, inside > 0, cfg, framed)
    if white_inside < cfg.min_white_inside:
        return 0.0
    sides_in_view = len(fracs) / 4  # a quad that leans on the photo's edges is less likely one
    return area_frac * white_inside**2 * float(np.mean(fracs)) * sides_in_view**2


_SIDE_SAMPLES = np.linspace(0.05, 0.95, 40)  # where along a side it is looked at


def _side_seen(
    a: np.ndarray,
    b: np.ndarray,
    normal: np.ndarray,
    whiteness: np.ndarray,
    edge_zone: np.ndarray,
    step: float,
) -> tuple[float, tuple] | None:
    """What the side from `a` to `b` (inward `normal`) shows: the share of its points that are
    an edge with white inside them, and (points seen, normal, white inside, points) for
    `_framed_share`; None when it runs along the photo's border."""
    h, w = whiteness.shape
    off = max(3.0, 0.008 * max(w, h))
    margin = 0.02 * max(w, h)
    samples = _SIDE_SAMPLES
    p = a[None, :] + samples[:, None] * (b - a)[None, :]
    xi, yi = np.round(p[:, 0]).astype(int), np.round(p[:, 1]).astype(int)
    border = (xi < margin) | (yi < margin) | (xi > w - 1 - margin) | (yi > h - 1 - margin)
    on_border = int(border.sum())
    if on_border > 0.6 * len(samples):
        return None
    seen = ~border
    seen[seen] = edge_zone[yi[seen], xi[seen]] != 0
    inner = np.round(p + off * normal).astype(int)
    outer = np.round(p - off * normal).astype(int)
    ok = (
        seen
        & (outer[:, 0] >= 0) & (outer[:, 0] < w) & (outer[:, 1] >= 0) & (outer[:, 1] < h)
        & (inner[:, 0] >= 0) & (inner[:, 0] < w) & (inner[:, 1] >= 0) & (inner[:, 1] < h)
    )  # fmt: skip
    near = whiteness[inner[ok, 1], inner[ok, 0]] > whiteness[outer[ok, 1], outer[ok, 0]] + step
    frac = float(near.sum()) / (len(samples) - on_border)
    return frac, (p[ok], normal, near, len(samples) - on_border)


def _framed_share(sides: list, whiteness: np.ndarray, off: float, step: float) -> float:
    """The least share over a quad's sides of points with white inside them, next to the side
    or past a frame's strip (the side the frame's outer edge): how far it is framed all round."""
    least = 1.0
    for p, normal, near, n in sides:
        past = _whitest(whiteness, p, normal, off) > _whitest(whiteness, p, -normal, off) + step
        least = min(least, float((near | past).sum()) / n)
    return least


def _whitest(whiteness: np.ndarray, p: np.ndarray, normal: np.ndarray, off: float) -> np.ndarray:
    """The whitest of one, two and three `off` along `normal` from points `p` on a side: past
    a frame's strip when the side is the frame's outer edge (the board's white inside it, the
    wall outside), and both sides alike across a drawn line, whatever its width."""
    h, w = whiteness.shape
    best = np.full(len(p), -np.inf, np.float32)
    for k in (1, 2, 3):
        q = np.round(p + k * off * normal).astype(int)
        x, y = np.clip(q[:, 0], 0, w - 1), np.clip(q[:, 1], 0, h - 1)
        best = np.maximum(best, whiteness[y, x])
    return best


def _white_or_shaded(
    whiteness: np.ndarray,
    chroma: np.ndarray,
    white: np.ndarray,
    inside: np.ndarray,
    cfg: BoardConfig,
    framed: bool = False,
) -> float:
    """The share of a candidate's inside that is board: white, or the same white in a cast
    shadow. The darker part is the lit part's surface in shadow when its colour, brightness
    divided out, is the lit part's (within half `shadow_chroma_tol`: a wall's rarely is) and
    it is darker by a shadow's step; then each of its pixels of that colour counts.

    A quad `framed` all round (every side seen as an edge with white inside along
    `framed_side_share` of it) is bounded by the board's frame, so its darker part is shadow
    even when its tint has moved (a lamp's warm light, highlights clipped in the lit part, a
    wall of the board's own colour): the colour is then held to `framed_chroma_tol`."""
    lit = white & inside
    dark = ~white & inside
    if lit.sum() < 0.1 * inside.sum() or not dark.any():
        return float(lit.sum() / max(1, inside.sum()))
    c_lit = np.median(chroma[lit], axis=0)
    ratio = float(np.median(whiteness[dark])) / max(1.0, float(np.median(whiteness[lit])))
    same = float(np.max(np.abs(np.median(chroma[dark], axis=0) - c_lit)))
    tol = cfg.framed_chroma_tol if framed else cfg.shadow_chroma_tol
    if same > (tol if framed else tol / 2) or not (
        cfg.shadow_min_ratio <= ratio <= 1 - cfg.shadow_step
    ):
        return float(lit.sum() / inside.sum())
    shaded = dark & (np.abs(chroma - c_lit).max(axis=2) <= tol)
    return float((lit.sum() + shaded.sum()) / inside.sum())


def _ruled_lines(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Long thin dark strokes (a drawn table's lines): horizontal ones and vertical ones."""
    h, w = gray.shape
    ink = _thin_dark_strokes(gray)
    run = max(8, int(0.04 * min(h, w)))
    rect = cv2.MORPH_RECT
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(rect, (run, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(rect, (1, run)))
    grow = np.ones((3, 3), np.uint8)
    return cv2.dilate(horiz, grow), cv2.dilate(vert, grow)


def _thin_dark_strokes(gray: np.ndarray) -> np.ndarray:
    """Marker strokes: darker than their surroundings and thin (not a shadow or the frame)."""
    ink = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15
    )
    thin = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, np.ones((9, 9), np.uint8)) > 12
    return ink & (thin.astype(np.uint8) * 255)


def _cuts_ruled_lines(quad: Quad, ruled: tuple[np.ndarray, np.ndarray], cfg: BoardConfig) -> bool:
    """Whether a side of `quad` runs across drawn lines (a shadow's edge through the table).

    A board's real edge has nothing written beyond it; a table line that carries on both sides
    of a side close to it is crossed by that side. Two crossings on one side condemn the quad.
    """
    horiz, vert = ruled
    h, w = horiz.shape
    pts = quad.array()
    centre = pts.mean(axis=0)
    reach = np.linspace(0.006, 0.03, 5) * max(h, w)
    for i in range(4):
        a, b = pts[i], pts[(i + 1) % 4]
        along = b - a
        crossing = vert if abs(along[0]) >= abs(along[1]) else horiz  # lines across this side
        normal = np.array([-along[1], along[0]]) / (np.linalg.norm(along) + 1e-9)
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal
        crossings, inside_run = 0, False
        for t in np.linspace(0.03, 0.97, 160):
            p = a + t * along
            hit = _inked(crossing, p, normal, reach) and _inked(crossing, p, -normal, reach)
            if hit and not inside_run:
                crossings += 1
            inside_run = hit
        if crossings >= cfg.max_side_crossings:
            return True
    return False


@dataclass(frozen=True)
class _Looks:
    """What the side checks look at, on the detection-size photo."""

    surface: np.ndarray  # the photo with thin dark strokes (ink) closed away
    strokes: np.ndarray  # thin dark strokes: writing and drawn lines
    edge_zone: np.ndarray  # edges, widened


def _looks(small: np.ndarray, gray: np.ndarray, edges: np.ndarray) -> _Looks:
    return _Looks(
        surface=cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)),
        strokes=_thin_dark_strokes(gray),
        edge_zone=cv2.dilate(edges, np.ones((7, 7), np.uint8)),
    )


def _shadow_side(quad: Quad, looks: _Looks, cfg: BoardConfig) -> int | None:
    """The side of `quad` that is a cast shadow's edge rather than the board's, or None.

    Past a shadow's edge the same surface goes on: across the side the brightness steps down
    (by `shadow_step` or more); divided by that step, the colour outside is the board's colour
    inside (a wall's rarely is); and the board goes on beyond it: the frame's edges on both
    hands carry on past it, or the brightness stays level beyond the step (no frame, tray or
    wall's edge between) and the frame's edge on one hand carries on or, where the photo's
    border hides one, the writing does (thin dark strokes outside, as there are inside). A
    board's real side has its frame, or the wall's own colour, or nothing of the board past it.
    """
    surface, strokes = looks.surface, looks.strokes
    h, w = strokes.shape
    L = float(max(h, w))
    pts = quad.array()
    centre = pts.mean(axis=0)
    ts = np.linspace(0.08, 0.92, 43)
    # the profile across the side, both ways, from right beside it (where a frame would be)
    near = np.linspace(0.003, 0.07, 24) * L
    fi = near >= 0.03 * L  # the two plateaus, clear of a shadow's soft edge
    reach = np.linspace(0.025, cfg.shadow_ink_reach, 30) * L  # past a frame: writing goes on?
    for i in range(4):
        a, b = pts[i], pts[(i + 1) % 4]
        normal = np.array([-(b - a)[1], (b - a)[0]]) / (np.linalg.norm(b - a) + 1e-9)
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal  # inwards
        base = a[None, :] + ts[:, None] * (b - a)[None, :]
        inner = _sample(surface, base, normal, near)
        outer = _sample(surface, base, -normal, near)
        ok = inner[1] & outer[1]
        if ok.sum() < 0.5 * len(ts):
            continue  # the photo's edge: nothing to compare
        g_in = np.median(inner[0][ok].mean(axis=2), axis=0)  # per distance, inside
        g_out = np.median(outer[0][ok].mean(axis=2), axis=0)
        lit, dark = float(np.median(g_in[fi])), float(np.median(g_out[fi]))
        if lit <= 1 or not (cfg.shadow_min_ratio <= dark / lit <= 1 - cfg.shadow_step):
            continue
        # the board's colour on both sides once the step is divided out
        c_in = _chroma(inner[0][ok][:, fi])
        c_out = _chroma(outer[0][ok][:, fi])
        if float(np.max(np.abs(c_in - c_out))) > cfg.shadow_chroma_tol:
            continue
        # the frame's edges on both hands carry on past it: the board does
        goes_on = _sides_go_on(pts, i, looks.edge_zone)
        if min(goes_on) >= cfg.shadow_sides_go_on:
            return i
        # otherwise the step must be a shadow's: level beyond it, no frame, tray or wall's
        # edge between; and the board goes on past it, by a frame's edge on one hand or, where
        # the photo's border hides one, by the writing
        profile = np.concatenate([g_in[::-1], g_out])  # from deep inside to far outside
        rise = float(np.max(profile - np.minimum.accumulate(profile)))
        if rise > cfg.shadow_level_tol * lit or np.ptp(g_out[fi]) > cfg.shadow_level_tol * dark:
            continue
        if max(goes_on) >= cfg.shadow_sides_go_on:
            return i
        if min(goes_on) < 0:
            ink_in = _stroke_share(strokes, base, normal, reach)
            ink_out = _stroke_share(strokes, base, -normal, reach)
            if ink_out >= max(cfg.shadow_min_ink, 0.25 * ink_in):
                return i
    return None


def _sides_go_on(pts: np.ndarray, i: int, edge_zone: np.ndarray) -> list[float]:
    """For side i, the share of each neighbouring side's extension past it (3 to 15 % of the
    photo's long side) that lies on an edge, -1 where the photo's border hides it: a frame's
    edge goes on past a shadow's edge, and stops at the board's own side."""
    h, w = edge_zone.shape
    L = float(max(h, w))
    a, b = pts[i], pts[(i + 1) % 4]
    out = []
    for corner, other in ((a, pts[(i - 1) % 4]), (b, pts[(i + 2) % 4])):
        d = corner - other
        d = d / (np.linalg.norm(d) + 1e-9)
        q = corner[None, :] + np.linspace(0.03, 0.15, 30)[:, None] * L * d[None, :]
        xi, yi = np.round(q[:, 0]).astype(int), np.round(q[:, 1]).astype(int)
        m = 0.02 * L
        ok = (xi >= m) & (xi < w - m) & (yi >= m) & (yi < h - m)
        if ok.sum() < 10:
            out.append(-1.0)
            continue
        out.append(float(np.mean(edge_zone[yi[ok], xi[ok]] > 0)))
    return out


def _sample(
    img: np.ndarray, base: np.ndarray, direction: np.ndarray, dists: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """img at base + d * direction for every base point and distance: (values (T, D, C), and
    which base points have all their distances inside the image (T,))."""
    h, w = img.shape[:2]
    q = base[:, None, :] + dists[None, :, None] * direction[None, None, :]
    xi, yi = np.round(q[..., 0]).astype(int), np.round(q[..., 1]).astype(int)
    inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    vals = img[np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)].astype(np.float32)
    if vals.ndim == 2:
        vals = vals[..., None]
    return vals, inside.all(axis=1)


def _chroma(values: np.ndarray) -> np.ndarray:
    """Median share of each colour channel (brightness divided out) of (N, D, 3) samples."""
    v = values.reshape(-1, values.shape[-1])
    return np.median(v / np.maximum(v.sum(axis=1, keepdims=True), 1.0), axis=0)


def _stroke_share(
    strokes: np.ndarray, base: np.ndarray, direction: np.ndarray, dists: np.ndarray
) -> float:
    """Share of the points beside a side, up to the farthest distance, that are thin strokes."""
    vals, _ = _sample(strokes, base, direction, dists)
    h, w = strokes.shape
    q = base[:, None, :] + dists[None, :, None] * direction[None, None, :]
    seen = (q[..., 0] >= 0) & (q[..., 0] < w) & (q[..., 1] >= 0) & (q[..., 1] < h)
    if not seen.any():
        return 0.0
    return float((vals[..., 0] > 0)[seen].mean())


def _inked(mask: np.ndarray, p: np.ndarray, direction: np.ndarray, reach: np.ndarray) -> bool:
    """Whether `mask` is set at any of the distances `reach` from `p` along `direction`."""
    h, w = mask.shape
    for d in reach:
        x, y = (p + d * direction).round().astype(int)
        if 0 <= x < w and 0 <= y < h and mask[y, x]:
            return True
    return False


def _sides_near_axes(quad: Quad, max_tilt: float = 35.0) -> bool:
    """Each side within `max_tilt` degrees of the photo's axes (a shadow's edge may not be)."""
    p = quad.array()
    for i in range(4):
        dx, dy = p[(i + 1) % 4] - p[i]
        angle = abs(np.degrees(np.arctan2(dy, dx))) % 180
        tilt = min(angle, 180 - angle) if i % 2 == 0 else abs(90 - angle)
        if tilt > max_tilt:
            return False
    return True


def _table_border_quad(small: np.ndarray, cfg: BoardConfig) -> Quad | None:
    """The largest dark ruled quadrilateral: a table's outer border."""
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    ink = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15
    )
    ink = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    h, w = gray.shape
    margin = 0.01 * max(w, h)
    best, best_area = None, 0.0
    for c in contours:
        area = cv2.contourArea(cv2.convexHull(c))
        if area < 0.05 * w * h or area > cfg.max_board_area * w * h:
            continue
        x, y, bw, bh = cv2.boundingRect(c)
        if x < margin or y < margin or x + bw > w - margin or y + bh > h - margin:
            continue  # runs out of the photo: the board's frame, not a whole table
        hull = cv2.convexHull(c)
        approx = cv2.approxPolyDP(hull, 0.03 * cv2.arcLength(hull, True), True)
        if len(approx) == 4 and area > best_area:
            best, best_area = Quad.from_array(approx.reshape(4, 2)), area
    return best


def _ruled_slant(small: np.ndarray) -> tuple[float, float] | None:
    """The directions (degrees, image axes) of the photo's long drawn lines: the median of the
    near-horizontal ones and of the near-vertical ones, weighted by length; None without both."""
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    ink = _thin_dark_strokes(gray)
    shortest = int(0.12 * min(gray.shape))  # longer than any handwritten stroke
    lines = cv2.HoughLinesP(ink, 1, np.pi / 720, threshold=60, minLineLength=shortest, maxLineGap=5)
    if lines is None:
        return None
    across: list[tuple[float, float]] = []
    down: list[tuple[float, float]] = []
    for x1, y1, x2, y2 in lines.reshape(-1, 4).astype(float):
        angle = float(np.degrees(np.arctan2(y2 - y1, x2 - x1))) % 180
        length = float(np.hypot(x2 - x1, y2 - y1))
        if angle < 30 or angle > 150:
            across.append((angle if angle < 90 else angle - 180, length))
        elif 60 < angle < 120:
            down.append((angle, length))
    if not across or not down:
        return None
    return _weighted_median(across), _weighted_median(down)


def _weighted_median(values: list[tuple[float, float]]) -> float:
    ordered = sorted(values)
    half, total = sum(w for _, w in ordered) / 2, 0.0
    for value, weight in ordered:
        total += weight
        if total >= half:
            return value
    return ordered[-1][0]


# ---- warping ---------------------------------------------------------------------------------


def _warp_level(img: np.ndarray, across: float, down: float, long_side: int) -> np.ndarray:
    """The whole photo under the affine map that makes lines at `across` degrees horizontal
    and lines at `down` degrees vertical (a rotation and a shear), at the scale of the photo
    view (the turned photo's corners widen the view instead of shrinking the writing)."""
    a, d = np.radians(across), np.radians(down)
    m = np.linalg.inv(np.array([[np.cos(a), np.cos(d)], [np.sin(a), np.sin(d)]]))
    h, w = img.shape[:2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], float) @ m.T
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    s = long_side / max(w, h)
    affine = np.hstack([m * s, [[-x0 * s], [-y0 * s]]])
    out = (max(32, round((x1 - x0) * s)), max(32, round((y1 - y0) * s)))
    return cv2.warpAffine(img, affine, out, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def warp_quad(img: np.ndarray, quad: Quad, long_side: int) -> np.ndarray:
    qw, qh = quad.size()
    s = long_side / max(qw, qh)
    out_w, out_h = max(32, round(qw * s)), max(32, round(qh * s))
    dst = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(quad.array(), dst)
    return cv2.warpPerspective(
        img, m, (out_w, out_h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )


# how far a view by the table's border reaches beyond it (left, top, right, bottom), in the
# table's widths and heights: root causes and actions are written beside and under the table
TABLE_REACH = (0.8, 0.8, 0.8, 2.0)


def warp_around(
    img: np.ndarray, quad: Quad, long_side: int, reach: tuple[float, ...] | None = None
) -> np.ndarray:
    """Rectify the photo by the homography that squares `quad` (the table's border), as far as
    `reach` (TABLE_REACH) beyond it and the photo go, the table as large as in a view 2.2x its
    size."""
    qw, qh = quad.size()
    dst = np.array([[0, 0], [qw, 0], [qw, qh], [0, qh]], np.float32)
    m = cv2.getPerspectiveTransform(quad.array(), dst)
    h, w = img.shape[:2]
    corners = np.array([[[0, 0]], [[w, 0]], [[w, h]], [[0, h]]], np.float32)
    moved = cv2.perspectiveTransform(corners, m).reshape(4, 2)
    left, top, right, bottom = reach or TABLE_REACH
    x0, y0 = max(moved[:, 0].min(), -left * qw), max(moved[:, 1].min(), -top * qh)
    x1, y1 = min(moved[:, 0].max(), (1 + right) * qw), min(moved[:, 1].max(), (1 + bottom) * qh)
    s = long_side / max(min(x1 - x0, 2.2 * qw), min(y1 - y0, 2.2 * qh))
    shift = np.array([[s, 0, -x0 * s], [0, s, -y0 * s], [0, 0, 1]], np.float64)
    out = (max(32, round((x1 - x0) * s)), max(32, round((y1 - y0) * s)))
    return cv2.warpPerspective(
        img, shift @ m, out, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )


# ---- lighting --------------------------------------------------------------------------------


def flatten_lighting(img: np.ndarray, kernel_frac: float) -> np.ndarray:
    """Divide each channel by its estimated background so the board becomes evenly white."""
    h, w = img.shape[:2]
    f = 0.25
    small = cv2.resize(
        img, (max(8, round(w * f)), max(8, round(h * f))), interpolation=cv2.INTER_AREA
    )
    k = max(3, int(kernel_frac * max(small.shape[:2])) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    background = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, kernel
    )  # ink is darker: closing removes it
    background = cv2.GaussianBlur(background, (0, 0), k / 2)
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    # img / max(background, 1) * 245 in float32, clipped to 0..255, a band of rows at a time:
    # the same arithmetic element by element as on the whole view at once, without its four
    # float copies (a 2000 x 3300 table view is 80 MB a copy)
    flat = np.empty_like(img)
    step = max(1, _FLATTEN_BAND_PIXELS // max(1, w))
    for y in range(0, h, step):
        bg = np.maximum(background[y : y + step].astype(np.float32), 1.0)
        band = img[y : y + step].astype(np.float32)
        np.divide(band, bg, out=band)
        np.multiply(band, 245.0, out=band)
        np.clip(band, 0, 255, out=band)
        flat[y : y + step] = band  # truncated to uint8, as astype(np.uint8) does
    return flat
