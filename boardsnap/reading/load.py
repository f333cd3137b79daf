"""Stage 1: load a photo.

Reads JPEG, PNG, WebP, TIFF (and HEIC/HEIF when pillow-heif is installed), applies the EXIF
orientation (phones store portrait photos turned, with an Orientation tag), refuses images larger
than `LoadConfig.max_pixels` before decoding them (decompression bombs), converts every mode
(CMYK, palette, 16-bit, grey, alpha) to 8-bit BGR, and scales the photo down to the working size.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import struct
import warnings
from datetime import date, datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from boardsnap.config import LoadConfig
from boardsnap.errors import BadInput
from boardsnap.fileio import note_input
from boardsnap.reading.results import Photo

log = logging.getLogger(__name__)

# Pillow formats read, and no others (Pillow knows EPS, which runs Ghostscript, PDF, ICNS...):
# the documented JPEG (MPO: a phone's multi-picture JPEG), PNG, WebP, TIFF and HEIC, and GIF
# (its first frame), which the reader has always taken
READ_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "TIFF", "GIF", "HEIF")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif")
_HEIF_READY: bool | None = None
_BAND_BYTES = 1 << 20  # a photo is turned into an array this much at a time


def _enable_heif() -> bool:
    global _HEIF_READY
    if _HEIF_READY is None:
        try:
            from pillow_heif import register_heif_opener  # type: ignore[import-not-found]

            register_heif_opener()
            _HEIF_READY = True
        except ImportError:
            _HEIF_READY = False
    return _HEIF_READY


def load_photo(path: str | Path, cfg: LoadConfig) -> Photo:
    """Load `path` as an upright BGR image no longer than `cfg.work_long_side` pixels."""
    path = Path(path)
    name = str(path)
    file_date = _check_file(path, name)
    note_input(path)  # no report may replace the photo it is made from
    if path.suffix.lower() in (".heic", ".heif") and not _enable_heif():
        raise BadInput(
            "HEIC photos need the pillow-heif package",
            path=name,
            fix="pip install 'boardsnap[heic]', or export the photo as JPEG",
        )
    _enable_heif()

    # WeasyPrint sets this process-wide on import; a truncated photo must fail, not load grey
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = cfg.max_pixels
            with Image.open(path, formats=_read_formats()) as img:
                return _decode(img, name, cfg, file_date)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadInput(
            f"image is larger than the {cfg.max_pixels / 1e6:.0f} MP limit",
            path=name,
            fix="scale the photo down or raise load.max_pixels in the config",
        ) from None
    except UnidentifiedImageError:
        raise BadInput(
            "not an image BoardSnap can read",
            path=name,
            fix="give a JPEG, PNG, WebP, TIFF or HEIC photo",
        ) from None
    except PermissionError:
        raise BadInput("permission denied", path=name, fix="check the file's permissions") from None
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as exc:
        # (Pillow's plugins raise struct.error on headers cut short)
        raise BadInput(
            f"the image is damaged or truncated ({_short(exc)})",
            path=name,
            fix="copy the photo again from the phone",
        ) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _check_file(path: Path, name: str) -> date:
    """Refuse what is not a readable regular file before opening it (a pipe or a device would
    block or never end); return the file's modification date."""
    try:
        st = path.stat()
    except FileNotFoundError:
        what = "a broken link" if path.is_symlink() else "no such file"
        raise BadInput(what, path=name, fix="check the path") from None
    except PermissionError:
        raise BadInput(
            "permission denied", path=name, fix="check the permissions of the file and its folder"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BadInput("a looping link", path=name, fix="check the path") from None
        raise BadInput(
            f"cannot read ({exc.strerror or exc})", path=name, fix="check the path"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise BadInput("is a folder, not a photo", path=name, fix="give a photo file")
    if not stat.S_ISREG(st.st_mode):
        raise BadInput("not a regular file", path=name, fix="give a photo file")
    try:
        return date.fromtimestamp(st.st_mtime)
    except (OverflowError, OSError, ValueError):
        return date.today()


def _decode(img: Image.Image, name: str, cfg: LoadConfig, file_date: date) -> Photo:
    width, height = img.size
    if width * height > cfg.max_pixels:
        raise Image.DecompressionBombError("too many pixels")
    if width < 32 or height < 32:
        raise BadInput(
            f"image is only {width}x{height} pixels", path=name, fix="give the original photo"
        )
    if max(width, height) > cfg.max_aspect * min(width, height):
        raise BadInput(
            f"image is {width}x{height} pixels, too narrow to be a photo of a board",
            path=name,
            fix="give the original photo, not a strip cut from it",
        )
    exif = img.getexif()
    orientation = _orientation(exif)
    capture = _exif_date(exif)

    # JPEG can decode at 1/2, 1/4, 1/8 scale directly: much faster for 12 MP photos.
    long_side = max(width, height)
    if img.format == "JPEG" and long_side > 2 * cfg.work_long_side:
        img.draft(
            "RGB",
            (
                max(1, width * cfg.work_long_side // long_side * 2),
                max(1, height * cfg.work_long_side // long_side * 2),
            ),
        )
    img.load()
    if _frame_count(img) != 1:
        log.info("%s: several frames or pages, reading the first", name)
    import cv2  # not at import: batch and the web app use this module's names without it

    if orientation != 1:  # upright (1, or no tag): exif_transpose would only copy the photo
        turned = ImageOps.exif_transpose(img) or img
        if turned is not img:
            img.close()  # its pixels are not needed again: the turned copy holds them
        img = turned
    rgb = _to_rgb8(img)
    img.close()  # the decoded photo's own pixels (30 MB at 10 MP), before the resize adds its own
    h, w = rgb.shape[:2]
    scale = min(1.0, cfg.work_long_side / max(h, w))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)  # one pass, not a reversed view copied
    upright = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    return Photo(
        path=name,
        image=bgr,
        original_size=upright,
        scale=bgr.shape[1] / upright[0],
        exif_orientation=orientation,
        capture_date=capture,
        file_date=file_date,
    )


def _frame_count(img: Image.Image) -> int | None:
    """1 for a still photo, 2 for "more than one" (never counted: a TIFF of 200,000 pages
    would be walked page by page); None when the second frame is too damaged to find (Pillow
    then raises struct.error or IndexError): the first frame, loaded, is read."""
    try:
        return 2 if getattr(img, "is_animated", False) else 1
    except (OSError, ValueError, EOFError, IndexError, struct.error):
        img.seek(0)
        return None


def _read_formats() -> list[str]:
    """READ_FORMATS that this Pillow has (every plugin registered: HEIF once enabled)."""
    Image.init()
    return [f for f in READ_FORMATS if f in Image.OPEN]


def _to_rgb8(img: Image.Image) -> np.ndarray:
    """Any PIL mode to an 8-bit RGB array; transparency composited on white (a board's colour)."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        grey = np.clip(arr / top * 255.0, 0, 255).astype(np.uint8)
        return np.dstack([grey] * 3)
    if img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        finite = np.isfinite(arr)
        # NaN and infinities (a float TIFF's "no data") are read as the darkest value
        lo = float(arr[finite].min()) if finite.any() else 0.0
        hi = float(arr[finite].max()) if finite.any() else 0.0
        arr = np.where(finite, arr, lo)
        grey = np.clip((arr - lo) / ((hi - lo) or 1.0) * 255.0, 0, 255).astype(np.uint8)
        return np.dstack([grey] * 3)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    return _array(img if img.mode == "RGB" else img.convert("RGB"))


def _array(img: Image.Image) -> np.ndarray:
    """`np.asarray(img)`, the same pixels, copied a band of rows at a time: numpy's asarray
    goes through `img.tobytes()`, which holds the whole image twice more as bytes (its pieces
    and their join) while it copies."""
    w, h = img.size
    first = np.asarray(img.crop((0, 0, w, min(h, 1))))
    out = np.empty((h, *first.shape[1:]), first.dtype)
    step = max(1, _BAND_BYTES // max(1, first.nbytes))
    for y in range(0, h, step):
        out[y : y + step] = np.asarray(img.crop((0, y, w, min(h, y + step))))
    return out


def _orientation(exif: Image.Exif) -> int:
    """The EXIF orientation 1..8; anything else (a broken tag) is taken as upright."""
    raw = exif.get(0x0112, 1)
    return raw if isinstance(raw, int) and 1 <= raw <= 8 else 1


def _exif_date(exif: Image.Exif) -> date | None:
    try:
        sub = exif.get_ifd(0x8769)  # the Exif IFD holds DateTimeOriginal (0x9003)
    except Exception:  # noqa: BLE001 - a broken EXIF block is not worth failing a photo for
        sub = {}
    for raw in (sub.get(0x9003), sub.get(0x9004), exif.get(0x0132)):
        if isinstance(raw, bytes):
            raw = raw.decode("ascii", "ignore")
        if isinstance(raw, str):
            try:
                return datetime.strptime(raw.strip()[:19], "%Y:%m:%d %H:%M:%S").date()
            except ValueError:
                continue
    return None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def is_photo_name(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in PHOTO_SUFFIXES
