"""The whiteboard: layout of what is written (in board units, the writing surface is 2500 units
wide) and rasterisation of surface, ink, ghosts of erased writing, aluminium frame and tray."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from . import ink
from .content import NO_TABLE_WORDS, Content

BW = 2500.0
PENS = {
    "black": (0.09, 0.09, 0.11),
    "blue": (0.09, 0.18, 0.52),
    "green": (0.07, 0.40, 0.22),
    "red": (0.68, 0.11, 0.13),
}


@dataclass
class Plan:
    BH: float
    F: float  # frame width
    tray: dict | None
    caps_plastic: bool
    ops: list = field(default_factory=list)
    ghosts: list = field(default_factory=list)
    magnets: list = field(default_factory=list)
    table_corners: list | None = None  # surface units TL, TR, BR, BL
    fonts: list = field(default_factory=list)
    pens: list = field(default_factory=list)
    title_box: list = field(default_factory=list)  # surface units, 4 corners
    border: bool | None = None
    rows: int = 0
    cols: int = 0
    surface_tint: tuple = (0.965, 0.97, 0.965)
    # a drying marker (hardship): {"pen", "level" (ink left, 0-1), "patch" (how patchy, 0-1)}
    dry: dict | None = None
    action_gap: float | None = None  # baseline gap of the action lines when they touch

    @property
    def canvas_units(self) -> tuple[float, float]:
        extra = self.tray["h"] if self.tray else 0.0
        return BW + 2 * self.F, self.BH + 2 * self.F + extra


def _pick(rng, seq, p=None):
    if p is not None:
        p = np.asarray(p, float) / np.sum(p)
        return seq[int(rng.choice(len(seq), p=p))]
    return seq[int(rng.integers(len(seq)))]


def _rot(pts, origin, theta):
    c, s = math.cos(theta), math.sin(theta)
    ox, oy = origin
    return [(ox + (x - ox) * c - (y - oy) * s, oy + (x - ox) * s + (y - oy) * c) for x, y in pts]


def _frame(rng, plan_kw: dict, opts: dict) -> dict:
    aspect = float(opts.get("aspect") or _pick(rng, [1.5, 1.5, 1.33, 1.67, 2.0]))
    F = float(rng.uniform(38, 62))
    tray = None
    if rng.random() < 0.75:
        frac = float(rng.uniform(0.3, 1.0))
        x0 = float(rng.uniform(0, 1 - frac)) if frac < 0.95 else 0.0
        markers = []
        for _ in range(int(rng.integers(0, 4))):
            markers.append(
                {
                    "x": float(rng.uniform(0.05, 0.8)),
                    "pen": _pick(rng, list(PENS)),
                    "len": float(rng.uniform(0.05, 0.065)),
                }
            )
        tray = {
            "h": float(rng.uniform(0.9, 1.4) * F),
            "x0": x0,
            "frac": frac,
            "markers": markers,
            "eraser": bool(rng.random() < 0.35),
            "ex": float(rng.uniform(0.1, 0.8)),
        }
    tint = (0.965 + rng.normal(0, 0.008), 0.97 + rng.normal(0, 0.006), 0.965 + rng.normal(0, 0.01))
    return dict(
        BH=BW / aspect, F=F, tray=tray, caps_plastic=bool(rng.random() < 0.6), surface_tint=tint
    )


def _ghosts(rng, plan: Plan, font, n: int) -> None:
    for _ in range(n):
        if rng.random() < 0.6:
            words = " ".join(
                _pick(
                    rng,
                    NO_TABLE_WORDS + ["SLA", "p99", "Q3", "done", "todo", "99.5%", "→ v2", "ok?"],
                )
                for _ in range(int(rng.integers(1, 4)))
            )
            item = ink.plan_text(rng, words, font)
            plan.ghosts.append(
                (
                    "text",
                    item,
                    float(rng.uniform(0, BW * 0.85)),
                    float(rng.uniform(60, plan.BH - 20)),
                    float(rng.uniform(30, 70)),
                    float(rng.uniform(0.04, 0.13)),
                )
            )
        else:
            x, y = rng.uniform(0, BW), rng.uniform(0, plan.BH)
            ang, ln = rng.uniform(0, math.pi), rng.uniform(150, 900)
            plan.ghosts.append(
                (
                    "line",
                    (x, y),
                    (x + ln * math.cos(ang), y + ln * math.sin(ang)),
                    float(rng.uniform(4, 8)),
                    ink.line_params(rng),
                    float(rng.uniform(0.04, 0.1)),
                )
            )
    # broad wipe streaks left by an eraser
    for _ in range(int(rng.integers(0, 4))):
        plan.ghosts.append(
            (
                "wipe",
                float(rng.uniform(0, BW)),
                float(rng.uniform(0, plan.BH)),
                float(rng.uniform(200, 700)),
                float(rng.uniform(40, 120)),
                float(rng.uniform(-0.5, 0.5)),
                float(rng.uniform(0.015, 0.04)),
            )
        )


def _magnets(rng, plan: Plan) -> None:
    if rng.random() < 0.25:
        for _ in range(int(rng.integers(1, 4))):
            # along the top edge, clear of the writing
            x = float(rng.uniform(30, BW - 30))
            y = float(rng.uniform(18, 34))
            plan.magnets.append(
                (
                    x,
                    y,
                    float(rng.uniform(13, 20)),
                    _pick(
                        rng,
                        [(0.75, 0.1, 0.1), (0.1, 0.3, 0.7), (0.15, 0.15, 0.15), (0.85, 0.7, 0.1)],
                    ),
                )
            )


def plan_board(
    rng, content: Content, font: ink.Font, opts: dict, touch_gap: float | None = None
) -> Plan:
    """`touch_gap` (hardship, from a stream of its own): the action lines are written this many
    line heights apart, close enough for one line's descenders to touch the next one's
    capitals."""
    plan = Plan(**_frame(rng, {}, opts))
    same_caps = [f for f in ink.fonts() if f.caps == font.caps]
    title_font = font if rng.random() < 0.7 else _pick(rng, same_caps)
    notes_font = font if rng.random() < 0.75 else _pick(rng, same_caps)
    table_pen = _pick(rng, ["black", "blue"], [0.6, 0.4])
    title_pen = _pick(rng, ["black", "blue", "red", "green"], [0.4, 0.3, 0.15, 0.15])
    notes_pen = _pick(rng, ["black", "blue", "red", "green"], [0.4, 0.3, 0.15, 0.15])
    action_pen = notes_pen if rng.random() < 0.6 else _pick(rng, ["black", "blue", "green", "red"])
    stroke = float(rng.uniform(0.085, 0.125))
    messy = float(rng.uniform(0.7, 1.4))
    n_ghost = int(rng.integers(2, 9)) if content.kind != "blank_board" else int(rng.integers(6, 16))
    _ghosts(rng, plan, font, n_ghost if rng.random() < 0.85 else 0)
    _magnets(rng, plan)
    plan.fonts = sorted({font.name, title_font.name, notes_font.name})
    if content.kind == "blank_board":
        plan.fonts, plan.pens = [], []
        return plan
    if content.kind == "no_table":
        _plan_no_table(rng, plan, content, font, title_pen, notes_pen, stroke, messy)
        return plan

    # ---- table board ---------------------------------------------------------------------
    ncol = 4 if content.status_col else 3
    cells = [content.header] + [
        [r.name, r.target_text, r.actual_text] + ([r.mark_text] if content.status_col else [])
        for r in content.rows
    ]
    items = [[ink.plan_text(rng, t, font, messy) if t else None for t in row] for row in cells]
    title_item = ink.plan_text(rng, content.title, title_font, messy)
    note_lines = []  # (item, is_heading, pen)
    if content.causes_heading:
        note_lines.append(
            (ink.plan_text(rng, content.causes_heading, notes_font, messy), True, notes_pen)
        )
        for line, _m, _t in content.causes:
            note_lines.append((ink.plan_text(rng, line, notes_font, messy), False, notes_pen))
        note_lines.append((None, False, None))
    first_action = len(note_lines) + 1
    note_lines.append(
        (ink.plan_text(rng, content.actions_heading, notes_font, messy), True, action_pen)
    )
    for a in content.actions:
        note_lines.append((ink.plan_text(rng, a["line"], notes_font, messy), False, action_pen))
    pad_l = rng.uniform(0.25, 0.8, ncol)
    pad_r = rng.uniform(0.3, 1.1, ncol)
    row_f = np.concatenate([[rng.uniform(1.9, 2.4)], rng.uniform(1.75, 2.35, len(cells) - 1)])
    title_f = float(rng.uniform(1.2, 1.6))
    head_f = float(rng.uniform(1.0, 1.15))
    note_f = float(rng.uniform(0.82, 0.98))
    note_gap = float(rng.uniform(1.45, 1.8))
    mx, my = float(rng.uniform(70, 170)), float(rng.uniform(60, 120))
    title_dx = float(rng.uniform(0, 120))
    side_gap = float(rng.uniform(1.6, 3.5))
    below_gap = float(rng.uniform(1.5, 2.6))
    table_gap = float(rng.uniform(0.9, 1.9))
    note_dy = float(rng.uniform(-0.3, 1.2))
    h = float(opts.get("text_h") or rng.uniform(52, 80))
    layout = None
    for _ in range(40):
        colw = []
        for c in range(ncol):
            w = max(
                (it[c].width(h * (1.08 if r == 0 else 1.0)) if it[c] else 0.0)
                for r, it in enumerate(items)
            )
            if c == 3:
                w = max(w, 1.3 * h)
            colw.append(w + (pad_l[c] + pad_r[c]) * h)
        table_w = sum(colw)
        table_h = float(row_f.sum() * h)
        ht, hn = title_f * h, note_f * h
        notes_w = max(
            (it.width(hn * (head_f if head else 1.0)) for it, head, _p in note_lines if it),
            default=0,
        )
        notes_h = len(note_lines) * note_gap * hn
        ty = my + 1.4 * ht
        yt = ty + table_gap * h + 0.4 * ht
        title_w = title_item.width(ht) + title_dx
        if title_w + mx > BW - 60:
            h *= 0.94
            continue
        xn = mx + table_w + side_gap * h
        side_h = max(table_h, notes_h + note_dy * h)
        if xn + notes_w <= BW - mx * 0.6 and yt + side_h <= plan.BH - my:
            layout = ("side", xn, yt + note_dy * h)
            break
        yn = yt + table_h + below_gap * h
        if max(table_w, notes_w) + mx <= BW - mx * 0.6 and yn + notes_h <= plan.BH - my * 0.6:
            layout = ("below", mx + float(rng.uniform(0, 2)) * h, yn)
            break
        h *= 0.94
    if layout is None:
        layout = ("below", mx, yt + table_h + below_gap * h)
    plan.pens = sorted({table_pen, title_pen, notes_pen, action_pen})

    # title (sometimes underlined)
    plan.ops.append(("text", title_item, mx + title_dx, ty, ht, title_pen, stroke))
    tw = title_item.width(ht)
    tdrop = tw * math.tan(math.radians(title_item.slope))
    plan.title_box = [
        [mx + title_dx, ty - 1.2 * ht],
        [mx + title_dx + tw, ty - 1.2 * ht + tdrop],
        [mx + title_dx + tw, ty + 0.3 * ht + tdrop],
        [mx + title_dx, ty + 0.3 * ht],
    ]
    if rng.random() < 0.4:
        y_u = ty + 0.35 * ht
        plan.ops.append(
            (
                "line",
                (mx + title_dx - 10, y_u),
                (
                    mx + title_dx + title_item.width(ht) * rng.uniform(0.6, 1.05),
                    y_u + title_item.width(ht) * math.tan(math.radians(title_item.slope)),
                ),
                stroke * ht * 0.9,
                title_pen,
                ink.line_params(rng),
            )
        )

    # table grid
    theta = math.radians(rng.normal(0, 0.6))
    origin = (mx + float(rng.uniform(0, 1.5)) * h, yt)
    X = np.concatenate([[0], np.cumsum(colw)]) + origin[0]
    Y = np.concatenate([[0], np.cumsum(row_f * h)]) + origin[1]
    border = bool(opts.get("border", rng.random() < 0.7))
    plan.border, plan.rows, plan.cols = border, len(content.rows), ncol
    lw = stroke * h * rng.uniform(0.85, 1.25)
    nr = len(Y) - 1
    for k in range(nr + 1):
        if not border and k in (0, nr):
            continue
        o1, o2 = rng.uniform(-0.3, 0.9, 2) * h * (1 if border else 1.4)
        j1, j2 = rng.normal(0, 0.1, 2) * h
        pts = _rot([(X[0] - o1, Y[k] + j1), (X[-1] + o2, Y[k] + j2)], origin, theta)
        plan.ops.append(
            ("line", pts[0], pts[1], lw * rng.uniform(0.9, 1.1), table_pen, ink.line_params(rng))
        )
        if k == 1 and rng.random() < 0.12:
            pts = _rot([(X[0] - o1, Y[k] + 0.18 * h), (X[-1] + o2, Y[k] + 0.2 * h)], origin, theta)
            plan.ops.append(("line", pts[0], pts[1], lw, table_pen, ink.line_params(rng)))
    for c in range(ncol + 1):
        if not border and c in (0, ncol):
            continue
        o1, o2 = rng.uniform(-0.3, 0.8, 2) * h * (1 if border else 1.3)
        j1, j2 = rng.normal(0, 0.1, 2) * h
        pts = _rot([(X[c] + j1, Y[0] - o1), (X[c] + j2, Y[-1] + o2)], origin, theta)
        plan.ops.append(
            ("line", pts[0], pts[1], lw * rng.uniform(0.9, 1.1), table_pen, ink.line_params(rng))
        )
    corners = _rot([(X[0], Y[0]), (X[-1], Y[0]), (X[-1], Y[-1]), (X[0], Y[-1])], origin, theta)
    plan.table_corners = [list(map(float, p)) for p in corners]
    mark_pen = {"tick": _pick(rng, [table_pen, "green"]), "cross": _pick(rng, [table_pen, "red"])}
    for r, row in enumerate(items):
        rh = row_f[r] * h
        for c, it in enumerate(row):
            th = h * (1.08 if r == 0 else 1.0)
            x = X[c] + pad_l[c] * h + rng.normal(0, 0.12) * h
            y = Y[r] + (rh + th) / 2 + rng.normal(0, 0.06) * h
            ((px, py),) = _rot([(x, y)], origin, theta)
            if c == 3 and r > 0 and content.rows[r - 1].mark_kind in ("tick", "cross"):
                kind = content.rows[r - 1].mark_kind
                plan.ops.append(
                    (
                        "mark",
                        ink.plan_mark(rng, kind),
                        px,
                        py - 0.95 * h,
                        h * rng.uniform(0.8, 1.05),
                        lw,
                        mark_pen[kind],
                    )
                )
                continue
            if it is None:
                continue
            it.slope += math.degrees(theta)
            pen = table_pen
            if c == 3 and r > 0 and rng.random() < 0.5:
                pen = mark_pen["cross"] if content.rows[r - 1].board_mark == "breach" else pen
            plan.ops.append(("text", it, px, py, th, pen, stroke))
    # notes
    kind, xn, yn = layout
    y = yn
    for n_line, (it, head, pen) in enumerate(note_lines):
        hh = note_f * h * (head_f if head else 1.0)
        if touch_gap is not None and n_line > first_action:
            y += touch_gap * note_f * h
            plan.action_gap = touch_gap
        else:
            y += note_gap * note_f * h
        if it is None:
            y -= 0.5 * note_gap * note_f * h
            continue
        x = xn + (0 if head else float(rng.uniform(0, 0.6)) * h)
        plan.ops.append(("text", it, x, y, hh, pen, stroke))
        if head and rng.random() < 0.45:
            plan.ops.append(
                (
                    "line",
                    (x - 5, y + 0.3 * hh),
                    (
                        x + it.width(hh) * 1.02,
                        y + 0.3 * hh + it.width(hh) * math.tan(math.radians(it.slope)),
                    ),
                    stroke * hh,
                    pen,
                    ink.line_params(rng),
                )
            )
    return plan


def _plan_no_table(rng, plan: Plan, content: Content, font, title_pen, pen, stroke, messy):
    plan.pens = sorted({title_pen, pen})
    h = float(rng.uniform(45, 60))
    x0, y0 = float(rng.uniform(80, 200)), float(rng.uniform(100, 160))
    if content.title:
        it = ink.plan_text(rng, content.title, font, messy)
        plan.ops.append(("text", it, x0, y0, 1.4 * h, title_pen, stroke))
    split = content.free_text.index("|")
    words, bullets = content.free_text[:split], content.free_text[split + 1 :]
    # boxes and arrows scattered over the left part
    placed = []
    for w in words:
        it = ink.plan_text(rng, w, font, messy)
        for _ in range(30):
            bx = float(rng.uniform(x0, BW * 0.55))
            by = float(rng.uniform(y0 + 2.5 * h, plan.BH - 2.5 * h))
            bw, bh = it.width(h) + 1.4 * h, 2.0 * h
            if (
                all(
                    abs(bx - px) > (bw + pw) / 2 + 1.5 * h or abs(by - py) > 3.2 * h
                    for px, py, pw in placed
                )
                and bx + bw < BW * 0.62
            ):
                break
        placed.append((bx, by, bw))
        plan.ops.append(("text", it, bx + 0.7 * h, by + 0.5 * h, h, pen, stroke))
        if rng.random() < 0.75:
            ellipse = rng.random() < 0.3
            x1, y1, x2, y2 = bx, by - bh / 2, bx + bw, by + bh / 2
            if ellipse:
                pts = [
                    (bx + bw / 2 + bw * 0.6 * math.cos(a), by + bh * 0.75 * math.sin(a))
                    for a in np.linspace(0, 2 * math.pi + 0.3, 14)
                ]
                for p, q in zip(pts[:-1], pts[1:], strict=False):
                    plan.ops.append(("line", p, q, stroke * h, pen, ink.line_params(rng, 0)))
            else:
                for p, q in (
                    ((x1, y1), (x2, y1)),
                    ((x2, y1), (x2, y2)),
                    ((x2, y2), (x1, y2)),
                    ((x1, y2), (x1, y1)),
                ):
                    plan.ops.append(("line", p, q, stroke * h, pen, ink.line_params(rng, 0.1)))
    for (ax, ay, aw), (bx, by, bw) in zip(placed[:-1], placed[1:], strict=False):
        if rng.random() < 0.7:
            p = np.array([ax + aw / 2, ay])
            q = np.array([bx + bw / 2, by])  # noqa: E702
            d = q - p
            n = float(np.hypot(*d))
            if n < 4 * h:
                continue
            u = d / n
            p2, q2 = p + u * (aw / 2 + 0.4 * h), q - u * (bw / 2 + 0.4 * h)
            plan.ops.append(("line", tuple(p2), tuple(q2), stroke * h, pen, ink.line_params(rng)))
            for sgn in (1, -1):
                c, s = math.cos(sgn * 0.45), math.sin(sgn * 0.45)
                back = -np.array([u[0] * c - u[1] * s, u[0] * s + u[1] * c]) * 0.9 * h
                plan.ops.append(
                    ("line", tuple(q2), tuple(q2 + back), stroke * h, pen, ink.line_params(rng, 0))
                )
    # a bullet list on the right
    xb, yb = float(rng.uniform(BW * 0.64, BW * 0.7)), y0 + float(rng.uniform(2.5, 4)) * h
    for b in bullets:
        it = ink.plan_text(rng, b, font, messy)
        if xb + it.width(0.9 * h) > BW - 40:
            continue
        plan.ops.append(("text", it, xb, yb, 0.9 * h, pen, stroke))
        yb += float(rng.uniform(1.5, 1.9)) * h


# ---- rasterisation ---------------------------------------------------------------------------


def _lowfreq(rng_px, shape, cells: int) -> np.ndarray:
    h, w = shape
    small = rng_px.random((max(2, cells * h // max(h, w) + 2), cells + 2)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _drying(a: np.ndarray, dry: dict, r: float, rng_fx) -> np.ndarray:
    """A drying marker: the ink faint overall, patchy along the strokes (blotches about a
    stroke wide where almost nothing was laid down) and streaked across them."""
    h, w = a.shape
    cell = max(2.0, 9.0 * r)  # about a stroke's width, in px
    gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
    blot = cv2.resize(
        rng_fx.random((gh, gw)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC
    )
    streak = cv2.resize(
        rng_fx.random((max(2, int(h / (2.5 * cell)) + 2), 2)).astype(np.float32),
        (w, h),
        interpolation=cv2.INTER_LINEAR,
    )
    patch = float(dry["patch"])
    keep = np.clip((blot - patch * 0.55) / max(1e-3, 1.0 - patch * 0.55), 0.0, 1.0)
    keep = keep * (1.0 - 0.35 * patch * streak)
    return a * (float(dry["level"]) * (0.25 + 0.75 * keep))


def render_board(plan: Plan, r: float, rng_px, rng_fx=None) -> tuple[np.ndarray, dict]:
    """Rasterise at r pixels per board unit. Returns (RGBA uint8 canvas, geometry in px).
    `rng_fx` fills the arrays of the hardship effects (a drying marker), apart from `rng_px`."""
    cw_u, ch_u = plan.canvas_units
    Wc, Hc = int(round(cw_u * r)), int(round(ch_u * r))
    F = plan.F * r
    sx0, sy0 = F, F
    sw, sh = BW * r, plan.BH * r
    S = (int(round(sx0)), int(round(sy0)), int(round(sx0 + sw)), int(round(sy0 + sh)))
    rgb = np.zeros((Hc, Wc, 3), np.float32)
    alpha = np.zeros((Hc, Wc), np.float32)

    # surface: near-white, a little uneven
    tint = np.asarray(plan.surface_tint, np.float32)
    small = (1.0 + 0.024 * (rng_px.random((6, 9)).astype(np.float32) - 0.5))[..., None] * tint
    rgb[S[1] : S[3], S[0] : S[2]] = cv2.resize(
        small, (S[2] - S[0], S[3] - S[1]), interpolation=cv2.INTER_CUBIC
    )

    # ghosts of erased writing (one faint layer)
    if plan.ghosts:
        gm = np.zeros((S[3] - S[1], S[2] - S[0]), np.uint8)
        for g in plan.ghosts:
            if g[0] == "text":
                _, item, x, y, h, strength = g
                m, ox, oy = ink.render_text(item, h * r, 0.1)
                m = (m.astype(np.float32) * strength).astype(np.uint8)
                ink.paste_max(gm, m, int(x * r - ox), int(y * r - oy))
            elif g[0] == "line":
                _, p0, p1, w, prm, strength = g
                sub = np.zeros_like(gm)
                ink.draw_line(sub, (p0[0] * r, p0[1] * r), (p1[0] * r, p1[1] * r), w * r, prm)
                np.maximum(gm, (sub * strength).astype(np.uint8), out=gm)
            else:
                _, x, y, ln, wd, ang, strength = g
                box = ((x * r, y * r), (ln * r, wd * r), math.degrees(ang))
                sub = np.zeros_like(gm)
                cv2.ellipse(sub, box, int(255 * strength), -1, cv2.LINE_AA)
                np.maximum(gm, sub, out=gm)
        gm = cv2.GaussianBlur(gm, (0, 0), max(0.8, 3.0 * r))
        bx, by, bw, bh = cv2.boundingRect(gm)
        if bw and bh:
            gmf = gm[by : by + bh, bx : bx + bw].astype(np.float32) * (1 / 255.0)
            sub = rgb[S[1] + by : S[1] + by + bh, S[0] + bx : S[0] + bx + bw]
            for c, k in enumerate((0.85, 0.8, 0.7)):
                sub[..., c] *= 1.0 - k * gmf

    # ink, one layer per pen
    layers: dict[str, np.ndarray] = {}
    shape = (S[3] - S[1], S[2] - S[0])
    for op in plan.ops:
        pen = op[5] if op[0] == "text" else (op[4] if op[0] == "line" else op[6])
        m = layers.setdefault(pen, np.zeros(shape, np.uint8))
        if op[0] == "text":
            _, item, x, y, h, _pen, stroke = op
            t, ox, oy = ink.render_text(item, h * r, stroke)
            ink.paste_max(m, t, int(round(x * r - ox)), int(round(y * r - oy)))
        elif op[0] == "line":
            _, p0, p1, w, _pen, prm = op
            ink.draw_line(m, (p0[0] * r, p0[1] * r), (p1[0] * r, p1[1] * r), max(1.0, w * r), prm)
        else:
            _, mplan, x, y, size, w, _pen = op
            ink.draw_mark(m, mplan, x * r, y * r, size * r, max(1.0, w * r))
    if layers:
        qs = (shape[1] // 4 + 1, shape[0] // 4 + 1)
        tex = 0.8 + 0.2 * _lowfreq(rng_px, (qs[1], qs[0]), 40)
        grain = rng_px.random((qs[1], qs[0])).astype(np.float32)
        tex *= 1.0 - 0.25 * np.clip(grain - 0.6, 0, 1) / 0.4
        tex = cv2.resize(tex, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
        for pen in sorted(layers):
            m = cv2.GaussianBlur(layers[pen], (0, 0), 0.6)
            bx, by, bw, bh = cv2.boundingRect(m)
            if not (bw and bh):
                continue
            a = m[by : by + bh, bx : bx + bw].astype(np.float32) * (0.93 / 255.0)
            a *= tex[by : by + bh, bx : bx + bw]
            if plan.dry and plan.dry["pen"] == pen and rng_fx is not None:
                a = _drying(a, plan.dry, r, rng_fx)
            sub = rgb[S[1] + by : S[1] + by + bh, S[0] + bx : S[0] + bx + bw]
            for c, v in enumerate(PENS[pen]):
                ch_ = sub[..., c]
                ch_ *= 1.0 - a
                ch_ += a * v
    # magnets
    for x, y, rad, col in plan.magnets:
        c = (int((S[0] + x * r) * 8), int((S[1] + y * r) * 8))
        cv2.circle(rgb, c, int(rad * r * 8), (0.25, 0.25, 0.25), -1, cv2.LINE_AA, 3)
        cv2.circle(rgb, c, int(rad * r * 0.9 * 8), tuple(float(v) for v in col), -1, cv2.LINE_AA, 3)
        cv2.circle(
            rgb,
            (c[0] - int(rad * r * 3), c[1] - int(rad * r * 3)),
            int(rad * r * 2.5),
            tuple(float(min(1, v + 0.35)) for v in col),
            -1,
            cv2.LINE_AA,
            3,
        )

    # aluminium frame: a ring with a bright ridge and a dark lip at the surface edge
    fw, fh = int(round(cw_u * r)), int(round((plan.BH + 2 * plan.F) * r))
    nl = int(F + 6 * r + 3)
    prof = np.arange(nl, dtype=np.float32) / max(F, 1)
    vv = (
        0.66
        + 0.22 * np.sin(np.pi * np.clip(prof * 1.1, 0, 1))
        + 0.1 * np.exp(-(((prof - 0.28) / 0.06) ** 2))
        - 0.35 * np.exp(-(((prof - 0.97) / 0.05) ** 2))
        - 0.25 * np.exp(-((prof / 0.05) ** 2))
    )
    lip = np.clip(1.0 - (prof - 1.0) * F / max(6 * r, 1), 0, 1) * (prof >= 1.0)
    metal = (vv[:, None] * np.array([0.86, 0.87, 0.9])).astype(np.float32)
    # process the four border strips only (distance to the outer edge < nl)
    nl = min(nl, fw // 2, fh // 2)
    for y0, y1, x0, x1 in (
        (0, nl, 0, fw),
        (fh - nl, fh, 0, fw),
        (nl, fh - nl, 0, nl),
        (nl, fh - nl, fw - nl, fw),
    ):
        yy = np.arange(y0, y1, dtype=np.int32)[:, None]
        xx = np.arange(x0, x1, dtype=np.int32)[None, :]
        dpx = np.minimum(np.minimum(xx, fw - 1 - xx), np.minimum(yy, fh - 1 - yy))
        dpx = np.minimum(dpx, nl - 1)
        reg = rgb[y0:y1, x0:x1]
        shade = (1.0 - 0.18 * lip[dpx]).astype(np.float32)
        isring = (prof[dpx] < 1.0)[..., None]
        reg[:] = np.where(isring, metal[dpx], reg * shade[..., None])
    alpha[:fh] = 1.0
    if plan.caps_plastic:
        cs = int(1.5 * F)
        for cx, cy in ((0, 0), (fw - cs, 0), (0, fh - cs), (fw - cs, fh - cs)):
            cv2.rectangle(rgb, (cx, cy), (cx + cs, cy + cs), (0.32, 0.32, 0.34), -1, cv2.LINE_AA)
            cv2.rectangle(
                rgb,
                (cx + 2, cy + 2),
                (cx + cs - 3, cy + cs - 3),
                (0.4, 0.4, 0.42),
                max(1, int(F / 12)),
                cv2.LINE_AA,
            )
    # marker tray
    if plan.tray:
        t = plan.tray
        tx0 = int((t["x0"] * cw_u) * r)
        tx1 = int(min(cw_u, (t["x0"] + t["frac"]) * cw_u) * r)
        ty0, ty1 = fh, Hc
        if tx1 > tx0 + 4 and ty1 > ty0 + 2:
            prof = np.linspace(0, 1, ty1 - ty0, dtype=np.float32)[:, None]
            tv = 0.5 + 0.25 * np.exp(-(((prof - 0.15) / 0.12) ** 2)) - 0.25 * prof
            rgb[ty0:ty1, tx0:tx1] = (tv * np.array([0.9, 0.9, 0.93], np.float32))[:, None, :]
            alpha[ty0:ty1, tx0:tx1] = 1.0
            th_ = ty1 - ty0
            for mk in t["markers"]:
                mx0 = int(tx0 + mk["x"] * (tx1 - tx0))
                ml = int(mk["len"] * BW * r)
                if mx0 + ml > tx1:
                    continue
                y0, y1 = int(ty0 + 0.2 * th_), int(ty0 + 0.65 * th_)
                cv2.rectangle(rgb, (mx0, y0), (mx0 + ml, y1), (0.85, 0.85, 0.86), -1, cv2.LINE_AA)
                cv2.rectangle(
                    rgb,
                    (mx0 + int(0.7 * ml), y0),
                    (mx0 + ml, y1),
                    tuple(float(v) for v in PENS[mk["pen"]]),
                    -1,
                    cv2.LINE_AA,
                )
                cv2.line(
                    rgb,
                    (mx0, y0 + 2),
                    (mx0 + ml, y0 + 2),
                    (0.97, 0.97, 0.97),
                    max(1, int(0.08 * th_)),
                )
            if t["eraser"]:
                ex = int(tx0 + t["ex"] * (tx1 - tx0))
                el = int(0.07 * BW * r)
                if ex + el < tx1:
                    cv2.rectangle(
                        rgb,
                        (ex, int(ty0 - 0.1 * th_)),
                        (ex + el, int(ty0 + 0.75 * th_)),
                        (0.12, 0.12, 0.14),
                        -1,
                        cv2.LINE_AA,
                    )
    cv2.max(rgb, 0.0, dst=rgb)
    rgba = cv2.merge(
        [*cv2.split(cv2.convertScaleAbs(rgb, alpha=255.0)), cv2.convertScaleAbs(alpha, alpha=255.0)]
    )
    geo = {
        "surface": [(S[0], S[1]), (S[2], S[1]), (S[2], S[3]), (S[0], S[3])],
        "frame": [(0, 0), (fw, 0), (fw, fh), (0, fh)],
        "table": [((x * r + sx0), (y * r + sy0)) for x, y in plan.table_corners]
        if plan.table_corners
        else None,
    }
    return rgba, geo
