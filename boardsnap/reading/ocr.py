"""Stage 4: read each table cell and each text line, one line at a time.

Whole-page OCR reads almost nothing inside a ruled grid, so every cell is cropped, cleaned and
read alone as one line. The engine sits behind the small `OcrEngine` interface:

- `RapidOcrEngine` (default when rapidocr imports): PP-OCR's recogniser on ONNX Runtime, models
  inside its wheel, kept warm; its text detector also finds the free lines around the table
  (`read_block`), and it gives a confidence per character (`read_line_chars`), so one unsure
  digit in "99.95 %" is not averaged away by four sure ones;
- `TesserocrEngine`: libtesseract in-process, one API object kept warm, single-line mode (PSM 7);
- `PytesseractEngine`: the `tesseract` program through pytesseract, a process per crop (the given
  stack; 10-15x slower on small crops, see bench/RESULTS.md).

All run with one thread (OMP_THREAD_LIMIT=1, one ONNX Runtime thread): threads cost more than
they bring on crops this small, and batch mode parallelises by process instead. This is the only
module that imports an OCR engine.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, runtime_checkable

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before libtesseract is loaded

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from boardsnap.config import OcrConfig  # noqa: E402
from boardsnap.errors import MissingDependency  # noqa: E402
from boardsnap.geometry import Box  # noqa: E402
from boardsnap.reading import around, inklines  # noqa: E402
from boardsnap.reading.results import Grid, Layout, OcrText, Reading  # noqa: E402

if TYPE_CHECKING:
    from boardsnap.reading.detector import Detector

log = logging.getLogger(__name__)

APT_FIX = "sudo apt-get install -y tesseract-ocr tesseract-ocr-eng"


class OcrEngine(Protocol):
    name: str

    def read_line(self, image: np.ndarray) -> tuple[str, float]:
        """Text and confidence (0..1) of a grey image holding one line of dark text on white."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class CharConfidenceEngine(Protocol):
    """An engine that also tells how sure it is of each character."""

    def read_line_chars(self, image: np.ndarray) -> tuple[str, float, tuple[float, ...]]:
        """Text, its confidence, and one confidence per character of the text."""
        ...


def _tessdata(cfg: OcrConfig) -> str | None:
    """Tesseract's language folder: looked up (and the doctor module imported) only when a
    Tesseract engine is made, not by every reading."""
    from boardsnap.doctor import find_tessdata

    return find_tessdata(cfg.language, cfg.tessdata)


def __getattr__(name: str):
    if name == "find_tessdata":  # still importable from here, as it always was
        from boardsnap.doctor import find_tessdata

        return find_tessdata
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class TesserocrEngine:
    name = "tesserocr"

    def __init__(self, cfg: OcrConfig):
        import tesserocr  # type: ignore[import-not-found]

        tessdata = _tessdata(cfg)
        if tessdata is None:
            raise MissingDependency(
                f"Tesseract's '{cfg.language}' language data not found", fix=APT_FIX
            )
        self._api = tesserocr.PyTessBaseAPI(
            path=tessdata + "/",
            lang=cfg.language,
            psm=tesserocr.PSM.SINGLE_LINE,
            oem=tesserocr.OEM.LSTM_ONLY,
        )
        self.version = tesserocr.tesseract_version().split()[1]

    def read_line(self, image: np.ndarray) -> tuple[str, float]:
        self._api.SetImage(Image.fromarray(image))
        text = self._api.GetUTF8Text().strip()
        conf = self._api.MeanTextConf() / 100.0 if text else 0.0
        return text, conf

    def close(self) -> None:
        self._api.End()


class PytesseractEngine:
    name = "pytesseract"

    def __init__(self, cfg: OcrConfig):
        import pytesseract  # type: ignore[import-untyped]

        self._pt = pytesseract
        try:
            self.version = str(pytesseract.get_tesseract_version())
        except (pytesseract.TesseractNotFoundError, OSError):
            raise MissingDependency("the tesseract program is not installed", fix=APT_FIX) from None
        tessdata = _tessdata(cfg)
        if tessdata is None:
            raise MissingDependency(
                f"Tesseract's '{cfg.language}' language data not found", fix=APT_FIX
            )
        self._config = f'--psm 7 --oem 1 --tessdata-dir "{tessdata}"'
        self._lang = cfg.language

    def read_line(self, image: np.ndarray) -> tuple[str, float]:
        data = self._pt.image_to_data(
            Image.fromarray(image),
            lang=self._lang,
            config=self._config,
            output_type=self._pt.Output.DICT,
        )
        pairs = zip(data["text"], data["conf"], strict=True)
        words = [(t, float(c)) for t, c in pairs if str(t).strip()]
        if not words:
            return "", 0.0
        text = " ".join(t for t, _ in words)
        conf = sum(max(c, 0.0) for _, c in words) / len(words) / 100.0
        return text, conf

    def close(self) -> None:
        pass


class RapidOcrEngine:
    """PP-OCR's recogniser run by `boardsnap.reading.recogniser` (ONNX, models inside RapidOCR's
    wheel) on line crops, and PP-OCR's text detector (also run there) for the free lines around
    the table.

    The recogniser gives the whole frames x characters matrix (`read_line_frames`), so a value
    cell can be decoded again under its grammar without being read twice. The 180-degree angle
    classifier is not used: it turns "99.9%" upside down into "%666".
    """

    name = "rapidocr"

    def __init__(self, cfg: OcrConfig):
        from boardsnap.reading import recogniser

        self._rec = recogniser.Recogniser(min_width=cfg.rec_min_width, batch=cfg.rec_batch)
        self._cfg = cfg
        self._detector: Detector | None = None  # loaded on the first free text

    @property
    def version(self) -> str:
        return _rapidocr_version()  # importlib.metadata, imported only when asked

    def read_line(self, image: np.ndarray) -> tuple[str, float]:
        text, conf, _ = self.read_line_chars(image)
        return text, conf

    def read_line_chars(self, image: np.ndarray) -> tuple[str, float, tuple[float, ...]]:
        text, conf, confs, _ = self.read_line_frames([image])[0]
        return text, conf, confs

    def read_line_frames(
        self, images: list[np.ndarray], min_width: int | None = None, pack_gap: int = 0
    ) -> list[tuple[str, float, tuple, object]]:
        """For each crop (fed `min_width` wide at least: default, the config's; short crops
        side by side `pack_gap` apart when not 0): text, confidence, one confidence per
        character, and its `Frames`."""
        out = []
        for frames in self._rec.frames(images, min_width, pack_gap):
            text, confs = frames.best_path()
            conf = float(np.mean(confs)) if confs else 0.0
            out.append((text, conf if text else 0.0, confs, frames))
        return out

    def read_block(
        self,
        image: np.ndarray,
        regions: list[Box] | None = None,
        frames: FramesByBox | None = None,
        full_scale: bool = False,
        seams: list[Box] | None = None,
    ) -> list[OcrText]:
        """Find and read every text line in `image` (the text detector, then the recogniser);
        in `regions` of it only, when given, each looked at on the scale of the whole image (at
        full scale when `full_scale`: faded strokes the detector misses when shrunk).
        Each line's recogniser frames are put in `frames` (by its box), when given: a due date
        is decoded again from them under the date grammar. `seams`: strips across the edges
        between regions, where a line cut between two regions is found whole
        (`around.one_per_line`)."""
        if self._detector is None:
            from boardsnap.reading import detector

            self._detector = detector.Detector(
                self._cfg.detect_long_side,
                tile_rows=self._cfg.detect_tile_rows,
                tile_overlap=self._cfg.detect_tile_overlap,
            )
        ratio = 1.0 if full_scale else min(1.0, self._cfg.detect_long_side / max(image.shape[:2]))
        whole = [(0, 0, *image.shape[1::-1])]
        looked = (regions if regions is not None else whole, seams or [])
        found: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
        for where, into in zip(looked, found, strict=True):
            for x, y, w, h in where:
                for q in self._detector.quads(image[y : y + h, x : x + w], ratio):
                    into.append(q + np.array([x, y], np.float32))
        quads = around.one_per_line(*found, self._cfg.around_same_line)
        # writing the detector left out (lines written into each other), its glyphs sorted
        # into lines; read from a cut, so no surer than `recovered_line_confidence` (review)
        crops = [_quad_crop(image, q) for q in quads]
        detected = len(quads)
        recovered = recover_lines(image, quads, regions, self._cfg)
        if not quads:
            return []
        read = self.read_line_frames(crops)
        med = _median_height(quads[:detected])
        if med is not None:
            self._read_own_ink(image, quads, read, med)
        for options in recovered:
            readings = [self.read_line_frames([c for _, c in o]) for o in options]
            best = max(range(len(options)), key=lambda j: np.mean([r[1] for r in readings[j]]))
            quads.extend(q for q, _ in options[best])
            read.extend(readings[best])
        for i in range(detected) if med is not None else ():
            if read[i][1] >= self._cfg.split_below_confidence and not _two_lines_tall(
                crops[i], quads[i], med, self._cfg
            ):
                continue  # read well: one line of big writing (a title), not lines merged
            sure = [
                q
                for j, q in enumerate(quads[:detected])
                if j != i and read[j][1] >= self._cfg.split_below_confidence
            ]
            options = split_merged(image, quads[i], med, self._cfg, sure)
            if not options:
                continue
            readings = [self.read_line_frames([c for _, c in o]) for o in options]
            scores = [float(np.mean([r[1] for r in rs])) for rs in readings]
            best = int(np.argmax(scores))
            if scores[best] > read[i][1]:
                read[i] = ("", 0.0, (), None)  # the whole is left out, its lines read instead
                quads.extend(q for q, _ in options[best])
                read.extend(readings[best])
        out = []
        for i, (q, (text, conf, confs, fr)) in enumerate(zip(quads, read, strict=True)):
            if not text or conf < self._cfg.line_min_confidence:
                continue
            if i >= detected:
                conf = min(conf, self._cfg.recovered_line_confidence)
            x0, y0 = q.min(axis=0)
            x1, y1 = q.max(axis=0)
            box = (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
            out.append(OcrText(text, conf, box, tuple(confs)))  # per character: a due date's digits
            if frames is not None and fr is not None:
                frames[box] = fr
        return out

    def _read_own_ink(
        self, image: np.ndarray, quads: list[np.ndarray], read: list, med: float
    ) -> None:
        """Detected lines that touch read again, each from its own ink only (in place, in
        `quads` and `read`). That reading is taken unless it is less sure than the first by
        more than `touch_read_margin`: the first read the other line's tails too (as letters,
        often surely), the second reads the line's own bullet and strokes only."""
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        own = inklines.own_ink_lines(gray, quads[: len(read)], med, self._cfg)
        if not own:
            return
        again = self.read_line_frames([crop for _, crop in own.values()])
        for (i, (quad, _)), reading in zip(own.items(), again, strict=True):
            if reading[0] and reading[1] >= read[i][1] - self._cfg.touch_read_margin:
                quads[i], read[i] = quad, reading

    def close(self) -> None:
        pass


def join_pieces(lines: list[OcrText], frames: FramesByBox | None, cfg: OcrConfig) -> list[OcrText]:
    """Pieces of one written line that the detector found apart, read as that line: left to
    right, each piece goes on the line of the nearest piece on its left that it continues
    (side by side, sharing `join_overlap` of the greater height, no more than `join_gap` lesser
    heights apart). A line made of pieces is as sure as its characters are on average,
    as if read whole; its frames are the pieces' frames end to end (a due date is decoded again
    from the whole line)."""
    chains: list[list[OcrText]] = []
    for piece in sorted((t for t in lines if t.box is not None), key=lambda t: t.box[0]):
        gaps = [(_gap(c[-1].box, piece.box, cfg), i) for i, c in enumerate(chains)]
        near = [(g, i) for g, i in gaps if g is not None]
        if near:
            chains[min(near)[1]].append(piece)
        else:
            chains.append([piece])
    out = [t for t in lines if t.box is None]
    for chain in chains:
        out.append(chain[0] if len(chain) == 1 else _joined(chain, frames))
    return out


def _gap(left: Box, right: Box, cfg: OcrConfig) -> float | None:
    """How far `right` starts after `left` ends, when it continues `left`'s line; else None."""
    lx, ly, lw, lh = left
    rx, ry, rw, rh = right
    least = min(lh, rh)
    gap = rx - (lx + lw)
    shared = min(ly + lh, ry + rh) - max(ly, ry)
    if gap < -cfg.join_back * least or gap > cfg.join_gap * least:
        return None
    # of the greater height: a small piece (an owner in brackets) beside a tall box that
    # holds a line's ascenders and the descenders of the line above is not surely its line
    if shared < cfg.join_overlap * max(lh, rh):
        return None
    return float(gap)


def _joined(chain: list[OcrText], frames: FramesByBox | None) -> OcrText:
    from boardsnap.reading import recogniser

    boxes = [t.box for t in chain if t.box is not None]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    box = (x0, y0, x1 - x0, y1 - y0)
    confs: tuple[float, ...] = ()
    if all(len(t.char_confidences) == len(t.text) for t in chain):
        for i, t in enumerate(chain):
            confs += ((1.0,) if i else ()) + t.char_confidences
    if frames is not None:
        parts = [frames.get(t.box) for t in chain if t.box is not None]
        if all(isinstance(p, recogniser.Frames) for p in parts):
            frames[box] = recogniser.Frames.joined(parts)  # type: ignore[arg-type]
    text = " ".join(t.text for t in chain)
    sizes = [max(1, len(t.text)) for t in chain]
    sure = sum(t.confidence * n for t, n in zip(chain, sizes, strict=True)) / sum(sizes)
    return OcrText(text, sure, box, confs)


def _two_lines_tall(crop: np.ndarray, quad: np.ndarray, med: float, cfg: OcrConfig) -> bool:
    """A detected box `line_split_ratio` lines tall or more whose ink lies in two bands, one
    over the other (`inklines.two_bands`): lines that touch, however surely read as one."""
    return _quad_height(quad) >= cfg.line_split_ratio * med and inklines.two_bands(
        crop, cfg.band_valley
    )


@functools.lru_cache(maxsize=1)
def _rapidocr_version() -> str:
    from importlib.metadata import version

    return version("rapidocr")


def _quad_height(q: np.ndarray) -> float:
    return float(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2])))


def _median_height(quads: list[np.ndarray]) -> float | None:
    """The median height of the detected lines wider than high (None: fewer than two)."""
    heights = [_quad_height(q) for q in quads if np.linalg.norm(q[0] - q[1]) > _quad_height(q)]
    return float(np.median(heights)) if len(heights) >= 2 else None


def recover_lines(
    image: np.ndarray, quads: list[np.ndarray], regions: list[Box] | None, cfg: OcrConfig
) -> list[list[list[tuple[np.ndarray, np.ndarray]]]]:
    """For each piece of writing that no detected line covers, the ways to read it, each a list
    of (quad, crop), one per line. The text detector leaves out two lines written into each
    other (a slanted line running into the next) whole; their glyphs are sorted into as many
    sloping lines as the ink is tall in median line heights (one or two when that is unclear),
    and each line is cut out with only its own glyphs."""
    med = _median_height(quads)
    if med is None:
        return []
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ih, iw = gray.shape
    ink = (gray < _ink_threshold(gray)).astype(np.uint8)
    covered = np.zeros_like(ink)
    for q in quads:
        cv2.fillPoly(covered, [q.astype(np.int32)], 1)
    covered = cv2.dilate(covered, np.ones((3, 3), np.uint8), iterations=max(1, int(med / 8)))
    free = ink & (1 - covered)
    if regions is not None:
        keep = np.zeros_like(free)
        for x, y, w, h in regions:
            keep[y : y + h, x : x + w] = 1
        free &= keep
    k = max(3, int(med / 2))
    joined = cv2.morphologyEx(free, cv2.MORPH_CLOSE, np.ones((max(3, k // 3), k), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes = [cv2.boundingRect(q.astype(np.float32)) for q in quads]
    out: list[list[list[tuple[np.ndarray, np.ndarray]]]] = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if h < 0.8 * med or w < 3 * med or h > 6 * med or area < 0.3 * med * med:
            continue
        if w > cfg.recover_max_width * iw or _overlap((x, y, w, h), boxes) > 0.3 * w * h:
            continue  # a frame's or shadow's edge, or a detected line's own ink: not writing
        if x <= 1 or y <= 1 or x + w >= iw - 1 or y + h >= ih - 1:
            continue  # ink on the view's border: the frame or the wall beyond the board
        blob = free[y : y + h, x : x + w] * (labels[y : y + h, x : x + w] == i)
        counts = _line_counts(h / (cfg.writing_share * med), cfg)
        pad = int(med / 6)
        box = (max(0, x - pad), max(0, y - pad), min(iw, x + w + pad), min(ih, y + h + pad))
        options = [_band_cuts(gray, box, k) for k in counts]
        options += [_cut_lines(gray, blob, (x, y), k, med) for k in counts if k > 1]
        out.append([o for o in options if o])
    return [o for o in out if o]


def _line_counts(tall: float, cfg: OcrConfig) -> list[int]:
    """How many lines ink `tall` lines of writing high may hold, each to be tried (the better
    reading is kept): one below `unsure_split_ratio`, else the whole numbers either side.
    Lines written into each other overlap, so two of them are less than two lines tall."""
    if tall < cfg.unsure_split_ratio:
        return [1]
    return sorted({max(1, int(tall)), int(np.ceil(tall))})


def _overlap(box: Box, others: list[Box]) -> int:
    """Pixels of `box` inside any of `others` (counted once per other box)."""
    x, y, w, h = box
    total = 0
    for ox, oy, ow, oh in others:
        dx = min(x + w, ox + ow) - max(x, ox)
        dy = min(y + h, oy + oh) - max(y, oy)
        if dx > 0 and dy > 0:
            total += dx * dy
    return total


def split_merged(
    image: np.ndarray,
    quad: np.ndarray,
    med: float,
    cfg: OcrConfig,
    others: list[np.ndarray] = (),  # type: ignore[assignment]
) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """A detected line read unsurely and taller than a line (lines written into each other
    that the detector took for one), the ways to cut it into its lines (each a list of (quad,
    crop)): level bands, and lines fitted to its glyphs (those of the `others`, lines read well
    that it overlaps, left out); [] when it is not that tall."""
    h = _quad_height(quad)
    if h < cfg.unsure_split_ratio * med:
        return []
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ih, iw = gray.shape
    x0, y0 = np.floor(quad.min(axis=0)).astype(int).clip(0)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
    x1, y1 = min(int(x1), iw), min(int(y1), ih)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return []
    inside = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(inside, [(quad - [x0, y0]).astype(np.int32)], 1)
    crop = gray[y0:y1, x0:x1]
    blob = (crop < _ink_threshold(crop)).astype(np.uint8) & inside
    n, labels, _, centres = cv2.connectedComponentsWithStats(blob, connectivity=8)
    for j in range(1, n):
        c = (float(centres[j, 0] + x0), float(centres[j, 1] + y0))
        if any(cv2.pointPolygonTest(o.astype(np.float32), c, False) >= 0 for o in others):
            blob[labels == j] = 0
    rows = np.flatnonzero(blob.any(axis=1))
    if len(rows) == 0 or rows[-1] - rows[0] + 1 < cfg.unsure_split_ratio * med:
        return []
    k = max(2, int(round((rows[-1] - rows[0] + 1) / med)))
    # the bands span this line's own ink, not the rows of a line read well that it overlaps (a
    # heading the detector took in with the lines under it)
    bands = (int(x0), int(y0 + rows[0]), int(x1), int(y0 + rows[-1] + 1))
    options = [
        _band_cuts(gray, bands, k),
        _cut_lines(gray, blob, (int(x0), int(y0)), k, med),
    ]
    return [o for o in options if len(o) > 1]


def _band_cuts(
    gray: np.ndarray, box: tuple[int, int, int, int], k: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(quad, crop) of `k` level bands of the box (x0, y0, x1, y1), cut at the rows with the
    least ink near where even cuts would fall: lines that touch but run level."""
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0:
        return []
    ink = (crop < _ink_threshold(crop)).sum(axis=1).astype(float)
    ch = len(ink)
    cuts = [0]
    for i in range(1, k):
        mid = i * ch / k
        lo = int(max(cuts[-1] + 1, mid - 0.3 * ch / k))
        hi = int(min(ch - 1, mid + 0.3 * ch / k))
        cuts.append(lo + int(np.argmin(ink[lo : hi + 1])) if hi > lo else int(mid))
    cuts.append(ch)
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b - a < 4:
            continue
        quad = np.array([[x0, y0 + a], [x1, y0 + a], [x1, y0 + b], [x0, y0 + b]], np.float32)
        out.append((quad, crop[a:b]))
    return out


def _cut_lines(
    gray: np.ndarray, blob: np.ndarray, at: tuple[int, int], k: int, med: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(quad, crop) of each of the `k` lines of the ink `blob` (placed at `at` in `gray`): the
    crop holds that line's glyphs only."""
    ih, iw = gray.shape
    x, y = at
    h, w = blob.shape
    out = []
    for mask, quad in _glyph_lines(blob, k, med):
        quad = quad + np.array([x, y], np.float32)
        quad[:, 0] = quad[:, 0].clip(0, iw - 1)
        quad[:, 1] = quad[:, 1].clip(0, ih - 1)
        only = gray.copy()
        only[y : y + h, x : x + w][~mask] = 255  # the other lines' side of the cut
        out.append((quad, _quad_crop(only, quad)))
    return out


def _glyph_lines(blob: np.ndarray, k: int, med: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """The glyphs (connected pieces of ink) of `blob` sorted into `k` lines, each a straight
    line y = a + b x fitted to its glyphs' centres (k-lines, from even bands): for each line,
    the part of the blob's box nearer to it than to the others (a boolean mask) and its quad,
    `med` high around the fitted line."""
    n, labels, stats, centres = cv2.connectedComponentsWithStats(blob, connectivity=8)
    idx = [j for j in range(1, n) if stats[j, 4] >= 4]
    if not idx:
        return []
    h, w = blob.shape
    cx = centres[idx, 0]
    cy = centres[idx, 1]
    fits = inklines.refit(blob, [(h * (i + 0.5) / k, 0.0) for i in range(k)], [(-1.0, w)] * k, med)
    assign = np.stack([np.abs(cy - (a + b * cx)) for a, b in fits]).argmin(axis=0)
    out = []
    # each ink pixel goes with the line it is nearest: a glyph that runs into the next line is
    # cut where the two lines meet, and no stroke is lost to the line it does not belong to.
    # One line's distances at a time (k of them at once: +175 MB on a 600 x 1800 blob of 12
    # lines, seed 9983's photo 16); the first nearest wins a tie, as argmin's does
    ys, xs = np.arange(h, dtype=np.float64)[:, None], np.arange(w, dtype=np.float64)[None, :]
    best = np.full((h, w), np.inf)
    nearest = np.zeros((h, w), np.int32)
    for i, (a, b) in enumerate(fits):
        d = np.abs(ys - (a + b * xs))
        closer = d < best
        nearest[closer] = i
        np.minimum(best, d, out=best)
        del d, closer
    for i, (a, b) in enumerate(fits):
        sel = [idx[j] for j in np.flatnonzero(assign == i)]
        if not sel:
            continue
        mask = nearest == i
        x0 = float(min(stats[j, 0] for j in sel))
        x1 = float(max(stats[j, 0] + stats[j, 2] for j in sel))
        out.append((mask, inklines.band_quad((a, b), x0, x1, 0.6 * med)))
    return out


_quad_crop = inklines.quad_crop  # the squared crop of a quad, as PaddleOCR cuts it


_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def latin(text: str) -> str:
    """RapidOCR's model also knows Chinese: fold full-width forms, drop CJK guesses at scribbles."""
    return _CJK.sub("", unicodedata.normalize("NFKC", text)).strip()


ENGINES = ("rapidocr", "tesserocr", "pytesseract")


def make_engine(cfg: OcrConfig) -> OcrEngine:
    """The configured engine; `auto` takes the first of ENGINES that is installed."""
    if cfg.engine in ("auto", "rapidocr"):
        try:
            return RapidOcrEngine(cfg)
        except ImportError:
            if cfg.engine == "rapidocr":
                raise MissingDependency(
                    "rapidocr is not installed", fix="pip install rapidocr onnxruntime"
                ) from None
            log.debug("rapidocr not importable; trying tesserocr")
    if cfg.engine in ("auto", "tesserocr"):
        try:
            return TesserocrEngine(cfg)
        except ImportError:
            if cfg.engine == "tesserocr":
                raise MissingDependency(
                    "tesserocr is not installed",
                    fix="pip install tesserocr, or use --engine pytesseract",
                ) from None
            log.debug("tesserocr not importable; using pytesseract")
    return PytesseractEngine(cfg)


# ---- crops -----------------------------------------------------------------------------------


def prepare_crop(
    clean: np.ndarray, box: Box, cfg: OcrConfig, in_table: bool = True
) -> np.ndarray | None:
    """The ink inside `box`, tightened, scaled to a standard text height, on a white margin.

    `in_table`: the box is a cell, so ink along its sides may be what is left of a ruled line.
    Returns None when the box holds no ink (an empty cell: nothing to read).
    """
    x, y, w, h = box
    crop = clean[max(0, y) : y + h, max(0, x) : x + w]
    if crop.size == 0:
        return None
    ink = (crop < _ink_threshold(crop)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(n, bool)
    ch, cw = crop.shape
    for i in range(1, n):
        bx, by, bw, bh, area = stats[i]
        if area < 5:
            continue  # specks
        if in_table:
            flat = bw > 6 * bh and bw > 0.3 * cw and (by == 0 or by + bh >= ch)
            tall = bh > 6 * bw and bh > 0.7 * ch and (bx == 0 or bx + bw >= cw)
            if flat or tall:
                continue  # what is left of a ruled line
        keep[i] = True
    if not keep.any():
        return None
    dropped = (~keep[labels]) & (labels > 0)
    ys, xs = np.nonzero(keep[labels])
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    pad0 = 3  # keep the soft edges of the strokes
    y0, x0 = max(0, y0 - pad0), max(0, x0 - pad0)
    y1, x1 = min(ch, y1 + pad0), min(cw, x1 + pad0)
    text = np.where(dropped, 255, crop)[y0:y1, x0:x1].astype(np.float32)
    # stretch contrast: the darkest ink to black, the paper to white (faint markers read better)
    dark = float(np.percentile(text[ink[y0:y1, x0:x1] > 0], 10)) if ink[y0:y1, x0:x1].any() else 0.0
    paper = float(np.percentile(text, 90))
    if paper - dark > 20:
        text = np.clip((text - dark) / (paper - dark) * 255.0, 0, 255)
        text[text > 215] = 255  # paper is white, not a grey tint
    text = text.astype(np.uint8)
    scale = min(cfg.cell_height / max(8, y1 - y0), 4.0)
    text = cv2.resize(
        text,
        None,
        fx=scale,
        fy=scale,
        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC,
    )
    pad = max(10, cfg.cell_height // 3)
    return cv2.copyMakeBorder(text, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


_ink_threshold = inklines.ink_threshold  # grey level below which a pixel is ink


def read_crop(engine: OcrEngine, crop: np.ndarray, box: Box) -> OcrText:
    if hasattr(engine, "read_line_frames"):
        text, conf, chars, _ = engine.read_line_frames([crop])[0]
        return OcrText(text, conf, box, chars)
    if isinstance(engine, CharConfidenceEngine):
        text, conf, chars = engine.read_line_chars(crop)
        return OcrText(text, conf, box, chars)
    text, conf = engine.read_line(crop)
    return OcrText(text, conf, box)


def read_layout(layout: Layout, clean: np.ndarray, engine: OcrEngine, cfg: OcrConfig) -> Reading:
    """Read every cell of the table and every text line of `layout` from `clean`."""
    return read_layout_frames(layout, clean, engine, cfg)[0]


FramesByBox = dict[Box, object]


def read_layout_frames(
    layout: Layout, clean: np.ndarray, engine: OcrEngine, cfg: OcrConfig
) -> tuple[Reading, FramesByBox]:
    """`read_layout`, and the recogniser's frames of each cell and line read (by its box) where
    the engine gives them (rapidocr), for decoding a value cell or a due date again under its
    grammar."""
    frames: FramesByBox = {}

    def read(box: Box, in_table: bool = True) -> OcrText:
        crop = prepare_crop(clean, box, cfg, in_table)
        if crop is None:
            return OcrText("", 1.0, box)  # nothing written: certain
        return read_crop(engine, crop, box)

    cells: tuple[tuple[OcrText, ...], ...] = ()
    if layout.grid is not None:
        if hasattr(engine, "read_line_frames"):
            cells = _read_cells(layout.grid, clean, engine, cfg, frames)
        else:
            g = layout.grid
            boxes = [[g.cell(r, c).box for c in range(g.cols)] for r in range(g.rows)]
            cells = tuple(tuple(read(b) for b in row) for row in boxes)
    if hasattr(engine, "read_block"):
        # an engine with its own text detector finds the lines outside the table itself: it
        # follows sloping handwriting better than boxes cut from the ink
        outside = clean.copy()
        if layout.grid is not None:
            x, y, w, h = layout.grid.bbox
            outside[max(0, y) : y + h, max(0, x) : x + w] = 255
            where = around.regions_around(outside, layout.grid.bbox, cfg)
            found = engine.read_block(outside, where.parts, frames, seams=where.seams)
        else:
            found = engine.read_block(outside, None, frames)
        found = join_pieces(found, frames, cfg)
        lines = tuple(sorted(found, key=lambda t: (t.box[1] + t.box[3] / 2) if t.box else 0))
    else:
        lines = tuple(t for t in (read(b, False) for b in layout.text_lines) if t.text)
    return Reading(cells=cells, lines=lines), frames


def _read_cells(
    g: Grid, image: np.ndarray, engine: OcrEngine, cfg: OcrConfig, frames: FramesByBox
) -> tuple[tuple[OcrText, ...], ...]:
    """Every cell of the table `g` read from `image` in one batch, row by row; each cell's
    recogniser frames put in `frames` (by its box)."""
    flat = [g.cell(r, c).box for r in range(g.rows) for c in range(g.cols)]
    crops = [prepare_crop(image, b, cfg, True) for b in flat]
    todo = [i for i, c in enumerate(crops) if c is not None]
    read_ = engine.read_line_frames([crops[i] for i in todo])  # type: ignore[attr-defined]
    texts = {i: OcrText("", 1.0, b) for i, b in enumerate(flat)}
    for i, (text, conf, confs, fr) in zip(todo, read_, strict=True):
        texts[i] = OcrText(text, conf, flat[i], confs)
        frames[flat[i]] = fr
    return tuple(tuple(texts[r * g.cols + c] for c in range(g.cols)) for r in range(g.rows))


def surer_cells(
    reading: Reading,
    frames: FramesByBox,
    layout: Layout,
    image: np.ndarray,
    engine: OcrEngine,
    cfg: OcrConfig,
) -> Reading:
    """The reading with each cell of the table read again from `image` (a faint table's cells as
    photographed; `reading` read them darkened) and the surer reading kept, with its frames:
    darkening helps a far-gone marker and breaks a lighter one's strokes apart."""
    if layout.grid is None or not hasattr(engine, "read_line_frames"):
        return reading
    theirs: FramesByBox = {}
    again = _read_cells(layout.grid, image, engine, cfg, theirs)

    def sure(t: OcrText) -> float:
        return t.confidence if t.text.strip() else 0.0

    rows = []
    for first, second in zip(reading.cells, again, strict=True):
        row = []
        for a, b in zip(first, second, strict=True):
            better = sure(b) > sure(a)
            if better and b.box in theirs:
                frames[b.box] = theirs[b.box]
            row.append(b if better else a)
        rows.append(tuple(row))
    return replace(reading, cells=tuple(rows))
