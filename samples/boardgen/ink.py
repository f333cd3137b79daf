"""Marker ink: handwriting from handwriting-like fonts with per-character jitter, and hand-drawn
strokes (wobbly lines, ticks, crosses, comparators the font lacks).

Randomness is drawn when an item is *planned* (TextItem, line_params), never while rasterising,
so the same plan renders the same writing at any resolution.
"""

from __future__ import annotations

import glob
import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

# (display name, glob pattern, capitals only)
_FONT_CANDIDATES = [
    ("Humor Sans", "/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf", True),
    ("Comic Neue", "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf", False),
    ("Comic Neue Bold", "/usr/share/fonts/opentype/comic-neue/ComicNeue-Bold.otf", False),
    ("Comic Neue Italic", "/usr/share/fonts/opentype/comic-neue/ComicNeue-Italic.otf", False),
    ("DkgHandwriting", "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf", False),
    ("DkgHandwriting Bold", "/usr/share/fonts/truetype/fifthhorseman/dkgBd.ttf", False),
    ("DkgHandwriting Oblique", "/usr/share/fonts/truetype/fifthhorseman/dkgIt.ttf", False),
    ("Breip", "/usr/share/fonts/truetype/breip/Breip.ttf", False),
    ("Because We Learn", "/usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf", True),
    ("Because We Connect", "/usr/share/fonts/opentype/bwht/BecauseWeConnect-Regular.otf", True),
    ("Because We Organize", "/usr/share/fonts/opentype/bwht/BecauseWeOrganize-Regular.otf", True),
    ("Because We Build", "/usr/share/fonts/opentype/bwht/BecauseWeBuild-Regular.otf", True),
]
REF = 200  # reference font size for metrics
DRAWN = "<>≤≥"  # comparators that may be drawn as strokes


@dataclass(frozen=True)
class Font:
    name: str
    path: str
    caps: bool
    size_per_h: float  # font size giving a digit height of 1 px
    stroke_per_h: float  # native stroke width / digit height
    has: frozenset  # which of DRAWN the font has


@lru_cache(maxsize=512)
def pil_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _measure(name: str, path: str, caps: bool) -> Font:
    f = pil_font(path, REF)
    # "digit height": the taller of a digit and a capital (some hands write small digits)
    h0 = max(1, -f.getbbox("0", anchor="ls")[1], -f.getbbox("H", anchor="ls")[1])
    im = Image.new("L", (REF * 6, REF * 2), 0)
    ImageDraw.Draw(im).text((10, REF * 1.4), "0HNmn4", font=f, fill=255, anchor="ls")
    m = (np.asarray(im) > 127).astype(np.uint8)
    contours, _ = cv2.findContours(m, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perim = sum(cv2.arcLength(c, True) for c in contours)
    stroke = 2.0 * m.sum() / max(perim, 1)
    notdef = {bytes(f.getmask("\ue000")), bytes(f.getmask("\U0010fffd"))}
    has = frozenset(c for c in DRAWN + "•" if bytes(f.getmask(c)) not in notdef)
    return Font(name, path, caps, REF / h0, stroke / h0, has)


@lru_cache(maxsize=1)
def fonts() -> tuple[Font, ...]:
    out = []
    for name, pattern, caps in _FONT_CANDIDATES:
        paths = sorted(glob.glob(pattern))
        if paths:
            out.append(_measure(name, paths[0], caps))
    if not out:
        raise RuntimeError(
            "no handwriting fonts found (install fonts-humor-sans, "
            "fonts-comic-neue, fonts-dkg-handwriting, fonts-breip, fonts-bwht)"
        )
    return tuple(out)


def font_by_name(name: str) -> Font:
    for f in fonts():
        if f.name == name:
            return f
    raise KeyError(name)


# ---- text -----------------------------------------------------------------------------------


@dataclass
class TextItem:
    text: str
    font: Font
    size: np.ndarray  # per-char size factor
    dy: np.ndarray  # per-char baseline offset (x digit height)
    rot: np.ndarray  # per-char rotation (deg)
    adv: np.ndarray  # per-char advance (x digit height), jitter included
    slope: float  # line slope (deg, positive = descending to the right)
    drift_amp: float
    drift_phase: float
    drawn: tuple  # per-char: stroke points for drawn glyphs or None
    # a hand that varies glyph by glyph (roughen_text): per-char slant (deg of shear, positive
    # leaning right) and stroke width factor; None for the plain, font-like hand
    slant: np.ndarray | None = None
    wid: np.ndarray | None = None

    @property
    def width_h(self) -> float:
        return float(self.adv.sum())

    def width(self, h: float) -> float:
        return self.width_h * h


def plan_text(
    rng, text: str, font: Font, messy: float = 1.0, slope: float | None = None, spacing: float = 1.0
) -> TextItem:
    n = len(text)
    f = pil_font(font.path, REF)
    size = 1.0 + rng.normal(0, 0.045 * messy, n)
    dy = rng.normal(0, 0.045 * messy, n)
    rot = rng.normal(0, 2.5 * messy, n)
    spc = rng.normal(1.0, 0.06 * messy, n) * spacing
    wide_space = rng.uniform(0.9, 1.5)
    adv = np.zeros(n)
    drawn = []
    for k, ch in enumerate(text):
        if ch in DRAWN and (ch not in font.has or ch in "≤≥"):
            j = rng.normal(0, 0.035, 8)
            drawn.append(j)
            adv[k] = (0.62 + 0.1 * rng.random()) * size[k]
            continue
        if ch == "•" and ch not in font.has:
            drawn.append(None)
            adv[k] = 0.45 * size[k]
            continue
        drawn.append(None)
        a = f.getlength(ch) / (REF / font.size_per_h)
        if ch == " ":
            a *= wide_space
        adv[k] = a * size[k] * spc[k]
    if slope is None:
        slope = float(rng.normal(0, 0.9))
    return TextItem(
        text,
        font,
        size,
        dy,
        rot,
        adv,
        slope,
        float(rng.uniform(0, 0.07) * messy),
        float(rng.uniform(0, 6.3)),
        tuple(drawn),
    )


def roughen_text(item: TextItem, rng, strength: float) -> None:
    """Make a planned line vary like a hand, glyph by glyph: more size, baseline and rotation
    jitter, a slant of its own for each glyph around the line's slant, and a stroke width of its
    own (pressure). The line keeps its overall width (the layout was made for it). Drawn from
    `rng`, a stream apart from the layout's, so a board's layout is the same either way."""
    n = len(item.text)
    if n == 0 or strength <= 0:
        return
    s = float(strength)
    old = item.size.copy()
    item.size = np.clip(item.size * (1.0 + rng.normal(0, 0.09 * s, n)), 0.6, 1.5)
    item.dy = item.dy + rng.normal(0, 0.07 * s, n)
    item.rot = item.rot + rng.normal(0, 3.5 * s, n)
    line_slant = float(rng.normal(0, 7.0 * s))
    item.slant = np.clip(line_slant + rng.normal(0, 6.0 * s, n), -35, 35)
    item.wid = np.clip(np.exp(rng.normal(0, 0.22 * s, n)), 0.55, 1.8)
    total = float(item.adv.sum())
    adv = item.adv * (item.size / old)
    if adv.sum() > 0:
        adv *= total / float(adv.sum())
    item.adv = adv


def _glyph_width(ga: np.ndarray, factor: float, native: float) -> np.ndarray:
    """One glyph written with more or less pressure: its strokes widened or thinned."""
    d = (factor - 1.0) * native
    if d >= 0.8:
        k = int(round(d)) + 1
        return cv2.dilate(ga, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    if d <= -0.8 and native > 2.5:
        k = min(int(round(-d)) + 1, max(1, int(native * 0.5)))
        if k >= 2:
            return cv2.erode(ga, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return ga


def _glyph_points(ch: str, j: np.ndarray) -> list[list[tuple[float, float]]]:
    """Strokes of a hand-drawn comparator, in digit-height units, baseline at y=0, y down."""
    w = 0.5
    if ch in "<≤":
        top, bot = (-0.78, -0.12) if ch == "<" else (-0.95, -0.32)
        a = [(w + j[0], top + j[1]), (0.04 + j[2], (top + bot) / 2 + j[3]), (w + j[4], bot + j[5])]
    else:
        top, bot = (-0.78, -0.12) if ch == ">" else (-0.95, -0.32)
        a = [
            (0.04 + j[0], top + j[1]),
            (w + j[2], (top + bot) / 2 + j[3]),
            (0.04 + j[4], bot + j[5]),
        ]
    strokes = [a]
    if ch in "≤≥":
        strokes.append([(0.02 + j[6], -0.08 + j[7]), (w + 0.04 - j[6], -0.06 - j[7])])
    return strokes


def render_text(
    item: TextItem, h_px: float, stroke_ratio: float
) -> tuple[np.ndarray, float, float]:
    """Rasterise a planned line. Returns (mask uint8, x, y) where (x, y) is the start of the
    baseline inside the mask."""
    font = item.font
    w = item.width(h_px)
    sl = math.tan(math.radians(item.slope))
    pad = int(1.2 * h_px) + 4
    tilt = abs(w * sl)
    W = int(w + 2 * pad)
    H = int(2.7 * h_px + tilt + 2 * pad)
    mask = np.zeros((H, W), np.uint8)
    x0 = float(pad)
    y0 = pad + 1.7 * h_px + (tilt if sl < 0 else 0)
    native = font.stroke_per_h * h_px
    x = x0
    for k, ch in enumerate(item.text):
        adv = item.adv[k] * h_px
        if ch == " ":
            x += adv
            continue
        yb = (
            y0
            + (x - x0) * sl
            + item.dy[k] * h_px
            + item.drift_amp * h_px * math.sin(item.drift_phase + (x - x0) / (6 * h_px))
        )
        if ch == "•" and ch not in font.has:
            cv2.circle(
                mask,
                (int((x + 0.15 * h_px) * 8), int((yb - 0.4 * h_px) * 8)),
                int(max(1.0, native) * 8),
                255,
                -1,
                cv2.LINE_AA,
                3,
            )
            x += adv
            continue
        if item.drawn[k] is not None:
            hh = h_px * item.size[k]
            th = max(1, int(round(native)))
            for stroke in _glyph_points(ch, item.drawn[k]):
                pts = np.array([[x + px * hh, yb + py * hh] for px, py in stroke]) * 8
                cv2.polylines(mask, [pts.astype(np.int32)], False, 255, th, cv2.LINE_AA, 3)
            x += adv
            continue
        size = max(6, int(round(h_px * font.size_per_h * item.size[k])))
        f = pil_font(font.path, size)
        lf, t, r, b = f.getbbox(ch, anchor="ls")
        if r <= lf or b <= t:
            x += adv
            continue
        p = int(0.25 * (b - t)) + 3
        gw, gh = r - lf + 2 * p, b - t + 2 * p
        g = Image.new("L", (gw, gh), 0)
        ImageDraw.Draw(g).text((p - lf, p - t), ch, font=f, fill=255, anchor="ls")
        ga = np.asarray(g)
        ang = item.rot[k] - item.slope
        if item.slant is not None:
            # per-glyph slant: shear about the baseline point, widened to keep the glyph whole
            sh = math.tan(math.radians(float(item.slant[k])))
            ext = int(abs(sh) * gh) + 1
            ga = np.pad(ga, ((0, 0), (ext, ext)))
            gw += 2 * ext
            p_x = p - lf + ext
            A = np.float32([[1, -sh, sh * (p - t)], [0, 1, 0]])
            ga = cv2.warpAffine(ga, A, (gw, gh), flags=cv2.INTER_LINEAR)
            ga = _glyph_width(ga, float(item.wid[k]), native)
            if abs(ang) > 0.3:
                M = cv2.getRotationMatrix2D((p_x, p - t), ang, 1.0)
                ga = cv2.warpAffine(ga, M, (gw, gh), flags=cv2.INTER_LINEAR)
            ox, oy = int(round(x - p_x)), int(round(yb - (p - t)))
            _max_paste(mask, ga, ox, oy)
            x += adv
            continue
        if abs(ang) > 0.3:
            M = cv2.getRotationMatrix2D((p - lf, p - t), ang, 1.0)
            ga = cv2.warpAffine(ga, M, (gw, gh), flags=cv2.INTER_LINEAR)
        ox, oy = int(round(x - (p - lf))), int(round(yb - (p - t)))
        _max_paste(mask, ga, ox, oy)
        x += adv
    d = stroke_ratio * h_px - native
    if d >= 0.8:
        k = int(round(d)) + 1
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    elif d <= -1.2 and native > 3:
        k = min(int(round(-d)) + 1, int(native * 0.5))
        if k >= 2:
            mask = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return mask, x0, y0


def _max_paste(dst: np.ndarray, src: np.ndarray, ox: int, oy: int) -> None:
    H, W = dst.shape[:2]
    h, w = src.shape[:2]
    x1, y1 = max(ox, 0), max(oy, 0)
    x2, y2 = min(ox + w, W), min(oy + h, H)
    if x2 <= x1 or y2 <= y1:
        return
    sub = src[y1 - oy : y2 - oy, x1 - ox : x2 - ox]
    np.maximum(dst[y1:y2, x1:x2], sub, out=dst[y1:y2, x1:x2])


def paste_max(dst: np.ndarray, src: np.ndarray, ox: int, oy: int) -> None:
    _max_paste(dst, src, ox, oy)


# ---- hand-drawn strokes ------------------------------------------------------------------------


def line_params(rng, skips: float = 0.25) -> dict:
    """Random shape of one hand-drawn line (resolution independent)."""
    nsk = int(rng.random() < skips) + int(rng.random() < skips * 0.3)
    return {
        "bow": float(rng.normal(0, 0.004)),
        "amps": rng.uniform(0.0004, 0.0022, 3).tolist(),
        "freqs": rng.uniform(0.6, 3.5, 3).tolist(),
        "phases": rng.uniform(0, 6.283, 3).tolist(),
        "wfreq": float(rng.uniform(0.5, 2.5)),
        "wphase": float(rng.uniform(0, 6.283)),
        "wamp": float(rng.uniform(0.05, 0.2)),
        "start_fade": float(rng.uniform(0.0, 0.5)),
        "skips": [
            (float(rng.uniform(0.1, 0.9)), float(rng.uniform(0.004, 0.02))) for _ in range(nsk)
        ],
    }


def draw_line(mask: np.ndarray, p0, p1, width: float, prm: dict) -> None:
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    L = float(np.hypot(*d))
    if L < 2:
        return
    n = max(6, int(L / 5))
    t = np.linspace(0, 1, n)
    normal = np.array([-d[1], d[0]]) / L
    off = prm["bow"] * L * 4 * t * (1 - t)
    for a, f, ph in zip(prm["amps"], prm["freqs"], prm["phases"], strict=True):
        off = off + a * L * np.sin(2 * np.pi * f * t + ph) * min(1.0, 400 / max(L, 1)) ** 0.3
    pts = p0[None, :] + t[:, None] * d[None, :] + off[:, None] * normal[None, :]
    wid = width * (1 + prm["wamp"] * np.sin(2 * np.pi * prm["wfreq"] * t + prm["wphase"]))
    # the first few millimetres are a little thinner where the pen lands
    wid = wid * (1 - 0.35 * prm["start_fade"] * np.clip(1 - t * L / (6 * width + 1), 0, 1))
    keep = np.ones(n, bool)
    for s, ln in prm["skips"]:
        keep &= ~((t >= s) & (t <= s + ln + 3 * width / L))
    P = (pts * 8).astype(np.int32)
    for i in range(n - 1):
        if keep[i] and keep[i + 1]:
            cv2.line(
                mask, tuple(P[i]), tuple(P[i + 1]), 255, max(1, int(round(wid[i]))), cv2.LINE_AA, 3
            )


def plan_mark(rng, kind: str) -> dict:
    j = rng.normal(0, 0.05, 8)
    if kind == "tick":
        strokes = [
            [(0.0 + j[0], 0.55 + j[1]), (0.33 + j[2], 0.95 + j[3]), (1.0 + j[4], -0.15 + j[5])]
        ]
    else:
        strokes = [
            [(0.0 + j[0], 0.0 + j[1]), (0.9 + j[2], 0.95 + j[3])],
            [(0.9 + j[4], 0.0 + j[5]), (0.05 + j[6], 0.9 + j[7])],
        ]
    return {"strokes": strokes, "lines": [line_params(rng, 0) for _ in range(4)]}


def draw_mark(mask: np.ndarray, plan: dict, x: float, y: float, size: float, width: float):
    k = 0
    for stroke in plan["strokes"]:
        for a, b in zip(stroke[:-1], stroke[1:], strict=False):
            draw_line(
                mask,
                (x + a[0] * size, y + a[1] * size),
                (x + b[0] * size, y + b[1] * size),
                width,
                plan["lines"][k % 4],
            )
            k += 1
