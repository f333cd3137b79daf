"""The peer baselines: their own venv, and turning their raw output into a BoardSnap `Reading`.

The peers (whole-page Tesseract, img2table with Tesseract, img2table with RapidOCR) are what a
user might try instead of BoardSnap. They live in `bench/.baselines-venv`, created here from PyPI
with pinned versions; BoardSnap itself never depends on them. Each peer's raw output (table cells,
or text lines) becomes a `Reading` and goes through the SAME `parse_reading` + `judge_board` as
BoardSnap's own reading, so the benchmark compares the reading front-ends.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from boardsnap.reading.results import OcrText, Reading

BENCH_DIR = Path(__file__).resolve().parent
VENV_DIR = BENCH_DIR / ".baselines-venv"
WORKER = BENCH_DIR / "peers_worker.py"

# Versions verified with this benchmark (their APIs were read in the installed sources).
PINS = (
    "img2table==2.0.0",
    "rapidocr==3.10.0",
    "onnxruntime==1.32.0",
    "pytesseract==0.3.13",
    "opencv-python-headless==5.0.0.93",
)

# A peer's text carries no confidence through its table/page API: treat it as read with certainty.
PEER_CONFIDENCE = 1.0


@dataclass(frozen=True)
class Peer:
    key: str  # the worker's name for it
    label: str  # the column title


PEERS = (
    Peer("tesseract_page", "Tesseract page"),
    Peer("img2table_tesseract", "img2table+Tesseract"),
    Peer("img2table_rapidocr", "img2table+RapidOCR"),
)


def venv_python() -> Path:
    return VENV_DIR / "bin" / "python"


def ensure_venv(log) -> Path:
    """Create bench/.baselines-venv with the pinned peers unless it already has them."""
    python = venv_python()
    stamp = VENV_DIR / ".pins"
    wanted = "\n".join(PINS) + "\n"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"bench: installing the peer baselines into {VENV_DIR} (once) ...", file=log, flush=True)
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV_DIR)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True, stdout=log, stderr=log)
    subprocess.run(pip + list(PINS), check=True, stdout=log, stderr=log)
    stamp.write_text(wanted)
    return python


def worker_command(peer: Peer) -> list[str]:
    return [str(venv_python()), str(WORKER), peer.key]


def reading_from_raw(record: dict) -> Reading:
    """A peer's JSON line as a Reading: the biggest table's cells, the other tables' rows and any
    whole-page text as lines."""
    tables = [t for t in record.get("tables") or [] if t]
    lines = [str(s) for s in record.get("lines") or [] if str(s).strip()]
    cells: tuple[tuple[OcrText, ...], ...] = ()
    if tables:
        main = max(tables, key=lambda t: (sum(1 for row in t for c in row if c), len(t)))
        width = max(len(row) for row in main)
        cells = tuple(
            tuple(_text(row[c] if c < len(row) else "") for c in range(width)) for row in main
        )
        for t in tables:
            if t is not main:
                lines += [" ".join(c for c in row if c) for row in t if any(row)]
    return Reading(cells=cells, lines=tuple(_text(s) for s in lines), notes=())


def _text(s: str) -> OcrText:
    s = " ".join(str(s or "").split())
    return OcrText(s, PEER_CONFIDENCE if s else 1.0, None)


def versions(python: Path) -> str:
    """The peers' versions as installed, for the results header."""
    code = (
        "import importlib.metadata as m\n"
        "print(', '.join(f'{p} {m.version(p)}' for p in "
        "('img2table','rapidocr','onnxruntime','pytesseract')))"
    )
    try:
        return subprocess.run(
            [str(python), "-c", code], capture_output=True, text=True, timeout=60, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


if __name__ == "__main__":  # `python -m bench.baselines`: just install the peers
    ensure_venv(sys.stderr)
    print(venv_python())
