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

import logging
import os
import re
import unicodedata
from typing import Protocol, runtime_checkable

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before libtesseract is loaded

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from boardsnap.config import OcrConfig  # noqa: E402
from boardsnap.doctor import find_tessdata  # noqa: E402
from boardsnap.errors import MissingDependency  # noqa: E402
from boardsnap.geometry import Box  # noqa: E402
from boardsnap.results import Layout, OcrText, Reading  # noqa: E402

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


class TesserocrEngine:
    name = "tesserocr"

    def __init__(self, cfg: OcrConfig):
        import tesserocr  # type: ignore[import-not-found]

        tessdata = find_tessdata(cfg.language, cfg.tessdata)
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
        tessdata = find_tessdata(cfg.language, cfg.tessdata)
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
    """PP-OCR's recogniser run by `boardsnap.recogniser` (ONNX, models inside RapidOCR's wheel) on
    line crops, and PP-OCR's text detector (also run there) for the free lines around the table.

    The recogniser gives the whole frames x characters matrix (`read_line_frames`), so a value
    cell can be decoded again under its grammar without being read twice. The 180-degree angle
    classifier is not used: it turns "99.9%" upside down into "%666".
    """

    name = "rapidocr"

    def __init__(self, cfg: OcrConfig):
        from boardsnap import recogniser

        self._rec = recogniser.Recogniser(min_width=cfg.rec_min_width)
        self._cfg = cfg
        self._detector: recogniser.Detector | None = None  # loaded on the first free text
        from importlib.metadata import version

        self.version = version("rapidocr")

    def read_line(self, image: np.ndarray) -> tuple[str, float]:
        text, conf, _ = self.read_line_chars(image)
        return text, conf

    def read_line_chars(self, image: np.ndarray) -> tuple[str, float, tuple[float, ...]]:
        text, conf, confs, _ = self.read_line_frames([image])[0]
        return text, conf, confs

    def read_line_frames(self, images: list[np.ndarray]) -> list[tuple[str, float, tuple, object]]:
        """For each crop: text, confidence, one confidence per character, and its `Frames`."""
        out = []
        for frames in self._rec.frames(images):
            text, confs = frames.best_path()
            conf = float(np.mean(confs)) if confs else 0.0
            out.append((text, conf if text else 0.0, confs, frames))
        return out

    def read_block(self, image: np.ndarray, regions: list[Box] | None = None) -> list[OcrText]:
        """Find and read every text line in `image` (the text detector, then the recogniser);
        in `regions` of it only, when given, each looked at on the scale of the whole image."""
        if self._detector is None:
            from boardsnap import recogniser

            self._detector = recogniser.Detector(self._cfg.detect_long_side)
        ratio = min(1.0, self._cfg.detect_long_side / max(image.shape[:2]))
        quads = []
        for x, y, w, h in regions if regions is not None else [(0, 0, *image.shape[1::-1])]:
            for q in self._detector.quads(image[y : y + h, x : x + w], ratio):
                quads.append(q + np.array([x, y], np.float32))
        if not quads:
            return []
        crops = [_quad_crop(image, q) for q in quads]
        out = []
        for q, (text, conf, _, _) in zip(quads, self.read_line_frames(crops), strict=True):
            if not text or conf < self._cfg.line_min_confidence:
                continue
            x0, y0 = q.min(axis=0)
            x1, y1 = q.max(axis=0)
            out.append(OcrText(text, conf, (int(x0), int(y0), int(x1 - x0), int(y1 - y0))))
        return out

    def close(self) -> None:
        pass


def _quad_crop(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
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


def _ink_threshold(crop: np.ndarray) -> float:
    """Grey level below which a pixel is ink: Otsu's, kept within sane bounds."""
    if int(crop.max()) - int(crop.min()) < 40:
        return 120.0  # no contrast: at most some very dark specks count
    otsu, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(min(max(otsu, 110), 215))


def _read_crop(engine: OcrEngine, crop: np.ndarray, box: Box) -> OcrText:
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
    """`read_layout`, and the recogniser's frames of each cell read (by its box) where the
    engine gives them (rapidocr), for decoding a value cell again under its grammar."""
    frames: FramesByBox = {}

    def read(box: Box, in_table: bool = True) -> OcrText:
        crop = prepare_crop(clean, box, cfg, in_table)
        if crop is None:
            return OcrText("", 1.0, box)  # nothing written: certain
        return _read_crop(engine, crop, box)

    cells: tuple[tuple[OcrText, ...], ...] = ()
    if layout.grid is not None:
        g = layout.grid
        boxes = [[g.cell(r, c).box for c in range(g.cols)] for r in range(g.rows)]
        if hasattr(engine, "read_line_frames"):
            flat = [b for row in boxes for b in row]
            crops = [prepare_crop(clean, b, cfg, True) for b in flat]
            todo = [i for i, c in enumerate(crops) if c is not None]
            read_ = engine.read_line_frames([crops[i] for i in todo])
            texts = {i: OcrText("", 1.0, b) for i, b in enumerate(flat)}
            for i, (text, conf, confs, fr) in zip(todo, read_, strict=True):
                texts[i] = OcrText(text, conf, flat[i], confs)
                frames[flat[i]] = fr
            cells = tuple(
                tuple(texts[r * g.cols + c] for c in range(g.cols)) for r in range(g.rows)
            )
        else:
            cells = tuple(tuple(read(b) for b in row) for row in boxes)
    if hasattr(engine, "read_block"):
        # an engine with its own text detector finds the lines outside the table itself: it
        # follows sloping handwriting better than boxes cut from the ink
        outside = clean.copy()
        if layout.grid is not None:
            x, y, w, h = layout.grid.bbox
            outside[max(0, y) : y + h, max(0, x) : x + w] = 255
            found = engine.read_block(outside, _around(outside, layout.grid.bbox))
        else:
            found = engine.read_block(outside)
        lines = tuple(sorted(found, key=lambda t: (t.box[1] + t.box[3] / 2) if t.box else 0))
    else:
        lines = tuple(t for t in (read(b, False) for b in layout.text_lines) if t.text)
    return Reading(cells=cells, lines=lines), frames


def _around(image: np.ndarray, table: Box, min_side: int = 24) -> list[Box]:
    """The parts of `image` above, below, left and right of the table that hold some ink: the
    text detector looks only there."""
    ih, iw = image.shape[:2]
    x, y, w, h = table
    x0, y0, x1, y1 = max(0, x), max(0, y), min(iw, x + w), min(ih, y + h)
    parts = [(0, 0, iw, y0), (0, y1, iw, ih - y1), (0, y0, x0, y1 - y0), (x1, y0, iw - x1, y1 - y0)]
    out = []
    for px, py, pw, ph in parts:
        if min(pw, ph) < min_side:
            continue
        if np.count_nonzero(image[py : py + ph, px : px + pw] < 128) < 20:
            continue  # blank board
        out.append((px, py, pw, ph))
    return out


def second_readings(
    clean: np.ndarray, box: Box, engine: OcrEngine, cfg: OcrConfig
) -> list[OcrText]:
    """The cell at `box` read again under a few variants of its crop: strokes thicker, strokes
    thinner, squashed to 80 % of its height, on a wider margin. A character misread in the
    first reading ("< L SECS") is often read right in some of them ("< 2 SECS")."""
    crop = prepare_crop(clean, box, cfg, True)
    if crop is None:
        return []
    h, w = crop.shape[:2]
    variants = (
        cv2.erode(crop, np.ones((3, 3), np.uint8)),  # dark ink on white: erode thickens it
        cv2.dilate(crop, np.ones((2, 2), np.uint8)),
        cv2.resize(crop, (w, max(8, round(h * 0.8))), interpolation=cv2.INTER_AREA),
        cv2.copyMakeBorder(crop, 20, 20, 30, 30, cv2.BORDER_CONSTANT, value=255),
    )
    if hasattr(engine, "read_line_frames"):
        read = engine.read_line_frames(list(variants))
        return [OcrText(text, conf, box, chars) for text, conf, chars, _ in read]
    return [_read_crop(engine, v, box) for v in variants]
