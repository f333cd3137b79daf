"""The phone photo: a wall (or desk) scene, the board placed with a perspective camera, then
light (exposure, gradients, vignetting, shadows, colour temperature), glare on the glossy
surface, defocus/motion blur, sensor noise, phone sharpening, JPEG with EXIF.

All geometry is planned in resolution-independent terms; arrays whose size depends on the
output resolution are filled from `rng_px`, a separate stream, so a downsized photo shows the
same scene as a full-size one.
"""

from __future__ import annotations

import math
from datetime import date

import cv2
import numpy as np
from PIL import Image

WALLS = [
    (0.86, 0.84, 0.78),
    (0.78, 0.78, 0.77),
    (0.72, 0.78, 0.82),
    (0.72, 0.78, 0.70),
    (0.84, 0.78, 0.66),
    (0.62, 0.64, 0.68),
    (0.80, 0.70, 0.62),
    (0.88, 0.88, 0.86),
]
PHONES = [
    ("Apple", "iPhone 13"),
    ("Google", "Pixel 7"),
    ("samsung", "SM-S911B"),
    ("Apple", "iPhone 15 Pro"),
    ("Xiaomi", "2201116SG"),
    ("OnePlus", "CPH2449"),
]
# displayed size of a full-resolution landscape shot (portrait shots swap them)
RESOLUTIONS = [(4000, 3000), (4032, 3024), (3264, 2448), (4000, 2250), (3648, 2736)]
FIVE_MP = (2592, 1944)  # an older or cheaper phone (hardship)


def _pick(rng, seq, p=None):
    if p is not None:
        p = np.asarray(p, float) / np.sum(p)
        return seq[int(rng.choice(len(seq), p=p))]
    return seq[int(rng.integers(len(seq)))]


# ---- camera ----------------------------------------------------------------------------------


def plan_camera(rng, portrait: bool, opts: dict) -> dict:
    if opts.get("fill") is not None:
        fill = float(opts["fill"])
    elif portrait:
        fill = float(rng.uniform(0.82, 1.02))
    else:
        fill = (
            float(rng.uniform(0.62, 0.93))
            if rng.random() > 0.14
            else float(rng.uniform(1.02, 1.12))
        )
    return {
        "yaw": float(np.clip(rng.normal(0, 11), -26, 26)),
        "pitch": float(np.clip(rng.normal(-3, 7), -17, 15)),
        "roll": float(np.clip(rng.normal(0, 2.2), -6, 6)),
        "fill": fill,
        "dx": float(rng.normal(0, 0.045)),
        "dy": float(rng.normal(0, 0.045)),
        "flen": float(rng.uniform(0.70, 0.80)),
    }


def homography(
    cam: dict, canvas_units: tuple[float, float], frame_h: float, W: int, H: int, must_see=None
) -> tuple[np.ndarray, float]:
    """3x3 matrix mapping board canvas units to photo pixels (displayed orientation)."""
    cw, ch = canvas_units
    f = cam["flen"] * max(W, H)
    yaw, pitch, roll = (math.radians(cam[k]) for k in ("yaw", "pitch", "roll"))
    Ry = np.array(
        [[math.cos(yaw), 0, math.sin(yaw)], [0, 1, 0], [-math.sin(yaw), 0, math.cos(yaw)]]
    )
    Rx = np.array(
        [[1, 0, 0], [0, math.cos(pitch), -math.sin(pitch)], [0, math.sin(pitch), math.cos(pitch)]]
    )
    Rz = np.array(
        [[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]]
    )
    R = Rz @ Rx @ Ry
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float64)
    fill = cam["fill"]
    for _ in range(12):
        D = f * cw / (fill * W)
        for _ in range(3):
            P = (R @ np.c_[src[:, 0] - cw / 2, src[:, 1] - frame_h / 2, np.zeros(4)].T).T
            P[:, 2] += D
            xy = f * P[:, :2] / P[:, 2:3]
            width = xy[:, 0].max() - xy[:, 0].min()
            D *= width / (fill * W)
        P = (R @ np.c_[src[:, 0] - cw / 2, src[:, 1] - frame_h / 2, np.zeros(4)].T).T
        P[:, 2] += D
        xy = f * P[:, :2] / P[:, 2:3]
        xy[:, 0] += W / 2 + cam["dx"] * W * (1.2 - min(fill, 1.0))
        xy[:, 1] += H / 2 + cam["dy"] * H * (1.2 - min(fill, 1.0))
        M = cv2.getPerspectiveTransform(src.astype(np.float32), xy.astype(np.float32))
        if must_see is None:
            break
        pts = apply_h(M, must_see)
        if (
            pts[:, 0].min() > 0.03 * W
            and pts[:, 0].max() < 0.97 * W
            and pts[:, 1].min() > 0.03 * H
            and pts[:, 1].max() < 0.97 * H
        ):
            break
        fill *= 0.95
    return M, fill


def apply_h(M: np.ndarray, pts) -> np.ndarray:
    p = np.asarray(pts, np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(p, M).reshape(-1, 2)


# ---- scene -----------------------------------------------------------------------------------


def _up(small: np.ndarray, W: int, H: int) -> np.ndarray:
    return cv2.resize(small.astype(np.float32), (W, H), interpolation=cv2.INTER_CUBIC)


def plan_scene(rng) -> dict:
    return {
        "wall": list(_pick(rng, WALLS)),
        "wall_var": float(rng.uniform(0.02, 0.06)),
        "grain": float(rng.uniform(0.006, 0.03)),
        "floor": bool(rng.random() < 0.35),
        "floor_col": list(_pick(rng, [(0.35, 0.36, 0.4), (0.45, 0.38, 0.3), (0.3, 0.32, 0.3)])),
        "corner": bool(rng.random() < 0.25),
        "corner_x": float(rng.uniform(0.0, 0.12)),
        "corner_left": bool(rng.random() < 0.5),
        "notes": [
            (
                float(rng.uniform(0, 1)),
                float(rng.uniform(0, 1)),
                float(rng.uniform(-12, 12)),
                _pick(rng, [(0.98, 0.92, 0.45), (0.98, 0.7, 0.78), (0.6, 0.9, 0.95)]),
            )
            for _ in range(int(rng.integers(0, 5)) if rng.random() < 0.3 else 0)
        ],
    }


def make_wall(scene: dict, rng_px, W: int, H: int, board_poly=None) -> np.ndarray:
    base = np.asarray(scene["wall"], np.float32)
    var = 1.0 + scene["wall_var"] * (_up(rng_px.random((6, 8)), W, H) - 0.5) * 2
    img = var[..., None] * base
    g = rng_px.standard_normal((H // 2 + 1, W // 2 + 1), dtype=np.float32)
    g = cv2.GaussianBlur(g, (0, 0), 0.8)
    g = cv2.resize(g, (W, H), interpolation=cv2.INTER_LINEAR)
    img *= (1.0 + scene["grain"] * g)[..., None]
    s = max(W, H) / 4000.0
    if scene["corner"]:
        x = int(scene["corner_x"] * W)
        if scene["corner_left"]:
            img[:, :x] *= 0.82
            cv2.line(img, (x, 0), (x, H), (0.5, 0.5, 0.5), max(1, int(4 * s)))
        else:
            img[:, W - x :] *= 0.8
            cv2.line(img, (W - x, 0), (W - x, H), (0.5, 0.5, 0.5), max(1, int(4 * s)))
    if scene["floor"] and board_poly is not None:
        yb = float(board_poly[:, 1].max())
        y0 = int(yb + 0.12 * H)
        if y0 < H:
            img[y0:] = (
                np.asarray(scene["floor_col"], np.float32)
                * (1 + 0.05 * _up(rng_px.random((4, 8)), W, H - y0))[..., None]
            )
            sk = int(0.02 * H)
            img[max(0, y0 - sk) : y0] = np.asarray(scene["wall"], np.float32) * 1.05
    for nx, ny, ang, col in scene["notes"]:
        if board_poly is None:
            continue
        cx, cy = nx * W, ny * H
        if cv2.pointPolygonTest(board_poly.astype(np.float32), (cx, cy), True) > -0.1 * W:
            continue
        size = 0.06 * max(W, H)
        box = cv2.boxPoints(((cx, cy), (size, size), ang))
        cv2.fillPoly(img, [box.astype(np.int32)], tuple(float(c) * 0.9 for c in col), cv2.LINE_AA)
    return img


def make_desk(rng, rng_px, W: int, H: int) -> tuple[np.ndarray, dict]:
    """A desk or wall scene without a whiteboard (a negative)."""
    s = max(W, H) / 4000.0
    if rng.random() < 0.5:
        kind = "desk"
        wood = np.asarray(
            _pick(rng, [(0.55, 0.38, 0.22), (0.7, 0.55, 0.38), (0.4, 0.3, 0.22)]), np.float32
        )
        ang = rng.uniform(-0.3, 0.3)
        yy, xx = np.mgrid[0 : H // 4, 0 : W // 4].astype(np.float32)
        t = (xx * math.sin(ang) + yy * math.cos(ang)) * 4 / max(W, H)
        stripes = np.sin(t * rng.uniform(60, 140) + 3 * _up(rng_px.random((4, 4)), W // 4, H // 4))
        img = (1 + 0.08 * _up(stripes, W, H))[..., None] * wood
        # notebook with ruled lines and a few scribbles, a laptop, a mug
        cx, cy = rng.uniform(0.25, 0.6) * W, rng.uniform(0.3, 0.7) * H
        pw, ph = 0.28 * max(W, H), 0.36 * max(W, H)
        box = cv2.boxPoints(((cx, cy), (pw, ph), rng.uniform(-25, 25)))
        cv2.fillPoly(img, [box.astype(np.int32)], (0.93, 0.93, 0.9), cv2.LINE_AA)
        for k in range(1, 18):
            a, b = box[0] + (box[1] - box[0]) * k / 18, box[3] + (box[2] - box[3]) * k / 18
            cv2.line(
                img,
                tuple(a.astype(int)),
                tuple(b.astype(int)),
                (0.7, 0.78, 0.9),
                max(1, int(2 * s)),
                cv2.LINE_AA,
            )
        for k in range(int(rng.integers(3, 9))):
            t0 = (k + 1.5) / 18
            a = box[0] + (box[1] - box[0]) * t0 + (box[3] - box[0]) * 0.1
            ln = rng.uniform(0.3, 0.75)
            b = a + (box[3] - box[0]) * ln
            n = 30
            pts = np.array(
                [
                    a + (b - a) * i / n + (box[1] - box[0]) * 0.004 * math.sin(i * 1.7)
                    for i in range(n)
                ]
            )
            cv2.polylines(
                img,
                [pts.astype(np.int32)],
                False,
                (0.15, 0.15, 0.35),
                max(1, int(3 * s)),
                cv2.LINE_AA,
            )
        lx, ly = rng.uniform(0.6, 0.85) * W, rng.uniform(0.2, 0.5) * H
        lap = cv2.boxPoints(((lx, ly), (0.35 * W, 0.28 * W), rng.uniform(-20, 20)))
        cv2.fillPoly(img, [lap.astype(np.int32)], (0.22, 0.22, 0.24), cv2.LINE_AA)
        mx, my = rng.uniform(0.1, 0.9) * W, rng.uniform(0.7, 0.95) * H
        cv2.circle(img, (int(mx), int(my)), int(0.05 * W), (0.85, 0.85, 0.85), -1, cv2.LINE_AA)
        cv2.circle(img, (int(mx), int(my)), int(0.04 * W), (0.25, 0.15, 0.08), -1, cv2.LINE_AA)
    else:
        kind = "wall"
        scene = plan_scene(rng)
        img = make_wall(scene, rng_px, W, H)
        # a door with a handle, a light switch, a poster
        dx = rng.uniform(0.05, 0.6) * W
        dw = 0.3 * W
        cv2.rectangle(img, (int(dx), int(0.05 * H)), (int(dx + dw), H), (0.55, 0.42, 0.3), -1)
        cv2.rectangle(
            img,
            (int(dx), int(0.05 * H)),
            (int(dx + dw), H),
            (0.85, 0.85, 0.85),
            max(1, int(18 * s)),
        )
        cv2.circle(
            img,
            (int(dx + 0.85 * dw), int(0.55 * H)),
            int(0.012 * W),
            (0.75, 0.75, 0.72),
            -1,
            cv2.LINE_AA,
        )
        sx = dx + dw + 0.08 * W if dx < 0.5 * W else dx - 0.1 * W
        cv2.rectangle(
            img,
            (int(sx), int(0.5 * H)),
            (int(sx + 0.03 * W), int(0.5 * H + 0.045 * W)),
            (0.95, 0.95, 0.93),
            -1,
        )
        px = 0.75 * W if dx < 0.4 * W else 0.05 * W
        cv2.rectangle(
            img,
            (int(px), int(0.15 * H)),
            (int(px + 0.18 * W), int(0.15 * H + 0.25 * W)),
            (0.2, 0.35, 0.55),
            -1,
        )
        cv2.rectangle(
            img,
            (int(px + 0.02 * W), int(0.2 * H)),
            (int(px + 0.16 * W), int(0.2 * H + 0.1 * W)),
            (0.9, 0.6, 0.2),
            -1,
        )
    return img, {"scene": kind}


# ---- light and lens --------------------------------------------------------------------------


def plan_light(rng, opts: dict) -> dict:
    temp = float(rng.normal(0, 0.05))
    return {
        "exposure": float(rng.uniform(0.8, 1.03)),
        "grad_dir": float(rng.uniform(0, 2 * math.pi)),
        "grad": float(rng.uniform(0.04, 0.28)),
        "vignette": float(rng.uniform(0.12, 0.38)),
        "blobs": [
            (
                float(rng.uniform(0, 1)),
                float(rng.uniform(0, 1)),
                float(rng.uniform(0.15, 0.4)),
                float(rng.uniform(0.06, 0.2)),
            )
            for _ in range(int(rng.integers(0, 3)))
        ],
        "hard_shadow": bool(opts.get("hard_shadow", rng.random() < 0.2)),
        "hs_angle": float(rng.uniform(0.5, 1.2) * _pick(rng, [1, -1]) + math.pi / 2),
        "hs_offset": float(rng.uniform(-0.25, 0.3)),
        "hs_dark": float(rng.uniform(0.18, 0.38)),
        "hs_soft": float(rng.uniform(0.002, 0.01)),
        "temp": temp,
        "temp2": float(temp + rng.normal(0, 0.04)),
        "tint": float(rng.normal(0, 0.015)),
        "glare": [
            (
                float(rng.uniform(0.1, 0.9)),
                float(rng.uniform(0.1, 0.9)),
                float(rng.uniform(0.04, 0.16)),
                float(rng.uniform(0.02, 0.08)),
                float(rng.uniform(0, 180)),
                float(rng.uniform(0.25, 0.8)),
            )
            for _ in range(int(opts.get("glare", rng.integers(0, 4))))
        ],
        "streak": bool(rng.random() < 0.25),
        "blur": float(rng.uniform(0.45, 1.5)),
        "motion": float(rng.uniform(2, 8)) if rng.random() < 0.12 else 0.0,
        "motion_ang": float(rng.uniform(0, 180)),
        "noise": float(rng.uniform(0.006, 0.02)),
        "sharpen": float(rng.uniform(0.2, 0.7)),
        "gamma": float(rng.uniform(0.92, 1.08)),
    }


def light_fields(lt: dict, board_mask_small, W: int, H: int) -> tuple[np.ndarray, np.ndarray]:
    """Low-resolution fields (mul: hs x ws x 3, add: hs x ws) so that the lit photo is
    img * mul + add: exposure, gradient, vignetting, shadows, colour temperature, and glare on
    the glossy board as a screen blend (out = 1 - (1 - lit) * (1 - G))."""
    hs, ws = max(8, H // 8), max(8, W // 8)
    yy, xx = np.mgrid[0:hs, 0:ws].astype(np.float32)
    u, v = xx / ws - 0.5, yy / hs - 0.5
    L = np.full((hs, ws), lt["exposure"], np.float32)
    L *= 1 + lt["grad"] * (u * math.cos(lt["grad_dir"]) + v * math.sin(lt["grad_dir"]))
    L *= 1 - lt["vignette"] * (u * u + v * v) * 2
    for bx, by, br, bd in lt["blobs"]:
        L *= 1 - bd * np.exp(-(((u + 0.5 - bx) ** 2 + (v + 0.5 - by) ** 2) / (br * br)))
    if lt["hard_shadow"]:
        a = lt["hs_angle"]
        dist = u * math.cos(a) + v * math.sin(a) - lt["hs_offset"]
        edge = 1 / (1 + np.exp(np.clip(-dist / max(lt["hs_soft"], 1e-3), -60, 60)))
        L *= 1 - lt["hs_dark"] * edge
    ramp = np.clip(u + 0.5, 0, 1)
    t1, t2 = lt["temp"], lt["temp2"]
    mul = np.empty((hs, ws, 3), np.float32)
    for c, k in ((0, 1.0), (1, 0.0), (2, -1.2)):
        gain = (1 + k * t1) * (1 - ramp) + (1 + k * t2) * ramp
        if c == 1:
            gain = gain + lt["tint"]
        mul[..., c] = L * gain
    G = np.zeros((hs, ws), np.float32)
    if board_mask_small is not None and (lt["glare"] or lt["streak"]):
        for gx, gy, rx, ry, ang, inten in lt["glare"]:
            c, s = math.cos(math.radians(ang)), math.sin(math.radians(ang))
            du, dv = u + 0.5 - gx, v + 0.5 - gy
            q = ((du * c + dv * s) / rx) ** 2 + ((-du * s + dv * c) / ry) ** 2
            G = np.maximum(G, inten * np.exp(-(q**0.8)))
        if lt["streak"]:
            gx = lt["glare"][0][0] if lt["glare"] else 0.5
            G = np.maximum(
                G, 0.35 * np.exp(-(((u + 0.5 - gx) / 0.015) ** 2)) * np.exp(-((v / 0.35) ** 4))
            )
        G = np.clip(G * cv2.resize(board_mask_small, (ws, hs)), 0, 0.95)
        mul *= (1 - G)[..., None]
    return mul, G


def apply_light(img: np.ndarray, lt: dict, board_mask_small) -> None:
    H, W = img.shape[:2]
    mul, add = light_fields(lt, board_mask_small, W, H)
    cv2.multiply(img, cv2.resize(mul, (W, H), interpolation=cv2.INTER_LINEAR), dst=img)
    if add.max() > 0:
        addf = cv2.resize(add, (W, H), interpolation=cv2.INTER_LINEAR)
        img += addf[..., None]


def apply_lens(img: np.ndarray, lt: dict, rng_px, long_scale: float) -> np.ndarray:
    """Blur, sensor noise, sharpening, tone; returns the uint8 photo."""
    sig = lt["blur"] * long_scale
    if sig > 0.3:
        cv2.GaussianBlur(img, (0, 0), sig, dst=img)
    if lt["motion"] * long_scale >= 1.5:
        n = int(round(lt["motion"] * long_scale)) | 1
        k = np.zeros((n, n), np.float32)
        k[n // 2, :] = 1.0 / n
        R = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), lt["motion_ang"], 1.0)
        k = cv2.warpAffine(k, R, (n, n))
        k /= max(k.sum(), 1e-6)
        img = cv2.filter2D(img, -1, k)
    H, W = img.shape[:2]
    # sensor noise: luminance at full res (stronger in the dark), chroma blotches at low res
    ns = lt["noise"] * math.sqrt(max(long_scale, 0.05))
    n = rng_px.standard_normal((H, W), dtype=np.float32)
    Y = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    cv2.multiply(n, cv2.addWeighted(Y, -0.7 * ns, Y, 0, 1.3 * ns), dst=n)
    img += n[..., None]
    ch = rng_px.standard_normal((H // 3 + 1, W // 3 + 1, 3), dtype=np.float32) * (ns * 0.5)
    img += cv2.resize(ch, (W, H), interpolation=cv2.INTER_LINEAR)
    # phone sharpening
    if lt["sharpen"] > 0:
        bl = cv2.GaussianBlur(img, (0, 0), max(0.6, 1.6 * long_scale))
        cv2.addWeighted(img, 1 + lt["sharpen"], bl, -lt["sharpen"], 0, dst=img)
    cv2.max(img, 0.0, dst=img)
    img8 = cv2.convertScaleAbs(img, alpha=255.0)
    lut = np.clip(255 * (np.arange(256) / 255.0) ** (1.0 / lt["gamma"]) + 0.5, 0, 255)
    return cv2.LUT(img8, lut.astype(np.uint8))


# ---- saving ----------------------------------------------------------------------------------

# stored = displayed turned by np.rot90(k): the viewer undoes it using the Orientation tag
ROT_K = {1: 0, 6: 1, 8: -1, 3: 2}


def to_stored_xy(pts, orientation: int, W: int, H: int) -> list[list[float]]:
    """Displayed (upright) pixel coordinates -> stored pixel coordinates (pixel centres)."""
    out = []
    for x, y in pts:
        if orientation == 6:
            out.append([y, (W - 1) - x])
        elif orientation == 8:
            out.append([(H - 1) - y, x])
        elif orientation == 3:
            out.append([(W - 1) - x, (H - 1) - y])
        else:
            out.append([x, y])
    return [[round(float(a), 1), round(float(b), 1)] for a, b in out]


def save_jpeg(
    path, img8: np.ndarray, orientation: int, quality: int, when: str | None, phone: tuple[str, str]
) -> None:
    stored = np.ascontiguousarray(np.rot90(img8, ROT_K[orientation]))
    im = Image.fromarray(stored, "RGB")
    exif = Image.Exif()
    exif[0x010F] = phone[0]
    exif[0x0110] = phone[1]
    exif[0x0112] = orientation
    if when:
        exif[0x0132] = when
        ifd = exif.get_ifd(0x8769)
        ifd[0x9003] = when
        ifd[0x9004] = when
    im.save(path, "JPEG", quality=quality, exif=exif.tobytes(), subsampling=2)


def exif_when(rng, review: date | None) -> str | None:
    if review is None:
        d = date(2026, 1, 1).toordinal() + int(rng.integers(0, 365))
        review = date.fromordinal(d)
    r = rng.random()
    hh, mm, ss = int(rng.integers(9, 18)), int(rng.integers(0, 60)), int(rng.integers(0, 60))
    if r < 0.08:
        return None
    if r < 0.16:
        review = date.fromordinal(review.toordinal() + int(rng.integers(1, 4)))
    return f"{review.year:04d}:{review.month:02d}:{review.day:02d} {hh:02d}:{mm:02d}:{ss:02d}"


# ---- hardship: a cast shadow across the board ---------------------------------------------------


def plan_cast_shadow(rng) -> dict:
    """A shadow cast across the board and the wall (a cabinet, a person, the projector arm):
    one straight soft edge, roughly along the board's rows or columns, the far side darker.
    Positions are fractions of the table (u across, v down; v > 1 is below the table)."""
    return {
        "u": float(rng.uniform(0.2, 0.8)),
        "v": float(rng.uniform(0.25, 1.6)),
        "vertical": bool(rng.random() < 0.25),
        "tilt": float(rng.normal(0, 9.0)),  # degrees off the table's rows (or columns)
        "dark_after": bool(rng.random() < 0.65),  # below (right of) the edge is the dark side
        "dark": float(rng.uniform(0.28, 0.55)),
        "soft": float(rng.uniform(0.001, 0.012)),  # penumbra, fraction of the photo's diagonal
    }


def cast_shadow_line(cs: dict, table_quad: np.ndarray, board_quad: np.ndarray):
    """The shadow's edge in photo pixels: (point, unit direction, unit normal to the dark side)."""
    tl, tr, br, bl = (np.asarray(p, np.float64) for p in table_quad)
    u, v = cs["u"], cs["v"]
    top = tl + (tr - tl) * u
    bot = bl + (br - bl) * u
    p = top + (bot - top) * v
    # keep the point on the board
    poly = np.asarray(board_quad, np.float32)
    if cv2.pointPolygonTest(poly, (float(p[0]), float(p[1])), False) < 0:
        c = poly.mean(axis=0).astype(np.float64)
        for _ in range(20):
            p = c + (p - c) * 0.8
            if cv2.pointPolygonTest(poly, (float(p[0]), float(p[1])), False) >= 0:
                break
    rows = (tr - tl) + (br - bl)
    cols = (bl - tl) + (br - tr)
    base = cols if cs["vertical"] else rows
    ang = math.atan2(base[1], base[0]) + math.radians(cs["tilt"])
    d = np.array([math.cos(ang), math.sin(ang)])
    n = np.array([-d[1], d[0]])
    ref = rows if cs["vertical"] else cols  # "after" = toward the right (or the bottom)
    if float(n @ ref) < 0:
        n = -n
    if not cs["dark_after"]:
        n = -n
    return p, d, n


def apply_cast_shadow(img: np.ndarray, cs: dict, p, n) -> None:
    H, W = img.shape[:2]
    k = 4
    hs, ws = max(8, H // k), max(8, W // k)
    yy, xx = np.mgrid[0:hs, 0:ws].astype(np.float32)
    dist = ((xx + 0.5) * k - p[0]) * n[0] + ((yy + 0.5) * k - p[1]) * n[1]
    soft = max(1.0, cs["soft"] * math.hypot(W, H))
    edge = 1 / (1 + np.exp(np.clip(-dist / soft, -60, 60)))
    mul = (1 - cs["dark"] * edge).astype(np.float32)
    np.multiply(img, cv2.resize(mul, (W, H), interpolation=cv2.INTER_LINEAR)[..., None], out=img)
