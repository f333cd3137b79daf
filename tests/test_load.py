"""Stage 1: the loader on real image files of every kind it must take or refuse."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from boardsnap.config import LoadConfig
from boardsnap.errors import BadInput, ExitCode
from boardsnap.reading.load import load_photo

CFG = LoadConfig()


def _pattern(w: int = 400, h: int = 300) -> Image.Image:
    """A picture whose top-left quarter is dark, so orientation can be checked."""
    arr = np.full((h, w, 3), 240, np.uint8)
    arr[: h // 2, : w // 2] = 20
    return Image.fromarray(arr)


@pytest.mark.parametrize(
    "orientation, upright_dark_corner",
    [(1, "tl"), (3, "br"), (6, "tr"), (8, "bl")],
)
def test_exif_orientation_is_applied(tmp_path, orientation, upright_dark_corner):
    path = tmp_path / "p.jpg"
    exif = Image.Exif()
    exif[0x0112] = orientation
    _pattern().save(path, exif=exif, quality=95)
    photo = load_photo(path, CFG)
    h, w = photo.image.shape[:2]
    assert (w, h) == ((400, 300) if orientation in (1, 3) else (300, 400))
    corners = {
        "tl": photo.image[5, 5],
        "tr": photo.image[5, w - 6],
        "bl": photo.image[h - 6, 5],
        "br": photo.image[h - 6, w - 6],
    }
    assert corners[upright_dark_corner].mean() < 80
    assert sum(c.mean() < 80 for c in corners.values()) == 1
    assert photo.exif_orientation == orientation


def test_large_photo_is_scaled_to_working_size(tmp_path):
    path = tmp_path / "big.jpg"
    _pattern(4000, 3000).save(path, quality=80)
    photo = load_photo(path, CFG)
    assert max(photo.image.shape[:2]) == CFG.work_long_side
    assert photo.original_size == (4000, 3000)


def test_exif_capture_date_is_read(tmp_path):
    path = tmp_path / "dated.jpg"
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:11:20 15:42:00"
    _pattern().save(path, exif=exif)
    assert str(load_photo(path, CFG).capture_date) == "2026-11-20"


@pytest.mark.parametrize("mode", ["CMYK", "L", "P", "RGBA", "LA", "I;16"])
def test_every_mode_becomes_bgr8(tmp_path, mode):
    img = _pattern()
    if mode == "I;16":
        img = Image.fromarray(np.asarray(img.convert("L")).astype(np.uint16) * 257)
    else:
        img = img.convert(mode)
    path = tmp_path / ("p.jpg" if mode == "CMYK" else "p.png")
    img.save(path)
    photo = load_photo(path, CFG)
    assert photo.image.dtype == np.uint8 and photo.image.shape == (300, 400, 3)
    assert photo.image[5, 5].mean() < 80 and photo.image[-5, -5].mean() > 200


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("L", (3000, 3000), 255).save(path)
    with pytest.raises(BadInput) as err:
        load_photo(path, LoadConfig(max_pixels=2_000_000))
    assert "MP limit" in str(err.value) and "bomb.png" in str(err.value)


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("notes.jpg", b"this is a text file, not a photo\n", "not an image"),
        ("empty.jpg", b"", "not an image"),
    ],
)
def test_non_images_get_one_line_errors(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BadInput) as err:
        load_photo(path, CFG)
    message = str(err.value)
    assert words in message and name in message and "\n" not in message
    assert err.value.exit_code == ExitCode.BAD_INPUT


@pytest.mark.parametrize("weasyprint_loaded", [False, True])
def test_truncated_jpeg(tmp_path, weasyprint_loaded):
    if weasyprint_loaded:
        import weasyprint  # noqa: F401 - it switches on LOAD_TRUNCATED_IMAGES process-wide
    path = tmp_path / "cut.jpg"
    full = tmp_path / "full.jpg"
    _pattern(800, 600).save(full, quality=90)
    path.write_bytes(full.read_bytes()[:3000])
    with pytest.raises(BadInput, match="damaged or truncated"):
        load_photo(path, CFG)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(BadInput, match="no such file"):
        load_photo(tmp_path / "nope.jpg", CFG)
    with pytest.raises(BadInput, match="folder"):
        load_photo(tmp_path, CFG)


def test_tiny_image_is_refused(tmp_path):
    path = tmp_path / "dot.png"
    Image.new("RGB", (1, 1)).save(path)
    with pytest.raises(BadInput, match="1x1"):
        load_photo(path, CFG)
