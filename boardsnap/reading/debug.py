"""`--debug-dir`: a picture of what each stage saw, the fastest way to see why a photo failed.

1-outline.jpg    the photo with the board outline found (green: board edges; orange: the
                 table's border; red: none, the whole photo was used)
2-rectified.jpg  the front view with its lighting evened out
3-grid.png       ruled lines (blue), cells (green) and text lines (magenta) found
cells/           every crop handed to OCR, named r<row>c<col>.png and line<k>.png
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from boardsnap.config import OcrConfig
from boardsnap.errors import OutputError
from boardsnap.fileio import atomic_write_bytes, make_folder
from boardsnap.reading.ocr import prepare_crop
from boardsnap.reading.results import Layout, Photo, RectifiedBoard

_COLOURS = {
    "frame": (0, 200, 0),
    "table": (0, 140, 255),
    "level": (200, 0, 200),
    "photo": (0, 0, 255),
}


FIX = "give --debug-dir a folder you can write to"


def write_stages(
    folder: Path,
    photo: Photo,
    board: RectifiedBoard,
    layout: Layout | None,
    clean: np.ndarray | None,
    ocr_cfg: OcrConfig,
) -> None:
    make_folder(folder, "debug folder", FIX)
    outline = photo.image.copy()
    pts = board.quad.array().astype(np.int32)
    thickness = max(2, outline.shape[1] // 300)
    cv2.polylines(outline, [pts], True, _COLOURS.get(board.method, (0, 0, 255)), thickness)
    _write_image(folder / "1-outline.jpg", outline)
    _write_image(folder / "2-rectified.jpg", board.image)
    if layout is None:
        return
    overlay = cv2.cvtColor(board.gray, cv2.COLOR_GRAY2BGR)
    if layout.grid is not None:
        for line in (*layout.grid.h_lines, *layout.grid.v_lines):
            cv2.polylines(overlay, [np.array(line.points, np.int32)], False, (255, 0, 0), 3)
        for cell in layout.grid.cells:
            x, y, w, h = cell.box
            cv2.rectangle(overlay, (x, y), (x + w, y + h), (0, 170, 0), 2)
    for x, y, w, h in layout.text_lines:
        cv2.rectangle(overlay, (x, y), (x + w, y + h), (255, 0, 255), 2)
    _write_image(folder / "3-grid.png", overlay)
    if clean is None:
        return
    crops = folder / "cells"
    make_folder(crops, "debug folder", FIX)
    boxes = []
    if layout.grid is not None:
        boxes += [(f"r{c.row}c{c.col}", c.box, True) for c in layout.grid.cells]
    boxes += [(f"line{k}", b, False) for k, b in enumerate(layout.text_lines)]
    for name, box, in_table in boxes:
        crop = prepare_crop(clean, box, ocr_cfg, in_table)
        if crop is not None:
            _write_image(crops / f"{name}.png", crop)


def _write_image(path: Path, image: np.ndarray) -> None:
    """Encode in memory, then write atomically like every other output (cv2.imwrite would
    fail silently and leave half a file when interrupted)."""
    ok, data = cv2.imencode(path.suffix, image)
    if not ok:
        raise OutputError("cannot encode the debug picture", path=str(path))
    atomic_write_bytes(path, data.tobytes())
