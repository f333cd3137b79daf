"""The typed results handed from one pipeline stage to the next.

load → `Photo`; board → `RectifiedBoard`; grid → `Layout`; ocr → `Reading`; parse and judge →
`boardsnap.document.Board`. Each is immutable; images are numpy arrays that stages never modify
in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from boardsnap.geometry import Box, Grid, Quad


@dataclass(frozen=True, eq=False)
class Photo:
    path: str  # as the user gave it, for messages
    image: np.ndarray  # BGR, uint8, EXIF orientation applied
    original_size: tuple[int, int]  # width, height before any scaling
    scale: float  # image pixels per original pixel (<= 1)
    exif_orientation: int = 1
    capture_date: date | None = None  # EXIF DateTimeOriginal
    file_date: date | None = None  # the file's modification time


@dataclass(frozen=True, eq=False)
class RectifiedBoard:
    image: np.ndarray  # BGR front view, lighting evened out, marker colours kept
    gray: np.ndarray  # the same, one channel, paper white ~255
    quad: Quad  # the board's corners on Photo.image
    # "frame" (board edges found), "table" (table border), "level" (the whole photo levelled by
    # the slant of its ruled lines) or "photo" (the whole photo as shot)
    method: str


@dataclass(frozen=True)
class Layout:
    grid: Grid | None  # the SLA table, or None when no table was found
    text_lines: tuple[Box, ...]  # text lines outside the table, top to bottom
    notes: tuple[str, ...] = ()  # what the stage noticed (for -v and warnings)
    warnings: tuple[str, ...] = ()  # what the board document must say (e.g. a table not read)
    faint: bool = False  # the table was found only among faint lines (a drying marker)


@dataclass(frozen=True)
class OcrText:
    text: str
    confidence: float  # 0..1
    box: Box | None = None  # where it was read, on the rectified board
    # one confidence per character of `text`, when the engine gives them (else empty)
    char_confidences: tuple[float, ...] = ()


@dataclass(frozen=True)
class Reading:
    """What OCR read: the table as rows x columns of cells, and the free text lines."""

    cells: tuple[tuple[OcrText, ...], ...] = ()
    lines: tuple[OcrText, ...] = ()
    notes: tuple[str, ...] = field(default=())
