"""The report's branding: company name, logo, accent colour and footer line.

`load_branding` turns the `[report]` settings into a `Branding` the template can use: the logo
is read once, checked to be a picture, and inlined as a `data:` URI (the report stays one file
and the PDF renderer fetches nothing). A missing or unreadable logo is a `BadInput` naming the
file; the colour was already validated by `Config`.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from boardsnap.config import ReportConfig
from boardsnap.errors import BadInput

DEFAULT_ACCENT = "#1e3a8a"
LOGO_MAX_BYTES = 2_000_000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}


@dataclass(frozen=True)
class Branding:
    company: str = ""
    logo_uri: str | None = None
    accent: str = DEFAULT_ACCENT
    accent_ink: str = "#ffffff"  # text colour readable on the accent
    footer: str = ""


def load_branding(cfg: ReportConfig) -> Branding:
    accent = _long_hex(cfg.accent)
    return Branding(
        company=cfg.company.strip(),
        logo_uri=_logo_uri(Path(cfg.logo).expanduser()) if cfg.logo else None,
        accent=accent,
        accent_ink=_ink_on(accent),
        footer=cfg.footer.strip(),
    )


def _logo_uri(path: Path) -> str:
    fix = "give [report] logo as a PNG, JPEG, GIF or SVG file"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput("logo not found", path=str(path), fix=fix) from None
    except IsADirectoryError:
        raise BadInput("logo is a folder", path=str(path), fix=fix) from None
    except OSError as exc:
        raise BadInput(f"cannot read the logo ({exc.strerror})", path=str(path)) from None
    if len(data) > LOGO_MAX_BYTES:
        raise BadInput(
            f"logo is {len(data) // 1000} kB", path=str(path), fix="use a logo under 2 MB"
        )
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg"):
        if b"<svg" not in data[:4096].lower():
            raise BadInput("logo is XML but not SVG", path=str(path), fix=fix)
        mime = "image/svg+xml"
    else:
        mime = _raster_mime(data, path, fix)
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _raster_mime(data: bytes, path: Path, fix: str) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadInput("logo is not a picture", path=str(path), fix=fix) from None
    if kind not in LOGO_TYPES:
        raise BadInput(f"logo is {kind or 'an unknown format'}", path=str(path), fix=fix)
    return LOGO_TYPES[kind]


def _long_hex(colour: str) -> str:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


def _ink_on(colour: str) -> str:
    """White or near-black, whichever reads better on `colour` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#111827" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


__all__ = ["Branding", "load_branding", "DEFAULT_ACCENT"]
