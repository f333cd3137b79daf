"""`boardsnap doctor`: is everything BoardSnap needs installed, and if not, what fixes it.

Each check is a plain function returning a `Check`; a failing check carries the one command
that fixes it. `run_checks` runs them all and never raises. `find_tessdata` is the one place
that knows where Tesseract's language data lives; the OCR module uses it too.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MIN_TESSERACT = (4, 0)
TOOL_TIMEOUT = 15  # seconds for `tesseract --version`

# Folders that hold *.traineddata on common systems, most specific first.
TESSDATA_GLOBS = (
    "/usr/share/tesseract-ocr/*/tessdata",  # Debian/Ubuntu (tesseract-ocr-eng)
    "/usr/share/tesseract-ocr/tessdata",
    "/usr/share/tessdata",  # Fedora, Arch
    "/usr/local/share/tessdata",  # source builds, Homebrew on Intel macs
    "/opt/homebrew/share/tessdata",  # Homebrew on Apple silicon
    "/opt/local/share/tessdata",  # MacPorts
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None
    required: bool = True  # False: a missing piece only disables an extra (tests, fast OCR)


def _is_mac() -> bool:
    return sys.platform == "darwin"


def _install(apt: str, brew: str) -> str:
    return f"brew install {brew}" if _is_mac() else f"sudo apt-get install -y {apt}"


def tesseract_fix() -> str:
    return _install("tesseract-ocr tesseract-ocr-eng", "tesseract")


# ---- tessdata --------------------------------------------------------------------------------


def find_tessdata(language: str = "eng", configured: str | None = None) -> str | None:
    """The folder holding `<language>.traineddata`, or None.

    Looks in `configured` (OcrConfig.tessdata), then `$TESSDATA_PREFIX` (the folder itself or
    its `tessdata/` child, as Tesseract versions disagree), then the usual system folders,
    newest Tesseract version first. Returned without a trailing slash (tesserocr wants one
    added: `folder + "/"`).
    """
    candidates: list[Path] = []
    for given in (configured, os.environ.get("TESSDATA_PREFIX")):
        if given:
            candidates += [Path(given), Path(given) / "tessdata"]
    for pattern in TESSDATA_GLOBS:
        candidates += [Path(p) for p in sorted(glob.glob(pattern), key=_version_key, reverse=True)]
    for folder in candidates:
        if (folder / f"{language}.traineddata").is_file():
            return str(folder).rstrip("/") or "/"
    return None


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


def _parse_version(text: str) -> tuple[int, ...] | None:
    """(5, 3, 0) from `tesseract 5.3.0`, `tesseract v5.0.0-alpha...` or `4.1.1`."""
    match = re.search(r"tesseract\s+v?(\d+)\.(\d+)(?:\.(\d+))?", text, re.IGNORECASE)
    if match is None:
        match = re.search(r"\bv?(\d+)\.(\d+)(?:\.(\d+))?", text)
    if match is None:
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


# ---- the checks ------------------------------------------------------------------------------


def check_tesseract() -> Check:
    name = "tesseract"
    exe = shutil.which("tesseract")
    if exe is None:
        return Check(name, False, "the tesseract program is not on PATH", tesseract_fix())
    try:
        proc = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check(name, False, f"{exe} does not run ({exc})", tesseract_fix())
    # Tesseract 3 printed its version on stderr, newer ones on stdout.
    version = _parse_version(proc.stdout + "\n" + proc.stderr)
    if version is None:
        return Check(name, False, f"{exe} printed no version", tesseract_fix())
    if version < MIN_TESSERACT:
        return Check(
            name,
            False,
            f"tesseract {_dotted(version)} at {exe} is too old (4.0 or newer needed)",
            tesseract_fix(),
        )
    return Check(name, True, f"tesseract {_dotted(version)} at {exe}")


def check_english_data() -> Check:
    name = "english data"
    folder = find_tessdata()
    if folder is None:
        where = "$TESSDATA_PREFIX or /usr/share/tesseract-ocr/*/tessdata"
        return Check(
            name,
            False,
            f"eng.traineddata not found in {where}",
            _install("tesseract-ocr-eng", "tesseract"),
        )
    return Check(name, True, f"eng.traineddata in {folder}")


def check_tesserocr() -> Check:
    """The in-process engine: optional, BoardSnap falls back to the tesseract program."""
    name = "tesserocr"
    fix = "pip install --force-reinstall 'tesserocr>=2.7'"
    try:
        import tesserocr  # type: ignore[import-not-found, import-untyped]
    except ImportError as exc:
        return Check(name, False, f"not importable ({exc}); OCR will be slower", fix, False)
    version = _parse_version(tesserocr.tesseract_version())
    if version is None or version < MIN_TESSERACT:
        shown = _dotted(version) if version else "unknown"
        return Check(name, False, f"bundles tesseract {shown} (4.0+ needed)", fix, False)
    folder = find_tessdata()
    if folder is None:
        return Check(
            name,
            False,
            f"tesseract {_dotted(version)}, but no tessdata folder with eng.traineddata",
            _install("tesseract-ocr-eng", "tesseract"),
            False,
        )
    try:
        _, languages = tesserocr.get_languages(folder + "/")
    except Exception as exc:  # a broken build raises all kinds of things
        return Check(name, False, f"cannot read {folder} ({exc})", fix, False)
    if "eng" not in languages:
        fix = _install("tesseract-ocr-eng", "tesseract")
        return Check(name, False, f"{folder} has no usable eng data", fix, False)
    detail = f"tesseract {_dotted(version)} in-process, data in {folder}"
    return Check(name, True, detail, None, False)


RAPIDOCR_FIX = "pip install --force-reinstall 'rapidocr>=3.4,<4' 'onnxruntime>=1.17'"
PROBE_TEXT = "< 200 ms"  # what the RapidOCR check draws and reads back
PROBE_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def check_onnxruntime() -> Check:
    """ONNX Runtime runs the default recogniser's models, on the CPU."""
    name = "onnxruntime"
    try:
        import onnxruntime  # type: ignore[import-not-found, import-untyped]
    except ImportError as exc:
        return Check(name, False, f"does not import ({exc})", "pip install 'onnxruntime>=1.17'")
    providers = onnxruntime.get_available_providers()
    if "CPUExecutionProvider" not in providers:
        detail = f"onnxruntime {onnxruntime.__version__} has no CPU provider ({providers})"
        return Check(name, False, detail, "pip install --force-reinstall 'onnxruntime>=1.17'")
    return Check(name, True, f"onnxruntime {onnxruntime.__version__}, CPU provider")


def check_rapidocr() -> Check:
    """The default OCR engine: the PP-OCR detection and recognition models in RapidOCR's wheel,
    as BoardSnap's recogniser finds them, and one rendered line read back through the engine."""
    from importlib.metadata import PackageNotFoundError, version

    from boardsnap.reading import recogniser

    name = "rapidocr"
    try:
        shipped = version("rapidocr")
    except PackageNotFoundError:
        return Check(name, False, "not installed (its wheel holds the OCR models)", RAPIDOCR_FIX)
    try:
        models = [recogniser.model_path(kind) for kind in ("det", "rec")]
    except ImportError as exc:
        return Check(name, False, str(exc), RAPIDOCR_FIX)
    read, confidence = _read_probe()
    if PROBE_TEXT.replace(" ", "") not in read.replace(" ", ""):
        detail = f"rapidocr {shipped}'s models read {read!r} where {PROBE_TEXT!r} was drawn"
        return Check(name, False, detail, RAPIDOCR_FIX)
    names = ", ".join(m.name for m in models)
    detail = f"rapidocr {shipped}, models {names}; read {read!r} ({confidence:.2f})"
    return Check(name, True, detail)


def _read_probe() -> tuple[str, float]:
    """PROBE_TEXT drawn in black on white, read by the default engine's recogniser (its mean
    character confidence beside it)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from boardsnap.reading import recogniser

    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(PROBE_FONT, 36)
    except OSError:
        font = ImageFont.load_default(size=36)
    image = Image.new("L", (260, 56), 255)
    ImageDraw.Draw(image).text((12, 6), PROBE_TEXT, font=font, fill=0)
    engine = recogniser.Recogniser()
    try:
        [frames] = engine.frames([np.asarray(image)])
    finally:
        engine.close()
    text, confidences = frames.best_path()
    return text, (sum(confidences) / len(confidences) if confidences else 0.0)


def check_opencv() -> Check:
    name = "opencv"
    try:
        import cv2
    except ImportError as exc:
        return Check(
            name, False, f"cv2 does not import ({exc})", "pip install 'opencv-python-headless>=4.8'"
        )
    return Check(name, True, f"OpenCV {cv2.__version__}")


def check_weasyprint() -> Check:
    name = "weasyprint"
    from boardsnap.errors import MissingDependency
    from boardsnap.report.render import PANGO_APT, import_weasyprint

    try:
        weasyprint = import_weasyprint()
    except MissingDependency as exc:
        return Check(name, False, exc.message, exc.fix)
    try:
        pdf = weasyprint.HTML(string="<p>BoardSnap</p>").write_pdf()
    except OSError as exc:
        return Check(name, False, f"cannot lay out a page ({exc})", PANGO_APT)
    except Exception as exc:
        return Check(name, False, f"cannot render a PDF ({type(exc).__name__}: {exc})", PANGO_APT)
    if not pdf or not pdf.startswith(b"%PDF"):
        return Check(name, False, "rendered something that is not a PDF", PANGO_APT)
    return Check(name, True, f"WeasyPrint {weasyprint.__version__} renders PDF")


def check_pdftoppm() -> Check:
    """poppler-utils: only the test suite and `--debug-dir` previews use it."""
    name = "pdftoppm"
    exe = shutil.which("pdftoppm")
    if exe is None:
        return Check(
            name,
            False,
            "not found (optional: used by the tests to look at PDFs)",
            _install("poppler-utils", "poppler"),
            False,
        )
    return Check(name, True, f"{exe}", None, False)


CHECKS: tuple[Callable[[], Check], ...] = (
    check_onnxruntime,
    check_rapidocr,
    check_tesseract,
    check_english_data,
    check_tesserocr,
    check_opencv,
    check_weasyprint,
    check_pdftoppm,
)


def run_checks() -> list[Check]:
    """Run every check; a check that crashes is reported as failed, never raised."""
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:  # a probe must not take the doctor down
            name = check.__name__.removeprefix("check_").replace("_", " ")
            results.append(Check(name, False, f"check crashed: {type(exc).__name__}: {exc}", None))
    return results


def all_ok(checks: list[Check]) -> bool:
    """True when every required check passed (optional ones may fail)."""
    return all(c.ok for c in checks if c.required)


__all__ = ["Check", "run_checks", "all_ok", "find_tessdata", "tesseract_fix", "CHECKS"]
