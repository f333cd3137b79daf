"""A corpus of broken, odd and hostile inputs, made on the fly (nothing binary is committed).

Each `Kind` writes one input into a folder and says what BoardSnap must do with it: the command
that reads it (`report` for photos, `render` for board documents), the exit code, and words the
one-line message must hold. tests/test_hostile_input.py runs every kind through the CLI; the
README's Reliability table lists the same kinds and outcomes.

Board photos come from tests/synthetic.py (plain boards of known content, so the outcome is
certain) and from samples/boardgen (the realistic generator: blank board, a desk without a board,
a handwritten board photographed sideways).
"""

from __future__ import annotations

import io
import json
import os
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw
from synthetic import ROWS, draw_board, photograph

from boardsnap.errors import ExitCode

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

OK = ExitCode.OK
BAD = ExitCode.BAD_INPUT
NO_TABLE = ExitCode.NO_TABLE
DOC = ExitCode.INVALID_DOCUMENT
OUT = ExitCode.OUTPUT_ERROR


@dataclass(frozen=True)
class Kind:
    name: str
    what: str  # for the README table
    make: Callable[[Path], Path]  # writes the input into a folder, returns its path
    code: ExitCode
    words: str = ""  # must appear in the one line on stderr
    command: str = "report"  # report (a photo) or render (a board document)
    shows: tuple[str, ...] = ()  # a report must show these texts
    # the report's path (-o) in the given empty output folder, when the output is the hostile
    # part; the one line then names it, and the folder is left as this made it
    output: Callable[[Path], Path] | None = None


# ---- board photos ------------------------------------------------------------------------------

_cache: dict[str, np.ndarray] = {}


def board_photo(key: str = "plain", **kw) -> np.ndarray:
    """A synthetic board photo (BGR), drawn once per key."""
    if key not in _cache:
        board, rows, cols = draw_board(**kw)
        _cache[key] = _shrink(photograph(board)[0])
    return _cache[key].copy()


def _shrink(photo: np.ndarray) -> np.ndarray:
    """Half size (1200x900): the plain font stays readable and the pipeline is twice as fast."""
    return cv2.resize(
        photo, (photo.shape[1] // 2, photo.shape[0] // 2), interpolation=cv2.INTER_AREA
    )


def _pil(bgr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(bgr[:, :, ::-1]))


def _save(img: Image.Image, path: Path, **kw) -> Path:
    img.save(path, **kw)
    return path


def _jpeg(bgr: np.ndarray, folder: Path, name: str, orientation: int = 1) -> Path:
    """Stored as a phone stores it: pixels turned so that EXIF `orientation` puts them upright."""
    img = _pil(bgr)
    turn = {
        3: Image.Transpose.ROTATE_180,
        6: Image.Transpose.ROTATE_90,
        8: Image.Transpose.ROTATE_270,
    }
    if orientation in turn:
        img = img.transpose(turn[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _save(img, folder / name, quality=90, exif=exif.tobytes())


def valid(folder: Path) -> Path:
    return _jpeg(board_photo(), folder, "IMG_0001.jpg")


def exif(orientation: int) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        return _jpeg(board_photo(), folder, f"IMG_exif{orientation}.jpg", orientation)

    return make


def mode(pil_mode: str, name: str, fmt: str | None = None) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        img = _pil(board_photo())
        if pil_mode == "I;16":
            grey = np.asarray(img.convert("L")).astype(np.uint16) * 257
            img = Image.fromarray(grey)
        elif pil_mode == "RGBA":  # a transparent margin around the photo
            img = img.convert("RGBA")
            alpha = Image.new("L", img.size, 0)
            ImageDraw.Draw(alpha).rectangle((40, 30, img.width - 40, img.height - 30), fill=255)
            img.putalpha(alpha)
        else:
            img = img.convert(pil_mode)
        return _save(img, folder / name, format=fmt)

    return make


def animated_gif(folder: Path) -> Path:
    first = _pil(board_photo()).convert("P", palette=Image.Palette.ADAPTIVE)
    noise = Image.effect_noise(first.size, 60).convert("P")
    path = folder / "board.gif"
    first.save(path, save_all=True, append_images=[noise, first], duration=200, loop=0)
    return path


def png_named_jpg(folder: Path) -> Path:
    return _save(_pil(board_photo()), folder / "really-a-png.jpg", format="PNG")


def rows_board(key: str, rows, name: str, **kw) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        return _jpeg(board_photo(key, rows=rows, **kw), folder, name)

    return make


EMPTY_ROW = ROWS[:2] + [("", "", "")] + ROWS[2:]
NAME_ONLY_ROW = ROWS + [("Throughput", "", "")]
NON_ASCII_ROWS = [
    ("Metric", "Target", "Actual"),
    ("Disponibilité", ">= 99.9%", "99.95%"),
    ("Latenz P95", "< 200ms", "240ms"),
    ("Error rate", "< 0.5%", "0.46%"),
]


def merged_cells(folder: Path) -> Path:
    """Row 3's Target and Actual cells merged: the rule between them is missing in that row."""
    board, rows, cols = draw_board(rows=ROWS)
    y0, y1 = int(rows[2]) + 6, int(rows[3]) - 6
    x = int(cols[2])
    cv2.rectangle(board, (x - 8, y0), (x + 8, y1), (248, 250, 250), -1)
    return _jpeg(_shrink(photograph(board)[0]), folder, "merged.jpg")


RIGHT_ROWS = [("Metric", "Target", "Actual"), ("MTTR", "< 4h", "6h"), ("Apdex", ">= 0.9", "0.93")]


def two_tables(folder: Path) -> Path:
    """Two SLA tables side by side on one board (two services reviewed together)."""
    left, _, _ = draw_board(rows=ROWS, size=(1200, 1000), lines_below=())
    right, _, _ = draw_board(
        rows=RIGHT_ROWS, size=(1200, 1000), lines_above=("Search",), lines_below=()
    )
    both = np.hstack([left[:, :1150], right[:, 100:]])
    both = cv2.resize(both, (1600, 720), interpolation=cv2.INTER_AREA)
    return _jpeg(_shrink(photograph(both)[0]), folder, "two-tables.jpg")


def stacked_tables(folder: Path) -> Path:
    top, _, _ = draw_board(rows=ROWS, size=(1600, 560), lines_below=())
    bottom, _, _ = draw_board(
        rows=RIGHT_ROWS, size=(1600, 460), lines_above=("Search",), lines_below=()
    )
    both = cv2.resize(np.vstack([top, bottom]), (1600, 1000), interpolation=cv2.INTER_AREA)
    return _jpeg(_shrink(photograph(both)[0]), folder, "stacked.jpg")


def realistic(name: str, overrides: dict) -> Callable[[Path], Path]:
    """A photo from samples/boardgen (the benchmark's generator), 1200 px long side."""

    def make(folder: Path) -> Path:
        sys.path.insert(0, str(SAMPLES))
        try:
            import generate  # samples/generate.py
        finally:
            sys.path.remove(str(SAMPLES))
        return generate.write_photo(folder, name, 2026, 41, 1200, overrides)

    return make


# ---- broken files ------------------------------------------------------------------------------


def raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def truncated_jpeg(folder: Path) -> Path:
    buf = io.BytesIO()
    _pil(board_photo()).save(buf, "JPEG", quality=90)
    path = folder / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 3])
    return path


def tiny(folder: Path) -> Path:
    return _save(Image.new("RGB", (1, 1), "white"), folder / "dot.png")


def narrow_jpeg(folder: Path) -> Path:
    """32 x 65500 pixels: as tall as libjpeg writes, within the pixel limit, no photo of a
    board (the loader's draft-size bug the fuzzer found)."""
    return _save(Image.new("L", (32, 65500), 200), folder / "strip.jpg", quality=50)


def png_bomb(folder: Path) -> Path:
    """A real 30000 x 30000 one-bit PNG (900 MP, 110 MB of pixels) in about 100 kB."""
    w = h = 30000
    row = b"\x00" + bytes(w // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row * 1000) for _ in range(h // 1000)) + comp.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    path = folder / "bomb.png"
    path.write_bytes(data)
    return path


def fuzz_regression(name: str, as_name: str) -> Callable[[Path], Path]:
    """An input a fuzzer crashed the loader with (fuzz/regressions: first byte the suffix)."""
    data = (SAMPLES.parent / "fuzz" / "regressions" / name).read_bytes()[1:]
    return raw(as_name, data)


def bad_crc_png(folder: Path) -> Path:
    buf = io.BytesIO()
    _pil(board_photo()).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    at = data.index(b"IDAT") + 200  # inside the first IDAT chunk's data
    data[at : at + 8] = bytes(8)
    path = folder / "crc.png"
    path.write_bytes(bytes(data))
    return path


def heic(folder: Path) -> Path:
    # the start of a real HEIC file: an ftyp box naming the heic brand
    return raw("IMG_4031.heic", struct.pack(">I", 24) + b"ftypheic\0\0\0\0mif1heic" + bytes(200))(
        folder
    )


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    b'<text x="10" y="40">Uptime 99.9%</text></svg>'
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def folder_named_jpg(folder: Path) -> Path:
    path = folder / "album.jpg"
    path.mkdir()
    return path


def symlink_loop(folder: Path) -> Path:
    a, b = folder / "loop-a.jpg", folder / "loop-b.jpg"
    a.symlink_to(b)
    b.symlink_to(a)
    return a


def dangling_link(folder: Path) -> Path:
    path = folder / "gone.jpg"
    path.symlink_to(folder / "deleted.jpg")
    return path


def fifo(folder: Path) -> Path:
    path = folder / "pipe.jpg"
    os.mkfifo(path)
    return path


def unreadable(folder: Path) -> Path:
    path = valid(folder)
    path.chmod(0)
    return path


def missing(folder: Path) -> Path:
    return folder / "no-such-photo.jpg"


def eps(folder: Path) -> Path:
    """An EPS drawing: Pillow knows the format and would run Ghostscript to read it."""
    return _save(Image.new("L", (200, 150), 255), folder / "board.eps", format="EPS")


def float_tiff_nan(folder: Path) -> Path:
    """A 32-bit float greyscale TIFF of the board with a block of NaN ("no data")."""
    grey = cv2.cvtColor(board_photo(), cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    grey[:40, :40] = np.nan
    return _save(Image.fromarray(grey, mode="F"), folder / "float.tif", format="TIFF")


def many_pages_tiff(folder: Path, pages: int = 50_000) -> Path:
    """A TIFF whose first page is the board and then `pages` pages of one pixel (a file that
    took a worker 150 s when every page was counted). Written by hand: Pillow takes minutes."""
    buf = io.BytesIO()
    grey = cv2.cvtColor(board_photo(), cv2.COLOR_BGR2GRAY)
    Image.fromarray(grey).save(buf, format="TIFF")
    data = bytearray(buf.getvalue())
    assert data[:4] == b"II*\x00"
    first = struct.unpack_from("<I", data, 4)[0]
    entries = struct.unpack_from("<H", data, first)[0]
    next_at = first + 2 + 12 * entries  # where the first page points to the next one
    pixel = len(data)
    data += b"\x00\x00"  # the one pixel all the pages share (and a pad byte)
    start = len(data)
    struct.pack_into("<I", data, next_at, start)
    tags = ((256, 3, 1), (257, 3, 1), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, pixel), (278, 3, 1), (279, 4, 1))  # fmt: skip
    size = 2 + 12 * len(tags) + 4
    chain = bytearray()
    for n in range(pages):
        chain += struct.pack("<H", len(tags))
        for tag, kind, value in tags:
            chain += struct.pack("<HHII", tag, kind, 1, value)
        chain += struct.pack("<I", start + (n + 1) * size if n + 1 < pages else 0)
    path = folder / "pages.tif"
    path.write_bytes(bytes(data + chain))
    return path


def link_to_device(folder: Path) -> Path:
    (folder / "report.html").symlink_to("/dev/null")
    return folder / "report.html"


def fifo_output(folder: Path) -> Path:
    os.mkfifo(folder / "report.html")
    return folder / "report.html"


def broken_link_output(folder: Path) -> Path:
    (folder / "report.html").symlink_to(folder / "gone" / "report.html")
    return folder / "report.html"


def long_name_output(folder: Path) -> Path:
    return folder / ("r" * 300 + ".html")


# ---- board documents ---------------------------------------------------------------------------

GOOD_METRIC = {
    "name": "P95 latency",
    "target": {"op": "<", "value": 200, "unit": "ms", "text": "< 200ms"},
    "actual": {"value": 240, "unit": "ms", "text": "240ms"},
    "status": "breach",
    "budget_used": 1.2,
}


def doc(name: str, content: str | bytes | object) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(json.dumps(content), encoding="utf-8")
        return path

    return make


def board_doc(**changes) -> dict:
    base = {
        "schema": "boardsnap.board/1",
        "source": "IMG_2041.jpg",
        "title": "Payments API SLA review 2026-11-20",
        "service": "Payments API",
        "review_date": "2026-11-20",
        "metrics": [GOOD_METRIC],
        "root_causes": [{"metric": "P95 latency", "text": "slow card API"}],
        "actions": [{"text": "add a circuit breaker", "owner": "maria", "due": "2026-12-15"}],
        "warnings": [],
    }
    base.update(changes)
    return base


HUGE = "W" * 5_000_000


def refused_doc(name: str, what: str, make: Callable[[Path], Path], words: str) -> Kind:
    """A board document `boardsnap render` must refuse (exit 6) with `words` in its line."""
    return Kind(name, what, make, DOC, words, command="render")


# ---- the corpus --------------------------------------------------------------------------------

KINDS: tuple[Kind, ...] = (
    # photos that must give a report
    Kind("valid-jpeg", "a plain board photo (the control)", valid, OK),
    Kind("exif-3", "board upside down (EXIF orientation 3)", exif(3), OK),
    Kind("exif-6", "board sideways (EXIF orientation 6)", exif(6), OK),
    Kind("exif-8", "board sideways the other way (EXIF orientation 8)", exif(8), OK),
    Kind("cmyk-jpeg", "CMYK JPEG", mode("CMYK", "cmyk.jpg", "JPEG"), OK),
    Kind("png-16bit", "16-bit greyscale PNG", mode("I;16", "deep.png"), OK),
    Kind("png-palette", "palette (8-bit indexed) PNG", mode("P", "palette.png"), OK),
    Kind("greyscale", "greyscale JPEG", mode("L", "grey.jpg", "JPEG"), OK),
    Kind("alpha", "PNG with an alpha channel (transparent margin)", mode("RGBA", "alpha.png"), OK),
    Kind("webp", "WebP", mode("RGB", "board.webp", "WEBP"), OK),
    Kind("tiff", "TIFF", mode("RGB", "board.tif", "TIFF"), OK),
    Kind("animated-gif", "animated GIF (the first frame is read)", animated_gif, OK),
    Kind("png-as-jpg", "a PNG named .jpg", png_named_jpg, OK),
    Kind(
        "empty-row",
        "a table with an empty row",
        rows_board("empty", EMPTY_ROW, "empty.jpg"),
        OK,
        shows=("3 metrics", "Error rate"),
    ),
    Kind(
        "name-only-row",
        "a row holding only a metric name",
        rows_board("name-only", NAME_ONLY_ROW, "nameonly.jpg"),
        OK,
        shows=("Throughput", "4 metrics", "1 unknown", "row 4 (Throughput)"),
    ),
    Kind(
        "merged-cells",
        "a row whose Target and Actual cells are merged",
        merged_cells,
        OK,
        shows=("Error rate", "3 metrics"),
    ),
    Kind(
        "non-ascii",
        "non-ASCII text (Disponibilité, Latenz, Überprüfung, @zoë)",
        rows_board(
            "non-ascii",
            NON_ASCII_ROWS,
            "nonascii.jpg",
            lines_above=("Zahlungs-API Überprüfung 2026-11-20",),
            lines_below=("Actions", "Latenz P95: Cache vorwärmen @zoë 12/15"),
        ),
        OK,
        shows=("Disponibilité", "Zahlungs-API", "zoë"),
    ),
    Kind(
        "two-tables",
        "two SLA tables side by side, rules in line (read as two tables)",
        two_tables,
        OK,
        shows=("5 metrics", "MTTR", "Apdex"),
    ),
    Kind(
        "two-tables-stacked",
        "two SLA tables one above the other (the first read, the second named in a warning)",
        stacked_tables,
        OK,
        shows=("3 metrics", "another table (3 rows x 3 columns)"),
    ),
    Kind(
        "realistic-exif-8",
        "handwritten board photographed sideways (boardgen, EXIF 8)",
        realistic(
            "portrait-8",
            {"exif": 8, "portrait": True, "rows": 4, "font": "Comic Neue", "status_col": False},
        ),
        OK,
    ),
    # photos that hold no table
    Kind(
        "blank-board",
        "a blank board (boardgen)",
        realistic("blank", {"kind": "blank_board"}),
        NO_TABLE,
        "no SLA table",
    ),
    Kind(
        "no-board",
        "a desk, no board at all (boardgen)",
        realistic("desk", {"kind": "no_board"}),
        NO_TABLE,
        "no SLA table",
    ),
    # files that are no usable photo
    Kind("empty-file", "an empty file", raw("empty.jpg", b""), BAD, "not an image"),
    Kind("truncated-jpeg", "a JPEG cut at a third", truncated_jpeg, BAD, "truncated"),
    Kind(
        "text-as-jpg",
        "a text file named .jpg",
        raw("notes.jpg", b"Uptime 99.9%\n" * 20),
        BAD,
        "not an image",
    ),
    Kind("pdf-as-jpg", "a PDF named .jpg", raw("scan.jpg", PDF), BAD, "not an image"),
    Kind("svg", "an SVG drawing", raw("board.svg", SVG), BAD, "not an image"),
    Kind("heic-no-plugin", "HEIC without pillow-heif", heic, BAD, "pillow-heif"),
    Kind("one-pixel", "a 1x1 image", tiny, BAD, "1x1"),
    Kind("narrow-strip", "a 32x65500 JPEG strip", narrow_jpeg, BAD, "too narrow"),
    Kind(
        "png-bomb",
        "a 30000x30000 PNG (decompression bomb, 100 kB on disk)",
        png_bomb,
        BAD,
        "MP limit",
    ),
    Kind(
        "gif-cut-short",
        "a GIF whose second frame's header is cut short (found by fuzzing; its first frame, "
        "40x36 pixels, is read)",
        fuzz_regression("load-gif-truncated-frame-header.bin", "cut.gif"),
        NO_TABLE,
        "no SLA table",
    ),
    Kind("png-bad-crc", "a PNG with a corrupted chunk", bad_crc_png, BAD, "damaged"),
    Kind("missing", "a path that does not exist", missing, BAD, "no such file"),
    Kind("folder", "a folder named .jpg", folder_named_jpg, BAD, "folder"),
    Kind("symlink-loop", "a symbolic link loop", symlink_loop, BAD, "looping link"),
    Kind("dangling-link", "a link to a deleted photo", dangling_link, BAD, "broken link"),
    Kind("fifo", "a named pipe called .jpg (would block forever)", fifo, BAD, "not a regular"),
    Kind("unreadable", "a photo without read permission", unreadable, BAD, "permission denied"),
    Kind("eps", "an EPS drawing (Pillow would run Ghostscript)", eps, BAD, "not an image"),
    Kind("float-tiff-nan", "a 32-bit float TIFF holding NaN", float_tiff_nan, OK),
    Kind("tiff-50000-pages", "a TIFF of 50,000 pages (the first one read)", many_pages_tiff, OK),
    Kind(
        "out-link-to-device",
        "`-o` a link to /dev/null",
        valid,
        OUT,
        "a link to a character device",
        output=link_to_device,
    ),
    Kind("out-fifo", "`-o` a named pipe", valid, OUT, "a named pipe", output=fifo_output),
    Kind(
        "out-broken-link",
        "`-o` a link to nowhere",
        valid,
        OUT,
        "a broken link",
        output=broken_link_output,
    ),
    Kind(
        "out-name-too-long",
        "`-o` a 300-character name",
        valid,
        OUT,
        "too long",
        output=long_name_output,
    ),
    Kind(
        "render-out-fifo",
        "`render -o` a named pipe",
        doc("board.json", board_doc()),
        OUT,
        "a named pipe",
        command="render",
        output=fifo_output,
    ),
    # board documents for `boardsnap render`
    Kind(
        "doc-valid",
        "a board document (the control)",
        doc("board.json", board_doc()),
        OK,
        command="render",
    ),
    Kind(
        "doc-bom",
        "a document saved with a UTF-8 byte-order mark",
        doc("bom.json", b"\xef\xbb\xbf" + json.dumps(board_doc()).encode()),
        OK,
        command="render",
    ),
    Kind(
        "doc-huge-strings",
        "5 MB strings in every text field (cut to 10,000 characters)",
        doc(
            "huge.json",
            board_doc(title=HUGE, metrics=[dict(GOOD_METRIC, name=HUGE)], warnings=[HUGE]),
        ),
        OK,
        command="render",
    ),
    refused_doc("doc-empty", "a zero-byte document", doc("empty.json", b""), "not JSON"),
    refused_doc(
        "doc-list", "JSON that is a list", doc("list.json", [board_doc()]), "must be a JSON object"
    ),
    refused_doc(
        "doc-missing-fields",
        "a metric without a name",
        doc("noname.json", board_doc(metrics=[{"target": {}, "actual": {}}])),
        "'name' is missing",
    ),
    refused_doc(
        "doc-wrong-types",
        "a target value that is a string",
        doc("types.json", board_doc(metrics=[dict(GOOD_METRIC, target={"value": "fast"})])),
        "finite number",
    ),
    refused_doc(
        "doc-future-schema",
        "schema boardsnap.board/2",
        doc("future.json", board_doc(schema="boardsnap.board/2")),
        "newer",
    ),
    refused_doc(
        "doc-nan",
        "NaN and Infinity as values",
        doc("nan.json", json.dumps(board_doc()).replace("240", "NaN").replace("200", "Infinity")),
        "finite number",
    ),
    refused_doc(
        "doc-big-int",
        "an integer of 5000 digits",
        doc("bigint.json", json.dumps(board_doc()).replace("240", "9" * 5000)),
        "not usable JSON",
    ),
    refused_doc(
        "doc-deep",
        "JSON nested 100,000 deep",
        doc("deep.json", "[" * 100_000 + "]" * 100_000),
        "nested too deeply",
    ),
    refused_doc(
        "doc-not-utf8",
        "a Latin-1 document",
        doc("latin1.json", '{"title": "Café"}'.encode("latin-1")),
        "not UTF-8",
    ),
    refused_doc(
        "doc-many-rows",
        "50,000 metric rows",
        doc("rows.json", board_doc(metrics=[GOOD_METRIC] * 50_000)),
        "at most",
    ),
    refused_doc(
        "doc-bad-date",
        "a review date that is no date",
        doc("date.json", board_doc(review_date="next Tuesday")),
        "YYYY-MM-DD",
    ),
)

assert len({k.name for k in KINDS}) == len(KINDS)
