"""Small synthetic boards of exactly known geometry, for the image-stage tests.

Unlike samples/generate.py (realistic photos for the benchmark), these are plain: a white board
in a grey frame on a coloured wall, a ruled table at known positions, text in a plain font, then
a known homography. The tests check that the stages recover what was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

ROWS = [
    ("Metric", "Target", "Actual"),
    ("Uptime", ">= 99.9%", "99.95%"),
    ("P95 latency", "< 200ms", "240ms"),
    ("Error rate", "< 0.5%", "0.46%"),
]


@dataclass
class SynthBoard:
    photo: np.ndarray  # BGR
    board_corners: np.ndarray  # 4x2 in photo pixels, TL TR BR BL
    board_size: tuple[int, int]  # w, h of the unwarped board
    row_lines: list[float]  # y of each horizontal rule on the unwarped board
    col_lines: list[float]  # x of each vertical rule on the unwarped board
    homography: np.ndarray


def draw_board(
    rows=ROWS,
    size=(1600, 1000),
    border=True,
    wobble=0.0,
    skip=False,
    lifted=0,
    rule_colour=(30, 30, 30),
    column_dashes=None,
    dashed_rule=None,
    lines_above=("Payments API SLA review 2026-11-20",),
    lines_below=("Actions", "P95 latency: add circuit breaker @maria 12/15"),
    seed=0,
) -> tuple[np.ndarray, list[float], list[float]]:
    rng = np.random.default_rng(seed)
    w, h = size
    img = Image.new("RGB", (w, h), (250, 250, 248))
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 38)
    y = 40
    for text in lines_above:
        d.text((80, y), text, font=font, fill=(20, 20, 120))
        y += 70
    col_w = [420, 300, 300]
    x0, y0 = 120, y + 40
    row_h = 90
    xs = [x0 + sum(col_w[:i]) for i in range(len(col_w) + 1)]
    ys = [y0 + i * row_h for i in range(len(rows) + 1)]
    colour = rule_colour

    def line(p, q):
        n = 40
        pts = [
            (
                p[0] + (q[0] - p[0]) * t + wobble * rng.normal(),
                p[1] + (q[1] - p[1]) * t + wobble * rng.normal(),
            )
            for t in np.linspace(0, 1, n)
        ]
        if skip:
            half = n // 2
            d.line(pts[: half - 1], fill=colour, width=5)
            d.line(pts[half + 1 :], fill=colour, width=5)
        else:
            d.line(pts, fill=colour, width=5)

    hy = ys if border else ys[1:-1]
    vx = xs if border else xs[1:-1]
    for k, yy in enumerate(hy):
        if dashed_rule and k == dashed_rule[0]:  # this rule drawn as (dash, skip) dashes
            dash, gap = dashed_rule[1:]
            for x in range(int(xs[0]) - 5, int(xs[-1]) + 5, dash + gap):
                line((x, yy), (min(x + dash, xs[-1] + 5), yy))
        elif lifted:  # drawn cell by cell: the pen lifted `lifted` px before each column line
            for a, b in zip(xs[:-1], xs[1:], strict=True):
                line((a - 5 if a == xs[0] else a, yy), (b + 5 if b == xs[-1] else b - lifted, yy))
        else:
            line((xs[0] - 5, yy), (xs[-1] + 5, yy))
    for xx in vx:
        if column_dashes:  # below the second row, each column line (dash, skip) dashed
            dash, gap = column_dashes
            line((xx, ys[0] - 5), (xx, ys[2]))
            for y0 in range(int(ys[2]) + gap, int(ys[-1]) + 5, dash + gap):
                line((xx, y0), (xx, min(y0 + dash, ys[-1] + 5)))
        else:
            line((xx, ys[0] - 5), (xx, ys[-1] + 5))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            d.text((xs[c] + 20, ys[r] + 22), text, font=font, fill=(30, 30, 30))
    y = ys[-1] + 50
    for text in lines_below:
        d.text((80, y), text, font=font, fill=(20, 20, 20))
        y += 60
    return np.array(img)[:, :, ::-1].copy(), [float(v) for v in hy], [float(v) for v in vx]


def photograph(
    board: np.ndarray, photo_size=(2400, 1800), corners=None, seed=0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place `board` (with a grey frame) on a wall under a known perspective."""
    rng = np.random.default_rng(seed)
    bh, bw = board.shape[:2]
    pw, ph = photo_size
    frame = cv2.copyMakeBorder(board, 30, 30, 30, 30, cv2.BORDER_CONSTANT, value=(150, 150, 155))
    if corners is None:
        corners = np.array([[420, 300], [2010, 360], [1960, 1480], [460, 1420]], np.float32)
    src = np.array([[0, 0], [bw, 0], [bw, bh], [0, bh]], np.float32)
    H = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    shift = np.array([[1, 0, 30], [0, 1, 30], [0, 0, 1]], np.float64)
    Hf = H @ np.linalg.inv(shift)
    wall = np.full((ph, pw, 3), (120, 160, 190), np.uint8)
    wall = (
        (wall.astype(np.int16) + rng.integers(-12, 12, (ph, pw, 1))).clip(0, 255).astype(np.uint8)
    )
    warped = cv2.warpPerspective(frame, Hf, (pw, ph))
    mask = cv2.warpPerspective(np.full(frame.shape[:2], 255, np.uint8), Hf, (pw, ph))
    photo = np.where(mask[:, :, None] > 0, warped, wall)
    return photo, corners, H


def synth(**kw) -> SynthBoard:
    photo_kw = {k: kw.pop(k) for k in ("photo_size", "corners") if k in kw}
    board, rows, cols = draw_board(**kw)
    photo, corners, H = photograph(board, **photo_kw)
    return SynthBoard(photo, corners, (board.shape[1], board.shape[0]), rows, cols, H)


def drawn_line(text: str, font: str, size: int = 64, width: int = 700) -> np.ndarray:
    """`text` in `font` (one of the generator's handwriting fonts) as a line crop, prepared as
    the pipeline prepares one for the recogniser."""
    from boardsnap.config import Config
    from boardsnap.reading import ocr

    image = Image.new("L", (width, 120), 255)
    ImageDraw.Draw(image).text((20, 20), text, font=ImageFont.truetype(font, size), fill=0)
    crop = ocr.prepare_crop(np.array(image), (0, 0, width, 120), Config().ocr, in_table=False)
    assert crop is not None
    return crop


def action_board_reading(rec, written: str, font: str, size: int):
    """A reading of a small board: a table of one row, an Actions heading, one action line
    `written` in `font` (read by the real recogniser `rec`, its frames kept by its box as the
    pipeline keeps them). Returns (Reading, frames by box)."""
    from boardsnap.reading.results import OcrText, Reading

    cells = tuple(
        tuple(
            OcrText(t, 0.99, (c * 200, r * 100, 190, 90), tuple(0.99 for _ in t))
            for c, t in enumerate(row)
        )
        for r, row in enumerate([["Metric", "Target", "Actual"], ["Uptime", "99.9%", "99.95%"]])
    )
    frames = rec.frames([drawn_line(written, font, size, width=1400)])[0]
    text, confs = frames.best_path()
    box = (0, 400, 1400, 120)
    lines = (
        OcrText("Team SLA Review 2026-06-01", 0.99, (0, -100, 900, 60), tuple([0.99] * 26)),
        OcrText("Actions:", 0.99, (0, 300, 300, 60), tuple([0.99] * 8)),
        OcrText(text, float(np.mean(confs)), box, confs),
    )
    return Reading(cells=cells, lines=lines), {box: frames}
