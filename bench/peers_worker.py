"""Runs one peer baseline on photos, inside bench/.baselines-venv (never imports boardsnap).

    .baselines-venv/bin/python bench/peers_worker.py PEER PHOTO [PHOTO ...]

PEER is one of `PEERS` below. stdout carries JSON lines only, one per photo, in order:

    {"photo": "...", "ok": true, "seconds": 4.2, "maxrss_mb": 310.5,
     "tables": [[["Metric", "Target"], ["P95 latency", "< 200ms"]], ...]}      (img2table peers)
    {"photo": "...", "ok": true, "seconds": 3.1, "maxrss_mb": 95.0,
     "lines": ["Payments API SLA review", ...]}                                (whole page)
    {"photo": "...", "ok": false, "seconds": 0.4, "maxrss_mb": 95.0, "error": "ValueError: ..."}

preceded by one `{"ready": true, "init_seconds": ...}` line once the engine is loaded, so loading
models is not counted against the first photo. Everything the libraries print goes to stderr.
The parent (bench/runner.py) enforces the per-photo time limit and restarts this worker after a
crash or a time-out.

The settings of each peer, and where they were verified:
- tesseract_page: `pytesseract.image_to_string` on the photo after `PIL.ImageOps.exif_transpose`,
  Tesseract's default page segmentation (psm 3), English.
- img2table_tesseract: `img2table.document.Image(src)`, `img2table.ocr.TesseractOCR(lang="eng")`
  (its default psm 11, sparse text) and `extract_tables(ocr, implicit_rows=True,
  borderless_tables=False, min_confidence=50)`: the library's own example for ruled tables with
  multi-line cells (examples/Implicit.ipynb); img2table 2.0.0 `document/_types.py`.
- img2table_rapidocr: `img2table.ocr.RapidOCR(params={"Global.use_cls": False,
  "EngineConfig.onnxruntime.intra_op_num_threads": 1})`; img2table's wrapper adds
  `Rec.lang_type=en`; `extract_tables(ocr, implicit_rows=True, borderless_tables=True)`.
  `Global.use_cls` is RapidOCR 3.x's switch for the text-line orientation classifier
  (rapidocr/config.yaml, RapidOCRDocs "parameters"); its default ONNX models ship in the wheel.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback

PEERS = ("tesseract_page", "img2table_tesseract", "img2table_rapidocr")

IMG2TABLE_SETTINGS = {
    "img2table_tesseract": {
        "implicit_rows": True,
        "borderless_tables": False,
        "min_confidence": 50,
    },
    "img2table_rapidocr": {"implicit_rows": True, "borderless_tables": True, "min_confidence": 50},
}
RAPIDOCR_PARAMS = {
    "Global.use_cls": False,  # the angle classifier turns "99.9%" upside down into "%666"
    "Global.log_level": "warning",
    "EngineConfig.onnxruntime.intra_op_num_threads": 1,  # one core per worker, like BoardSnap
    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
}


def _maxrss_mb() -> float:
    """This process's own peak resident memory. VmHWM, not ru_maxrss: on Linux ru_maxrss keeps
    the high-water mark of the parent's memory image across fork + exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


class TesseractPage:
    def __init__(self) -> None:
        import pytesseract
        from PIL import Image, ImageOps

        self._tess = pytesseract
        self._image = Image
        self._ops = ImageOps
        pytesseract.get_tesseract_version()  # fail early when Tesseract is missing

    def run(self, path: str) -> dict:
        with self._image.open(path) as img:
            upright = self._ops.exif_transpose(img).convert("RGB")
        text = self._tess.image_to_string(upright, lang="eng")
        return {"lines": [ln.strip() for ln in text.splitlines() if ln.strip()]}


class Img2Table:
    def __init__(self, peer: str) -> None:
        from img2table.document import Image

        self._image = Image
        self._settings = IMG2TABLE_SETTINGS[peer]
        if peer == "img2table_rapidocr":
            from img2table.ocr import RapidOCR

            self._ocr = RapidOCR(params=dict(RAPIDOCR_PARAMS))
        else:
            from img2table.ocr import TesseractOCR

            self._ocr = TesseractOCR(n_threads=1, lang="eng")

    def run(self, path: str) -> dict:
        doc = self._image(src=path)
        tables = doc.extract_tables(ocr=self._ocr, **self._settings)
        return {"tables": [_table_rows(t) for t in tables]}


def _table_rows(table) -> list[list[str]]:
    """Rows x cells texts. img2table repeats a merged cell in every column it spans; keep one."""
    rows = []
    for row in table.content.values():
        cells: list[str] = []
        previous = None
        for cell in row:
            key = (cell.bbox.x1, cell.bbox.y1, cell.bbox.x2, cell.bbox.y2)
            if key == previous:
                continue
            previous = key
            cells.append((cell.value or "").strip())
        rows.append(cells)
    return rows


def make_peer(name: str):
    if name == "tesseract_page":
        return TesseractPage()
    if name in IMG2TABLE_SETTINGS:
        return Img2Table(name)
    raise SystemExit(f"unknown peer {name!r}; peers are {', '.join(PEERS)}")


def main(argv: list[str]) -> int:
    if len(argv) < 1:
        print(__doc__, file=sys.stderr)
        return 2
    # Results go to the original stdout; anything a library prints (Python or C) to stderr.
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def emit(record: dict) -> None:
        out.write(json.dumps(record) + "\n")
        out.flush()

    t0 = time.perf_counter()
    peer = make_peer(argv[0])
    emit({"ready": True, "init_seconds": round(time.perf_counter() - t0, 3)})
    for path in argv[1:]:
        t = time.perf_counter()
        try:
            result = peer.run(path)
            record = {"photo": path, "ok": True, **result}
        except Exception as exc:  # a peer's failure is a result to count, not a reason to stop
            traceback.print_exc(file=sys.stderr)
            record = {"photo": path, "ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        record["seconds"] = round(time.perf_counter() - t, 4)
        record["maxrss_mb"] = round(_maxrss_mb(), 1)
        emit(record)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
