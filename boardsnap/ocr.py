"""Stage 4: read each table cell and each text line with Tesseract, one line at a time.

Whole-page Tesseract reads almost nothing inside a ruled grid, so every cell and every free text
line is cropped, cleaned and read alone in single-line mode (PSM 7). The engine sits behind the
small `OcrEngine` interface:

- `TesserocrEngine` (default when tesserocr imports): libtesseract in-process, one API object
  kept warm for every crop of every photo;
- `PytesseractEngine`: the `tesseract` program through pytesseract, a process per crop (the given
  stack; 10-15x slower on small crops, see bench/RESULTS.md).

Both run with OMP_THREAD_LIMIT=1: Tesseract's OpenMP threads cost more than they bring on crops
this small, and batch mode parallelises by process instead. This is the only module that imports
an OCR engine.
"""

from __future__ import annotations

import logging
import os
from typing import Protocol

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
            path=tessdata + "/", lang=cfg.language, psm=tesserocr.PSM.SINGLE_LINE,
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
            Image.fromarray(image), lang=self._lang, config=self._config,
            output_type=self._pt.Output.DICT,
        )
        words = [(t, float(c)) for t, c in zip(data["text"], data["conf"]) if str(t).strip()]
        if not words:
            return "", 0.0
        text = " ".join(t for t, _ in words)
        conf = sum(max(c, 0.0) for _, c in words) / len(words) / 100.0
        return text, conf

    def close(self) -> None:
        pass


def make_engine(cfg: OcrConfig) -> OcrEngine:
    if cfg.engine in ("auto", "tesserocr"):
        try:
            return TesserocrEngine(cfg)
        except ImportError:
            if cfg.engine == "tesserocr":
                raise MissingDependency(
                    "tesserocr is not installed", fix="pip install tesserocr, or use --engine pytesseract"
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
    ink = (crop < 160).astype(np.uint8)
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
    mask = keep[labels]
    ys, xs = np.nonzero(mask)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    text = np.where(mask, crop, 255).astype(np.uint8)[y0:y1, x0:x1]
    scale = cfg.cell_height / max(8, y1 - y0)
    scale = min(scale, 4.0)
    text = cv2.resize(
        text, None, fx=scale, fy=scale,
        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC,
    )
    pad = max(10, cfg.cell_height // 3)
    return cv2.copyMakeBorder(text, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def read_layout(layout: Layout, clean: np.ndarray, engine: OcrEngine, cfg: OcrConfig) -> Reading:
    """Read every cell of the table and every text line of `layout` from `clean`."""

    def read(box: Box, in_table: bool = True) -> OcrText:
        crop = prepare_crop(clean, box, cfg, in_table)
        if crop is None:
            return OcrText("", 1.0, box)  # nothing written: certain
        text, conf = engine.read_line(crop)
        return OcrText(text, conf, box)

    cells: tuple[tuple[OcrText, ...], ...] = ()
    if layout.grid is not None:
        g = layout.grid
        cells = tuple(
            tuple(read(g.cell(r, c).box) for c in range(g.cols)) for r in range(g.rows)
        )
    lines = tuple(t for t in (read(b, False) for b in layout.text_lines) if t.text)
    return Reading(cells=cells, lines=lines)
