"""Lines of handwritten ink that touch: each detected line cut out with its own ink only, and
the lines of writing under a section heading counted from the ink.

Action lines written close together (1.1-1.3 line heights apart) touch: one line's descenders
reach into the next line's ascenders. PP-OCR's detector then gives each line a box that also
holds the other line's tails, or one box for two lines, and the recogniser reads the tails as
letters ("QUEVE TMESCAE" for "QUEUE TIME: SCALE"). The remedy is to give each line only its
own glyphs: every piece of ink goes with the line whose centre line it is nearest, whole (a
descender stays with its line even where it dips below the midway between two lines); only a
piece that runs across both lines' centres (glyphs written into each other) is cut where the
two lines meet.

The counter is the other half of "nothing lost silently": whatever the reader made of a
section, its lines of ink are counted at their starts (bullets, first letters), which touching
lines do not merge, so a section holding more lines than were read says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from boardsnap.config import OcrConfig, ParseConfig
from boardsnap.geometry import Box
from boardsnap.reading.parse.headings import (
    after_causes_match,
    heading_of,
    lone_action_heading,
)
from boardsnap.reading.parse.values import normalise
from boardsnap.reading.results import OcrText

Fit = tuple[float, float]  # a line y = a + b x


def ink_threshold(crop: np.ndarray) -> float:
    """Grey level below which a pixel is ink: Otsu's, kept within sane bounds."""
    if crop.size == 0 or int(crop.max()) - int(crop.min()) < 40:
        return 120.0  # no contrast: at most some very dark specks count
    otsu, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(min(max(otsu, 110), 215))


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark ink on a light board as 0/1 (`ink_threshold`); a colour crop is taken grey."""
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray, cv2.COLOR_BGR2GRAY)
    return (gray < ink_threshold(gray)).astype(np.uint8)


def quad_midline(quad: np.ndarray) -> Fit:
    """The line through the middles of a quad's left and right sides (clockwise from top left)."""
    (lx, ly), (rx, ry) = (quad[0] + quad[3]) / 2, (quad[1] + quad[2]) / 2
    b = float((ry - ly) / (rx - lx)) if abs(rx - lx) > 1e-3 else 0.0
    return float(ly - b * lx), b


def _distances(
    x: np.ndarray, y: np.ndarray, fits: list[Fit], spans: list[tuple[float, float]]
) -> np.ndarray:
    """Lines x points: how far each point lies from each line, infinitely far off its span
    (a short line, a heading, does not take the glyphs of a long one beyond its end)."""
    return np.stack(
        [
            np.where((x >= s0) & (x <= s1), np.abs(y - (a + b * x)), np.inf)
            for (a, b), (s0, s1) in zip(fits, spans, strict=True)
        ]
    )


def refit(
    blob: np.ndarray, fits: list[Fit], spans: list[tuple[float, float]], med: float
) -> list[Fit]:
    """`fits` (in the blob's coordinates) moved onto the glyphs: each glyph (a connected piece
    of ink) goes with the nearest line whose span (x0, x1) holds it, and each line is fitted
    again through its glyphs' centres, weighted by their ink, its slope kept within +-0.25
    (handwriting's, not a column's)."""
    n, _, stats, centres = cv2.connectedComponentsWithStats(blob, connectivity=8)
    idx = [j for j in range(1, n) if stats[j, 4] >= 4]
    if not idx:
        return fits
    cx, cy = centres[idx, 0], centres[idx, 1]
    weight = stats[idx, 4].astype(float)
    for _ in range(8):
        dist = _distances(cx, cy, fits, spans)
        assign = np.where(np.isfinite(dist.min(axis=0)), dist.argmin(axis=0), -1)
        new = []
        for i, (a0, b0) in enumerate(fits):
            sel = assign == i
            if sel.sum() >= 3 and np.ptp(cx[sel]) > med:
                b, _ = np.polyfit(cx[sel], cy[sel], 1, w=np.sqrt(weight[sel]))
                b = float(np.clip(b, -0.25, 0.25))
                a = float(np.average(cy[sel] - b * cx[sel], weights=weight[sel]))
            elif sel.any():
                a, b = float(np.average(cy[sel] - b0 * cx[sel], weights=weight[sel])), b0
            else:
                a, b = a0, b0
            new.append((a, b))
        if np.allclose(new, fits, atol=0.5):
            return new
        fits = new
    return fits


def own_masks(
    blob: np.ndarray, fits: list[Fit], spans: list[tuple[float, float]]
) -> list[np.ndarray]:
    """For each line of `fits`, the ink of `blob` that is its own (boolean masks): a glyph goes
    whole with the line its centre is nearest (of those whose span holds it), so its ascenders
    and descenders stay with it; a glyph that reaches two lines' centre lines (two lines'
    strokes run into one piece) is cut pixel by pixel, each pixel to the nearest line."""
    h, w = blob.shape
    n, labels, stats, centres = cv2.connectedComponentsWithStats(blob, connectivity=8)
    ys, xs = np.mgrid[0:h, 0:w]
    dist = _distances(xs.ravel(), ys.ravel(), fits, spans).reshape(len(fits), h, w)
    nearest_px = np.where(np.isfinite(dist.min(axis=0)), dist.argmin(axis=0), -1)
    mx, my = centres[:, 0], centres[:, 1]
    d = _distances(mx, my, fits, spans)
    owner = np.where(np.isfinite(d.min(axis=0)), d.argmin(axis=0), -1)
    top, bottom = stats[:, 1], stats[:, 1] + stats[:, 3] - 1
    crossed = sum(
        (mx >= s0) & (mx <= s1) & (top <= a + b * mx) & (a + b * mx <= bottom)
        for (a, b), (s0, s1) in zip(fits, spans, strict=True)
    )
    owner = np.where(crossed >= 2, -2, owner)  # runs across two lines' centres: cut by pixel
    owner[0] = -1  # the background
    lab_owner = owner[labels]
    masks = []
    for i in range(len(fits)):
        mine = (lab_owner == i) | ((lab_owner == -2) & (nearest_px == i))
        masks.append(mine & (labels > 0))
    return masks


def grown_quad(quad: np.ndarray, mask: np.ndarray, at: tuple[int, int], pad: float) -> np.ndarray:
    """The detector's `quad`, its top and bottom sides moved out (never in) as far as the
    line's own ink `mask` (placed at `at`) reaches past them, plus `pad`: the crop keeps its
    ascenders and descenders, and the detector's scale (text as high in the crop as the
    recogniser saw it at first, its spaces as wide)."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 8:
        return quad
    a, b = quad_midline(quad)
    off = ys + at[1] - (a + b * (xs + at[0]))
    half = _quad_half_height(quad)
    up = max(half, float(-np.percentile(off, 1)) + pad)
    down = max(half, float(np.percentile(off, 99)) + pad)
    return band_quad((a, b), float(quad[:, 0].min()), float(quad[:, 0].max()), up, down)


def _quad_half_height(quad: np.ndarray) -> float:
    return float(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))) / 2


def two_bands(gray: np.ndarray, valley: float) -> bool:
    """Whether a crop's ink (one detected box, squared) lies in two or more bands, one over the
    other, apart where its row profile falls to `valley` of the lesser peak. One line of big
    writing (a title) has most ink in its middle; two touching lines have only tails there."""
    ink = ink_mask(gray).sum(axis=1).astype(float)
    if len(ink) < 12 or ink.max(initial=0.0) <= 0:
        return False
    k = max(1, len(ink) // 16)
    prof = np.convolve(ink, np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    return len(profile_bands(prof, valley, floor=0.15 * prof.max())) >= 2


def count_line_starts(gray: np.ndarray, line_height: float, cfg: OcrConfig) -> int:
    """How many lines of writing start in `gray` (`line_starts`)."""
    return len(line_starts(gray, line_height, cfg))


def line_starts(gray: np.ndarray, line_height: float, cfg: OcrConfig) -> list[int]:
    """The rows of the lines of writing that start in `gray`, a strip along a section's left
    margin a few letters wide: the bands (`profile_bands`) of the ink's row profile, smoothed
    over half a line, in the strip's slice one line wide that shows the most of them. At their
    starts (a bullet, a first letter) lines that touch further on are still apart, and a slice
    that misses one line's tall capital still sees the others apart. Specks, and rules (a
    heading's underline, the board's frame), are not writing."""
    ink = ink_mask(gray)
    if ink.size == 0:
        return []
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(n, bool)
    for j in range(1, n):
        x, _, w, h, area = stats[j]
        rule = w > line_height and h < 0.2 * line_height
        across = x == 0 and x + w == ink.shape[1]  # the board's edge, its frame, a rule
        keep[j] = area >= max(4, 0.01 * line_height * line_height) and not (rule or across)
    writing = keep[labels]
    k = max(1, int(line_height / 4))
    box = np.ones(2 * k + 1) / (2 * k + 1)
    step, width = max(1, int(line_height / 2)), max(2, int(line_height))
    best: list[int] = []
    for x in range(0, max(1, writing.shape[1] - width + 1), step):
        prof = np.convolve(writing[:, x : x + width].sum(axis=1).astype(float), box, "same")
        if prof.max(initial=0.0) > 0:
            bands = profile_bands(prof, cfg.section_valley, cfg.section_band_floor * prof.max())
            best = bands if len(bands) > len(best) else best
    return best


def profile_bands(prof: np.ndarray, valley: float, floor: float = 0.0) -> list[int]:
    """The peaks (row indices) of the bands of a smoothed row profile: its local maxima above
    `floor`, two neighbouring maxima being two bands when the profile between them falls to
    `valley` of the lesser one, else one band (at the higher)."""
    peaks = [
        i
        for i in range(len(prof))
        if prof[i] > floor
        and (i == 0 or prof[i] > prof[i - 1])
        and (i == len(prof) - 1 or prof[i] >= prof[i + 1])
    ]
    bands: list[int] = []
    for p in peaks:
        if bands and prof[bands[-1] : p + 1].min() > valley * min(prof[bands[-1]], prof[p]):
            if prof[p] > prof[bands[-1]]:
                bands[-1] = p  # the same band, higher here
            continue
        bands.append(p)
    return bands


@dataclass(frozen=True)
class SectionLines:
    """The lines of writing counted under one section heading."""

    kind: str  # "root" | "actions", as `heading_of` names them
    heading: str  # the heading as read
    box: tuple[int, int, int, int]  # the strip the lines were counted in (x, y, w, h)
    starts: tuple[int, ...]  # the rows (on the image) where the lines under it start
    heading_box: Box | None = None  # the heading's line

    @property
    def lines(self) -> int:
        """The lines of writing that start under the heading."""
        return len(self.starts)


def section_lines(
    image: np.ndarray,
    table: Box | None,
    lines: tuple[OcrText, ...],
    cfg: OcrConfig,
    headings: ParseConfig | None = None,
) -> list[SectionLines]:
    """For the first heading of each kind (Root causes, Actions) among the text `lines` read
    from `image` (the table's box, blanked there, is no writing), the lines of writing that
    start under it: counted in a strip along its left margin, from the heading down to the next
    heading below it or to a blank taller than `section_gap` line heights. The headings' own
    ink (and their underlines) is left out."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    gray = gray.copy()
    if table is not None:
        x, y, w, h = table
        gray[max(0, y) : y + h, max(0, x) : x + w] = 255
    boxed = [ln for ln in lines if ln.box is not None]
    if len(boxed) < 2:
        return []
    med = float(np.median([ln.box[3] for ln in boxed]))  # type: ignore[index]
    heads: list[tuple[str, OcrText]] = []
    for ln in boxed:
        kind, _ = heading_of(normalise(ln.text))
        if kind is None and headings is not None and _guessed_actions(ln, heads, headings):
            kind = "actions"
        if kind is not None:
            heads.append((kind, ln))
    out: list[SectionLines] = []
    for kind, head in heads:
        if any(s.kind == kind for s in out):
            continue  # the first heading of a kind is the section's, as the parser takes it
        strip, box = _section_strip(gray, head, [h for _, h in heads], med, cfg)
        starts = section_starts(strip, cfg.writing_share * med, cfg)
        rows = tuple(box[1] + y for y in starts)
        out.append(SectionLines(kind, head.text, box, rows, head.box))
    return out


def _guessed_actions(line: OcrText, heads: list[tuple[str, OcrText]], p: ParseConfig) -> bool:
    """Whether a line after the Root causes heading, before any Actions heading, is the Actions
    heading misread, as the parser takes one without looking at the line after it
    (`after_causes_match`: "Acbon ilens", "Adias:" where a heading stands); else the root
    causes' strip runs on through the actions and counts them as causes."""
    roots = [h for k, h in heads if k == "root"]
    if not roots or any(k == "actions" for k, _ in heads):
        return False
    text = normalise(line.text)
    match = after_causes_match(text, line.box, roots[0].box, p)
    return lone_action_heading(text, match, p.heading_alone_match, p.heading_word_match)


def section_starts(strip: np.ndarray, line_height: float, cfg: OcrConfig) -> list[int]:
    """`line_starts` in a section's strip; again at the section's own line pitch (its two
    closest starts) when a gap between two starts is a skip of about a line there (`[ocr]
    section_skip`): taken when it counts more lines, none closer than half that pitch."""
    starts = line_starts(strip, line_height, cfg)
    gaps = np.diff(starts)
    if len(gaps) == 0:
        return starts
    pitch = float(gaps.min())
    if gaps.max() < cfg.section_skip * pitch:
        return starts
    tighter = line_starts(strip, pitch, cfg)
    if len(tighter) > len(starts) and np.diff(tighter).min() >= 0.5 * pitch:
        return tighter
    return starts


def _section_strip(
    gray: np.ndarray, head: OcrText, heads: list[OcrText], med: float, cfg: OcrConfig
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The strip of `gray` along the left margin of the section under `head` (a copy, the
    headings' ink whitened), and its box."""
    ih, iw = gray.shape
    x, y, w, h = head.box  # type: ignore[misc]
    x0, x1 = max(0, int(x - 0.5 * med)), min(iw, int(x + cfg.section_strip * med))
    y0, y1 = max(0, int(y + 0.5 * h)), ih
    drop = [head.box]
    for other in heads:
        ox, oy, ow, oh = other.box  # type: ignore[misc]
        if oy > y + 0.5 * h and ox < x1 and ox + ow > x0 and oy + 0.2 * oh < y1:
            y1 = int(oy + 0.2 * oh)  # the next heading below ends the section
            drop.append(other.box)
    strip = gray[y0 : max(y0, y1), x0:x1].copy()
    if strip.size == 0:
        return strip, (x0, y0, 0, 0)
    n, labels, _, centres = cv2.connectedComponentsWithStats(ink_mask(strip), connectivity=8)
    for j in range(1, n):
        cx, cy = centres[j, 0] + x0, centres[j, 1] + y0
        if any(bx <= cx <= bx + bw and by <= cy <= by + 1.1 * bh for bx, by, bw, bh in drop):
            strip[labels == j] = 255  # a heading's glyph or its underline
    rows = ink_mask(strip).sum(axis=1) > max(2, 0.02 * strip.shape[1])
    blank, seen, end = 0, False, len(rows)
    for i, inked in enumerate(rows):
        blank = 0 if inked else blank + 1
        seen = seen or bool(inked)
        if seen and blank > cfg.section_gap * med:
            end = i - blank + 1  # a blank this tall ends the section
            break
    return strip[:end], (x0, y0, x1 - x0, end)


def band_quad(fit: Fit, x0: float, x1: float, up: float, down: float | None = None) -> np.ndarray:
    """The quad (clockwise from top left) from `up` above the line `fit` to `down` below it
    (as far as `up` when not given), from x0 to x1."""
    a, b = fit
    down = up if down is None else down
    return np.array(
        [
            [x0, a + b * x0 - up],
            [x1, a + b * x1 - up],
            [x1, a + b * x1 + down],
            [x0, a + b * x0 + down],
        ],
        np.float32,
    )


def quad_crop(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The text line inside a detected quad, squared to its own axes (as PaddleOCR crops it)."""
    w = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    h = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    w, h = max(w, 1), max(h, 1)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(quad[:4], dst)
    crop = cv2.warpPerspective(
        image, m, (w, h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if h / w >= 1.5:
        crop = np.rot90(crop)
    return crop


def _bounds(quad: np.ndarray) -> tuple[float, float, float, float]:
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def touching_neighbours(
    quads: list[np.ndarray], med: float, cfg: OcrConfig
) -> dict[int, list[int]]:
    """For each detected line, the other detected lines whose boxes reach into its own from
    above or below (by `touch_overlap` of the lesser height or more, over a third of the lesser
    width), and that are other lines (their centre lines half a line or more apart), not a
    piece of it or a box that holds it."""
    out: dict[int, list[int]] = {}
    bounds = [_bounds(q) for q in quads]
    for i, (ax0, ay0, ax1, ay1) in enumerate(bounds):
        for j, (bx0, by0, bx1, by1) in enumerate(bounds):
            if j == i:
                continue
            wide = min(ax1, bx1) - max(ax0, bx0)
            deep = min(ay1, by1) - max(ay0, by0)
            least = min(ay1 - ay0, by1 - by0)
            if wide < min(ax1 - ax0, bx1 - bx0) / 3 or deep < cfg.touch_overlap * least:
                continue
            x = (max(ax0, bx0) + min(ax1, bx1)) / 2
            (a1, b1), (a2, b2) = quad_midline(quads[i]), quad_midline(quads[j])
            if abs((a1 + b1 * x) - (a2 + b2 * x)) < 0.5 * med:
                continue  # the same line, or one box holding the other
            out.setdefault(i, []).append(j)
    return out


def own_ink_lines(
    gray: np.ndarray, quads: list[np.ndarray], med: float, cfg: OcrConfig
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each detected line that touches another (`touching_neighbours`) so that the others'
    ink inside its box is `touch_foreign_ink` of its own or more, its quad and crop with only
    its own ink: the glyphs of the lines together are sorted among them (`refit`, from the
    detector's centre lines; `own_masks`), the others' ink is whitened, and the detector's
    quad is grown to hold its own ascenders and descenders (`grown_quad`)."""
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    ih, iw = gray.shape
    for i, others in touching_neighbours(quads, med, cfg).items():
        group = [i, *others]
        x0, y0, x1, y1 = _bounds(np.concatenate([quads[g] for g in group]))
        x0, y0 = max(0, int(x0)), max(0, int(y0))
        x1, y1 = min(iw, int(np.ceil(x1)) + 1), min(ih, int(np.ceil(y1)) + 1)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        inside = np.zeros((y1 - y0, x1 - x0), np.uint8)
        for g in group:
            cv2.fillPoly(inside, [(quads[g] - [x0, y0]).astype(np.int32)], 1)
        region = gray[y0:y1, x0:x1]
        blob = ink_mask(region) & inside
        fits, spans = [], []
        for g in group:
            a, b = quad_midline(quads[g])
            fits.append((a - y0 + b * x0, b))  # into the region's coordinates
            gx0, _, gx1, _ = _bounds(quads[g])
            spans.append((gx0 - x0 - 0.3 * med, gx1 - x0 + 0.3 * med))
        fits = refit(blob, fits, spans, med)
        mine = own_masks(blob, fits, spans)[0]
        own_box = np.zeros_like(inside)
        cv2.fillPoly(own_box, [(quads[i] - [x0, y0]).astype(np.int32)], 1)
        foreign = int(((blob > 0) & ~mine & (own_box > 0)).sum())
        if mine.sum() < 8 or foreign < cfg.touch_foreign_ink * int((mine & (own_box > 0)).sum()):
            continue  # the other lines hardly reach into its box: its first crop is clean
        # the other lines' ink, with the soft edges of its strokes (a halo of grey left there
        # reads as letters), set to the board's white
        others_ink = cv2.dilate(((blob > 0) & ~mine).astype(np.uint8), np.ones((3, 3), np.uint8))
        only = gray.copy()
        only[y0:y1, x0:x1][(others_ink > 0) & ~mine] = int(np.percentile(region, 90))
        quad = grown_quad(quads[i], mine, (x0, y0), 0.08 * med)
        quad[:, 0] = quad[:, 0].clip(0, iw - 1)
        quad[:, 1] = quad[:, 1].clip(0, ih - 1)
        out[i] = (quad, quad_crop(only, quad))
    return out
